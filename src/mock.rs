//! A local mock of the whole API, driven by the vendored spec (feature `mock`).
//!
//! Every operation answers the way the service does, with a sample built from the operation's
//! response schema: the envelope `{code: 0, message, data, requestId, timestamp}` for enveloped
//! operations, the raw body for relay endpoints, Server-Sent Events for streaming ones.
//! Operations that need a key answer the service's `401` envelope when the request lacks it.
//! For your own tests, mount overrides on [`MockServer::server`] (they take precedence) and
//! inspect what was received.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> aitoearn::Result<()> {
//! let mock = aitoearn::mock::MockServer::start().await;
//! let auth = mock.client().auth_start("douyin").send().await?;
//! assert!(!auth.session_id.is_empty());
//! assert!(auth.expires_at.timestamp() > 0); // a real RFC 3339 time
//! # Ok(()) }
//! ```

use std::sync::OnceLock;

use serde_json::{Map, Value, json};
use wiremock::{Mock, Request, Respond, ResponseTemplate, matchers::any};

use crate::operation::{KeyPlacement, Operation, ResponseKind};
use crate::{Client, OPERATIONS};

// Following `$ref`s, and what an operation answers (`x-aitoearn-response`): the generator's own
// code (`aitoearn-codegen` without its `generator` feature: serde_json alone), so the mock reads
// the spec as build.rs does.
use aitoearn_codegen::{answer, refs};

/// The `wiremock` the mock runs on: mount your own answers on [`MockServer::server`] with it,
/// at the version this crate uses.
pub use wiremock;

/// The API key the mock's [`client`](MockServer::client) sends.
pub const MOCK_API_KEY: &str = "mock-api-key";

/// The adapted spec the crate was generated from.
fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/adapted.json")))
            .expect("build.rs writes valid JSON")
    })
}

/// A running mock of the API on a loopback port. Stops when dropped.
pub struct MockServer {
    server: wiremock::MockServer,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.server.uri())
            .finish()
    }
}

impl MockServer {
    /// Starts a mock that answers every operation of the spec.
    pub async fn start() -> Self {
        let server = wiremock::MockServer::start().await;
        // Lowest priority, so tests can mount specific answers over it.
        Mock::given(any())
            .respond_with(SpecResponder)
            .with_priority(u8::MAX)
            .mount(&server)
            .await;
        Self { server }
    }

    /// The mock's base URL.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// A client for the mock, with [`MOCK_API_KEY`].
    pub fn client(&self) -> Client {
        Client::builder()
            .api_key(MOCK_API_KEY)
            .base_url(self.uri())
            .build()
            .expect("a loopback base URL is valid")
    }

    /// The underlying `wiremock` server: mount overrides, read received requests.
    pub fn server(&self) -> &wiremock::MockServer {
        &self.server
    }
}

struct SpecResponder;

impl Respond for SpecResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path();
        let Some(op) = OPERATIONS.iter().find(|op| {
            op.method.eq_ignore_ascii_case(request.method.as_str()) && path_matches(op.path, path)
        }) else {
            return ResponseTemplate::new(404)
                .set_body_raw(format!("Cannot {} {path}", request.method), "text/html");
        };
        if let KeyPlacement::Header { name, prefix } = op.api_key {
            let ok = request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with(prefix) && v.len() > prefix.len());
            if !ok {
                return envelope_template(401, "Unauthorized", json!({}));
            }
        }
        // Relay endpoints that stream on request: answer as the service does when asked to.
        let asks_to_stream = op.response == ResponseKind::JsonOrEventStream
            && serde_json::from_slice::<Value>(&request.body)
                .ok()
                .and_then(|b| b.get("stream")?.as_bool())
                == Some(true);
        if asks_to_stream {
            let chunk = json!({ "id": "chatcmpl-mock", "object": "chat.completion.chunk",
                "choices": [{ "index": 0, "delta": { "content": "sample" }, "finish_reason": null }] });
            return ResponseTemplate::new(200).set_body_raw(
                format!("data: {chunk}\n\ndata: [DONE]\n\n"),
                "text/event-stream",
            );
        }
        sample_response(op)
    }
}

/// Does a concrete path match a template such as `/a/{id}` or `/m/{model}:generateContent`?
pub fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| match (t.find('{'), t.find('}')) {
                (Some(open), Some(close)) if open < close => {
                    let (prefix, suffix) = (&t[..open], &t[close + 1..]);
                    p.len() > prefix.len() + suffix.len()
                        && p.starts_with(prefix)
                        && p.ends_with(suffix)
                }
                _ => t == p,
            })
}

fn envelope_template(code: i64, message: &str, data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(envelope(code, message, data))
}

fn envelope(code: i64, message: &str, data: Value) -> Value {
    json!({
        "code": code,
        "message": message,
        "data": data,
        "requestId": "mock-request-id",
        "timestamp": 1_772_099_056_662_i64,
    })
}

fn operation_spec(op: &Operation) -> Option<&'static Value> {
    spec()
        .get("paths")?
        .get(op.path)?
        .get(op.method.to_ascii_lowercase())
}

/// The answer the mock gives `op`: a sample valid for the operation's response schema.
pub fn sample_response(op: &Operation) -> ResponseTemplate {
    let (content_type, body) = sample_answer(op);
    let template = ResponseTemplate::new(200);
    match content_type {
        Some(ct) => template.set_body_raw(body, ct),
        None => template,
    }
}

/// The body of [`sample_response`], with its content type (`None`: no body).
pub fn sample_answer(op: &Operation) -> (Option<&'static str>, Vec<u8>) {
    use answer::{Answer, Shape};
    let descriptor = operation_spec(op).and_then(|o| o.get(answer::EXTENSION));
    let example = descriptor.and_then(answer::example);
    // build.rs refused a spec whose descriptor does not parse; an operation without one (or
    // missing from the spec) answers no body.
    let parsed = Answer::parse(descriptor).unwrap_or(Answer::Empty);
    let json = |v: Value| (Some("application/json"), v.to_string().into_bytes());
    match &parsed {
        Answer::Envelope(data) => json(envelope(
            0,
            "请求成功",
            data.as_ref().map(sample_shape).unwrap_or(Value::Null),
        )),
        Answer::Json(body) | Answer::JsonOrEvents { body, .. } => json(match body {
            // Untyped JSON (the spec gives no schema): the documented example, if any.
            Shape::Any => example.cloned().unwrap_or_else(|| json!({})),
            shape => sample_shape(shape),
        }),
        Answer::Events(_) => {
            let text = match example {
                Some(Value::String(s)) if s.contains("data:") => s.clone(),
                _ => "data: {\"index\":0}\n\ndata: {\"index\":1}\n\ndata: [DONE]\n\n".to_string(),
            };
            (Some("text/event-stream"), text.into_bytes())
        }
        Answer::Empty => (None, Vec::new()),
    }
}

/// A sample of a body or event shape.
fn sample_shape(shape: &answer::Shape) -> Value {
    use answer::{Scalar, Shape};
    match shape {
        Shape::Component(name) => sample(&json!({ "$ref": refs::component_ref(name) })),
        Shape::Array(items) => Value::Array(vec![sample_shape(items)]),
        Shape::Scalar(Scalar::String) => json!("sample"),
        Shape::Scalar(Scalar::Integer) => json!(1),
        Shape::Scalar(Scalar::Number) => json!(1.5),
        Shape::Scalar(Scalar::Boolean) => json!(true),
        Shape::Any => json!({}),
    }
}

/// The whole input of `op` for [`Client::call`]: every parameter and the body, sampled from
/// their schemas.
pub fn sample_input(op: &Operation) -> Value {
    let mut input = Map::new();
    let Some(spec_op) = operation_spec(op) else {
        return Value::Object(input);
    };
    for p in spec_op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(name), Some(schema)) = (p.get("name").and_then(Value::as_str), p.get("schema"))
        {
            input.insert(name.to_string(), sample_named(schema, spec(), name, 0));
        }
    }
    if let Some(schema) = spec_op
        .pointer("/requestBody/content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"))
    {
        input.insert("body".into(), sample(schema));
    }
    Value::Object(input)
}

/// A value valid for `schema` (resolved against the spec's components): every property
/// filled, the first enum value or variant, formats and bounds respected.
pub fn sample(schema: &Value) -> Value {
    sample_named(schema, spec(), "value", 0)
}

/// Like [`sample`], for a JSON Schema (2020-12) whose `$ref`s point into `root` (e.g. an
/// [`Operation::input_schema`](crate::Operation::input_schema) and its `$defs`).
pub fn sample_json_schema(schema: &Value, root: &Value) -> Value {
    sample_named(schema, root, "value", 0)
}

fn sample_named(schema: &Value, root: &Value, name: &str, depth: usize) -> Value {
    let schema = refs::follow(schema, refs::in_document(root)).schema;
    if depth > 12 {
        return Value::Null;
    }
    // An open enum (`aitoearn::Open<E>`): a value of `E`.
    if let Some(inner) = schema.pointer("/x-rust-type/parameters/0") {
        return sample_named(inner, root, name, depth + 1);
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|v| v.first())
        {
            return sample_named(first, root, name, depth + 1);
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // One part (a shared type referred to with its own description): that part.
        if let [only] = parts.as_slice() {
            return sample_named(only, root, name, depth + 1);
        }
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(m) = sample_named(part, root, name, depth + 1) {
                merged.extend(m);
            }
        }
        return Value::Object(merged);
    }
    let ty = match schema.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        other => other.and_then(Value::as_str),
    };
    match ty {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for (k, v) in props {
                    // Deep in recursive schemas, only what must be there.
                    if depth > 6 && !required.contains(&k.as_str()) {
                        continue;
                    }
                    let value = sample_named(v, root, k, depth + 1);
                    if !value.is_null() || required.contains(&k.as_str()) {
                        out.insert(k.clone(), value);
                    }
                }
            }
            Value::Object(out)
        }
        Some("object") => json!({}),
        Some("array") => {
            let n = schema
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1) as usize;
            let item = schema.get("items").cloned().unwrap_or(json!({}));
            Value::Array(
                (0..n)
                    .map(|_| sample_named(&item, root, name, depth + 1))
                    .collect(),
            )
        }
        Some("string") => sample_string(schema, name),
        Some("integer") => json!(sample_number(schema).ceil() as i64),
        Some("number") => json!(sample_number(schema)),
        Some("boolean") => json!(true),
        _ => json!({}),
    }
}

fn sample_number(schema: &Value) -> f64 {
    // OpenAPI 3.0: `exclusiveMinimum: true` beside `minimum`; JSON Schema: a number.
    let (min, exclusive) = match schema.get("exclusiveMinimum") {
        Some(Value::Number(n)) => (n.as_f64(), true),
        Some(Value::Bool(b)) => (schema.get("minimum").and_then(Value::as_f64), *b),
        _ => (schema.get("minimum").and_then(Value::as_f64), false),
    };
    let max = schema.get("maximum").and_then(Value::as_f64);
    let mut n = match min {
        Some(m) if exclusive => m + 1.0,
        Some(m) => m.max(1.0),
        None => 1.0,
    };
    if let Some(max) = max {
        n = n.min(max);
    }
    n
}

fn sample_string(schema: &Value, name: &str) -> Value {
    let format = schema
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut candidates: Vec<String> = Vec::new();
    let example = schema
        .get("example")
        .or_else(|| schema.pointer("/examples/0"));
    match example {
        Some(Value::String(e)) if !e.is_empty() && format.is_empty() => candidates.push(e.clone()),
        _ => {}
    }
    candidates.push(match format {
        "date-time" => soon(),
        "date" => soon().chars().take(10).collect(),
        "uri" | "url" => format!("https://example.com/{name}"),
        "email" => "sample@example.com".to_string(),
        "uuid" => "00000000-0000-4000-8000-000000000000".to_string(),
        _ => named_string(name),
    });
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        // The literal start of the pattern plus a word, or an ISO timestamp, often fits.
        let literal: String = pattern
            .trim_start_matches('^')
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '/'))
            .collect();
        candidates.push(format!("{literal}sample"));
        candidates.push("2026-07-02T12:00:00Z".to_string());
        let re = regress::Regex::new(pattern).ok();
        if let Some(hit) = candidates
            .iter()
            .find(|c| re.as_ref().is_some_and(|re| re.find(c).is_some()))
        {
            return Value::String(hit.clone());
        }
        return Value::Null;
    }
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let mut s = candidates.remove(0);
    while s.chars().count() < min {
        s.push('x');
    }
    if let Some(max) = max {
        s = s.chars().take(max).collect();
    }
    Value::String(s)
}

/// A quarter of an hour from now, in RFC 3339 (what the service sends for times): far enough
/// ahead that an `expiresAt` has not passed while a flow runs against the mock.
fn soon() -> String {
    (chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        + chrono::Duration::minutes(15))
    .format("%Y-%m-%dT%H:%M:%S%.3fZ")
    .to_string()
}

/// A 1×1 PNG, as a `data:` URL: what a QR code field holds.
const QR_DATA_URL: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/// A realistic value for a string without a format, from its property name: URLs for `…Url`
/// and `…Link`, a `data:` URL for QR codes, RFC 3339 times for `…At` and `…Time`, hex ids for
/// `…Id`, `pending` for a status without an enum; `sample-<name>` otherwise.
fn named_string(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| lower.ends_with(s));
    if lower.contains("qr") {
        QR_DATA_URL.to_string()
    } else if ends(&["url", "uri", "link", "href"]) {
        format!("https://example.com/{name}")
    } else if name.ends_with("At") || ends(&["time", "date"]) {
        soon()
    } else if lower == "id" || name.ends_with("Id") || name.ends_with("_id") {
        // An id shaped like the service's (24 hex digits), stable per field name.
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("6650{hash:016x}0000")
    } else if lower == "status" || lower == "state" {
        "pending".to_string()
    } else if lower.contains("email") {
        "sample@example.com".to_string()
    } else {
        format!("sample-{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates() {
        assert!(path_matches("/a/{id}/b", "/a/42/b"));
        assert!(!path_matches("/a/{id}/b", "/a/42/c"));
        assert!(!path_matches("/a/{id}", "/a/42/b"));
        assert!(path_matches(
            "/m/{model}:generateContent",
            "/m/gemini-2:generateContent"
        ));
        assert!(!path_matches(
            "/m/{model}:generateContent",
            "/m/gemini-2:streamGenerateContent"
        ));
    }

    #[test]
    fn samples_respect_bounds_formats_and_patterns() {
        let s = sample(&json!({ "type": "integer", "minimum": 0, "exclusiveMinimum": true }));
        assert_eq!(s, json!(1));
        let s = sample(&json!({ "type": "string", "format": "date-time" }));
        let t = chrono::DateTime::parse_from_rfc3339(s.as_str().unwrap()).unwrap();
        let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
        assert!(t > now, "{t}: times are ahead, so nothing has expired");
        let s = sample(&json!({ "type": "string", "pattern": "^urn:li:person:[^/?#]+$" }));
        assert_eq!(s, json!("urn:li:person:sample"));
        let s = sample(&json!({ "type": "array", "minItems": 2, "items": { "type": "boolean" } }));
        assert_eq!(s, json!([true, true]));
        let s = sample(&json!({ "type": "string", "minLength": 12, "maxLength": 14 }));
        assert!((12..=14).contains(&s.as_str().unwrap().len()));
    }

    /// Every answer of every operation: strings named like URLs, times, ids and statuses read
    /// like the service's, never `sample-<name>`.
    #[test]
    fn answers_read_like_the_service() {
        fn walk(key: &str, v: &Value, seen: &mut usize, bad: &mut Vec<String>) {
            match v {
                Value::Object(m) => m.iter().for_each(|(k, v)| walk(k, v, seen, bad)),
                Value::Array(a) => a.iter().for_each(|v| walk(key, v, seen, bad)),
                Value::String(s) => {
                    let lower = key.to_ascii_lowercase();
                    let ok = if lower.contains("qr") {
                        s.starts_with("data:image/") || s.starts_with("https://")
                    } else if lower.ends_with("url") {
                        s.starts_with("https://") || s.starts_with("data:")
                    } else if key.ends_with("At") {
                        chrono::DateTime::parse_from_rfc3339(s).is_ok()
                    } else if key.ends_with("Id") || lower == "status" {
                        !s.starts_with("sample-")
                    } else {
                        return;
                    };
                    *seen += 1;
                    if !ok {
                        bad.push(format!("{key}: {s}"));
                    }
                }
                _ => {}
            }
        }
        let (mut seen, mut bad) = (0, Vec::new());
        for op in OPERATIONS.iter() {
            if let (Some("application/json"), body) = sample_answer(op) {
                let v: Value = serde_json::from_slice(&body).unwrap();
                walk("", &v, &mut seen, &mut bad);
            }
        }
        assert!(seen > 50, "{seen}");
        assert!(bad.is_empty(), "{bad:#?}");
    }
}
