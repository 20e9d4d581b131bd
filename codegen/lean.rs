//! Cuts from progenitor's output what no user calls: typify's per-model builders
//! (`types::builder::X`, `X::builder()`) of models that only travel in answers. A builder is
//! kept for every model a request reaches (a request body, a parameter, and everything they
//! contain), so request values keep their builder-style setters (`impl TryInto<T>` per field),
//! which is what keeps user code compiling when a later spec turns `bool` into `Option<bool>`.
//! Nobody builds an answer: those builders were about half of the generated lines.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;

/// Every identifier in `tokens`, recursively.
fn idents(tokens: TokenStream, out: &mut BTreeSet<String>) {
    for tt in tokens {
        match tt {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// The last path segment of an `impl`'s self type (`X` of `impl … for super::X`).
fn self_name(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(tp) => tp.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        syn::Item::Impl(imp) => self_name(imp),
        _ => None,
    }
}

/// The models reachable from requests: roots are the types named by the operations' code (the
/// items of `file` outside `mod types`), closed over what each model's definition names.
pub fn request_models(file: &syn::File) -> BTreeSet<String> {
    let Some(types) = types_items(file) else {
        return BTreeSet::new();
    };
    // Model → the identifiers of its definition (struct or enum, not its impls: a `From`
    // impl names other models without containing them).
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types {
        if let (Some(name), true) = (
            item_name(item),
            matches!(
                item,
                syn::Item::Struct(_) | syn::Item::Enum(_) | syn::Item::Type(_)
            ),
        ) {
            let mut used = BTreeSet::new();
            idents(item.to_token_stream(), &mut used);
            names.entry(name).or_default().extend(used);
        }
    }
    let mut roots = BTreeSet::new();
    for item in &file.items {
        if !matches!(item, syn::Item::Mod(m) if m.ident == "types") {
            idents(item.to_token_stream(), &mut roots);
        }
    }
    let mut keep = BTreeSet::new();
    let mut todo: Vec<String> = roots
        .into_iter()
        .filter(|r| names.contains_key(r))
        .collect();
    while let Some(name) = todo.pop() {
        if !keep.insert(name.clone()) {
            continue;
        }
        if let Some(used) = names.get(&name) {
            todo.extend(
                used.iter()
                    .filter(|u| names.contains_key(*u) && !keep.contains(*u))
                    .cloned(),
            );
        }
    }
    keep
}

fn types_items(file: &syn::File) -> Option<&Vec<syn::Item>> {
    file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })
}

/// Puts the models of `from` (a builder-interface run: the same types, with typify's
/// builders) in place of `file`'s (a positional run, whose models have none).
pub fn replace_types(file: &mut syn::File, from: syn::File) -> Result<(), String> {
    let types = from
        .items
        .into_iter()
        .find(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"))
        .ok_or("progenitor's builder run emitted no `types` module")?;
    let slot = file
        .items
        .iter_mut()
        .find(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"))
        .ok_or("progenitor's positional run emitted no `types` module")?;
    *slot = types;
    Ok(())
}

/// Removes typify's builders of the models not in `keep`; returns how many models lost one.
pub fn prune_builders(file: &mut syn::File, keep: &BTreeSet<String>) -> usize {
    let mut removed = BTreeSet::new();
    for item in &mut file.items {
        let syn::Item::Mod(types) = item else {
            continue;
        };
        if types.ident != "types" {
            continue;
        }
        let Some((_, items)) = types.content.as_mut() else {
            continue;
        };
        for item in items.iter_mut() {
            match item {
                syn::Item::Mod(builder) if builder.ident == "builder" => {
                    if let Some((_, inner)) = builder.content.as_mut() {
                        inner.retain(|i| match item_name(i) {
                            Some(name) if !keep.contains(&name) => {
                                removed.insert(name);
                                false
                            }
                            _ => true,
                        });
                    }
                }
                // `impl X { pub fn builder() -> builder::X }` of a model without a builder.
                syn::Item::Impl(imp)
                    if imp.trait_.is_none()
                        && self_name(imp).is_some_and(|n| !keep.contains(&n)) =>
                {
                    imp.items
                        .retain(|i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
                }
                _ => {}
            }
        }
        items.retain(
            |i| !matches!(i, syn::Item::Impl(imp) if imp.trait_.is_none() && imp.items.is_empty()),
        );
    }
    removed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_builders_of_what_requests_reach_only() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Body { pub inner: Inner }
                pub struct Inner { pub x: i64 }
                pub struct Answer { pub y: Inner }
                impl Body { pub fn builder() -> builder::Body { Default::default() } }
                impl Answer { pub fn builder() -> builder::Answer { Default::default() } }
                impl From<&Answer> for Answer { fn from(v: &Answer) -> Self { todo!() } }
                pub mod builder {
                    pub struct Body { inner: Result<super::Inner, String> }
                    impl Body { pub fn inner(self) -> Self { self } }
                    pub struct Inner { x: Result<i64, String> }
                    pub struct Answer { y: Result<super::Inner, String> }
                    impl Default for Answer { fn default() -> Self { todo!() } }
                    impl TryFrom<Answer> for super::Answer { type Error = (); }
                }
            }
            pub mod builder {
                pub struct Op { body: Result<types::builder::Body, String> }
            }
        };
        let keep = request_models(&file);
        assert_eq!(
            keep.iter().map(String::as_str).collect::<Vec<_>>(),
            ["Body", "Inner"]
        );
        assert_eq!(prune_builders(&mut file, &keep), 1);
        let text = file.to_token_stream().to_string();
        assert!(!text.contains("builder :: Answer"), "{text}");
        assert!(!text.contains("struct Answer { y : Result"), "{text}");
        assert!(text.contains("impl From < & Answer > for Answer"), "{text}");
        assert!(text.contains("builder :: Body"), "{text}");
    }
}
