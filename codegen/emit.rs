//! Emits the SDK's public surface on top of progenitor's client: one method per operation on
//! `aitoearn::Client`, a request builder per operation whose `send()` decodes the answer, the
//! `OPERATIONS` table, the error-code enum, and the generic call path used by agents and tests.
//!
//! Setter signatures are read from progenitor's builders (never re-derived from the spec), so
//! the facade always agrees with the code it wraps.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::model::{Answer, Auth, Operation, Scalar, Shape};

#[path = "op_aliases.rs"]
mod op_aliases;

/// A progenitor builder setter.
struct Setter {
    sig: syn::Signature,
    /// `T` of `V: TryInto<T>`, when the setter has one.
    target: Option<syn::Type>,
}

/// progenitor's builders: struct name → setters by name (without `new`/`send`).
struct Builders {
    by_method: HashMap<String, (Ident, BTreeMap<String, Setter>)>,
    types: BTreeSet<String>,
}

fn read_builders(file: &syn::File) -> Result<Builders, String> {
    let mut structs: HashMap<String, BTreeMap<String, Setter>> = HashMap::new();
    let mut methods: HashMap<String, Ident> = HashMap::new();
    let mut types = BTreeSet::new();
    for item in &file.items {
        match item {
            syn::Item::Mod(m) if m.ident == "builder" => {
                for item in m.content.iter().flat_map(|(_, items)| items) {
                    let syn::Item::Impl(imp) = item else { continue };
                    let syn::Type::Path(tp) = &*imp.self_ty else {
                        continue;
                    };
                    let Some(seg) = tp.path.segments.last() else {
                        continue;
                    };
                    let setters = structs.entry(seg.ident.to_string()).or_default();
                    for f in imp.items.iter().filter_map(|i| match i {
                        syn::ImplItem::Fn(f) => Some(f),
                        _ => None,
                    }) {
                        let name = f.sig.ident.to_string();
                        if name == "new" || name == "send" || name == "stream" {
                            continue;
                        }
                        let target = try_into_target(&f.sig);
                        setters.insert(
                            name,
                            Setter {
                                sig: f.sig.clone(),
                                target,
                            },
                        );
                    }
                }
            }
            syn::Item::Mod(m) if m.ident == "types" => {
                for item in m.content.iter().flat_map(|(_, items)| items) {
                    match item {
                        syn::Item::Struct(s) => types.insert(s.ident.to_string()),
                        syn::Item::Enum(e) => types.insert(e.ident.to_string()),
                        syn::Item::Type(t) => types.insert(t.ident.to_string()),
                        _ => false,
                    };
                }
            }
            syn::Item::Impl(imp) if imp.trait_.is_none() => {
                for f in imp.items.iter().filter_map(|i| match i {
                    syn::ImplItem::Fn(f) => Some(f),
                    _ => None,
                }) {
                    let path = match &f.sig.output {
                        syn::ReturnType::Type(_, ty) => match &**ty {
                            syn::Type::Path(tp) => Some(&tp.path),
                            _ => None,
                        },
                        syn::ReturnType::Default => None,
                    };
                    if let Some(path) = path {
                        let segs: Vec<_> = path.segments.iter().collect();
                        if segs.len() == 2 && segs[0].ident == "builder" {
                            methods.insert(f.sig.ident.to_string(), segs[1].ident.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let by_method = methods
        .into_iter()
        .map(|(m, s)| {
            let setters = structs.remove(&s.to_string()).unwrap_or_default();
            (m, (s, setters))
        })
        .collect();
    Ok(Builders { by_method, types })
}

/// `V: TryInto<T>` in a setter's where clause → `T`.
fn try_into_target(sig: &syn::Signature) -> Option<syn::Type> {
    let wc = sig.generics.where_clause.as_ref()?;
    wc.predicates.iter().find_map(|p| {
        let syn::WherePredicate::Type(pt) = p else {
            return None;
        };
        pt.bounds.iter().find_map(|b| {
            let syn::TypeParamBound::Trait(tb) = b else {
                return None;
            };
            let seg = tb.path.segments.last()?;
            if seg.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
                return None;
            };
            args.args.iter().find_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
        })
    })
}

/// The Rust type of a body or event shape.
fn body_type(shape: &Shape, types: &BTreeSet<String>) -> Result<TokenStream, String> {
    Ok(match shape {
        Shape::Component(name) => {
            let found = component_type(name, types)
                .ok_or_else(|| format!("no generated type for component `{name}`"))?;
            let ident = format_ident!("{}", found);
            quote!(crate::types::#ident)
        }
        Shape::Array(items) => {
            let inner = body_type(items, types)?;
            quote!(::std::vec::Vec<#inner>)
        }
        Shape::Scalar(Scalar::String) => quote!(::std::string::String),
        Shape::Scalar(Scalar::Integer) => quote!(i64),
        Shape::Scalar(Scalar::Number) => quote!(f64),
        Shape::Scalar(Scalar::Boolean) => quote!(bool),
        Shape::Any => quote!(::serde_json::Value),
    })
}

/// `T` of `Vec<T>` (or `::std::vec::Vec<T>`).
fn vec_item(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(tp) = ty else { return None };
    let seg = tp.path.segments.last()?;
    if seg.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// What the spec allows for parameter `name` of `op` (`" (allowed: a, b)"`, `" (at least 1
/// character)"`), for conversion errors; empty when it says nothing.
fn constraint_text(adapted: &Value, op: &Operation, name: &str) -> String {
    fn resolve<'a>(mut s: &'a Value, components: Option<&'a Value>) -> &'a Value {
        for _ in 0..8 {
            let r = s
                .get("$ref")
                .or_else(|| s.pointer("/allOf/0/$ref"))
                .or_else(|| s.pointer("/x-rust-type/parameters/0/$ref"))
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"));
            match r.and_then(|n| components.and_then(|c| c.get(n))) {
                Some(next) => s = next,
                None => break,
            }
        }
        s
    }
    let components = adapted.pointer("/components/schemas");
    let Some(schema) = adapted
        .get("paths")
        .and_then(|p| p.get(&op.path))
        .and_then(|i| i.get(op.method.to_ascii_lowercase()))
        .and_then(|o| o.get("parameters"))
        .and_then(Value::as_array)
        .and_then(|ps| {
            ps.iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        })
        .and_then(|p| p.get("schema"))
    else {
        return String::new();
    };
    let mut schema = resolve(schema, components);
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        if let Some(items) = schema.get("items") {
            schema = resolve(items, components);
        }
    }
    let mut parts = Vec::new();
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let list: Vec<String> = values
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect();
        parts.push(format!("allowed: {}", list.join(", ")));
    }
    if let Some(n) = schema.get("minLength").and_then(Value::as_u64) {
        parts.push(format!("at least {n} character(s)"));
    }
    if let Some(n) = schema.get("maxLength").and_then(Value::as_u64) {
        parts.push(format!("at most {n} character(s)"));
    }
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        parts.push(format!("matching `{p}`"));
    }
    for (k, word) in [("minimum", "at least"), ("maximum", "at most")] {
        if let Some(n) = schema.get(k) {
            parts.push(format!("{word} {n}"));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// Rustdoc text that cannot start a doctest or an intra-doc link by accident.
/// Spec text made safe for rustdoc: fences are not doctests, site-relative links point at the
/// docs site, and brackets that are not Markdown links (`data.tasks[n].id`) are escaped so
/// rustdoc does not read them as intra-doc links.
fn doc_text(s: &str) -> String {
    // A bare fence would be compiled as a doctest; a fence with a language is not.
    let s = s
        .replace("\r\n", "\n")
        .replace("```\n", "```text\n")
        .replace("](/", "](https://docs.aitoearn.ai/");
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    // Inside a code span, brackets are shown as typed: no escaping there.
    let mut in_code = false;
    while i < chars.len() {
        if chars[i] == '`' {
            in_code = !in_code;
        }
        if chars[i] == '[' && !in_code {
            let close = chars[i + 1..]
                .iter()
                .position(|&c| c == ']' || c == '[')
                .map(|p| p + i + 1);
            if let Some(j) = close.filter(|&j| chars[j] == ']') {
                let text: String = chars[i + 1..j].iter().collect();
                if chars.get(j + 1) == Some(&'(') {
                    out.push('[');
                    out.push_str(&text);
                    out.push(']');
                } else {
                    out.push_str(&format!("\\[{text}\\]"));
                }
                i = j + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn operation_doc(op: &Operation) -> String {
    let mut doc = String::new();
    // English first (where the English edition has it), then the Chinese original.
    if !op.summary_en.is_empty() {
        doc.push_str(&doc_text(&op.summary_en));
        doc.push_str("\n\n");
    }
    if !op.description_en.is_empty() && op.description_en != op.summary_en {
        doc.push_str(&doc_text(&op.description_en));
        doc.push_str("\n\n");
    }
    if !op.summary.is_empty() {
        doc.push_str(&doc_text(&op.summary));
        doc.push_str("\n\n");
    }
    if !op.description.is_empty() && op.description != op.summary {
        doc.push_str(&doc_text(&op.description));
        doc.push_str("\n\n");
    }
    doc.push_str(&format!(
        "`{} {}` · operationId `{}`",
        op.method, op.path, op.operation_id
    ));
    if !op.tags.is_empty() {
        doc.push_str(&format!(" · tag `{}`", op.tags.join("`, `")));
    }
    if !op.tags_en.is_empty() && op.tags_en != op.tags {
        doc.push_str(&format!(" (`{}`)", op.tags_en.join("`, `")));
    }
    doc.push_str(match &op.auth {
        Auth::None => " · no API key.",
        _ => " · needs an API key.",
    });
    doc
}

/// Per-call settings on every request builder. A spec parameter of the same name keeps its
/// name; the setting is then `call_<name>`.
fn call_options(setters: &BTreeMap<String, Setter>) -> TokenStream {
    let name = |n: &str| {
        if setters.contains_key(n) {
            format_ident!("call_{}", n)
        } else {
            format_ident!("{}", n)
        }
    };
    let (retry, request_id, timeout) = (name("retry"), name("request_id"), name("timeout"));
    quote! {
        /// Repeats this call on transient failures (`true`) or never (`false`), whatever its
        /// method. By default only `GET`, `HEAD` and `DELETE` calls are repeated, so a `POST`
        /// cannot be sent twice unless you opt in here.
        pub fn #retry(mut self, retry: bool) -> Self {
            self.options.retry = Some(retry);
            self
        }
        /// The `x-request-id` to send (default: a fresh random id). It is in every error and
        /// tracing span of the call.
        pub fn #request_id(mut self, id: impl Into<::std::string::String>) -> Self {
            self.options.request_id = Some(id.into());
            self
        }
        /// Whole-request timeout of this call (`None`: none), instead of the client's.
        pub fn #timeout(mut self, timeout: impl Into<::std::option::Option<::std::time::Duration>>) -> Self {
            self.options.timeout = Some(timeout.into());
            self
        }
    }
}

/// Everything the facade adds: a module body for `crate::api`.
pub fn facade(
    file: &syn::File,
    ops: &[Operation],
    adapted: &Value,
    published: &Value,
    options: super::Options,
) -> Result<TokenStream, String> {
    let builders = read_builders(file)?;
    let op_types = op_aliases::Types::read(file);
    let mut client_methods = Vec::new();
    let mut request_types = Vec::new();
    let mut dynamic_arms = Vec::new();
    let mut decode_arms = Vec::new();
    let mut table = Vec::new();
    let mut aliases = Vec::new();

    for (index, op) in ops.iter().enumerate() {
        let (builder_ident, setters) = builders
            .by_method
            .get(&op.name)
            .ok_or_else(|| format!("progenitor emitted no builder for `{}`", op.name))?;
        let method = format_ident!("{}", op.name);
        let doc = operation_doc(op);
        let path_params: Vec<_> = op
            .params
            .iter()
            .filter(|p| p.location == "path")
            .map(|p| {
                // Path order, so positional arguments read like the URL.
                let pos = op
                    .path
                    .find(&format!("{{{}}}", p.api_name))
                    .unwrap_or(usize::MAX);
                (pos, p)
            })
            .collect::<Vec<_>>();
        let mut path_params = path_params;
        path_params.sort_by_key(|(pos, _)| *pos);

        // Client method: path parameters are positional.
        let mut generics = Vec::new();
        let mut args = Vec::new();
        let mut bounds = Vec::new();
        let mut calls = Vec::new();
        for (i, (_, p)) in path_params.iter().enumerate() {
            let setter = setters.get(&p.rust_name).ok_or_else(|| {
                format!(
                    "`{}` has no setter `{}` for path parameter `{}`",
                    op.name, p.rust_name, p.api_name
                )
            })?;
            let target = setter.target.as_ref().ok_or_else(|| {
                format!(
                    "setter `{}::{}` has no `TryInto` bound",
                    op.name, p.rust_name
                )
            })?;
            let g = format_ident!("P{}", i);
            let arg = format_ident!("{}", p.rust_name);
            generics.push(quote!(#g));
            args.push(quote!(#arg: #g));
            bounds.push(quote!(#g: ::std::convert::TryInto<#target>));
            // Checked before the request exists: a value that would not stay one path segment
            // (`..`, `.`, `""`) fails the call with `InvalidRequest`, nothing sent.
            let api = &p.api_name;
            calls.push(quote! {
                let inner = match options.path_segment::<#target, _>(#api, #arg) {
                    ::std::option::Option::Some(v) => inner.#arg(v),
                    ::std::option::Option::None => inner,
                };
            });
        }
        let positional_doc = if path_params.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = path_params
                .iter()
                .map(|(_, p)| {
                    if p.description.is_empty() {
                        format!("- `{}`", p.rust_name)
                    } else {
                        format!(
                            "- `{}`: {}",
                            p.rust_name,
                            doc_text(&p.description).replace("\n\n", " — ")
                        )
                    }
                })
                .collect();
            format!("\n\nPath parameters, in URL order:\n{}", list.join("\n"))
        };
        let method_doc = format!(
            "{doc}{positional_doc}\n\n{}",
            returns_doc(op, &builder_ident.to_string(), &builders.types, published)
        );
        let where_clause = if bounds.is_empty() {
            quote!()
        } else {
            quote!(where #(#bounds),*)
        };
        client_methods.push(quote! {
            #[doc = #method_doc]
            pub fn #method<#(#generics),*>(&self, #(#args),*) -> requests::#builder_ident<'_> #where_clause {
                #[allow(unused_mut)]
                let mut options = crate::call::CallOptions::default();
                let inner = self.generated().#method();
                #(#calls)*
                requests::#builder_ident { inner, shared: self.shared(), options }
            }
        });

        // Request builder: every other setter is forwarded as progenitor wrote it.
        let path_setters: BTreeSet<&str> = path_params
            .iter()
            .map(|(_, p)| p.rust_name.as_str())
            .collect();
        let mut forwards = Vec::new();
        for (name, setter) in setters
            .iter()
            .filter(|(n, _)| !path_setters.contains(n.as_str()))
        {
            let ident = &setter.sig.ident;
            let generics = &setter.sig.generics;
            let where_clause = &setter.sig.generics.where_clause;
            let inputs: Vec<_> = setter
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    syn::FnArg::Typed(t) => Some(t),
                    _ => None,
                })
                .collect();
            let arg_names: Vec<_> = inputs.iter().map(|t| &t.pat).collect();
            let param = op.params.iter().find(|p| &p.rust_name == name);
            let setter_doc = match (name.as_str(), param) {
                ("body", _) => {
                    "The request body. Anything that converts into the body type is accepted."
                        .to_string()
                }
                ("body_map", _) => "Edits the request body through its builder.".to_string(),
                (_, Some(p)) => {
                    let req = if p.required { " Required." } else { "" };
                    let d = if p.description.is_empty() {
                        String::new()
                    } else {
                        doc_text(&p.description)
                    };
                    format!("{} parameter `{}`.{req} {d}", p.location, p.api_name)
                }
                _ => format!("Sets `{name}`."),
            };
            // Parameters are converted here, so a value that does not fit says which value, why
            // and what the spec allows; lists take any iterable of convertible items.
            let converted = param.zip(setter.target.as_ref()).map(|(p, target)| {
                let what = format!("{} parameter `{}`", p.location, p.api_name);
                let allowed = constraint_text(adapted, op, &p.api_name);
                match vec_item(target) {
                    Some(item) => quote! {
                        #[doc = #setter_doc]
                        pub fn #ident<I, V>(mut self, values: I) -> Self
                        where
                            I: ::std::iter::IntoIterator<Item = V>,
                            V: ::std::convert::TryInto<#item> + ::std::fmt::Debug,
                            V::Error: ::std::fmt::Display,
                        {
                            match self.options.convert_all::<#item, V, I>(#what, #allowed, values) {
                                Some(v) => Self { inner: self.inner.#ident(v), ..self },
                                None => self,
                            }
                        }
                    },
                    None => quote! {
                        #[doc = #setter_doc]
                        pub fn #ident<V>(mut self, value: V) -> Self
                        where
                            V: ::std::convert::TryInto<#target> + ::std::fmt::Debug,
                            V::Error: ::std::fmt::Display,
                        {
                            match self.options.convert::<#target, V>(#what, #allowed, value) {
                                Some(v) => Self { inner: self.inner.#ident(v), ..self },
                                None => self,
                            }
                        }
                    },
                }
            });
            forwards.push(converted.unwrap_or_else(|| {
                quote! {
                    #[doc = #setter_doc]
                    pub fn #ident #generics (self, #(#inputs),*) -> Self #where_clause {
                        Self { inner: self.inner.#ident(#(#arg_names),*), ..self }
                    }
                }
            }));
        }
        let per_call = call_options(setters);
        let index_lit = syn::Index::from(index);
        let op_ref = quote!(&crate::OPERATIONS[#index_lit]);
        let send = match &op.answer {
            Answer::Envelope(None) => quote! {
                /// Sends the request; the envelope's `code` is checked and its `data` ignored.
                pub async fn send(self) -> crate::Result<()> {
                    { let Self { inner, shared, options } = self; crate::send::envelope_unit(#op_ref, shared, options, &move || crate::send::boxed(inner.clone().send())).await }
                }
            },
            Answer::Envelope(Some(body)) => {
                let ty = body_type(body, &builders.types)?;
                quote! {
                    /// Sends the request and returns the envelope's `data`; a non-zero `code` is
                    /// [`Error::Api`](crate::Error::Api).
                    pub async fn send(self) -> crate::Result<#ty> {
                        { let Self { inner, shared, options } = self; crate::send::envelope(#op_ref, shared, options, &move || crate::send::boxed(inner.clone().send())).await }
                    }
                }
            }
            Answer::Json(body) => {
                let ty = body_type(body, &builders.types)?;
                quote! {
                    /// Sends the request and returns the body as the service sends it (this
                    /// operation is not enveloped).
                    pub async fn send(self) -> crate::Result<#ty> {
                        { let Self { inner, shared, options } = self; crate::send::json(#op_ref, shared, options, &move || crate::send::boxed(inner.clone().send())).await }
                    }
                }
            }
            Answer::Events(event) => {
                let ev = body_type(event, &builders.types)?;
                quote! {
                    /// Sends the request and returns the answer's Server-Sent Events as a stream.
                    pub async fn send(self) -> crate::Result<crate::EventStream<#ev>> {
                        { let Self { inner, shared, options } = self; crate::send::events(#op_ref, shared, options, &move || crate::send::boxed(inner.clone().send())).await }
                    }
                }
            }
            Answer::JsonOrEvents { body, event } => {
                let ty = body_type(body, &builders.types)?;
                let ev = body_type(event, &builders.types)?;
                quote! {
                    /// Sends the request and returns the JSON body (the request does not ask to
                    /// stream).
                    pub async fn send(self) -> crate::Result<#ty> {
                        { let Self { inner, shared, options } = self; crate::send::json(#op_ref, shared, options, &move || crate::send::boxed(inner.clone().send())).await }
                    }
                    /// Sends the request and returns the answer's Server-Sent Events as a stream
                    /// (the request body must ask to stream, e.g. `"stream": true`).
                    pub async fn stream(self) -> crate::Result<crate::EventStream<#ev>> {
                        { let Self { inner, shared, options } = self; crate::send::events(#op_ref, shared, options, &move || crate::send::boxed(inner.clone().send())).await }
                    }
                }
            }
            Answer::Empty => quote! {
                /// Sends the request; the answer has no body.
                pub async fn send(self) -> crate::Result<()> {
                    { let Self { inner, shared, options } = self; crate::send::empty(#op_ref, shared, options, &move || crate::send::boxed(inner.clone().send())).await }
                }
            },
        };
        let struct_doc = format!(
            "Request builder for [`Client::{}`](crate::Client::{}).\n\n{}",
            op.name, op.name, doc
        );
        request_types.push(quote! {
            #[doc = #struct_doc]
            #[must_use = "a request does nothing until `.send()` is awaited"]
            #[derive(Debug, Clone)]
            pub struct #builder_ident<'a> {
                pub(crate) inner: crate::generated::builder::#builder_ident<'a>,
                pub(crate) shared: &'a crate::config::Shared,
                pub(crate) options: crate::call::CallOptions,
            }
            impl<'a> #builder_ident<'a> {
                #(#forwards)*
                #per_call
                #send
            }
        });

        // Generic call path: input object → typed setters → send → JSON value.
        let name = &op.name;
        let mut dyn_path = Vec::new();
        for (_, p) in &path_params {
            let setter = &setters[&p.rust_name];
            let target = setter.target.as_ref().expect("checked above");
            let api = &p.api_name;
            dyn_path.push(quote!(crate::dynamic::required::<#target>(#name, input, #api)?));
        }
        let mut dyn_setters = Vec::new();
        for p in op.params.iter().filter(|p| p.location != "path") {
            let Some(setter) = setters.get(&p.rust_name) else {
                return Err(format!(
                    "`{}` has no setter `{}` for `{}`",
                    op.name, p.rust_name, p.api_name
                ));
            };
            let target = setter.target.as_ref().ok_or_else(|| {
                format!(
                    "setter `{}::{}` has no `TryInto` bound",
                    op.name, p.rust_name
                )
            })?;
            let ident = format_ident!("{}", p.rust_name);
            let api = &p.api_name;
            if p.required {
                dyn_setters.push(quote!(let request = request.#ident(crate::dynamic::required::<#target>(#name, input, #api)?);));
            } else {
                dyn_setters.push(quote! {
                    let request = match crate::dynamic::optional::<#target>(#name, input, #api)? {
                        Some(v) => request.#ident(v),
                        None => request,
                    };
                });
            }
        }
        let body_target = setters
            .get("body")
            .and_then(|s| s.target.as_ref())
            .filter(|_| op.has_body);
        if let Some(target) = body_target {
            if op.body_required {
                dyn_setters.push(quote!(let request = request.body(crate::dynamic::required::<#target>(#name, input, "body")?);));
            } else {
                dyn_setters.push(quote! {
                    let request = match crate::dynamic::optional::<#target>(#name, input, "body")? {
                        Some(v) => request.body(v),
                        None => request,
                    };
                });
            }
        }
        let finish = match &op.answer {
            Answer::Events(_) => {
                quote!(crate::dynamic::collect_events(#name, request.send().await?).await)
            }
            // The input decides, as the service does: `"stream": true` in the body streams.
            Answer::JsonOrEvents { .. } => quote! {
                if crate::dynamic::asks_to_stream(input) {
                    crate::dynamic::collect_events(#name, request.stream().await?).await
                } else {
                    crate::dynamic::to_value(#name, &request.send().await?)
                }
            },
            _ => quote!(crate::dynamic::to_value(#name, &request.send().await?)),
        };
        let mut known: Vec<&str> = op.params.iter().map(|p| p.api_name.as_str()).collect();
        if body_target.is_some() {
            known.push("body");
        }
        dynamic_arms.push(quote! {
            #name => {
                crate::dynamic::known_keys(#name, input, &[#(#known),*])?;
                let request = client.#method(#(#dyn_path),*);
                #(#dyn_setters)*
                #finish
            }
        });

        // Decoding alone, for fuzzing and benchmarks: the same decoder `send()` uses.
        let decoder = match &op.answer {
            Answer::Envelope(None) => Some(quote!(
                crate::decode::envelope::<::serde::de::IgnoredAny>(call, answer)
                    .map(|_| ::serde_json::Value::Null)
            )),
            Answer::Envelope(Some(body)) => {
                let ty = body_type(body, &builders.types)?;
                Some(
                    quote!(crate::decode::envelope::<#ty>(call, answer).and_then(|v| crate::dynamic::to_value(#name, &v))),
                )
            }
            Answer::Json(body) | Answer::JsonOrEvents { body, .. } => {
                let ty = body_type(body, &builders.types)?;
                Some(
                    quote!(crate::decode::json::<#ty>(call, answer).and_then(|v| crate::dynamic::to_value(#name, &v))),
                )
            }
            Answer::Events(_) | Answer::Empty => None,
        };
        if let Some(decoder) = decoder {
            decode_arms.push(quote!(#name => #decoder,));
        }

        // Per-operation type names that survive a spec change renaming components.
        let unit = quote!(());
        let output = match op.answer.body() {
            Some(body) => body_type(body, &builders.types)?,
            None => unit,
        };
        let event = op
            .answer
            .event()
            .map(|e| body_type(e, &builders.types))
            .transpose()?;
        let alias_doc = format!(
            "Types of [`Client::{name}`](crate::Client::{name}) (`{} {}`), named after the \
             operation: they keep their names when a new spec renames or inlines the \
             components behind them.",
            op.method, op.path
        );
        let output_doc = match &op.answer {
            Answer::Events(_) => "What `send()` returns besides the stream: nothing.".to_string(),
            _ => "What `send().await?` returns.".to_string(),
        };
        let event_alias = event.map(|ev| {
            quote! {
                /// The type of each event of the operation's stream.
                pub type Event = #ev;
            }
        });
        let body_alias = setters
            .get("body")
            .and_then(|s| s.target.as_ref())
            .filter(|_| op.has_body)
            .map(|target| {
                quote! {
                    /// The request body type (what `.body(…)` takes).
                    pub type Body = #target;
                }
            });
        let nested = op_aliases::for_operation(
            &op_types,
            &output,
            setters
                .get("body")
                .and_then(|s| s.target.as_ref())
                .filter(|_| op.has_body),
            op.params.iter().filter_map(|p| {
                Some((
                    p.rust_name.as_str(),
                    setters.get(&p.rust_name)?.target.as_ref()?,
                ))
            }),
        );
        aliases.push(quote! {
            #[doc = #alias_doc]
            pub mod #method {
                #[allow(unused_imports)]
                use crate::generated::types;
                #[doc = #output_doc]
                pub type Output = #output;
                #event_alias
                #body_alias
                #nested
            }
        });

        // The table row.
        let operation_id = &op.operation_id;
        let http_method = &op.method;
        let path = &op.path;
        let summary = &op.summary;
        let tag = op.tags.first().cloned().unwrap_or_default();
        let tag_en = op.tags_en.first().cloned().unwrap_or_else(|| tag.clone());
        let summary_en = if op.summary_en.is_empty() {
            op.summary.clone()
        } else {
            op.summary_en.clone()
        };
        let auth = match &op.auth {
            Auth::None => quote!(crate::KeyPlacement::None),
            Auth::Header { name, prefix } => {
                quote!(crate::KeyPlacement::Header { name: #name, prefix: #prefix })
            }
            Auth::Query { name } => quote!(crate::KeyPlacement::Query { name: #name }),
        };
        let response = match &op.answer {
            Answer::Envelope(_) => quote!(crate::ResponseKind::Envelope),
            Answer::Json(_) => quote!(crate::ResponseKind::Json),
            Answer::Events(_) => quote!(crate::ResponseKind::EventStream),
            Answer::JsonOrEvents { .. } => quote!(crate::ResponseKind::JsonOrEventStream),
            Answer::Empty => quote!(crate::ResponseKind::Empty),
        };
        let deprecated = op.deprecated;
        table.push(quote! {
            crate::Operation {
                operation_id: #operation_id,
                method: #http_method,
                path: #path,
                name: #name,
                summary: #summary,
                summary_en: #summary_en,
                tag: #tag,
                tag_en: #tag_en,
                api_key: #auth,
                response: #response,
                deprecated: #deprecated,
            }
        });
    }

    let count = ops.len();
    let by_tag = by_tag_module(ops, &builders.types);
    let error_codes = error_codes(
        published,
        adapted
            .get(super::bilingual::ERROR_MESSAGES)
            .unwrap_or(&Value::Null),
    );
    let schemas = if options.schemas {
        let ops_schemas = operation_schemas(ops, adapted);
        let models = model_schemas(ops, &builders, adapted);
        quote!(#ops_schemas #models)
    } else {
        quote!()
    };
    Ok(quote! {
        #[allow(unused_imports)]
        use crate::generated::types;

        /// Every operation of the vendored spec, sorted by path, then HTTP method.
        pub static OPERATIONS: [crate::Operation; #count] = [#(#table),*];

        impl crate::Client {
            #(#client_methods)*
        }

        /// Per-operation type aliases (`ops::auth_start::Output`): hand-written code names the
        /// types it needs through the operation, not through component names a spec change
        /// may rename.
        pub mod ops {
            #(#aliases)*
        }

        #by_tag

        /// Request builders, one per operation.
        pub mod requests {
            #[allow(unused_imports)]
            use crate::generated::types;
            #(#request_types)*
        }

        /// Decodes an answer body as operation `name` would (`None`: the operation streams).
        pub(crate) fn decode_dynamic(
            name: &str,
            call: &crate::call::Call,
            answer: &crate::decode::Answer,
        ) -> ::std::option::Option<crate::Result<::serde_json::Value>> {
            Some(match name {
                #(#decode_arms)*
                _ => return None,
            })
        }

        pub(crate) async fn call_dynamic(
            client: &crate::Client,
            name: &str,
            input: &::serde_json::Map<::std::string::String, ::serde_json::Value>,
        ) -> crate::Result<::serde_json::Value> {
            match name {
                #(#dynamic_arms)*
                other => Err(crate::Error::UnknownOperation(other.to_string())),
            }
        }

        #error_codes

        #schemas
    })
}

/// `schemars::JsonSchema` for every model that is a component of the spec or an operation's
/// request body: a stub over `crate::model_schema`, which reads the spec's schema (converted
/// here once) instead of a derive per model and per field.
fn model_schemas(ops: &[Operation], builders: &Builders, adapted: &Value) -> TokenStream {
    let components = adapted
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let converted: serde_json::Map<String, Value> = components
        .iter()
        .map(|(k, v)| (k.clone(), super::schema::convert(v)))
        .collect();
    let defs = Value::Object(converted).to_string();
    let mut impls = Vec::new();
    let mut done = BTreeSet::new();
    for name in components.keys() {
        let Some(ty) = component_type(name, &builders.types) else {
            continue;
        };
        if !done.insert(ty.clone()) {
            continue;
        }
        let ident = format_ident!("{}", ty);
        impls.push(quote! {
            impl ::schemars::JsonSchema for crate::generated::types::#ident {
                fn schema_name() -> ::std::string::String {
                    #name.into()
                }
                fn json_schema(generator: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                    crate::model_schema::component(generator, #name)
                }
            }
        });
    }
    for op in ops {
        let Some(target) = builders
            .by_method
            .get(&op.name)
            .and_then(|(_, setters)| setters.get("body"))
            .and_then(|s| s.target.as_ref())
            .filter(|_| op.has_body)
        else {
            continue;
        };
        let syn::Type::Path(tp) = target else {
            continue;
        };
        let Some(last) = tp.path.segments.last() else {
            continue;
        };
        let ty = last.ident.to_string();
        if !builders.types.contains(&ty) || !done.insert(ty.clone()) {
            continue;
        }
        let body = adapted
            .get("paths")
            .and_then(|p| p.get(&op.path))
            .and_then(|i| i.get(op.method.to_ascii_lowercase()))
            .and_then(|o| o.pointer("/requestBody/content"))
            .and_then(Value::as_object)
            .and_then(|c| c.values().next())
            .and_then(|m| m.get("schema"))
            .map(super::schema::convert)
            .unwrap_or(Value::Bool(true))
            .to_string();
        let ident = &last.ident;
        impls.push(quote! {
            impl ::schemars::JsonSchema for crate::generated::types::#ident {
                fn schema_name() -> ::std::string::String {
                    #ty.into()
                }
                fn json_schema(generator: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                    crate::model_schema::inline(generator, #body)
                }
            }
        });
    }
    quote! {
        /// Every component's JSON Schema, `{name: schema}` (for `crate::model_schema`).
        pub(crate) static MODEL_DEFS: &str = #defs;
        #(#impls)*
    }
}

/// The generated type of component `name` (the one naming rule: `codegen/naming.rs`).
fn component_type(name: &str, types: &BTreeSet<String>) -> Option<String> {
    [
        name.to_string(),
        super::naming::type_stem(&super::naming::words(name).join("_")),
    ]
    .into_iter()
    .find(|c| types.contains(c.as_str()))
}

/// `(input, output)` JSON Schemas of every operation, self-contained, in table order.
fn operation_schemas(ops: &[Operation], adapted: &Value) -> TokenStream {
    let components = adapted
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(Value::Null);
    let rows = ops.iter().map(|op| {
        let spec_op = adapted
            .get("paths")
            .and_then(|p| p.get(&op.path))
            .and_then(|i| i.get(op.method.to_ascii_lowercase()))
            .cloned()
            .unwrap_or(Value::Null);
        let input = super::schema::standalone(&super::schema::input_schema(&spec_op), &components)
            .to_string();
        let output =
            super::schema::standalone(&super::schema::output_schema(&spec_op), &components)
                .to_string();
        quote!((#input, #output))
    });
    let count = ops.len();
    quote! {
        /// `(input, output)` JSON Schemas of [`OPERATIONS`], in the same order.
        pub(crate) static SCHEMAS: [(&str, &str); #count] = [#(#rows),*];
    }
}

/// Error codes named in the spec: `x-aitoearn-backend.responseCodes` and the error examples
/// (`"ValidationFailed (10002)"`, `401`).
fn error_codes(spec: &Value, english: &Value) -> TokenStream {
    let mut codes: BTreeMap<i64, (String, String)> = BTreeMap::new();
    let mut visit = |code: i64, name: &str, message: &str| {
        let ident = super::naming::type_stem(&super::naming::words(name).join("_"));
        if code != 0 && !ident.is_empty() && ident.starts_with(|c: char| c.is_ascii_alphabetic()) {
            codes.entry(code).or_insert((ident, message.to_string()));
        }
    };
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for op in item.values() {
                for rc in op
                    .pointer("/x-aitoearn-backend/responseCodes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let (Some(code), Some(name)) = (
                        rc.get("code").and_then(Value::as_i64),
                        rc.get("name").and_then(Value::as_str),
                    ) {
                        visit(
                            code,
                            name,
                            rc.get("message")
                                .and_then(Value::as_str)
                                .unwrap_or_default(),
                        );
                    }
                }
            }
        }
    }
    // Examples of error answers, found anywhere (the adapted spec moved them out of responses).
    fn walk(v: &Value, visit: &mut impl FnMut(i64, &str, &str)) {
        match v {
            Value::Object(m) => {
                let summary = m.get("summary").and_then(Value::as_str);
                let value = m.get("value");
                let code = value.and_then(|v| v.get("code")).and_then(Value::as_i64);
                if let (Some(summary), Some(value), Some(code)) = (summary, value, code) {
                    let message = value
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    // "ValidationFailed (10002)" names the code; otherwise use the message.
                    let name = summary
                        .split(" (")
                        .next()
                        .filter(|n| n.is_ascii())
                        .unwrap_or(message);
                    visit(code, name, message);
                }
                m.values().for_each(|v| walk(v, visit));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, visit)),
            _ => {}
        }
    }
    walk(spec, &mut visit);
    http_status_codes(&mut codes);
    let variants: Vec<_> = codes
        .iter()
        .map(|(code, (ident, message))| {
            let ident = format_ident!("{}", ident);
            let doc = error_code_doc(*code, message, english);
            quote!(#[doc = #doc] #ident)
        })
        .collect();
    let from: Vec<_> = codes
        .iter()
        .map(|(code, (ident, _))| {
            let ident = format_ident!("{}", ident);
            quote!(#code => Self::#ident)
        })
        .collect();
    let to: Vec<_> = codes
        .iter()
        .map(|(code, (ident, _))| {
            let ident = format_ident!("{}", ident);
            quote!(Self::#ident => #code)
        })
        .collect();
    let names: Vec<_> = codes
        .iter()
        .map(|(_, (ident, _))| {
            let i = format_ident!("{}", ident);
            quote!(Self::#i => Some(#ident))
        })
        .collect();
    quote! {
        /// Business error codes named in the spec (the envelope's `code`), with a catch-all for
        /// codes this version of the crate does not know yet.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variants,)*
            /// A code the vendored spec does not name.
            Unknown(i64),
        }

        impl ErrorCode {
            /// The code's variant, or [`ErrorCode::Unknown`].
            pub fn from_code(code: i64) -> Self {
                match code {
                    #(#from,)*
                    other => Self::Unknown(other),
                }
            }
            /// The numeric code.
            pub fn code(self) -> i64 {
                match self {
                    #(#to,)*
                    Self::Unknown(c) => c,
                }
            }
            /// The spec's name for the code (`"ValidationFailed"`), if it has one.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    #(#names,)*
                    Self::Unknown(_) => None,
                }
            }
        }
    }
}

/// A rustdoc link to the Rust type of a shape (as [`body_type`] resolves it), for docs.
fn type_link(shape: &Shape, types: &BTreeSet<String>) -> String {
    match shape {
        Shape::Array(items) => format!("a `Vec` of {}", type_link(items, types)),
        Shape::Component(name) => match component_type(name, types) {
            Some(t) => format!("[`{t}`](crate::types::{t})"),
            None => "`serde_json::Value`".to_string(),
        },
        Shape::Scalar(Scalar::String) => "`String`".to_string(),
        Shape::Scalar(Scalar::Integer) => "`i64`".to_string(),
        Shape::Scalar(Scalar::Number) => "`f64`".to_string(),
        Shape::Scalar(Scalar::Boolean) => "`bool`".to_string(),
        Shape::Any => "`Value`".to_string(),
    }
}

/// What a method's request gives back and how it can fail, linked: the builder, the type
/// `send()` returns, the `Error` variants, and the `ErrorCode`s the spec names for it.
fn returns_doc(op: &Operation, builder: &str, types: &BTreeSet<String>, spec: &Value) -> String {
    let out = match &op.answer {
        Answer::Envelope(None) => "`()` (the envelope's `code` is checked)".to_string(),
        Answer::Envelope(Some(body)) | Answer::Json(body) => type_link(body, types),
        Answer::Events(event) => format!(
            "an [`EventStream`](crate::EventStream) of {}",
            type_link(event, types)
        ),
        Answer::JsonOrEvents { body, event } => format!(
            "{} (and `.stream().await`, an [`EventStream`](crate::EventStream) of {})",
            type_link(body, types),
            type_link(event, types)
        ),
        Answer::Empty => "`()` (the answer has no body)".to_string(),
    };
    let mut codes: Vec<String> = spec
        .get("paths")
        .and_then(|p| p.get(&op.path))
        .and_then(|i| i.get(op.method.to_ascii_lowercase()))
        .and_then(|o| o.pointer("/x-aitoearn-backend/responseCodes"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|rc| rc.get("name").and_then(Value::as_str))
        .map(|n| super::naming::type_stem(&super::naming::words(n).join("_")))
        .filter(|i| !i.is_empty() && i.starts_with(|c: char| c.is_ascii_alphabetic()))
        .map(|i| format!("[`{i}`](crate::ErrorCode::{i})"))
        .collect();
    codes.dedup();
    let api = match &op.answer {
        Answer::Envelope(_) => {
            let named = if codes.is_empty() {
                String::new()
            } else {
                format!(" (the spec names {} for this operation)", codes.join(", "))
            };
            format!(
                "[`Error::Api`](crate::Error::Api) when the envelope's `code` is not 0{named}; "
            )
        }
        _ => String::new(),
    };
    let key = match op.auth {
        Auth::None => "",
        _ => "[`Error::MissingApiKey`](crate::Error::MissingApiKey) without a key; ",
    };
    format!(
        "Returns a [`{builder}`](requests::{builder}): set optional parameters, then \
         `.send().await`, which gives {out}.\n\n\
         **Errors**: {api}{key}[`Error::Http`](crate::Error::Http) for an HTTP error status \
         without an envelope; [`Error::Decode`](crate::Error::Decode) for an answer that does \
         not match the spec; [`Error::Transport`](crate::Error::Transport) when no answer came; \
         [`Error::InvalidRequest`](crate::Error::InvalidRequest) for a parameter that does not \
         convert. [`Error::code`](crate::Error::code) gives the [`ErrorCode`](crate::ErrorCode)."
    )
}

/// The `by_tag` module: a page with a section per tag, each a table linking its operations'
/// methods on `Client`, so any method is two clicks from the crate root.
fn by_tag_module(ops: &[Operation], types: &BTreeSet<String>) -> TokenStream {
    let mut tags: Vec<(String, String, Vec<&Operation>)> = Vec::new();
    for op in ops {
        let zh = op.tags.first().cloned().unwrap_or_default();
        let en = op.tags_en.first().cloned().unwrap_or_else(|| zh.clone());
        match tags.iter_mut().find(|(t, _, _)| *t == zh) {
            Some((_, _, list)) => list.push(op),
            None => tags.push((zh, en, vec![op])),
        }
    }
    tags.sort_by(|a, b| a.1.cmp(&b.1));
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut doc = String::from(
        "Every operation's method on [`Client`](crate::Client), grouped by the spec's tags \
         (English name, Chinese original), in the order of [`OPERATIONS`](crate::OPERATIONS) \
         within a tag. `send()` returns the type in the last column.\n\n",
    );
    for (zh, en, list) in &tags {
        doc.push_str(&format!("## {}", cell(en)));
        if en != zh {
            doc.push_str(&format!(" ({})", cell(zh)));
        }
        doc.push_str(
            "\n\n| method | HTTP | summary | `send()` gives |\n| --- | --- | --- | --- |\n",
        );
        for op in list {
            let summary = if op.summary_en.is_empty() {
                &op.summary
            } else {
                &op.summary_en
            };
            let gives = match &op.answer {
                Answer::Envelope(None) | Answer::Empty => "`()`".to_string(),
                Answer::Events(event) => format!("`EventStream` of {}", type_link(event, types)),
                Answer::Envelope(Some(body))
                | Answer::Json(body)
                | Answer::JsonOrEvents { body, .. } => type_link(body, types),
            };
            doc.push_str(&format!(
                "| [`{n}`](crate::Client::{n}) | `{} {}` | {} | {gives} |\n",
                op.method,
                cell(&op.path),
                cell(&doc_text(summary)),
                n = op.name,
            ));
        }
        doc.push('\n');
    }
    quote! {
        #[doc = #doc]
        pub mod by_tag {}
    }
}

/// HTTP statuses the service answers without an envelope when a gateway refuses the call
/// (`Error::code` maps them): named here when the spec does not name them itself.
fn http_status_codes(codes: &mut BTreeMap<i64, (String, String)>) {
    for (code, ident, message) in [
        (
            401,
            "Unauthorized",
            "Unauthorized: the API key is missing, invalid or revoked",
        ),
        (
            403,
            "Forbidden",
            "Forbidden: the API key may not call this operation",
        ),
        (
            429,
            "TooManyRequests",
            "Too many requests: slow down (see `Retry-After`)",
        ),
    ] {
        codes
            .entry(code)
            .or_insert_with(|| (ident.to_string(), message.to_string()));
    }
}

/// An `ErrorCode` variant's doc: the code, the English message where the English edition has
/// one, then the Chinese original; `{{platform}}` placeholders read as `` `{platform}` ``.
fn error_code_doc(code: i64, message: &str, english: &Value) -> String {
    fn placeholders(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                break;
            };
            let name = &rest[start + 2..start + 2 + len];
            out.push_str(&rest[..start]);
            out.push_str(&format!("`{{{}}}`", name.trim()));
            rest = &rest[start + 2 + len + 2..];
        }
        out.push_str(rest);
        out
    }
    let en = english
        .get(code.to_string())
        .and_then(Value::as_str)
        .filter(|e| !e.trim().is_empty());
    match en {
        Some(en) if en.trim() != message.trim() && !message.is_empty() => format!(
            "`{code}`: {}\n\n{}",
            placeholders(en),
            placeholders(message)
        ),
        Some(en) => format!("`{code}`: {}", placeholders(en)),
        None => format!("`{code}`: {}", placeholders(message)),
    }
}

#[cfg(test)]
mod tests {
    use super::doc_text;

    #[test]
    fn error_code_docs_read_english_first_with_readable_placeholders() {
        let en = serde_json::json!({ "15052": "{{platform}} account {{accountId}} duplicated" });
        assert_eq!(
            super::error_code_doc(15052, "{{platform}} 账号 {{accountId}} 存在重复发布项", &en),
            "`15052`: `{platform}` account `{accountId}` duplicated\n\n`{platform}` 账号 `{accountId}` 存在重复发布项"
        );
        assert_eq!(super::error_code_doc(1, "仅中文", &en), "`1`: 仅中文");
        assert_eq!(super::error_code_doc(2, "a {{b", &en), "`2`: a {{b");
    }

    #[test]
    fn doc_text_escapes_non_links() {
        assert_eq!(doc_text("data.tasks[n].id"), "data.tasks\\[n\\].id");
        assert_eq!(doc_text("`data[n].name` [x]"), "`data[n].name` \\[x\\]");
        assert_eq!(
            doc_text("[平台列表](/api-reference/x)"),
            "[平台列表](https://docs.aitoearn.ai/api-reference/x)"
        );
        assert_eq!(doc_text("a [b"), "a [b");
        assert_eq!(doc_text("```\nx\n```"), "```text\nx\n```");
        assert_eq!(doc_text("```json\n{}"), "```json\n{}");
    }
}
