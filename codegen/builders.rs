//! Builder-style setters for the models requests reach (`types::builder::X`, `X::builder()`),
//! emitted from the positional run's structs. typify makes the same builders only in
//! progenitor's builder interface, which cost a second progenitor run and ~7,500 generated lines.
//! The surface is typify's, so user code compiles unchanged: per model a `builder::X` with one
//! setter per field taking `impl TryInto<FieldTy>`, `Default`, `TryFrom<builder::X> for X`,
//! `From<X> for builder::X`, and typify's error texts and starting values. The setters keep
//! user code compiling when a later spec turns `bool` into `Option<bool>`. Enums get none, as
//! with typify.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::serde_fields::{self, Missing};

/// Adds `types::builder` with a builder for each plain struct of `file`'s `types` module
/// named in `models`, and `X::builder()`; returns how many were emitted.
pub fn emit(file: &mut syn::File, models: &BTreeSet<String>) -> usize {
    let Some(items) = super::lean::types_items_mut(file) else {
        return 0;
    };
    let structs: Vec<&syn::ItemStruct> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if models.contains(&s.ident.to_string()) => Some(s),
            _ => None,
        })
        .filter(|s| matches!(s.fields, syn::Fields::Named(_)))
        .collect();
    if structs.is_empty() {
        return 0;
    }
    let count = structs.len();
    let builders: Vec<TokenStream> = structs.iter().map(|s| builder(s)).collect();
    let entries: Vec<syn::Item> = structs
        .iter()
        .map(|s| {
            let name = &s.ident;
            syn::parse_quote! {
                impl #name {
                    /// A builder, each required field unset until given.
                    pub fn builder() -> builder::#name {
                        Default::default()
                    }
                }
            }
        })
        .collect();
    items.extend(entries);
    items.push(syn::parse_quote! {
        /// Builders of the request models: one setter per field, checked when converted.
        pub mod builder {
            use ::std::fmt::Display;
            /// A setter's conversion, with typify's error text.
            fn set<T: TryInto<U>, U>(value: T, field: &str) -> Result<U, String>
            where
                T::Error: Display,
            {
                value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for {field}: {e}"))
            }
            #(#builders)*
        }
    });
    count
}

/// The macro that writes a builder (`src/builders.rs`), as invoked from `mod builder`.
const MACRO: &str = "model_builder";

/// One model's builder: one invocation of `crate::builders::model_builder!` (inside `mod
/// builder`, so models are `super::X`), a row per field: `(field, Type, "name", start)`,
/// `start` being `required`, `default` or `with <fn path>`.
fn builder(model: &syn::ItemStruct) -> TokenStream {
    let name = &model.ident;
    let macro_name = format_ident!("{MACRO}");
    // typify starts each field as serde would fill it in when its key is absent.
    let rows = model.fields.iter().filter_map(|f| {
        let ident = f.ident.as_ref()?;
        let ty = in_builder(&f.ty);
        let text = serde_fields::unraw(ident);
        let start = match serde_fields::read(f)?.missing {
            Missing::Path(path) => quote!(with super::#path),
            Missing::Default => quote!(default),
            Missing::Required => quote!(required),
        };
        Some(quote!((#ident, #ty, #text, #start)))
    });
    quote! {
        crate::builders::#macro_name!(#name, [#(#rows),*]);
    }
}

/// The model an item of `mod builder` is the builder of (`X` of `model_builder!(X, …)`).
pub fn built_model(item: &syn::Item) -> Option<String> {
    let syn::Item::Macro(m) = item else {
        return None;
    };
    if m.mac.path.segments.last()?.ident != MACRO {
        return None;
    }
    match m.mac.tokens.clone().into_iter().next()? {
        proc_macro2::TokenTree::Ident(name) => Some(name.to_string()),
        _ => None,
    }
}

/// The field's type seen from `mod builder`: a bare model name `X` (typify's own types are
/// paths like `::std::…` or `super::…`) becomes `super::X`. typify writes every std type in
/// full, so a bare `Option` or `Result` is a model of that name, not the prelude's.
fn in_builder(ty: &syn::Type) -> syn::Type {
    let mut ty = ty.clone();
    add_super(&mut ty);
    ty
}

fn add_super(ty: &mut syn::Type) {
    match ty {
        syn::Type::Path(tp) => {
            for seg in tp.path.segments.iter_mut() {
                if let syn::PathArguments::AngleBracketed(args) = &mut seg.arguments {
                    for arg in args.args.iter_mut() {
                        if let syn::GenericArgument::Type(t) = arg {
                            add_super(t);
                        }
                    }
                }
            }
            let bare = tp.qself.is_none()
                && tp.path.leading_colon.is_none()
                && tp.path.segments.len() == 1
                && tp.path.segments[0]
                    .ident
                    .to_string()
                    .starts_with(char::is_uppercase);
            if bare {
                tp.path.segments.insert(0, format_ident!("super").into());
            }
        }
        syn::Type::Array(a) => add_super(&mut a.elem),
        syn::Type::Slice(a) => add_super(&mut a.elem),
        syn::Type::Paren(p) => add_super(&mut p.elem),
        syn::Type::Reference(r) => add_super(&mut r.elem),
        syn::Type::Tuple(t) => t.elems.iter_mut().for_each(add_super),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn emits_builders_for_the_named_structs_only() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Body {
                    #[serde(default = "defaults::body_n")]
                    pub n: i64,
                    pub inner: ::std::vec::Vec<Inner>,
                    #[serde(rename = "type")]
                    pub r#type: ::std::option::Option<::std::string::String>,
                }
                pub struct Inner { pub x: i64 }
                pub struct Answer { pub y: i64 }
                pub enum Kind { A }
            }
        };
        let models = ["Body", "Inner", "Kind"].map(String::from).into();
        assert_eq!(emit(&mut file, &models), 2);
        let text = file.to_token_stream().to_string();
        for wanted in [
            "crate :: builders :: model_builder ! (Body , [(n , i64 , \"n\" , with super :: defaults :: body_n) , (inner , :: std :: vec :: Vec < super :: Inner > , \"inner\" , required) , (r#type , :: std :: option :: Option < :: std :: string :: String > , \"type\" , default)])",
            "crate :: builders :: model_builder ! (Inner , [(x , i64 , \"x\" , required)])",
            "pub fn builder () -> builder :: Body",
        ] {
            assert!(text.contains(wanted), "{wanted} not in {text}");
        }
        let builder_mod = file.items[0].clone();
        let syn::Item::Mod(types) = builder_mod else {
            panic!()
        };
        let built: Vec<String> = types
            .content
            .unwrap()
            .1
            .iter()
            .filter_map(|i| match i {
                syn::Item::Mod(m) if m.ident == "builder" => Some(m.content.clone().unwrap().1),
                _ => None,
            })
            .flatten()
            .filter_map(|i| built_model(&i))
            .collect();
        assert_eq!(
            built,
            ["Body", "Inner"],
            "built_model reads what builder() writes"
        );
        assert!(!text.contains("builder :: Answer"), "{text}");
        assert!(!text.contains("builder :: Kind"), "{text}");
    }

    #[test]
    fn bare_names_are_models_even_when_they_look_like_std() {
        let seen = |ty: syn::Type| in_builder(&ty).to_token_stream().to_string();
        assert_eq!(seen(syn::parse_quote!(Result)), "super :: Result");
        assert_eq!(
            seen(syn::parse_quote!(::std::option::Option<Option>)),
            ":: std :: option :: Option < super :: Option >"
        );
        assert_eq!(seen(syn::parse_quote!(f64)), "f64");
    }
}
