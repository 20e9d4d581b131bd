//! Emits the SDK's public surface on top of progenitor's client: one method per operation on
//! `aitoearn::Client`, a request builder per operation whose `send()` decodes the answer, the
//! `OPERATIONS` table, the error-code enum, and the generic call path used by agents and tests.
//!
//! One builder layer per operation: the request builder holds the values itself and its
//! `send()` calls progenitor's positional method with references to them, once per attempt.
//! The parameter types are read from progenitor's methods (`codegen/positional.rs`, never
//! re-derived from the spec), so the facade always agrees with the code it calls. Each
//! artifact of an operation has its function: [`client_method`], [`request_type`] (with
//! [`param_setter`], [`body_setters`], [`send_fns`]), [`dynamic_arm`], [`decode_arm`],
//! [`ops_module`], [`table_row`].

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, format_ident, quote};
use serde_json::Value;

use super::model::{Answer, Auth, Operation, Param, Scalar, Shape};
use super::{op_aliases, positional};

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
    super::rust_types::unwrap_one(ty, &["Vec"]).map(|(t, _)| t.clone())
}

/// What the spec allows for parameter `name` of `op` (`" (allowed: a, b)"`, `" (at least 1
/// character)"`), for conversion errors; empty when it says nothing.
fn constraint_text(adapted: &Value, op: &Operation, name: &str) -> String {
    let none = Value::Null;
    let components = adapted.pointer("/components/schemas").unwrap_or(&none);
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
    let mut schema = through_refs(schema, components);
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        if let Some(items) = schema.get("items") {
            schema = through_refs(items, components);
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

/// The schema behind `schema`'s references (`codegen/refs.rs`), also through the one-member
/// `allOf` and the `x-rust-type` wrapper the adaptations put around a `$ref`.
fn through_refs<'a>(mut schema: &'a Value, components: &'a Value) -> &'a Value {
    for _ in 0..8 {
        schema = super::refs::follow(schema, super::refs::in_components(components)).schema;
        match schema
            .pointer("/allOf/0")
            .or_else(|| schema.pointer("/x-rust-type/parameters/0"))
            .filter(|next| next.get("$ref").is_some())
        {
            Some(next) => schema = next,
            None => break,
        }
    }
    schema
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
fn call_options(setters: &BTreeSet<String>) -> TokenStream {
    let name = |n: &str| {
        if setters.contains(n) {
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

/// What the facade emits for one operation is read from: the operation, progenitor's
/// positional method for it, and the generated model names.
struct Op<'a> {
    op: &'a Operation,
    index: usize,
    /// The method on `Client` (and progenitor's positional method).
    method: Ident,
    /// `requests::<builder>`.
    builder: Ident,
    sig: &'a positional::Method,
    /// The path parameters in URL order, each with progenitor's parameter.
    path: Vec<(&'a Param, &'a positional::Param)>,
    /// Every other parameter (query, header), in the spec's order.
    others: Vec<(&'a Param, &'a positional::Param)>,
    types: &'a BTreeSet<String>,
}

impl<'a> Op<'a> {
    fn new(
        op: &'a Operation,
        index: usize,
        interface: &'a positional::Interface,
    ) -> Result<Self, String> {
        let sig = interface
            .methods
            .get(&op.name)
            .ok_or_else(|| format!("progenitor emitted no method `{}`", op.name))?;
        let find = |p: &'a Param| {
            sig.param(&p.rust_name).map(|s| (p, s)).ok_or_else(|| {
                format!(
                    "progenitor's `{}` has no parameter `{}` for {} parameter `{}`",
                    op.name, p.rust_name, p.location, p.api_name
                )
            })
        };
        let mut path = op
            .params
            .iter()
            .filter(|p| p.location == "path")
            .map(find)
            .collect::<Result<Vec<_>, _>>()?;
        // Path order, so positional arguments read like the URL.
        path.sort_by_key(|(p, _)| {
            op.path
                .find(&format!("{{{}}}", p.api_name))
                .unwrap_or(usize::MAX)
        });
        let others = op
            .params
            .iter()
            .filter(|p| p.location != "path")
            .map(find)
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(extra) = sig
            .params
            .iter()
            .find(|s| !op.params.iter().any(|p| s.ident == p.rust_name))
        {
            return Err(format!(
                "progenitor's `{}` takes `{}`, which the spec's parameters do not name",
                op.name, extra.ident
            ));
        }
        Ok(Self {
            op,
            index,
            method: format_ident!("{}", op.name),
            builder: format_ident!("{}", pascal(&op.name)),
            sig,
            path,
            others,
            types: &interface.types,
        })
    }

    fn op_ref(&self) -> TokenStream {
        let index = syn::Index::from(self.index);
        quote!(&crate::OPERATIONS[#index])
    }

    fn body(&self) -> Option<&'a positional::Body> {
        self.sig.body.as_ref().map(|(_, _, b)| b)
    }

    /// Every setter name of the request builder (parameters, `body`, `body_map`).
    fn setter_names(&self) -> BTreeSet<String> {
        let mut names: BTreeSet<String> = self
            .others
            .iter()
            .map(|(p, _)| p.rust_name.clone())
            .collect();
        match self.body() {
            Some(positional::Body::Built { .. }) => {
                names.extend(["body".to_string(), "body_map".to_string()])
            }
            Some(_) => {
                names.insert("body".to_string());
            }
            None => {}
        }
        names
    }
}

/// The request builder's field holding progenitor's parameter `ident` (renamed when it would
/// meet the builder's own fields).
fn field(ident: &Ident) -> Ident {
    if ident == "client" || ident == "options" {
        format_ident!("{}_value", ident)
    } else {
        ident.clone()
    }
}

/// progenitor's builder-struct naming (heck's `PascalCase` of the snake-case method name):
/// the `requests::` names stay what they were when the facade wrapped those builders.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The method on `Client`: path parameters are positional, checked before anything is sent.
fn client_method(cx: &Op, published: &Value) -> TokenStream {
    let (method, builder) = (&cx.method, &cx.builder);
    let mut generics = Vec::new();
    let mut args = Vec::new();
    let mut bounds = Vec::new();
    let mut checks = Vec::new();
    for (i, (p, s)) in cx.path.iter().enumerate() {
        let g = format_ident!("P{}", i);
        let arg = format_ident!("{}", p.rust_name);
        let (f, owned, api) = (field(&s.ident), &s.owned, &p.api_name);
        generics.push(quote!(#g));
        args.push(quote!(#arg: #g));
        bounds.push(quote!(#g: ::std::convert::TryInto<#owned>));
        // A value that would not stay one path segment (`..`, `.`, `""`) fails the call with
        // `InvalidRequest`, nothing sent.
        checks.push(quote!(let #f = options.path_segment::<#owned, _>(#api, #arg);));
    }
    let mut fields: Vec<TokenStream> = cx
        .path
        .iter()
        .map(|(_, s)| {
            let f = field(&s.ident);
            quote!(#f)
        })
        .collect();
    fields.extend(cx.others.iter().map(|(_, s)| {
        let f = field(&s.ident);
        quote!(#f: ::std::option::Option::None)
    }));
    if let Some((_, s, body)) = &cx.sig.body {
        let f = field(&s.ident);
        let missing = format!("{} was not initialized", s.ident);
        fields.push(match body {
            // typify's builder starts empty: missing fields fail the conversion at `send()`.
            positional::Body::Built { .. } => {
                quote!(#f: ::std::result::Result::Ok(::std::default::Default::default()))
            }
            _ => quote!(#f: ::std::result::Result::Err(#missing.to_string())),
        });
    }
    let path_doc = if cx.path.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = cx
            .path
            .iter()
            .map(|(p, _)| {
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
    let doc = format!(
        "{}{path_doc}\n\n{}",
        operation_doc(cx.op),
        returns_doc(cx.op, &builder.to_string(), cx.types, published)
    );
    let where_clause = if bounds.is_empty() {
        quote!()
    } else {
        quote!(where #(#bounds),*)
    };
    quote! {
        #[doc = #doc]
        pub fn #method<#(#generics),*>(&self, #(#args),*) -> requests::#builder<'_> #where_clause {
            #[allow(unused_mut)]
            let mut options = crate::call::CallOptions::default();
            #(#checks)*
            requests::#builder { client: self, options, #(#fields),* }
        }
    }
}

/// The doc of the setter of parameter `p`.
fn param_doc(p: &Param) -> String {
    let req = if p.required { " Required." } else { "" };
    let d = if p.description.is_empty() {
        String::new()
    } else {
        doc_text(&p.description)
    };
    format!("{} parameter `{}`.{req} {d}", p.location, p.api_name)
}

/// The setter of a query or header parameter: the value is converted here, so a value that
/// does not fit says which value, why and what the spec allows; lists take any iterable of
/// convertible items.
fn param_setter(cx: &Op, p: &Param, s: &positional::Param, adapted: &Value) -> TokenStream {
    let (ident, f, target) = (&s.ident, field(&s.ident), &s.owned);
    let doc = param_doc(p);
    let what = format!("{} parameter `{}`", p.location, p.api_name);
    let allowed = constraint_text(adapted, cx.op, &p.api_name);
    match vec_item(target) {
        Some(item) => quote! {
            #[doc = #doc]
            pub fn #ident<I, V>(mut self, values: I) -> Self
            where
                I: ::std::iter::IntoIterator<Item = V>,
                V: ::std::convert::TryInto<#item> + ::std::fmt::Debug,
                V::Error: ::std::fmt::Display,
            {
                if let Some(v) = self.options.convert_all::<#item, V, I>(#what, #allowed, values) {
                    self.#f = Some(v);
                }
                self
            }
        },
        None => quote! {
            #[doc = #doc]
            pub fn #ident<V>(mut self, value: V) -> Self
            where
                V: ::std::convert::TryInto<#target> + ::std::fmt::Debug,
                V::Error: ::std::fmt::Display,
            {
                if let Some(v) = self.options.convert::<#target, V>(#what, #allowed, value) {
                    self.#f = Some(v);
                }
                self
            }
        },
    }
}

/// `body(..)` (and `body_map(..)` over typify's builder), with the conversion errors
/// progenitor's builders gave: reported by `send()` as `Error::InvalidRequest`.
fn body_setters(body: &positional::Body) -> TokenStream {
    const DOC: &str = "The request body. Anything that converts into the body type is accepted.";
    match body {
        positional::Body::Built { ty, builder, name } => {
            let err = format!("conversion to `{name}` for body failed: {{}}");
            quote! {
                #[doc = #DOC]
                pub fn body<V>(mut self, value: V) -> Self
                where
                    V: ::std::convert::TryInto<#ty>,
                    <V as ::std::convert::TryInto<#ty>>::Error: ::std::fmt::Display,
                {
                    self.body = value.try_into().map(::std::convert::From::from).map_err(|s| format!(#err, s));
                    self
                }
                /// Edits the request body through its builder.
                pub fn body_map<F>(mut self, f: F) -> Self
                where
                    F: ::std::ops::FnOnce(#builder) -> #builder,
                {
                    self.body = self.body.map(f);
                    self
                }
            }
        }
        // A value without a builder: one `TryInto` setter, whatever the value is.
        positional::Body::Typed { .. } | positional::Body::Bytes | positional::Body::Text => {
            let (name, doc) = match body {
                positional::Body::Typed { name, .. } => (name.as_str(), DOC),
                positional::Body::Bytes => (
                    "Bytes",
                    "The request body, sent as these bytes (`Vec<u8>`, `&'static [u8]`, \
                     `String`, `bytes::Bytes`); the same bytes on every attempt.",
                ),
                _ => (
                    "String",
                    "The request body, sent as this text; the same text on every attempt.",
                ),
            };
            let ty = body.ty();
            let err = format!("conversion to `{name}` for body failed");
            quote! {
                #[doc = #doc]
                pub fn body<V>(mut self, value: V) -> Self
                where
                    V: ::std::convert::TryInto<#ty>,
                {
                    self.body = value.try_into().map_err(|_| #err.to_string());
                    self
                }
            }
        }
    }
}

/// The functions that send the request: one per way the operation answers (`send`, and
/// `stream` where the body decides), each a stub over one function of `crate::send`.
fn send_fns(cx: &Op) -> Result<TokenStream, String> {
    let ty = |shape: &Shape| body_type(shape, cx.types);
    let stream = |shape: &Shape| -> Result<TokenStream, String> {
        let ev = ty(shape)?;
        Ok(quote!(crate::EventStream<#ev>))
    };
    let unit = quote!(());
    // (name, doc, what it returns, the runtime function)
    let fns: Vec<(&str, &str, TokenStream, &str)> = match &cx.op.answer {
        Answer::Envelope(None) => vec![(
            "send",
            "Sends the request; the envelope's `code` is checked and its `data` ignored.",
            unit,
            "envelope_unit",
        )],
        Answer::Envelope(Some(body)) => vec![(
            "send",
            "Sends the request and returns the envelope's `data`; a non-zero `code` is \
             [`Error::Api`](crate::Error::Api).",
            ty(body)?,
            "envelope",
        )],
        Answer::Json(body) => vec![(
            "send",
            "Sends the request and returns the body as the service sends it (this operation \
             is not enveloped).",
            ty(body)?,
            "json",
        )],
        Answer::Events(event) => vec![(
            "send",
            "Sends the request and returns the answer's Server-Sent Events as a stream.",
            stream(event)?,
            "events",
        )],
        Answer::JsonOrEvents { body, event } => vec![
            (
                "send",
                "Sends the request and returns the JSON body (the request does not ask to \
                 stream).",
                ty(body)?,
                "json",
            ),
            (
                "stream",
                "Sends the request and returns the answer's Server-Sent Events as a stream \
                 (the request body must ask to stream, e.g. `\"stream\": true`).",
                stream(event)?,
                "events",
            ),
        ],
        Answer::Empty => vec![(
            "send",
            "Sends the request; the answer has no body.",
            unit,
            "empty",
        )],
    };
    let call = send_call(cx);
    Ok(fns
        .into_iter()
        .map(|(name, doc, ret, runtime)| {
            let (name, runtime) = (format_ident!("{}", name), format_ident!("{}", runtime));
            quote! {
                #[doc = #doc]
                pub async fn #name(self) -> crate::Result<#ret> {
                    #call
                    crate::send::#runtime(op, client.shared(), options, request).await
                }
            }
        })
        .collect())
}

/// The start of every `send()`: the held values taken out, and `request`, which calls
/// progenitor's positional method with references to them, once per attempt. A required value
/// that is missing, or a body that did not convert, fails the attempt as progenitor's builders
/// did (`Error::InvalidRequest`), before anything is sent.
fn send_call(cx: &Op) -> TokenStream {
    let method = &cx.method;
    let op_ref = cx.op_ref();
    let mut all: Vec<&positional::Param> = cx.sig.params.iter().collect();
    if let Some((at, p, _)) = &cx.sig.body {
        all.insert(*at, p);
    }
    let names: Vec<Ident> = all.iter().map(|p| field(&p.ident)).collect();
    let mut checks = Vec::new();
    let mut args = Vec::new();
    for p in &all {
        let f = field(&p.ident);
        let is_body = cx
            .sig
            .body
            .as_ref()
            .is_some_and(|(_, b, _)| b.ident == p.ident);
        if is_body {
            checks.push(quote! {
                let #f = match &#f {
                    ::std::result::Result::Ok(v) => v,
                    ::std::result::Result::Err(e) => return crate::send::invalid(e),
                };
            });
        } else if !p.optional {
            let missing = format!("{} was not initialized", p.ident);
            checks.push(quote! {
                let #f = match &#f {
                    ::std::option::Option::Some(v) => v,
                    ::std::option::Option::None => return crate::send::invalid(#missing),
                };
            });
        }
        args.push(match (p.optional, p.pass) {
            (false, positional::Pass::Str) => quote!(#f.as_str()),
            (false, positional::Pass::Ref) => quote!(#f),
            (false, positional::Pass::Value) => quote!(::std::clone::Clone::clone(#f)),
            (true, positional::Pass::Str) => quote!(#f.as_deref()),
            (true, positional::Pass::Ref) => quote!(#f.as_ref()),
            (true, positional::Pass::Value) => quote!(::std::clone::Clone::clone(&#f)),
        });
    }
    // typify's builder becomes the body once, before the attempts.
    let finish = match cx.body() {
        Some(positional::Body::Built { ty, .. }) => quote! {
            let body = body.and_then(|v| #ty::try_from(v).map_err(|e| e.to_string()));
        },
        _ => quote!(),
    };
    quote! {
        let op = #op_ref;
        let Self { client, options, #(#names),* } = self;
        #finish
        let request: crate::send::Request<'_> = &|| {
            #(#checks)*
            crate::send::boxed(client.generated().#method(#(#args),*))
        };
    }
}

/// The request builder: the values it holds, their setters, the per-call settings, `send()`.
fn request_type(cx: &Op, adapted: &Value) -> Result<TokenStream, String> {
    let builder = &cx.builder;
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    for (_, s) in &cx.path {
        let (f, t) = (field(&s.ident), &s.owned);
        fields.push(quote!(pub(crate) #f: ::std::option::Option<#t>));
    }
    for (p, s) in &cx.others {
        let (f, t) = (field(&s.ident), &s.owned);
        fields.push(quote!(pub(crate) #f: ::std::option::Option<#t>));
        setters.push(param_setter(cx, p, s, adapted));
    }
    if let Some((_, s, body)) = &cx.sig.body {
        let f = field(&s.ident);
        let t = match body {
            positional::Body::Built { builder, .. } => quote!(#builder),
            other => other.ty().to_token_stream(),
        };
        fields.push(quote!(pub(crate) #f: ::std::result::Result<#t, ::std::string::String>));
        setters.push(body_setters(body));
    }
    let per_call = call_options(&cx.setter_names());
    let send = send_fns(cx)?;
    let doc = format!(
        "Request builder for [`Client::{}`](crate::Client::{}).\n\n{}",
        cx.op.name,
        cx.op.name,
        operation_doc(cx.op)
    );
    Ok(quote! {
        #[doc = #doc]
        #[must_use = "a request does nothing until `.send()` is awaited"]
        #[derive(Debug, Clone)]
        pub struct #builder<'a> {
            pub(crate) client: &'a crate::Client,
            pub(crate) options: crate::call::CallOptions,
            #(#fields,)*
        }
        impl<'a> #builder<'a> {
            #(#setters)*
            #per_call
            #send
        }
    })
}

/// The type `Client::call` reads the body as from its JSON input (raw bytes come as a string).
fn dynamic_body_type(body: &positional::Body) -> syn::Type {
    match body {
        positional::Body::Bytes => syn::parse_quote!(::std::string::String),
        other => other.ty(),
    }
}

/// `Client::call`'s arm for the operation: input object → typed setters → send → JSON value.
fn dynamic_arm(cx: &Op) -> TokenStream {
    let (name, method) = (&cx.op.name, &cx.method);
    let path: Vec<_> = cx
        .path
        .iter()
        .map(|(p, s)| {
            let (t, api) = (&s.owned, &p.api_name);
            quote!(crate::dynamic::required::<#t>(#name, input, #api)?)
        })
        .collect();
    let mut setters = Vec::new();
    let mut known: Vec<&str> = cx.op.params.iter().map(|p| p.api_name.as_str()).collect();
    let mut set = |ident: TokenStream, target: TokenStream, api: &str, required: bool| {
        setters.push(if required {
            quote!(let request = request.#ident(crate::dynamic::required::<#target>(#name, input, #api)?);)
        } else {
            quote! {
                let request = match crate::dynamic::optional::<#target>(#name, input, #api)? {
                    Some(v) => request.#ident(v),
                    None => request,
                };
            }
        });
    };
    for (p, s) in &cx.others {
        let ident = &s.ident;
        let t = &s.owned;
        set(quote!(#ident), quote!(#t), &p.api_name, p.required);
    }
    if let Some(body) = cx.body().filter(|_| cx.op.has_body) {
        let t = dynamic_body_type(body);
        set(quote!(body), quote!(#t), "body", cx.op.body_required);
        known.push("body");
    }
    let finish = match &cx.op.answer {
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
    quote! {
        #name => {
            crate::dynamic::known_keys(#name, input, &[#(#known),*])?;
            let request = client.#method(#(#path),*);
            #(#setters)*
            #finish
        }
    }
}

/// Decoding alone, for fuzzing and benchmarks: the same decoder `send()` uses (`None`: the
/// operation streams or has no body).
fn decode_arm(cx: &Op) -> Result<Option<TokenStream>, String> {
    let name = &cx.op.name;
    let decoder = match &cx.op.answer {
        Answer::Envelope(None) => quote!(
            crate::decode::envelope::<::serde::de::IgnoredAny>(call, answer)
                .map(|_| ::serde_json::Value::Null)
        ),
        Answer::Envelope(Some(body)) => {
            let ty = body_type(body, cx.types)?;
            quote!(crate::decode::envelope::<#ty>(call, answer).and_then(|v| crate::dynamic::to_value(#name, &v)))
        }
        Answer::Json(body) | Answer::JsonOrEvents { body, .. } => {
            let ty = body_type(body, cx.types)?;
            quote!(crate::decode::json::<#ty>(call, answer).and_then(|v| crate::dynamic::to_value(#name, &v)))
        }
        Answer::Events(_) | Answer::Empty => return Ok(None),
    };
    Ok(Some(quote!(#name => #decoder,)))
}

/// `types::ops::<op>`: per-operation names that survive a spec change renaming components, and
/// the operation's row of `OPERATIONS`.
fn ops_module(cx: &Op, op_types: &op_aliases::Types) -> Result<TokenStream, String> {
    let (name, method) = (&cx.op.name, &cx.method);
    let output = match cx.op.answer.body() {
        Some(body) => body_type(body, cx.types)?,
        None => quote!(()),
    };
    let doc = format!(
        "Types of [`Client::{name}`](crate::Client::{name}) (`{} {}`), named after the \
         operation: they keep their names when a new spec renames or inlines the components \
         behind them.",
        cx.op.method, cx.op.path
    );
    let output_doc = match &cx.op.answer {
        Answer::Events(_) => "What `send()` returns besides the stream: nothing.",
        _ => "What `send().await?` returns.",
    };
    let event = match cx.op.answer.event() {
        Some(e) => {
            let ev = body_type(e, cx.types)?;
            quote! {
                /// The type of each event of the operation's stream.
                pub type Event = #ev;
            }
        }
        None => quote!(),
    };
    let body = cx.body().filter(|_| cx.op.has_body).map(|b| {
        let t = b.ty();
        quote! {
            /// The request body type (what `.body(…)` takes).
            pub type Body = #t;
        }
    });
    let body_type = cx.body().filter(|_| cx.op.has_body).map(|b| b.ty());
    // The types below `Output`, `Body` and the parameters, by field (`output::ListItem`).
    let nested = op_aliases::for_operation(
        op_types,
        &output,
        body_type.as_ref(),
        cx.path
            .iter()
            .chain(&cx.others)
            .map(|(p, sig)| (p.rust_name.as_str(), &sig.owned)),
    );
    let op_ref = cx.op_ref();
    Ok(quote! {
        #[doc = #doc]
        pub mod #method {
            #[allow(unused_imports)]
            use crate::generated::types;
            #[doc = #output_doc]
            pub type Output = #output;
            #event
            #body
            /// The operation's row of [`OPERATIONS`](crate::OPERATIONS): hand-written code
            /// names it without a string.
            pub const OPERATION: &crate::Operation = #op_ref;
            #nested
        }
    })
}

/// The operation's row of `OPERATIONS`.
fn table_row(op: &Operation) -> TokenStream {
    let operation_id = &op.operation_id;
    let http_method = &op.method;
    let path = &op.path;
    let summary = &op.summary;
    let name = &op.name;
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
    quote! {
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
    let interface = positional::read(file)?;
    let op_types = op_aliases::Types::read(file);
    let mut client_methods = Vec::new();
    let mut request_types = Vec::new();
    let mut dynamic_arms = Vec::new();
    let mut decode_arms = Vec::new();
    let mut table = Vec::new();
    let mut aliases = Vec::new();
    let mut bodies = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let cx = Op::new(op, index, &interface)?;
        client_methods.push(client_method(&cx, published));
        request_types.push(request_type(&cx, adapted)?);
        dynamic_arms.push(dynamic_arm(&cx));
        decode_arms.extend(decode_arm(&cx)?);
        aliases.push(ops_module(&cx, &op_types)?);
        table.push(table_row(op));
        if let Some(body) = cx.body().filter(|_| op.has_body) {
            bodies.push((op, body.ty()));
        }
    }
    let count = ops.len();
    let by_tag = by_tag_module(ops, &interface.types);
    let error_codes = error_codes(
        published,
        adapted
            .get(super::bilingual::ERROR_MESSAGES)
            .unwrap_or(&Value::Null),
    );
    let schemas = if options.schemas {
        let ops_schemas = operation_schemas(ops, adapted);
        let models = model_schemas(&bodies, &interface.types, adapted);
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
        #[allow(clippy::clone_on_copy)]
        pub mod requests {
            #[allow(unused_imports)]
            use crate::generated::types;
            #(#request_types)*
        }

        /// Decodes an answer body as operation `name` would (`None`: the operation streams).
        // `#[inline]`: it instantiates every operation's decoder; inline, that code is built
        // in the crate that calls it (fuzzers, `Client::call` users), not in every build of
        // this library (ARCHITECTURE.md, "Compile cost").
        #[inline]
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
fn model_schemas(
    bodies: &[(&Operation, syn::Type)],
    types: &BTreeSet<String>,
    adapted: &Value,
) -> TokenStream {
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
        let Some(ty) = component_type(name, types) else {
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
    for (op, target) in bodies {
        let syn::Type::Path(tp) = target else {
            continue;
        };
        let Some(last) = tp.path.segments.last() else {
            continue;
        };
        let ty = last.ident.to_string();
        if !types.contains(&ty) || !done.insert(ty.clone()) {
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
