//! What the SDK needs to know of each operation, read from the adapted spec.

use serde_json::Value;

use super::spec_walk::for_each_operation;

/// The answer model, in a module of its own that needs only `serde_json`: the runtime mock uses
/// it too (`src/mock.rs`), so the descriptor has one parser.
pub use crate::answer;

pub use answer::{Answer, Scalar, Shape, kind};

/// One operation of the adapted spec.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Rust method name (the adapted operationId).
    pub name: String,
    /// operationId as published.
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub tags: Vec<String>,
    /// English summary, description and tags, where the English edition has them.
    pub summary_en: String,
    pub description_en: String,
    pub tags_en: Vec<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub has_body: bool,
    pub body_required: bool,
    pub auth: Auth,
    /// What the operation answers (`x-aitoearn-response`, parsed once).
    pub answer: Answer,
}

#[derive(Debug, Clone)]
pub struct Param {
    /// Name on the wire.
    pub api_name: String,
    /// Name of progenitor's builder setter.
    pub rust_name: String,
    /// `path`, `query` or `header`.
    pub location: String,
    pub required: bool,
    pub description: String,
}

/// Where the API key goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// The operation is public.
    None,
    /// A header; `prefix` goes before the key (`"Bearer "` for `Authorization`).
    Header { name: String, prefix: String },
    /// A query parameter.
    Query { name: String },
}

/// Reads every operation, sorted by path, then HTTP method (stable whatever the JSON map
/// keeps of the document order).
pub fn operations(spec: &Value) -> Result<Vec<Operation>, String> {
    let mut out = Vec::new();
    let global_security = spec.get("security").cloned();
    let schemes = spec
        .pointer("/components/securitySchemes")
        .cloned()
        .unwrap_or(Value::Null);
    let mut spec = spec.clone();
    for_each_operation(&mut spec, |method, path, op| {
        let text = |k: &str| {
            op.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let name = text("operationId");
        let operation_id = op
            .get("x-aitoearn-operation-id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| name.clone());
        let params = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let api_name = p.get("name")?.as_str()?.to_string();
                Some(Param {
                    rust_name: super::naming::words(&api_name).join("_"),
                    location: p.get("in")?.as_str()?.to_string(),
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    description: p
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    api_name,
                })
            })
            .collect();
        let body = op.get("requestBody");
        let security = op
            .get("security")
            .cloned()
            .or_else(|| global_security.clone());
        let answer = Answer::parse(op.get(answer::EXTENSION))
            .map_err(|e| format!("{} {path}: {e}", method.to_uppercase()))?;
        let en = op.get("x-aitoearn-en").cloned().unwrap_or(Value::Null);
        let en_text = |k: &str| {
            en.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect()
        };
        out.push(Operation {
            operation_id,
            method: method.to_uppercase(),
            path: path.to_string(),
            summary: text("summary"),
            description: text("description"),
            tags: strings(op.get("tags")),
            summary_en: en_text("summary"),
            description_en: en_text("description"),
            tags_en: strings(en.get("tags")),
            deprecated: op
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            params,
            has_body: body.is_some(),
            body_required: body
                .and_then(|b| b.get("required"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            auth: auth(security.as_ref(), &schemes),
            answer,
            name,
        });
        Ok(())
    })?;
    out.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    Ok(out)
}

/// The first security requirement that names a scheme the SDK can send.
fn auth(security: Option<&Value>, schemes: &Value) -> Auth {
    let requirements = security.and_then(Value::as_array).into_iter().flatten();
    for requirement in requirements {
        let Some(requirement) = requirement.as_object() else {
            continue;
        };
        for scheme_name in requirement.keys() {
            let Some(scheme) = schemes.get(scheme_name) else {
                continue;
            };
            let field = |k: &str| scheme.get(k).and_then(Value::as_str).unwrap_or_default();
            match (field("type"), field("in")) {
                ("apiKey", "header") => {
                    let name = field("name").to_string();
                    // An API key in `Authorization` is a bearer token ("示例：Bearer xxx").
                    let prefix = if name.eq_ignore_ascii_case("authorization") {
                        "Bearer "
                    } else {
                        ""
                    };
                    return Auth::Header {
                        name,
                        prefix: prefix.into(),
                    };
                }
                ("apiKey", "query") => {
                    return Auth::Query {
                        name: field("name").into(),
                    };
                }
                ("http", _) if field("scheme").eq_ignore_ascii_case("bearer") => {
                    return Auth::Header {
                        name: "Authorization".into(),
                        prefix: "Bearer ".into(),
                    };
                }
                _ => {}
            }
        }
    }
    Auth::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn auth_schemes() {
        let schemes = json!({
            "k": { "type": "apiKey", "in": "header", "name": "X-Api-Key" },
            "b": { "type": "apiKey", "in": "header", "name": "Authorization" },
            "g": { "type": "apiKey", "in": "header", "name": "x-goog-api-key" },
            "h": { "type": "http", "scheme": "bearer" },
            "q": { "type": "apiKey", "in": "query", "name": "key" },
            "o": { "type": "oauth2" }
        });
        let h = |n: &str, p: &str| Auth::Header {
            name: n.into(),
            prefix: p.into(),
        };
        assert_eq!(
            auth(Some(&json!([{ "k": [] }])), &schemes),
            h("X-Api-Key", "")
        );
        assert_eq!(
            auth(Some(&json!([{ "b": [] }])), &schemes),
            h("Authorization", "Bearer ")
        );
        assert_eq!(
            auth(Some(&json!([{ "g": [] }])), &schemes),
            h("x-goog-api-key", "")
        );
        assert_eq!(
            auth(Some(&json!([{ "h": [] }])), &schemes),
            h("Authorization", "Bearer ")
        );
        assert_eq!(
            auth(Some(&json!([{ "q": [] }])), &schemes),
            Auth::Query { name: "key".into() }
        );
        assert_eq!(
            auth(Some(&json!([{ "o": [] }, { "k": [] }])), &schemes),
            h("X-Api-Key", "")
        );
        assert_eq!(auth(Some(&json!([])), &schemes), Auth::None);
        assert_eq!(auth(None, &schemes), Auth::None);
    }

    #[test]
    fn reads_operations_sorted_by_path() {
        let spec = json!({
            "security": [{ "k": [] }],
            "components": { "securitySchemes": { "k": { "type": "apiKey", "in": "header", "name": "X-Api-Key" } } },
            "paths": {
                "/a/{id}": { "get": { "operationId": "a_get", "x-aitoearn-operation-id": "AController_get",
                    "parameters": [{ "name": "id", "in": "path", "required": true },
                                   { "name": "pageSize", "in": "query" }],
                    "x-aitoearn-response": { "kind": "envelope", "body": { "ref": "A" } } } },
                "/b": { "post": { "operationId": "b_create", "security": [], "requestBody": { "required": true } } }
            }
        });
        let ops = operations(&spec).unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0].operation_id, "AController_get");
        assert_eq!(ops[0].params[1].rust_name, "page_size");
        assert_eq!(
            ops[0].answer,
            Answer::Envelope(Some(Shape::Component("A".into())))
        );
        assert_eq!(
            ops[0].auth,
            Auth::Header {
                name: "X-Api-Key".into(),
                prefix: "".into()
            }
        );
        assert_eq!(
            (ops[1].method.as_str(), ops[1].auth.clone()),
            ("POST", Auth::None)
        );
        assert!(ops[1].body_required);
    }
}
