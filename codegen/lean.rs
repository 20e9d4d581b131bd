//! Which models requests reach (a request body, a parameter, and everything they contain):
//! those get builders (codegen/builders.rs), so request values keep their builder-style setters
//! (`impl TryInto<T>` per field), which is what keeps user code compiling when a later spec turns
//! `bool` into `Option<bool>`. Nobody builds an answer: builders of answer-only models were about
//! half of the generated lines.

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

/// The items of progenitor's `mod types` (the models).
fn types_items(file: &syn::File) -> Option<&Vec<syn::Item>> {
    file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })
}

/// [`types_items`], to change them (builders.rs and deserialize.rs add to them).
pub fn types_items_mut(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_models_are_what_the_operations_reach() {
        let file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Body { pub inner: Inner }
                pub struct Inner { pub x: i64 }
                pub struct Answer { pub y: Inner }
                impl From<&Answer> for Body { fn from(v: &Answer) -> Self { todo!() } }
            }
            impl Client {
                pub async fn op(&self, body: &types::Body) -> Result<types::Answer2, ()> { todo!() }
            }
        };
        let keep = request_models(&file);
        assert_eq!(
            keep.iter().map(String::as_str).collect::<Vec<_>>(),
            ["Body", "Inner"]
        );
    }
}
