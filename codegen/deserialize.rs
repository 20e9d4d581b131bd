//! Small `Deserialize` impls for the plain model structs, instead of serde's derive.
//!
//! serde's derive writes, per struct, a field-identifier enum with its own visitor (`str`,
//! `bytes` and index keys), a `visit_seq` (a struct from a JSON *array*, by position) and a
//! `visit_map`: about half of the library's type checking and borrow checking was that code.
//! The impl emitted here keeps only `visit_map`; the key lookup is one shared seed
//! (`crate::de::Field`) and the per-field steps are shared generic functions (`src/de.rs`).
//!
//! What a payload decodes into is unchanged: the same keys (`rename`), unknown keys skipped, a
//! repeated key is `duplicate field`, a missing key is `missing field` unless the field is an
//! `Option` (→ `None`) or has `default` / `default = "path"`, and the same `expecting` texts.
//! One difference, on purpose: an array is no longer taken as an object by position
//! (`invalid type: sequence, expected struct X`) — the spec documents objects.
//!
//! Only structs whose serde attributes are all understood here are converted (field
//! attributes `rename`, `default`, `default = "…"`, `skip_serializing_if`; no container
//! attribute): anything else (`flatten`, `deserialize_with`, `transparent`, enums, …) keeps
//! serde's derive, so a construct typify starts to emit is never decoded wrongly.

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;

use super::serde_fields::{self, Missing};

/// One field as the impl reads it.
struct Field {
    ident: syn::Ident,
    ty: syn::Type,
    key: String,
    missing: Missing,
}

/// Replaces serde's derived `Deserialize` of every plain struct in `mod types` with a small
/// impl; returns how many were replaced.
pub fn replace_derives(file: &mut syn::File) -> usize {
    let Some(items) = super::lean::types_items_mut(file) else {
        return 0;
    };
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        if let syn::Item::Struct(s) = item {
            if let Some(imp) = lean_impl(s) {
                drop_derive(s);
                impls.push(imp);
            }
        }
    }
    let n = impls.len();
    items.extend(impls);
    n
}

/// Whether `path` is serde's `Deserialize` (`::serde::Deserialize` or `serde::Deserialize`).
fn is_serde_deserialize(path: &syn::Path) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    names == ["serde", "Deserialize"]
}

/// The paths of a `#[derive(…)]` attribute, or `None` for any other attribute.
fn derives(attr: &syn::Attribute) -> Option<Punctuated<syn::Path, syn::Token![,]>> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(Punctuated::parse_terminated).ok()
}

fn drop_derive(s: &mut syn::ItemStruct) {
    for attr in &mut s.attrs {
        if let Some(paths) = derives(attr) {
            if paths.iter().any(is_serde_deserialize) {
                let kept: Vec<&syn::Path> =
                    paths.iter().filter(|p| !is_serde_deserialize(p)).collect();
                *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
            }
        }
    }
}

/// The impl for `s`, or `None` when `s` keeps serde's derive.
fn lean_impl(s: &syn::ItemStruct) -> Option<syn::Item> {
    let derived = s
        .attrs
        .iter()
        .filter_map(derives)
        .any(|paths| paths.iter().any(is_serde_deserialize));
    let has_container_attr = s.attrs.iter().any(|a| a.path().is_ident("serde"));
    if !derived || has_container_attr || !s.generics.params.is_empty() {
        return None;
    }
    let syn::Fields::Named(named) = &s.fields else {
        return None;
    };
    let fields = named
        .named
        .iter()
        .map(field)
        .collect::<Option<Vec<Field>>>()?;
    emit(&s.ident, &fields)
}

/// A field's key and missing-value rule, or `None` for an attribute this module does not know.
fn field(f: &syn::Field) -> Option<Field> {
    let serde = serde_fields::read(f).filter(|s| s.understood)?;
    Some(Field {
        ident: f.ident.clone()?,
        ty: f.ty.clone(),
        key: serde.key,
        missing: serde.missing,
    })
}

/// One invocation of `crate::de::deserialize_struct!` (src/de.rs), which expands to the impl:
/// a macro keeps the generated file small (a line per field, not ~15).
fn emit(name: &syn::Ident, fields: &[Field]) -> Option<syn::Item> {
    let expecting = format!("struct {name}");
    let rows = fields.iter().enumerate().map(|(i, f)| {
        let (ident, ty, key) = (&f.ident, &f.ty, &f.key);
        let missing = match &f.missing {
            Missing::Required => quote!(required),
            Missing::Default => quote!(default),
            Missing::Path(path) => quote!(with #path),
        };
        quote!((#ident, #ty, #key, #i, #missing))
    });
    let tokens: TokenStream = quote! {
        crate::de::deserialize_struct!(#name, #expecting, [#(#rows),*]);
    };
    syn::parse2(tokens).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> (usize, String) {
        let mut file: syn::File = syn::parse_str(src).unwrap();
        let n = replace_derives(&mut file);
        (n, prettyplease::unparse(&file))
    }

    #[test]
    fn plain_structs_get_the_small_impl_with_their_keys_and_missing_rules() {
        let (n, out) = run(r#"
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Body {
                    #[serde(rename = "countryCode", skip_serializing_if = "::std::option::Option::is_none")]
                    pub country_code: ::std::option::Option<::std::string::String>,
                    pub name: Name,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tags: ::std::vec::Vec<::std::string::String>,
                    #[serde(rename = "type", default = "defaults::body_type")]
                    pub type_: BodyType,
                }
            }
        "#);
        assert_eq!(n, 1);
        let flat: String = out.split_whitespace().collect();
        assert!(
            flat.contains("#[derive(::serde::Serialize,Clone,Debug)]"),
            "{out}"
        );
        for row in [
            r#"(country_code,::std::option::Option<::std::string::String>,"countryCode",0usize,default)"#,
            r#"(name,Name,"name",1usize,required)"#,
            r#"(tags,::std::vec::Vec<::std::string::String>,"tags",2usize,default)"#,
            r#"(type_,BodyType,"type",3usize,withdefaults::body_type)"#,
        ] {
            assert!(flat.contains(row), "{row} in {out}");
        }
        assert!(flat.contains(r#"crate::de::deserialize_struct!(Body,"structBody","#));
    }

    #[test]
    fn anything_not_understood_keeps_serde_derive() {
        for src in [
            // A field attribute this module does not read.
            r#"#[derive(::serde::Deserialize)] pub struct A { #[serde(flatten)] pub extra: ::serde_json::Map<String, ::serde_json::Value> }"#,
            r#"#[derive(::serde::Deserialize)] pub struct A { #[serde(deserialize_with = "x")] pub a: Option<Option<i64>> }"#,
            // A container attribute.
            r#"#[derive(::serde::Deserialize)] #[serde(transparent)] pub struct A { pub a: i64 }"#,
            r#"#[derive(::serde::Deserialize)] #[serde(deny_unknown_fields)] pub struct A { pub a: i64 }"#,
            // Not a struct with named fields, or generic.
            r#"#[derive(::serde::Deserialize)] pub struct A(pub i64);"#,
            r#"#[derive(::serde::Deserialize)] pub struct A<T> { pub a: T }"#,
            r#"#[derive(::serde::Deserialize)] pub enum A { X, Y }"#,
            // No serde derive at all.
            r#"#[derive(Clone)] pub struct A { pub a: i64 }"#,
        ] {
            let (n, out) = run(&format!("pub mod types {{ {src} }}"));
            assert_eq!(n, 0, "{src} became {out}");
        }
    }

    #[test]
    fn a_model_named_option_is_required_not_defaulted() {
        let (_, out) = run(
            r#"pub mod types { #[derive(::serde::Deserialize)] pub struct A { pub o: Option } }"#,
        );
        let flat: String = out.split_whitespace().collect();
        assert!(flat.contains(r#"(o,Option,"o",0usize,required)"#), "{out}");
    }
}
