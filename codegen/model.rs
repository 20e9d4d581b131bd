//! What the SDK needs to know of each operation, read from the adapted spec.

use serde_json::Value;

use super::adapt::{self, kind};

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

/// What an operation answers, from its `x-aitoearn-response` (written by
/// `adapt::raw_responses`), parsed once: build.rs, the schemas and the docs read this, never
/// the descriptor itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `{code, message, data, requestId, timestamp}`: `data`, of this shape (`None`: the spec
    /// leaves it out, and `send()` returns `()`).
    Envelope(Option<Shape>),
    /// A JSON body returned as is (relay and vendor-format endpoints).
    Json(Shape),
    /// `text/event-stream` only, each event of this shape.
    Events(Shape),
    /// JSON, or `text/event-stream` when the request asks to stream.
    JsonOrEvents {
        /// The JSON body.
        body: Shape,
        /// Each event.
        event: Shape,
    },
    /// No body.
    Empty,
}

/// The shape of a body or an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A component of the spec (`#/components/schemas/<name>`), by its name there.
    Component(String),
    /// A list of the inner shape.
    Array(Box<Shape>),
    /// A JSON scalar.
    Scalar(Scalar),
    /// Any JSON (`serde_json::Value`).
    Any,
}

/// A JSON scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    String,
    Integer,
    Number,
    Boolean,
}

impl Answer {
    /// Parses an `x-aitoearn-response` descriptor (`None`: the operation has none, it answers
    /// no body). An unknown kind or shape is an error, never a silent fallback.
    pub fn parse(descriptor: Option<&Value>) -> Result<Answer, String> {
        let Some(d) = descriptor else {
            return Ok(Answer::Empty);
        };
        let shape = |key: &str| -> Result<Option<Shape>, String> {
            d.get(key).map(Shape::parse).transpose()
        };
        let kind = d.get("kind").and_then(Value::as_str).unwrap_or(kind::EMPTY);
        Ok(match kind {
            kind::ENVELOPE => Answer::Envelope(shape("body")?),
            kind::JSON => Answer::Json(shape("body")?.unwrap_or(Shape::Any)),
            kind::SSE => Answer::Events(shape("event")?.unwrap_or(Shape::Any)),
            kind::JSON_OR_SSE => Answer::JsonOrEvents {
                body: shape("body")?.unwrap_or(Shape::Any),
                event: shape("event")?.unwrap_or(Shape::Any),
            },
            kind::EMPTY => Answer::Empty,
            other => {
                return Err(format!(
                    "unknown answer kind `{other}` in x-aitoearn-response"
                ));
            }
        })
    }

    /// The JSON body's shape, where the answer has one.
    pub fn body(&self) -> Option<&Shape> {
        match self {
            Answer::Envelope(s) => s.as_ref(),
            Answer::Json(s) | Answer::JsonOrEvents { body: s, .. } => Some(s),
            Answer::Events(_) | Answer::Empty => None,
        }
    }

    /// The events' shape, where the answer can stream.
    pub fn event(&self) -> Option<&Shape> {
        match self {
            Answer::Events(s) | Answer::JsonOrEvents { event: s, .. } => Some(s),
            _ => None,
        }
    }

    /// The descriptor's `kind` (one of [`adapt::kind`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Answer::Envelope(_) => kind::ENVELOPE,
            Answer::Json(_) => kind::JSON,
            Answer::Events(_) => kind::SSE,
            Answer::JsonOrEvents { .. } => kind::JSON_OR_SSE,
            Answer::Empty => kind::EMPTY,
        }
    }
}

impl Shape {
    /// Parses a body descriptor: `{"ref": name}`, `{"array": descriptor}`, `{"scalar": type}`,
    /// or `{}` for any JSON.
    pub fn parse(d: &Value) -> Result<Shape, String> {
        if let Some(name) = d.get("ref") {
            return name
                .as_str()
                .map(|n| Shape::Component(n.to_string()))
                .ok_or_else(|| format!("`ref` is not a string in {d}"));
        }
        if let Some(items) = d.get("array") {
            return Ok(Shape::Array(Box::new(Shape::parse(items)?)));
        }
        match d.get("scalar") {
            None => Ok(Shape::Any),
            Some(s) => Ok(Shape::Scalar(match s.as_str() {
                Some("string") => Scalar::String,
                Some("integer") => Scalar::Integer,
                Some("number") => Scalar::Number,
                Some("boolean") => Scalar::Boolean,
                _ => return Err(format!("unknown scalar {s} in a response descriptor")),
            })),
        }
    }
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
    adapt::for_each_operation(&mut spec, |method, path, op| {
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
        let answer = Answer::parse(op.get("x-aitoearn-response"))
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

    #[test]
    fn answers_parse_into_kinds_and_shapes() {
        let parse = |v: Value| Answer::parse(Some(&v));
        assert_eq!(Answer::parse(None), Ok(Answer::Empty));
        assert_eq!(
            parse(json!({ "kind": "envelope" })),
            Ok(Answer::Envelope(None))
        );
        assert_eq!(
            parse(json!({ "kind": "json", "body": { "array": { "scalar": "integer" } } })),
            Ok(Answer::Json(Shape::Array(Box::new(Shape::Scalar(
                Scalar::Integer
            )))))
        );
        assert_eq!(
            parse(json!({ "kind": "json_or_sse", "body": { "ref": "B" } })),
            Ok(Answer::JsonOrEvents {
                body: Shape::Component("B".into()),
                event: Shape::Any
            })
        );
        // A typo is an error, not a silent `Empty` or `Value`.
        assert!(parse(json!({ "kind": "envelop" })).is_err());
        assert!(parse(json!({ "kind": "json", "body": { "scalar": "int" } })).is_err());
    }
}
