//! What the generator makes of each side: Rust method names, how `send()` reads the answer and
//! what it returns, how the API key is sent. Computed by the crate's own adaptations
//! (`codegen::adapt`) and operation model (`codegen::model`), without running progenitor, so
//! the diff stays fast and agrees with build.rs.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::codegen::{adapt, model, naming};

/// The SDK's view of one operation.
#[derive(Debug, Clone, Default)]
pub struct SdkOperation {
    pub method_name: String,
    /// How `send()` reads the answer (`None` when the adaptations failed on this side).
    pub kind: Option<model::answer::Kind>,
    /// What `send()` returns.
    pub return_type: Option<String>,
    /// How the API key is sent; `Some(None)` for a public operation.
    pub auth: Option<Option<String>>,
}

/// The SDK's view of a whole document, keyed by (upper-case method, path).
#[derive(Debug, Default)]
pub struct SdkView {
    pub operations: BTreeMap<(String, String), SdkOperation>,
    /// The Rust names of the component types the adaptations leave (`types::<name>`): what
    /// the generator emits a model for, after naming inline schemas and sharing identical
    /// enums — so a type an adaptation merges away is seen even when no schema was removed.
    pub types: BTreeSet<String>,
    /// Why the generator's adaptations rejected this side, if they did.
    pub error: Option<String>,
}

impl SdkView {
    /// The Rust method name of an operation, computed from the raw spec if the adaptations
    /// failed (they only fail on name clashes and dangling pointers).
    pub fn method_name(&self, method: &str, path: &str, op: &Value) -> String {
        match self.operations.get(&(method.to_string(), path.to_string())) {
            Some(o) => o.method_name.clone(),
            None => {
                naming::method_name(op.get("operationId").and_then(Value::as_str), method, path)
            }
        }
    }
}

pub fn view(spec: &Value) -> SdkView {
    let mut adapted = spec.clone();
    if let Err(e) = adapt::adapt(&mut adapted) {
        return SdkView {
            error: Some(e),
            ..SdkView::default()
        };
    }
    let types = adapted
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().map(|k| naming::type_name(k)).collect())
        .unwrap_or_default();
    let operations = match model::operations(&adapted) {
        Ok(ops) => ops,
        Err(e) => {
            return SdkView {
                error: Some(e),
                ..SdkView::default()
            };
        }
    };
    let operations = operations
        .into_iter()
        .map(|op| {
            let sdk = SdkOperation {
                method_name: op.name.clone(),
                return_type: Some(return_type(&op)),
                auth: Some(auth(&op.auth)),
                kind: Some(op.answer.kind_of()),
            };
            ((op.method, op.path), sdk)
        })
        .collect();
    SdkView {
        operations,
        types,
        error: None,
    }
}

/// How `send()` answers, in words, for reasons.
pub fn kind_words(kind: model::answer::Kind) -> &'static str {
    use model::answer::Kind;
    match kind {
        Kind::Envelope => "the envelope's `data` (an error when `code != 0`)",
        Kind::Json => "the JSON body as is",
        Kind::Events => "an event stream",
        Kind::JsonOrEvents => "JSON, or an event stream when asked to stream",
        Kind::Empty => "nothing (no body)",
    }
}

fn return_type(op: &model::Operation) -> String {
    use model::Answer;
    match &op.answer {
        Answer::Empty => "()".into(),
        Answer::Events(event) => format!("EventStream<{}>", body_type(event)),
        Answer::Envelope(None) => "serde_json::Value".into(),
        Answer::Envelope(Some(body)) | Answer::Json(body) | Answer::JsonOrEvents { body, .. } => {
            body_type(body)
        }
    }
}

/// The Rust type of a body or event shape (`model::Shape`, as `emit.rs` names it).
fn body_type(shape: &model::Shape) -> String {
    use model::{Scalar, Shape};
    match shape {
        Shape::Component(name) => format!("types::{}", naming::type_name(name)),
        Shape::Array(items) => format!("Vec<{}>", body_type(items)),
        Shape::Scalar(Scalar::String) => "String".into(),
        Shape::Scalar(Scalar::Integer) => "i64".into(),
        Shape::Scalar(Scalar::Number) => "f64".into(),
        Shape::Scalar(Scalar::Boolean) => "bool".into(),
        Shape::Any => "serde_json::Value".into(),
    }
}

fn auth(a: &model::Auth) -> Option<String> {
    match a {
        model::Auth::None => None,
        model::Auth::Header { name, prefix } if prefix.is_empty() => {
            Some(format!("header `{name}`"))
        }
        model::Auth::Header { name, prefix } => Some(format!("header `{name}: {}<key>`", prefix)),
        model::Auth::Query { name } => Some(format!("query parameter `{name}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_kinds_return_types_and_auth() {
        let spec = json!({
            "openapi": "3.0.1",
            "components": { "securitySchemes": {
                "k": { "type": "apiKey", "in": "header", "name": "X-Api-Key" } } },
            "paths": { "/api/v2/things/{id}": { "get": {
                "operationId": "ThingsController_getById_v2",
                "security": [{ "k": [] }],
                "responses": { "200": { "description": "", "content": { "application/json": {
                    "schema": { "type": "object", "properties": {
                        "code": { "type": "integer" }, "message": { "type": "string" },
                        "data": { "type": "object", "properties": { "id": { "type": "string" } } }
                    } } } } } } } } }
        });
        let v = view(&spec);
        assert!(v.error.is_none());
        let op = &v.operations[&("GET".to_string(), "/api/v2/things/{id}".to_string())];
        assert_eq!(op.method_name, "things_get_by_id");
        assert_eq!(op.kind, Some(model::answer::Kind::Envelope));
        assert_eq!(op.return_type.as_deref(), Some("types::ThingsGetByIdData"));
        assert_eq!(op.auth, Some(Some("header `X-Api-Key`".into())));
    }

    /// The generated type names `body_type` finds in a Rust type (`Vec<types::A>` → `A`).
    fn named_types(rust: &str) -> Vec<String> {
        rust.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .filter_map(|t| t.strip_prefix("types::"))
            .map(str::to_owned)
            .collect()
    }

    /// The types progenitor/typify really generated.
    fn generated_types(spec_text: &str) -> std::collections::BTreeSet<String> {
        let out = crate::codegen::generate(spec_text).unwrap();
        let file: syn::File = syn::parse_str(&out.client).unwrap();
        let mut names = std::collections::BTreeSet::new();
        for item in &file.items {
            let syn::Item::Mod(m) = item else { continue };
            if m.ident != "types" {
                continue;
            }
            for item in m.content.iter().flat_map(|(_, i)| i) {
                match item {
                    syn::Item::Struct(s) => names.insert(s.ident.to_string()),
                    syn::Item::Enum(e) => names.insert(e.ident.to_string()),
                    syn::Item::Type(t) => names.insert(t.ident.to_string()),
                    _ => false,
                };
            }
        }
        names
    }

    /// diff-spec predicts the type names the generator emits (one rule,
    /// `naming::type_name`): components named with acronyms, digits, separators, and every
    /// operation of the vendored spec.
    #[test]
    fn predicted_type_names_are_the_generated_ones() {
        let answer = |name: &str| {
            json!({ "responses": { "200": { "description": "", "content": {
                "application/json": { "schema": { "$ref": format!("#/components/schemas/{name}") } }
            } } } })
        };
        let mut paths = serde_json::Map::new();
        let names = [
            "OpenAIVideoVo",
            "listVo_v2",
            "Task-Status",
            "ABCThing",
            "X2y",
        ];
        for (i, name) in names.iter().enumerate() {
            let mut op = answer(name);
            op["operationId"] = json!(format!("ThingsController_get{i}"));
            paths.insert(format!("/t{i}"), json!({ "get": op }));
        }
        let schemas: serde_json::Map<String, Value> = names
            .iter()
            .map(|n| {
                let schema =
                    json!({ "type": "object", "properties": { "id": { "type": "string" } } });
                (n.to_string(), schema)
            })
            .collect();
        let synthetic = json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
            "paths": paths, "components": { "schemas": schemas } });
        let vendored =
            std::fs::read_to_string(crate::util::workspace_root().join(crate::util::SPEC)).unwrap();
        for text in [synthetic.to_string(), vendored] {
            let generated = generated_types(&text);
            let v = view(&serde_json::from_str(&text).unwrap());
            assert!(v.error.is_none(), "{:?}", v.error);
            let mut checked = 0;
            for op in v.operations.values() {
                for name in named_types(op.return_type.as_deref().unwrap()) {
                    assert!(generated.contains(&name), "predicted {name}, not generated");
                    checked += 1;
                }
            }
            assert!(checked >= names.len(), "{checked}");
        }
    }

    #[test]
    fn adaptation_failures_fall_back_to_naming() {
        let spec = json!({ "paths": {
            "/a": { "get": { "operationId": "AuthController_startAuth_v2" } },
            "/b": { "post": { "operationId": "AuthController_start_v2" } } } });
        let v = view(&spec);
        assert!(v.error.as_deref().unwrap().contains("auth_start"));
        let op = &spec["paths"]["/a"]["get"];
        assert_eq!(v.method_name("GET", "/a", op), "auth_start");
    }
}
