//! progenitor's positional interface, read back from its output: for each operation, the
//! parameters of its method on the generated client, in order, with the value a request
//! builder holds for each and how it is passed. The facade (`emit.rs`) builds its request
//! builders from this, so it always agrees with the code it calls; nothing is re-derived from
//! the spec.

use std::collections::{BTreeSet, HashMap};

use proc_macro2::Ident;
use quote::ToTokens;

/// How a held value is handed to the positional method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// `&'a str`, from a held `String`.
    Str,
    /// `&'a T`, from a held `T`.
    Ref,
    /// `T` by value (numbers, plain enums, raw bodies): a copy per attempt.
    Value,
}

/// One parameter of a positional method.
pub struct Param {
    /// progenitor's name for it (the builder setter's name).
    pub ident: Ident,
    /// The value a request builder holds (`T` of `&'a T` and `Option<&'a T>`, `String` of
    /// `&'a str`, `bytes::Bytes` of a raw body).
    pub owned: syn::Type,
    /// `Option<…>` in the signature.
    pub optional: bool,
    pub pass: Pass,
}

/// What an operation's request body is.
pub enum Body {
    /// A model with typify's builder: `body(..)` and `body_map(..)`.
    Built {
        ty: Box<syn::Type>,
        builder: Box<syn::Type>,
        /// typify's name of the type, for conversion errors.
        name: String,
    },
    /// A value without a builder: `body(..)` only.
    Typed { ty: Box<syn::Type>, name: String },
    /// Raw bytes (`application/octet-stream`; multipart is sent as encoded bytes).
    Bytes,
    /// Raw text (`text/plain`).
    Text,
}

impl Body {
    /// The type `.body(..)` converts into and `types::ops::<op>::Body` names.
    pub fn ty(&self) -> syn::Type {
        match self {
            Body::Built { ty, .. } | Body::Typed { ty, .. } => (**ty).clone(),
            Body::Bytes => syn::parse_quote!(::bytes::Bytes),
            Body::Text => syn::parse_quote!(::std::string::String),
        }
    }
}

/// The positional method of one operation.
pub struct Method {
    /// Every parameter but the body's, in the method's order.
    pub params: Vec<Param>,
    /// The body, if the method takes one, and where it goes among `params`.
    pub body: Option<(usize, Param, Body)>,
}

impl Method {
    /// The parameter progenitor named `name`.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.ident == name)
    }
}

/// The methods of progenitor's client, by name, and the names of the models.
pub struct Interface {
    pub methods: HashMap<String, Method>,
    pub types: BTreeSet<String>,
    /// Models that have a typify builder (`types::builder::X`).
    pub builders: BTreeSet<String>,
}

/// Reads `file` (progenitor's output with the positional interface).
pub fn read(file: &syn::File) -> Result<Interface, String> {
    let mut types = BTreeSet::new();
    let mut builders = BTreeSet::new();
    let mut fns = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Mod(m) if m.ident == "types" => {
                for item in m.content.iter().flat_map(|(_, items)| items) {
                    match item {
                        syn::Item::Struct(s) => types.insert(s.ident.to_string()),
                        syn::Item::Enum(e) => types.insert(e.ident.to_string()),
                        syn::Item::Type(t) => types.insert(t.ident.to_string()),
                        syn::Item::Mod(b) if b.ident == "builder" => {
                            let items = b.content.iter().flat_map(|(_, items)| items);
                            builders.extend(items.filter_map(super::builders::built_model));
                            false
                        }
                        _ => false,
                    };
                }
            }
            syn::Item::Impl(imp) if imp.trait_.is_none() && is_client(&imp.self_ty) => {
                fns.extend(imp.items.iter().filter_map(|i| match i {
                    syn::ImplItem::Fn(f) if f.sig.asyncness.is_some() => Some(&f.sig),
                    _ => None,
                }));
            }
            _ => {}
        }
    }
    let mut methods = HashMap::new();
    for sig in fns {
        methods.insert(sig.ident.to_string(), method(sig, &builders)?);
    }
    Ok(Interface {
        methods,
        types,
        builders,
    })
}

fn is_client(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(tp) if tp.path.is_ident("Client"))
}

fn method(sig: &syn::Signature, builders: &BTreeSet<String>) -> Result<Method, String> {
    let generics: BTreeSet<String> = sig
        .generics
        .type_params()
        .map(|t| t.ident.to_string())
        .collect();
    let mut params = Vec::new();
    let mut body = None;
    for arg in &sig.inputs {
        let syn::FnArg::Typed(t) = arg else { continue };
        let syn::Pat::Ident(pat) = &*t.pat else {
            return Err(format!("`{}`: a parameter that is not a name", sig.ident));
        };
        let (inner, optional) = match option_item(&t.ty) {
            Some(inner) => (inner, true),
            None => ((*t.ty).clone(), false),
        };
        let (owned, pass) = held(&inner, &generics).ok_or_else(|| {
            format!(
                "`{}`: parameter `{}` of type `{}` is not one the facade can hold",
                sig.ident,
                pat.ident,
                t.ty.to_token_stream()
            )
        })?;
        let param = Param {
            ident: pat.ident.clone(),
            owned: owned.clone(),
            optional,
            pass,
        };
        if pat.ident == "body" && !optional {
            let kind = if matches!(&inner, syn::Type::Path(tp) if tp.path.segments.len() == 1
                && generics.contains(&tp.path.segments[0].ident.to_string()))
            {
                Body::Bytes
            } else if pass == Pass::Value && is_string(&owned) {
                Body::Text
            } else {
                let name = last_ident(&owned)
                    .unwrap_or_else(|| owned.to_token_stream().to_string().replace(' ', ""));
                match model_name(&owned).filter(|n| builders.contains(n)) {
                    Some(model) => {
                        let b = quote::format_ident!("{}", model);
                        Body::Built {
                            ty: Box::new(owned),
                            builder: Box::new(syn::parse_quote!(types::builder::#b)),
                            name,
                        }
                    }
                    None => Body::Typed {
                        ty: Box::new(owned),
                        name,
                    },
                }
            };
            body = Some((params.len(), param, kind));
        } else {
            params.push(param);
        }
    }
    Ok(Method { params, body })
}

/// `T` of `Option<T>`.
fn option_item(ty: &syn::Type) -> Option<syn::Type> {
    super::rust_types::unwrap_one(ty, &["Option"]).map(|(t, _)| t.clone())
}

/// What a request builder holds for a parameter of type `ty`, and how it is passed.
fn held(ty: &syn::Type, generics: &BTreeSet<String>) -> Option<(syn::Type, Pass)> {
    match ty {
        syn::Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            syn::Type::Path(tp) if tp.path.is_ident("str") => {
                Some((syn::parse_quote!(::std::string::String), Pass::Str))
            }
            elem @ (syn::Type::Path(_) | syn::Type::Tuple(_)) if !has_reference(elem) => {
                Some((elem.clone(), Pass::Ref))
            }
            _ => None,
        },
        // A raw body: `B: Into<reqwest::Body>`, held as bytes (cheap to copy per attempt).
        syn::Type::Path(tp)
            if tp.path.segments.len() == 1
                && generics.contains(&tp.path.segments[0].ident.to_string()) =>
        {
            Some((syn::parse_quote!(::bytes::Bytes), Pass::Value))
        }
        syn::Type::Path(_) if !has_reference(ty) => Some((ty.clone(), Pass::Value)),
        _ => None,
    }
}

fn has_reference(ty: &syn::Type) -> bool {
    ty.to_token_stream()
        .into_iter()
        .any(|t| matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == '&'))
        || ty.to_token_stream().to_string().contains('\'')
}

fn is_string(ty: &syn::Type) -> bool {
    last_ident(ty).as_deref() == Some("String")
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(tp) => tp.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `X` of `types::X`.
fn model_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(tp) = ty else { return None };
    let segs: Vec<_> = tp.path.segments.iter().collect();
    (segs.len() == 2 && segs[0].ident == "types" && segs[1].arguments.is_none())
        .then(|| segs[1].ident.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_each_parameter_is_held_as() {
        let file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Body { pub a: i64 }
                pub enum Kind { A }
                pub mod builder { crate::builders::model_builder!(Body, [(a, i64, "a", required)]); }
            }
            impl Client {
                pub async fn op<'a>(&'a self, id: &'a str, kind: types::Kind,
                    q: Option<&'a str>, list: Option<&'a ::std::vec::Vec<types::Kind>>,
                    n: Option<i64>, body: &'a types::Body) -> Result<(), ()> { todo!() }
                pub async fn raw<'a, B: Into<reqwest::Body>>(&'a self, body: B) -> Result<(), ()> { todo!() }
                pub async fn text<'a>(&'a self, body: String) -> Result<(), ()> { todo!() }
                fn helper(&self) {}
            }
        };
        let i = read(&file).unwrap();
        assert_eq!(i.methods.len(), 3);
        let op = &i.methods["op"];
        let shown: Vec<_> = op
            .params
            .iter()
            .map(|p| {
                (
                    p.ident.to_string(),
                    p.owned.to_token_stream().to_string(),
                    p.optional,
                    p.pass,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "id".into(),
                    ":: std :: string :: String".into(),
                    false,
                    Pass::Str
                ),
                ("kind".into(), "types :: Kind".into(), false, Pass::Value),
                (
                    "q".into(),
                    ":: std :: string :: String".into(),
                    true,
                    Pass::Str
                ),
                (
                    "list".into(),
                    ":: std :: vec :: Vec < types :: Kind >".into(),
                    true,
                    Pass::Ref
                ),
                ("n".into(), "i64".into(), true, Pass::Value),
            ]
        );
        let Some((5, _, Body::Built { name, .. })) = &op.body else {
            panic!("the body has a builder");
        };
        assert_eq!(name, "Body");
        assert!(matches!(i.methods["raw"].body, Some((0, _, Body::Bytes))));
        assert!(matches!(i.methods["text"].body, Some((0, _, Body::Text))));
    }
}
