//! What a model field's `#[serde(…)]` attributes say about decoding it: its key and what it
//! is when the key is absent. One reading for the two emitters that need it: the small
//! `Deserialize` impls (codegen/deserialize.rs) and the builders' starting values
//! (codegen/builders.rs, which start a field as serde would fill it in).

/// What a field is when its key is absent (serde's rules).
pub enum Missing {
    /// serde's `missing field` error (the builder: "no value supplied").
    Required,
    /// `Default::default()`: `#[serde(default)]`, or an `Option` (`None`).
    Default,
    /// `#[serde(default = "path")]`: that function's value.
    Path(syn::ExprPath),
}

/// One field as serde reads it.
pub struct SerdeField {
    /// The JSON key: `rename`, else the field's name without `r#`.
    pub key: String,
    pub missing: Missing,
    /// Whether every attribute was one of `rename`, `default`, `default = "…"`,
    /// `skip_serializing_if` (anything else, e.g. `flatten`, changes decoding).
    pub understood: bool,
}

/// The field's name as serde and typify write it (`type`, not `r#type`).
pub fn unraw(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_owned).unwrap_or(text)
}

/// Reads `f`'s serde attributes. `None` for a field without a name.
pub fn read(f: &syn::Field) -> Option<SerdeField> {
    let mut out = SerdeField {
        key: unraw(f.ident.as_ref()?),
        missing: if is_option(&f.ty) {
            Missing::Default
        } else {
            Missing::Required
        },
        understood: true,
    };
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                out.key = meta.value()?.parse::<syn::LitStr>()?.value();
            } else if meta.path.is_ident("default") {
                out.missing = if meta.input.peek(syn::Token![=]) {
                    Missing::Path(meta.value()?.parse::<syn::LitStr>()?.parse()?)
                } else {
                    Missing::Default
                };
            } else if meta.path.is_ident("skip_serializing_if") {
                // Serialization only.
                meta.value()?.parse::<syn::LitStr>()?;
            } else {
                out.understood = false;
                // Consume whatever value it has, so parsing goes on.
                if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<syn::Expr>()?;
                }
            }
            Ok(())
        });
        if parsed.is_err() {
            out.understood = false;
        }
    }
    Some(out)
}

/// `Option<…>` (`::std::option::Option<T>`, `Option<T>`): serde takes a missing key of such a
/// field as `None`. A model of its own named `Option` takes no type argument.
pub fn is_option(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|s| {
            s.ident == "Option" && matches!(s.arguments, syn::PathArguments::AngleBracketed(_))
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn read_one(f: proc_macro2::TokenStream) -> SerdeField {
        let s: syn::ItemStruct = syn::parse_quote!(struct S { #f });
        read(s.fields.iter().next().unwrap()).unwrap()
    }

    #[test]
    fn keys_and_missing_rules_as_serde_reads_them() {
        let f = read_one(quote::quote! {
            #[serde(rename = "x", default = "defaults::default_bool::<true>")]
            pub x_: bool
        });
        assert_eq!(f.key, "x");
        let Missing::Path(p) = f.missing else {
            panic!("not a path default")
        };
        assert_eq!(
            p.to_token_stream().to_string(),
            "defaults :: default_bool :: < true >"
        );
        assert!(f.understood);
        let f = read_one(
            quote::quote!(#[serde(default, skip_serializing_if = "V::is_empty")] pub r#type: ::std::vec::Vec<i64>),
        );
        assert_eq!(f.key, "type");
        assert!(matches!(f.missing, Missing::Default) && f.understood);
        let f = read_one(quote::quote!(pub o: ::std::option::Option<i64>));
        assert!(matches!(f.missing, Missing::Default));
        let f = read_one(quote::quote!(pub o: Option));
        assert!(
            matches!(f.missing, Missing::Required),
            "a model named Option"
        );
        let f = read_one(
            quote::quote!(#[serde(flatten)] pub extra: ::serde_json::Map<String, ::serde_json::Value>),
        );
        assert!(!f.understood);
    }
}
