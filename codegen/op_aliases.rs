//! Operation-stable names for the types *below* an operation's `Output`, `Body` and
//! parameters (`types::ops::<op>::{output, body, params}`).
//!
//! typify names a nested type after the place it was first found
//! (`AssetsCreateUploadSignBodyType`, `ListVideoTasksResponseVoListItem`): a spec that renames a
//! component, or turns a `$ref` into an inline schema, renames it. Hand-written code names it
//! through the operation instead, by the field that holds it:
//!
//! - `output::<Field>`, `body::<Field>`, `params::<Param>`: the type of that field of `Output`
//!   (the struct `send()` returns, or the element of the list it returns) or `Body`, or of that
//!   parameter; `PascalCase` of the field's Rust name ([`naming::type_name`]), with `Option`
//!   and `Box` stripped. Where a `Vec` was stripped the name ends in `Item`: `output::ListItem`
//!   is one element of `Output.list`.
//! - `output::<field>::…` (a module named as the field): the same one level further down, for a
//!   field whose type is a struct, up to [`DEPTH`] levels.
//!
//! Only fields whose type involves a generated type get an alias (`String`, `i64`, … need no
//! stable name). Two fields whose names give one alias (`list` as a `Vec`, and `listItem`) get
//! none, rather than one of them silently. The types are read from progenitor's output with
//! `syn`, never re-derived from the spec.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::naming;

/// How many levels of field modules go below `output`, `body` and `params`.
pub const DEPTH: usize = 2;

/// The path the aliases name generated types by (they live in nested modules, where a
/// `use … types` of the enclosing module does not reach).
const TYPES: &str = "crate::generated::types";

/// The named-field structs and all type names of progenitor's `types` module.
#[derive(Default)]
pub struct Types {
    structs: BTreeMap<String, Vec<(syn::Ident, syn::Type)>>,
    /// Enums with variants of named fields (typify's tagged unions): their variants.
    unions: BTreeMap<String, Vec<(String, Fields)>>,
    names: BTreeSet<String>,
}

/// Named fields: (Rust name, type as written inside `types`).
type Fields = Vec<(syn::Ident, syn::Type)>;

impl Types {
    /// Reads the `types` module of progenitor's output.
    pub fn read(file: &syn::File) -> Types {
        let mut out = Types::default();
        let items = file.items.iter().filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, i)| i),
            _ => None,
        });
        for item in items.flatten() {
            match item {
                syn::Item::Struct(s) => {
                    out.names.insert(s.ident.to_string());
                    if let syn::Fields::Named(fields) = &s.fields {
                        out.structs.insert(s.ident.to_string(), named(fields));
                    }
                }
                syn::Item::Enum(e) => {
                    out.names.insert(e.ident.to_string());
                    let variants: Vec<(String, Fields)> = e
                        .variants
                        .iter()
                        // `Variant0`, … are positions in an `anyOf`, not names: a spec that
                        // reorders its members renumbers them.
                        .filter(|v| !is_positional(&v.ident.to_string()))
                        .filter_map(|v| match &v.fields {
                            syn::Fields::Named(f) => Some((v.ident.to_string(), named(f))),
                            _ => None,
                        })
                        .collect();
                    if !variants.is_empty() {
                        out.unions.insert(e.ident.to_string(), variants);
                    }
                }
                syn::Item::Type(t) => {
                    out.names.insert(t.ident.to_string());
                }
                _ => {}
            }
        }
        out
    }

    /// `ty` (written in the facade, `types::X`, or inside `types`, `X`) with every generated
    /// type named by its full path; `None` when it names no generated type.
    fn absolute(&self, ty: &syn::Type) -> Option<syn::Type> {
        let mut ty = ty.clone();
        self.rewrite(&mut ty).then_some(ty)
    }

    /// Rewrites the paths to generated types in `ty`; whether there were any.
    fn rewrite(&self, ty: &mut syn::Type) -> bool {
        match ty {
            syn::Type::Path(tp) if tp.qself.is_none() => {
                let mut found = false;
                for seg in tp.path.segments.iter_mut() {
                    if let syn::PathArguments::AngleBracketed(args) = &mut seg.arguments {
                        for arg in args.args.iter_mut() {
                            if let syn::GenericArgument::Type(t) = arg {
                                found |= self.rewrite(t);
                            }
                        }
                    }
                }
                let path = &mut tp.path;
                if path.leading_colon.is_some() {
                    return found;
                }
                let first = path.segments.first().map(|s| s.ident.to_string());
                let prefix: syn::Path = syn::parse_str(TYPES).expect("a valid path");
                let n = path.segments.len();
                let under_types = n >= 2 && path.segments[n - 2].ident == "types";
                match first.as_deref() {
                    // Already from the crate's root: `crate::types::X`.
                    Some("crate") if under_types => true,
                    // As the facade writes it: `types::X`.
                    Some("types") if n > 1 => {
                        let rest: Vec<_> = path.segments.iter().skip(1).cloned().collect();
                        path.segments = prefix.segments.into_iter().chain(rest).collect();
                        path.leading_colon = None;
                        true
                    }
                    // As typify writes it inside `types`: `X`.
                    Some(name) if n == 1 && self.names.contains(name) => {
                        let own: Vec<_> = path.segments.iter().cloned().collect();
                        path.segments = prefix.segments.into_iter().chain(own).collect();
                        true
                    }
                    _ => found,
                }
            }
            syn::Type::Array(a) => self.rewrite(&mut a.elem),
            syn::Type::Slice(s) => self.rewrite(&mut s.elem),
            syn::Type::Reference(r) => self.rewrite(&mut r.elem),
            syn::Type::Paren(p) => self.rewrite(&mut p.elem),
            syn::Type::Group(g) => self.rewrite(&mut g.elem),
            syn::Type::Tuple(t) => t
                .elems
                .iter_mut()
                .fold(false, |found, t| self.rewrite(t) | found),
            _ => false,
        }
    }

    /// The fields of `ty` (an absolute path to a generated struct), if it is one.
    fn fields_of(&self, ty: &syn::Type) -> Option<(&str, &[(syn::Ident, syn::Type)])> {
        let (name, fields) = self.structs.get_key_value(&generated_name(ty)?)?;
        Some((name.as_str(), fields.as_slice()))
    }

    /// The named variants of `ty` (an absolute path to a generated enum), if it has any.
    fn variants_of(&self, ty: &syn::Type) -> Option<(&str, &[(String, Fields)])> {
        let (name, variants) = self.unions.get_key_value(&generated_name(ty)?)?;
        Some((name.as_str(), variants.as_slice()))
    }
}

/// The last segment of a path without generic arguments.
fn generated_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(tp) = ty else {
        return None;
    };
    let last = tp.path.segments.last()?;
    matches!(last.arguments, syn::PathArguments::None).then(|| last.ident.to_string())
}

fn named(fields: &syn::FieldsNamed) -> Fields {
    fields
        .named
        .iter()
        .filter_map(|f| Some((f.ident.clone()?, f.ty.clone())))
        .collect()
}

/// `Variant0`, `Variant12`: typify's names for the members of an untagged `anyOf`.
fn is_positional(variant: &str) -> bool {
    variant
        .strip_prefix("Variant")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `name` as an identifier (raw if a keyword, `_` appended if it cannot be raw); `None` if it
/// is none at all. Never panics, whatever the spec names.
fn ident(name: &str) -> Option<syn::Ident> {
    syn::parse_str::<syn::Ident>(name)
        .or_else(|_| syn::parse_str::<syn::Ident>(&format!("r#{name}")))
        .or_else(|_| syn::parse_str::<syn::Ident>(&format!("{name}_")))
        .ok()
}

/// `ty` without its `Option`, `Box` and `Vec` wrappers (of `std`, as typify writes them), and
/// whether a `Vec` was among them.
fn strip(ty: &syn::Type) -> (syn::Type, bool) {
    let mut ty = ty;
    let mut list = false;
    while let Some((inner, wrapper)) = crate::rust_types::unwrap_one(ty, &["Option", "Box", "Vec"])
    {
        list |= wrapper == "Vec";
        ty = inner;
    }
    (ty.clone(), list)
}

/// The aliases below one operation: modules `output`, `body` and `params`, each only when it
/// has an alias. `output` is the operation's `Output` type, `body` its body type, `params`
/// (Rust name, setter type) of its parameters; all as the facade writes them (`types::X`).
pub fn for_operation<'a>(
    types: &Types,
    output: &TokenStream,
    body: Option<&syn::Type>,
    params: impl IntoIterator<Item = (&'a str, &'a syn::Type)>,
) -> TokenStream {
    let mut out = TokenStream::new();
    let output: Option<syn::Type> = syn::parse2(output.clone()).ok();
    let roots = [
        ("output", "Output", output.as_ref()),
        ("body", "Body", body),
    ];
    for (module, root, ty) in roots {
        let Some(ty) = ty.and_then(|t| types.absolute(t)) else {
            continue;
        };
        let (ty, list) = strip(&ty);
        // `send()` returning a list: the fields are its elements'.
        let root = if list {
            format!("{root}[]")
        } else {
            root.to_string()
        };
        if let Some((name, fields)) = types.fields_of(&ty) {
            let seen = &mut vec![name.to_string()];
            out.extend(module_of(
                types,
                module,
                Some(&root),
                fields.to_vec(),
                0,
                seen,
            ));
        }
    }
    let params: Vec<(syn::Ident, syn::Type)> = params
        .into_iter()
        .filter_map(|(name, ty)| Some((syn::parse_str::<syn::Ident>(name).ok()?, ty.clone())))
        .collect();
    out.extend(module_of(types, "params", None, params, 0, &mut Vec::new()));
    out
}

/// `pub mod <module> { … }` with an alias per field (and a module per struct-typed field);
/// nothing when there would be no alias. `place`: the Rust path of the struct whose fields
/// these are (`Output.list`), `None` for the parameters. `depth`: the levels of field modules
/// above (0 for `output`, `body`, `params`). `seen`: the structs above, so recursive types end.
fn module_of(
    types: &Types,
    module: &str,
    place: Option<&str>,
    fields: Vec<(syn::Ident, syn::Type)>,
    depth: usize,
    seen: &mut Vec<String>,
) -> TokenStream {
    let mut aliases: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();
    let mut modules = Vec::new();
    for (field_ident, ty) in fields {
        let Some(ty) = types.absolute(&ty) else {
            continue;
        };
        let (inner, list) = strip(&ty);
        let field = field_ident.to_string();
        let field = field.trim_start_matches("r#");
        let mut alias = naming::type_name(field);
        if list {
            alias.push_str("Item");
        }
        if alias.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        // `Self` is the one keyword a PascalCase name can be.
        if alias == "Self" {
            alias.push('_');
        }
        let Ok(name) = syn::parse_str::<syn::Ident>(&alias) else {
            continue;
        };
        let what = if list { "one element of " } else { "" };
        let doc = match place {
            Some(place) => format!("The type of {what}`{place}.{field}`."),
            None => format!("The type of {what}the parameter `{field}`."),
        };
        aliases
            .entry(alias)
            .or_default()
            .push(quote! { #[doc = #doc] pub type #name = #inner; });
        let below = match (place, list) {
            (Some(place), false) => format!("{place}.{field}"),
            (Some(place), true) => format!("{place}.{field}[]"),
            (None, _) => field.to_string(),
        };
        if depth >= DEPTH {
            continue;
        }
        if let Some((struct_name, fields)) = types.fields_of(&inner) {
            if !seen.iter().any(|s| s == struct_name) {
                seen.push(struct_name.to_string());
                let fields = fields.to_vec();
                modules.push(module_of(
                    types,
                    field,
                    Some(&below),
                    fields,
                    depth + 1,
                    seen,
                ));
                seen.pop();
            }
        } else if let Some((enum_name, variants)) = types.variants_of(&inner) {
            // A tagged union: a module per variant, named as the variant (from its tag).
            if !seen.iter().any(|s| s == enum_name) {
                seen.push(enum_name.to_string());
                let per_variant: Vec<TokenStream> = variants
                    .iter()
                    .map(|(variant, fields)| {
                        let module = naming::words(variant).join("_");
                        let place = format!("{below} as {variant}");
                        module_of(
                            types,
                            &module,
                            Some(&place),
                            fields.clone(),
                            depth + 1,
                            seen,
                        )
                    })
                    .collect();
                seen.pop();
                if let (false, Some(m)) =
                    (per_variant.iter().all(TokenStream::is_empty), ident(field))
                {
                    let doc =
                        format!("Types of the fields of each variant of `{below}`, by variant.");
                    modules.push(quote! {
                        #[doc = #doc]
                        pub mod #m { #(#per_variant)* }
                    });
                }
            }
        }
    }
    // Two fields, one alias: neither (a name that silently meant one of them would not be
    // stable).
    let aliases: Vec<TokenStream> = aliases
        .into_values()
        .filter(|a| a.len() == 1)
        .flatten()
        .collect();
    if aliases.is_empty() && modules.iter().all(TokenStream::is_empty) {
        return TokenStream::new();
    }
    let doc = match place {
        Some(place) => format!("Types of the fields of `{place}`, by field."),
        None => "Types of the operation's parameters, by parameter.".to_string(),
    };
    let Some(module) = ident(module) else {
        return TokenStream::new();
    };
    quote! {
        #[doc = #doc]
        pub mod #module {
            #(#aliases)*
            #(#modules)*
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> syn::File {
        syn::parse_quote! {
            pub mod types {
                pub struct ListResponse {
                    pub list: ::std::vec::Vec<ListResponseListItem>,
                    pub total: i64,
                    pub next: ::std::option::Option<::std::boxed::Box<ListResponse>>,
                }
                pub struct ListResponseListItem {
                    pub status: ::aitoearn::Open<ListResponseListItemStatus>,
                    pub owner: ::std::option::Option<Owner>,
                    pub title: ::std::string::String,
                }
                pub enum ListResponseListItemStatus { A, B }
                pub struct Owner { pub kind: OwnerKind, pub r#type: OwnerKind }
                pub enum OwnerKind { X }
                pub struct UploadBody {
                    #[serde(rename = "type")]
                    pub type_: UploadBodyType,
                    pub tags: ::std::vec::Vec<::std::string::String>,
                    pub item: ::std::option::Option<UploadBodyType>,
                    pub items: ::std::vec::Vec<UploadBodyType>,
                    pub items_item: ::std::option::Option<UploadBodyType>,
                }
                pub enum UploadBodyType { Video }
                pub enum Pagination { Variant0 { page: u64, kind: OwnerKind } }
                pub struct PublishBody { pub items: ::std::vec::Vec<PublishBodyItemsItem> }
                pub enum PublishBodyItemsItem {
                    Douyin { option: PublishBodyItemsItemDouyinOption },
                    WxGzh { option: ::std::option::Option<PublishBodyItemsItemWxGzhOption> },
                    Other(::std::string::String),
                }
                pub struct PublishBodyItemsItemDouyinOption { pub title: ::std::string::String }
                pub struct PublishBodyItemsItemWxGzhOption { pub title: ::std::string::String }
            }
        }
    }

    fn render(tokens: TokenStream) -> String {
        let file: syn::File = syn::parse2(quote!(pub mod op { #tokens })).unwrap();
        prettyplease::unparse(&file)
    }

    #[test]
    fn output_fields_and_their_fields_get_aliases() {
        let types = Types::read(&file());
        let out = render(for_operation(
            &types,
            &quote!(::std::vec::Vec<crate::types::ListResponse>),
            None,
            [],
        ));
        // The element of a list field: `…Item`; an open enum keeps its wrapper.
        assert!(
            out.contains("pub type ListItem = crate::generated::types::ListResponseListItem;"),
            "{out}"
        );
        assert!(out.contains(
            "pub type Status = ::aitoearn::Open<\n                crate::generated::types::ListResponseListItemStatus,\n            >;"
        ) || out.contains(
            "pub type Status = ::aitoearn::Open<crate::generated::types::ListResponseListItemStatus>;"
        ), "{out}");
        // One level down, by field name; `Option` stripped.
        assert!(out.contains("pub mod list {"), "{out}");
        assert!(out.contains("Types of the fields of `Output[]`"), "{out}");
        assert!(
            out.contains("pub type Owner = crate::generated::types::Owner;"),
            "{out}"
        );
        // Scalars need no stable name; a recursive field ends (its alias stays).
        assert!(!out.contains("Total") && !out.contains("Title"), "{out}");
        assert!(
            out.contains("pub type Next = crate::generated::types::ListResponse;"),
            "{out}"
        );
        assert!(!out.contains("pub mod next"), "{out}");
        // Two levels down, then no further.
        assert!(out.contains("pub mod owner {"), "{out}");
        assert!(
            out.contains("pub type Kind = crate::generated::types::OwnerKind;"),
            "{out}"
        );
        assert!(
            out.contains("pub type Type = crate::generated::types::OwnerKind;"),
            "{out}"
        );
    }

    #[test]
    fn body_and_params_and_collisions() {
        let types = Types::read(&file());
        let body: syn::Type = syn::parse_quote!(types::UploadBody);
        let pagination: syn::Type = syn::parse_quote!(types::Pagination);
        let page: syn::Type = syn::parse_quote!(::std::num::NonZeroU64);
        let out = render(for_operation(
            &types,
            &quote!(()),
            Some(&body),
            [("pagination", &pagination), ("page", &page)],
        ));
        assert!(!out.contains("pub mod output"), "{out}");
        // `type_` (typify's name for `type`) → `Type`.
        assert!(
            out.contains("pub type Type = crate::generated::types::UploadBodyType;"),
            "{out}"
        );
        assert!(
            out.contains("pub type Item = crate::generated::types::UploadBodyType;"),
            "{out}"
        );
        // `items[]` and `items_item` would both be `ItemsItem`: neither gets it.
        assert!(!out.contains("ItemsItem"), "{out}");
        assert!(!out.contains("Tags"), "{out}");
        assert!(out.contains("pub mod params {"), "{out}");
        assert!(
            out.contains("pub type Pagination = crate::generated::types::Pagination;"),
            "{out}"
        );
        assert!(!out.contains("Page "), "{out}");
    }

    #[test]
    fn tagged_unions_get_a_module_per_variant_positional_ones_none() {
        let types = Types::read(&file());
        let body: syn::Type = syn::parse_quote!(types::PublishBody);
        let out = render(for_operation(&types, &quote!(()), Some(&body), []));
        assert!(out.contains("pub mod items {"), "{out}");
        assert!(out.contains("pub mod douyin {"), "{out}");
        assert!(out.contains("pub mod wx_gzh {"), "{out}");
        assert!(
            out.contains(
                "pub type Option = crate::generated::types::PublishBodyItemsItemWxGzhOption;"
            ),
            "{out}"
        );
        // An untagged `anyOf`'s members are positions: no module for `Variant0`.
        let pagination: syn::Type = syn::parse_quote!(types::Pagination);
        let out = render(for_operation(
            &types,
            &quote!(()),
            None,
            [("pagination", &pagination)],
        ));
        assert!(!out.contains("variant"), "{out}");
        assert!(
            is_positional("Variant12") && !is_positional("Variant") && !is_positional("Douyin")
        );
        assert_eq!(ident("type").unwrap().to_string(), "r#type");
        assert_eq!(ident("self").unwrap().to_string(), "self_");
    }

    #[test]
    fn nothing_for_scalars_and_unknown_types() {
        let types = Types::read(&file());
        let out = for_operation(&types, &quote!(::std::string::String), None, []);
        assert!(out.is_empty());
        let out = for_operation(&types, &quote!(types::Missing), None, []);
        assert!(out.is_empty());
    }
}
