//! typify's string conversions, one macro invocation per type instead of five or six impls.
//!
//! For every string enum typify writes `Display`, `FromStr` and `TryFrom<&str>` /
//! `TryFrom<String>` (≈ 2 lines per variant + 30); for every constrained string newtype
//! (`minLength`, `maxLength`, `pattern`) `Deref`, `From<X> for String`, `FromStr` with the
//! checks, the two `TryFrom`s and a `Deserialize` that checks (≈ 55 lines). Together they
//! were about a tenth of the generated lines. The same impls are written once as macros in
//! `src/conv.rs`; here each type's impls are replaced by one invocation.
//!
//! An impl is replaced only when its tokens are exactly typify's (compared with the template
//! below, filled in with what the type's own impls say: variants and texts, the checks), and
//! only when the whole set is there, so anything typify writes differently — another error
//! text, an extra impl, a variant with data — stays as typify wrote it.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// How many types' conversions became one invocation.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Compacted {
    pub enums: usize,
    pub strings: usize,
}

/// The impls of `types` this module knows, by the type they are for.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Role {
    Display,
    FromStr,
    TryFromStr,
    TryFromString,
    Deref,
    IntoString,
    Deserialize,
}

/// The role of `imp` and the name of the model it is for (`X` of `impl Display for X`, of
/// `impl From<X> for String`), or `None` for any other impl.
fn role(imp: &syn::ItemImpl) -> Option<(Role, String)> {
    let (trait_path, _) = imp.trait_.as_ref()?;
    let names: Vec<String> = trait_path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let generic = |path: &syn::Path| -> Option<String> {
        let syn::PathArguments::AngleBracketed(args) = &path.segments.last()?.arguments else {
            return None;
        };
        match args.args.first()? {
            syn::GenericArgument::Type(t) => Some(t.to_token_stream().to_string()),
            _ => None,
        }
    };
    let self_name = match &*imp.self_ty {
        syn::Type::Path(tp) if tp.qself.is_none() && tp.path.segments.len() == 1 => {
            Some(tp.path.segments[0].ident.to_string())
        }
        _ => None,
    };
    let string = quote!(::std::string::String).to_string();
    let role = match names.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["std", "fmt", "Display"] => Role::Display,
        ["std", "str", "FromStr"] => Role::FromStr,
        ["std", "ops", "Deref"] => Role::Deref,
        ["serde", "Deserialize"] => Role::Deserialize,
        ["std", "convert", "TryFrom"] => match generic(trait_path)? {
            g if g == quote!(&str).to_string() => Role::TryFromStr,
            g if g == string => Role::TryFromString,
            _ => return None,
        },
        ["std", "convert", "From"] if imp.self_ty.to_token_stream().to_string() == string => {
            let model = generic(trait_path)?;
            return syn::parse_str::<syn::Ident>(&model)
                .ok()
                .map(|_| (Role::IntoString, model));
        }
        _ => return None,
    };
    Some((role, self_name?))
}

/// typify's impls for a string enum of `pairs` (variant, text).
fn enum_template(name: &syn::Ident, pairs: &[(syn::Ident, syn::LitStr)]) -> Vec<TokenStream> {
    let variants: Vec<&syn::Ident> = pairs.iter().map(|p| &p.0).collect();
    let texts: Vec<&syn::LitStr> = pairs.iter().map(|p| &p.1).collect();
    vec![
        quote! {
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self { #(Self::#variants => f.write_str(#texts),)* }
                }
            }
        },
        quote! {
            impl ::std::str::FromStr for #name {
                type Err = self::error::ConversionError;
                fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    match value {
                        #(#texts => Ok(Self::#variants),)*
                        _ => Err("invalid value".into()),
                    }
                }
            }
        },
        try_from(name, quote!(&str)),
        try_from(name, quote!(::std::string::String)),
    ]
}

fn try_from(name: &syn::Ident, from: TokenStream) -> TokenStream {
    quote! {
        impl ::std::convert::TryFrom<#from> for #name {
            type Error = self::error::ConversionError;
            fn try_from(value: #from) -> ::std::result::Result<Self, self::error::ConversionError> {
                value.parse()
            }
        }
    }
}

/// typify's impls for a string newtype whose `FromStr` runs `checks` before taking the value.
fn string_template(name: &syn::Ident, checks: &[syn::Stmt]) -> Vec<TokenStream> {
    vec![
        quote! {
            impl ::std::ops::Deref for #name {
                type Target = ::std::string::String;
                fn deref(&self) -> &::std::string::String { &self.0 }
            }
        },
        quote! {
            impl ::std::convert::From<#name> for ::std::string::String {
                fn from(value: #name) -> Self { value.0 }
            }
        },
        quote! {
            impl ::std::str::FromStr for #name {
                type Err = self::error::ConversionError;
                fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    #(#checks)*
                    Ok(Self(value.to_string()))
                }
            }
        },
        try_from(name, quote!(&str)),
        try_from(name, quote!(::std::string::String)),
        quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                {
                    ::std::string::String::deserialize(deserializer)?
                        .parse()
                        .map_err(|e: self::error::ConversionError| {
                            <D::Error as ::serde::de::Error>::custom(e.to_string())
                        })
                }
            }
        },
    ]
}

/// The only fn of an impl, if it has just that (and associated types).
fn only_fn(imp: &syn::ItemImpl) -> Option<&syn::ImplItemFn> {
    let mut fns = imp.items.iter().filter_map(|i| match i {
        syn::ImplItem::Fn(f) => Some(f),
        _ => None,
    });
    let f = fns.next()?;
    fns.next().is_none().then_some(f)
}

/// The (variant, text) pairs of typify's `Display` for an enum: `Self::V => f.write_str("v")`.
fn display_pairs(imp: &syn::ItemImpl) -> Option<Vec<(syn::Ident, syn::LitStr)>> {
    let body = &only_fn(imp)?.block;
    let [syn::Stmt::Expr(syn::Expr::Match(m), None)] = &body.stmts[..] else {
        return None;
    };
    m.arms
        .iter()
        .map(|arm| {
            let syn::Pat::Path(p) = &arm.pat else {
                return None;
            };
            let [first, variant] = &p.path.segments.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            if first.ident != "Self" {
                return None;
            }
            let syn::Expr::MethodCall(call) = &*arm.body else {
                return None;
            };
            let [
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }),
            ] = &call.args.iter().collect::<Vec<_>>()[..]
            else {
                return None;
            };
            Some((variant.ident.clone(), text.clone()))
        })
        .collect()
}

/// The checks of typify's `FromStr` for a string newtype: every statement before the final
/// `Ok(Self(value.to_string()))` (the template comparison confirms that last one).
fn checks(imp: &syn::ItemImpl) -> Option<Vec<syn::Stmt>> {
    let stmts = &only_fn(imp)?.block.stmts;
    let (_, before) = stmts.split_last()?;
    Some(before.to_vec())
}

/// Whether `s` is typify's newtype of a `String` (`#[serde(transparent)] struct X(String)`).
fn is_string_newtype(s: &syn::ItemStruct) -> bool {
    let syn::Fields::Unnamed(fields) = &s.fields else {
        return false;
    };
    fields.unnamed.len() == 1
        && s.generics.params.is_empty()
        && fields.unnamed[0].ty.to_token_stream().to_string()
            == quote!(::std::string::String).to_string()
}

fn unit_enum(e: &syn::ItemEnum) -> bool {
    e.generics.params.is_empty() && e.variants.iter().all(|v| v.fields.is_empty())
}

/// Replaces typify's conversion impls in `mod types` with `crate::conv::string_enum!` and
/// `crate::conv::constrained_string!` invocations (`src/conv.rs`).
pub fn compact(file: &mut syn::File) -> Compacted {
    let mut done = Compacted::default();
    let Some(items) = super::lean::types_items_mut(file) else {
        return done;
    };
    // (model, role) → index of its impl; a role seen twice is left alone.
    let mut impls: BTreeMap<(String, Role), Option<usize>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        if let syn::Item::Impl(imp) = item {
            if let Some((role, name)) = role(imp) {
                impls
                    .entry((name, role))
                    .and_modify(|e| *e = None)
                    .or_insert(Some(i));
            }
        }
    }
    let get = |items: &[syn::Item], name: &str, role: Role| -> Option<(usize, syn::ItemImpl)> {
        let i = (*impls.get(&(name.to_string(), role))?)?;
        match &items[i] {
            syn::Item::Impl(imp) => Some((i, imp.clone())),
            _ => None,
        }
    };
    let mut remove = Vec::new();
    let mut added = Vec::new();
    for item in items.iter() {
        match item {
            syn::Item::Enum(e) if unit_enum(e) => {
                let name = e.ident.to_string();
                let Some((_, display)) = get(items, &name, Role::Display) else {
                    continue;
                };
                let Some(pairs) = display_pairs(&display) else {
                    continue;
                };
                let roles = [
                    Role::Display,
                    Role::FromStr,
                    Role::TryFromStr,
                    Role::TryFromString,
                ];
                if let Some(found) =
                    matching(items, &name, &roles, &enum_template(&e.ident, &pairs), &get)
                {
                    remove.extend(found);
                    let (variants, texts): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
                    let ident = &e.ident;
                    added.push(syn::parse_quote! {
                        crate::conv::string_enum!(#ident, [#((#variants, #texts)),*]);
                    });
                    done.enums += 1;
                }
            }
            syn::Item::Struct(s) if is_string_newtype(s) => {
                let name = s.ident.to_string();
                let Some(checks) = get(items, &name, Role::FromStr).and_then(|(_, f)| checks(&f))
                else {
                    continue;
                };
                let roles = [
                    Role::Deref,
                    Role::IntoString,
                    Role::FromStr,
                    Role::TryFromStr,
                    Role::TryFromString,
                    Role::Deserialize,
                ];
                if let Some(found) = matching(
                    items,
                    &name,
                    &roles,
                    &string_template(&s.ident, &checks),
                    &get,
                ) {
                    remove.extend(found);
                    let ident = &s.ident;
                    added.push(syn::parse_quote! {
                        crate::conv::constrained_string!(#ident, value => { #(#checks)* });
                    });
                    done.strings += 1;
                }
            }
            _ => {}
        }
    }
    remove.sort_unstable();
    for i in remove.into_iter().rev() {
        items.remove(i);
    }
    items.extend(added);
    done
}

/// An impl as printed: the same code whatever punctuation (a trailing comma) its tokens carry.
fn printed(imp: syn::ItemImpl) -> String {
    let mut file: syn::File = syn::parse_quote!();
    file.items.push(syn::Item::Impl(imp));
    prettyplease::unparse(&file)
}

type Lookup<'a> = dyn Fn(&[syn::Item], &str, Role) -> Option<(usize, syn::ItemImpl)> + 'a;

/// The indices of `name`'s impls in `roles`, when every one is there and reads exactly as
/// `template` (the same order).
fn matching(
    items: &[syn::Item],
    name: &str,
    roles: &[Role],
    template: &[TokenStream],
    get: &Lookup<'_>,
) -> Option<Vec<usize>> {
    roles
        .iter()
        .zip(template)
        .map(|(role, expected)| {
            let (i, imp) = get(items, name, *role)?;
            let expected: syn::ItemImpl = syn::parse2(expected.clone()).ok()?;
            (printed(imp) == printed(expected)).then_some(i)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> (Compacted, String) {
        let mut file: syn::File = syn::parse_str(src).unwrap();
        let n = compact(&mut file);
        (n, prettyplease::unparse(&file))
    }

    fn flat(s: &str) -> String {
        s.split_whitespace().collect()
    }

    const ENUM: &str = r#"
        pub enum Platform { #[serde(rename = "douyin")] Douyin, #[serde(rename = "KWAI")] Kwai }
        impl ::std::fmt::Display for Platform {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match *self { Self::Douyin => f.write_str("douyin"), Self::Kwai => f.write_str("KWAI"), }
            }
        }
        impl ::std::str::FromStr for Platform {
            type Err = self::error::ConversionError;
            fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                match value { "douyin" => Ok(Self::Douyin), "KWAI" => Ok(Self::Kwai), _ => Err("invalid value".into()), }
            }
        }
        impl ::std::convert::TryFrom<&str> for Platform {
            type Error = self::error::ConversionError;
            fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> { value.parse() }
        }
        impl ::std::convert::TryFrom<::std::string::String> for Platform {
            type Error = self::error::ConversionError;
            fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, self::error::ConversionError> { value.parse() }
        }
    "#;

    const NEWTYPE: &str = r#"
        #[serde(transparent)]
        pub struct Urn(::std::string::String);
        impl ::std::ops::Deref for Urn {
            type Target = ::std::string::String;
            fn deref(&self) -> &::std::string::String { &self.0 }
        }
        impl ::std::convert::From<Urn> for ::std::string::String {
            fn from(value: Urn) -> Self { value.0 }
        }
        impl ::std::str::FromStr for Urn {
            type Err = self::error::ConversionError;
            fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                if value.chars().count() < 1usize { return Err("shorter than 1 characters".into()); }
                Ok(Self(value.to_string()))
            }
        }
        impl ::std::convert::TryFrom<&str> for Urn {
            type Error = self::error::ConversionError;
            fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> { value.parse() }
        }
        impl ::std::convert::TryFrom<::std::string::String> for Urn {
            type Error = self::error::ConversionError;
            fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, self::error::ConversionError> { value.parse() }
        }
        impl<'de> ::serde::Deserialize<'de> for Urn {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where D: ::serde::Deserializer<'de>,
            {
                ::std::string::String::deserialize(deserializer)?
                    .parse()
                    .map_err(|e: self::error::ConversionError| { <D::Error as ::serde::de::Error>::custom(e.to_string()) })
            }
        }
    "#;

    #[test]
    fn typify_impls_become_one_invocation_each() {
        let (n, out) = run(&format!("pub mod types {{ {ENUM} {NEWTYPE} }}"));
        assert_eq!(
            n,
            Compacted {
                enums: 1,
                strings: 1
            },
            "{out}"
        );
        let out = flat(&out);
        assert!(!out.contains("impl"), "{out}");
        assert!(
            out.contains(
                r#"crate::conv::string_enum!(Platform,[(Douyin,"douyin"),(Kwai,"KWAI")]);"#
            ),
            "{out}"
        );
        assert!(
            out.contains(r#"crate::conv::constrained_string!(Urn,value=>{ifvalue.chars().count()<1usize{returnErr("shorterthan1characters".into());}});"#),
            "{out}"
        );
    }

    #[test]
    fn anything_typify_writes_differently_is_left_as_written() {
        for (from, to) in [
            // Another error text.
            (
                r#"_ => Err("invalid value".into())"#,
                r#"_ => Err("unknown".into())"#,
            ),
            // Display and FromStr disagree on a text.
            (r#""KWAI" => Ok"#, r#""kwai" => Ok"#),
            // One impl missing.
            (
                "impl ::std::convert::TryFrom<&str> for Platform",
                "impl ::std::convert::TryFrom<&i64> for Platform",
            ),
        ] {
            let changed = ENUM.replacen(from, to, 1);
            assert_ne!(changed, ENUM, "{from}");
            let (n, out) = run(&format!("pub mod types {{ {changed} }}"));
            assert_eq!(n, Compacted::default(), "{from} → {to}: {out}");
            assert_eq!(flat(&out).matches("impl").count(), 4, "{out}");
        }
        for (from, to) in [
            (
                "Ok(Self(value.to_string()))",
                "Ok(Self(value.to_lowercase()))",
            ),
            ("custom(e.to_string())", "custom(\"bad\")"),
        ] {
            let changed = NEWTYPE.replacen(from, to, 1);
            assert_ne!(changed, NEWTYPE, "{from}");
            let (n, out) = run(&format!("pub mod types {{ {changed} }}"));
            assert_eq!(n, Compacted::default(), "{from} → {to}: {out}");
        }
        // An enum with a variant that carries data keeps its impls.
        let data = ENUM.replacen("Kwai }", "Kwai(i64) }", 1);
        assert_eq!(
            run(&format!("pub mod types {{ {data} }}")).0,
            Compacted::default()
        );
    }
}
