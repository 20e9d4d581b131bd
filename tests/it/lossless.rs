//! Nothing a caller sets is lost, and nothing the server answers is lost: for every operation,
//! schema-complete values (every property of every object set, every `oneOf`/`anyOf` branch and
//! enum value used at least once, nested as deep as the schema goes, free-form objects with
//! content) are
//!
//! - given to [`Client::call`] (which decodes them into the typed request builders, so the
//!   typed path is what is exercised) and compared with what reaches a local server;
//! - served by a local server as the answer and compared with what `Client::call` returns.
//!
//! Driven by each operation's input and output JSON Schema: a new operation is covered with no
//! new code. The only tolerated differences are an omitted empty value (`[]`, `{}`, `null`
//! given, key absent on the wire), an equivalent date-time spelling, and `1` vs `1.0`.

use aitoearn::mock::MockServer;
use aitoearn::{OPERATIONS, ResponseKind};
use serde_json::{Map, Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

/// Makes schema-complete values. Case `k` picks branch `k mod n` at every choice point (and
/// `k + i` for the `i`-th array element), so cases `0..fan_out` cover every branch.
struct Gen<'a> {
    root: &'a Value,
    case: usize,
}

impl Gen<'_> {
    fn resolve<'s>(&'s self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..32 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => match self.root.pointer(r.trim_start_matches('#')) {
                    Some(s) => schema = s,
                    None => return schema,
                },
                None => return schema,
            }
        }
        schema
    }

    fn value(&self, schema: &Value, choice: usize, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if depth > 24 {
            return Value::Null;
        }
        if let Some(Value::Array(values)) = schema.get("enum") {
            let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            if !values.is_empty() {
                return values[choice % values.len()].clone();
            }
        }
        if let Some(c) = schema.get("const") {
            return c.clone();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(variants)) = schema.get(key) {
                let variants: Vec<&Value> = variants
                    .iter()
                    .filter(|v| self.resolve(v).get("type") != Some(&json!("null")))
                    .collect();
                if !variants.is_empty() {
                    let pick = variants[choice % variants.len()];
                    return self.value(pick, choice / variants.len() + choice, depth + 1);
                }
            }
        }
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            if let [only] = parts.as_slice() {
                return self.value(only, choice, depth + 1);
            }
            let mut merged = Map::new();
            for part in parts {
                if let Value::Object(m) = self.value(part, choice, depth + 1) {
                    merged.extend(m);
                }
            }
            if let Value::Object(m) = self.object(schema, choice, depth) {
                merged.extend(m);
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
            Some("object") => self.object(schema, choice, depth),
            None if schema.get("properties").is_some() => self.object(schema, choice, depth),
            Some("array") => {
                let item = schema.get("items").cloned().unwrap_or(json!({}));
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let max = schema
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .map(|m| m as usize)
                    .unwrap_or(usize::MAX);
                let n = min.max(2).min(max).max(min);
                Value::Array(
                    (0..n)
                        .map(|i| self.value(&item, choice + i, depth + 1))
                        .collect(),
                )
            }
            Some("string") => string(schema, choice),
            Some("integer") => json!(number(schema, choice).ceil() as i64),
            Some("number") => json!(number(schema, choice) + 0.5),
            Some("boolean") => json!(choice.is_multiple_of(2)),
            // Anything at all: content of several kinds.
            _ => json!({ "free": ["form", 1, true], "n": choice }),
        }
    }

    fn object(&self, schema: &Value, choice: usize, depth: usize) -> Value {
        let mut out = Map::new();
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in props.into_iter().flatten() {
            let value = self.value(v, choice, depth + 1);
            if !value.is_null() {
                out.insert(k.clone(), value);
            }
        }
        match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => {}
            Some(extra @ Value::Object(_)) if props.is_none() => {
                out.insert("extraA".into(), self.value(extra, choice, depth + 1));
                out.insert("extraB".into(), self.value(extra, choice + 1, depth + 1));
            }
            _ if props.is_none_or(|p| p.is_empty()) => {
                // A free-form object: give it content.
                out.insert("note".into(), json!("free-form"));
                out.insert(
                    "nested".into(),
                    json!({ "list": [1, "two"], "flag": false }),
                );
            }
            _ => {}
        }
        Value::Object(out)
    }

    /// The largest number of branches at any choice point: how many cases cover them all.
    fn fan_out(&self, schema: &Value, depth: usize, seen: &mut Vec<String>) -> usize {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            if seen.iter().any(|s| s == r) || depth > 24 {
                return 1;
            }
            seen.push(r.to_string());
            let n = self.fan_out(self.resolve(schema), depth + 1, seen);
            seen.pop();
            return n;
        }
        let Value::Object(m) = schema else { return 1 };
        let mut n = 1;
        if let Some(Value::Array(e)) = m.get("enum") {
            n = n.max(e.len());
        }
        for (key, child) in m {
            match (key.as_str(), child) {
                ("oneOf" | "anyOf" | "allOf", Value::Array(vs)) => {
                    n = n.max(vs.len());
                    for v in vs {
                        n = n.max(self.fan_out(v, depth + 1, seen));
                    }
                }
                ("properties" | "$defs", Value::Object(ps)) => {
                    for v in ps.values() {
                        n = n.max(self.fan_out(v, depth + 1, seen));
                    }
                }
                ("items" | "additionalProperties", v @ Value::Object(_)) => {
                    n = n.max(self.fan_out(v, depth + 1, seen));
                }
                _ => {}
            }
        }
        n
    }
}

fn number(schema: &Value, choice: usize) -> f64 {
    let (min, exclusive_min) = match schema.get("exclusiveMinimum") {
        Some(Value::Number(n)) => (n.as_f64(), true),
        _ => (schema.get("minimum").and_then(Value::as_f64), false),
    };
    let max = match schema.get("exclusiveMaximum") {
        Some(Value::Number(n)) => n.as_f64().map(|m| m - 1.0),
        _ => schema.get("maximum").and_then(Value::as_f64),
    };
    let mut n = min
        .map(|m| if exclusive_min { m + 1.0 } else { m })
        .unwrap_or(1.0)
        + choice as f64 % 3.0;
    if let Some(max) = max {
        n = n.min(max);
    }
    n
}

fn string(schema: &Value, choice: usize) -> Value {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let mut candidates: Vec<String> = Vec::new();
    match format {
        "date-time" => candidates.push(format!("2026-0{}-02T03:04:05Z", 1 + choice % 9)),
        "date" => candidates.push("2026-01-02".into()),
        "uri" | "url" => candidates.push(format!("https://example.com/item/{choice}")),
        "email" => candidates.push("someone@example.com".into()),
        "uuid" => candidates.push("123e4567-e89b-12d3-a456-426614174000".into()),
        _ => {}
    }
    for e in schema
        .get("examples")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(schema.get("example"))
    {
        if let Some(e) = e.as_str() {
            candidates.push(e.to_string());
        }
    }
    let pattern = schema.get("pattern").and_then(Value::as_str);
    if let Some(p) = pattern {
        // A literal prefix of the pattern, then a few letters.
        let prefix: String = p
            .trim_start_matches('^')
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_'))
            .collect();
        candidates.push(format!("{prefix}abc{choice}"));
    }
    candidates.push(format!("text {choice} ✓"));
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let regex = pattern.and_then(|p| regress::Regex::new(p).ok());
    let fits = |s: &str| {
        let n = s.chars().count();
        n >= min && max.is_none_or(|m| n <= m) && regex.as_ref().is_none_or(|r| r.find(s).is_some())
    };
    let pick = candidates
        .into_iter()
        .map(|c| {
            let mut c: String = c.chars().take(max.unwrap_or(usize::MAX)).collect();
            while c.chars().count() < min {
                c.push('x');
            }
            c
        })
        .find(|c| fits(c))
        .unwrap_or_else(|| "x".repeat(min.max(1)));
    Value::String(pick)
}

/// Where `got` differs from `given` beyond the tolerated differences (`None`: equal).
fn difference(given: &Value, got: Option<&Value>, at: &str) -> Option<String> {
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    let Some(got) = got else {
        return (!empty(given)).then(|| format!("{at}: {given} was lost"));
    };
    match (given, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                if let Some(d) = difference(v, b.get(k), &format!("{at}/{k}")) {
                    return Some(d);
                }
            }
            b.keys()
                .find(|k| !a.contains_key(*k) && !b[*k].is_null())
                .map(|k| format!("{at}/{k}: {} appeared", b[k]))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, Some(y), &format!("{at}/{i}"))),
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => None,
        (Value::String(x), Value::String(y)) if x == y || same_instant(x, y) => None,
        (a, b) if a == b => None,
        (a, b) => Some(format!("{at}: gave {a}, got {b}")),
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn cases(schema: &Value) -> usize {
    let g = Gen {
        root: schema,
        case: 0,
    };
    g.fan_out(schema, 0, &mut Vec::new()).clamp(1, 64)
}

/// Query values as the server saw them, for comparison with the input.
fn query_of(request: &wiremock::Request) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in request.url.query_pairs() {
        out.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    out
}

fn as_wire_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[tokio::test]
async fn requests_arrive_as_given() {
    let server = MockServer::start().await;
    let client = server.client();
    let (mut total, mut lossy, mut ops) = (0, Vec::new(), 0);
    for op in OPERATIONS.iter() {
        let schema = op.input_schema();
        ops += 1;
        for case in 0..cases(&schema) {
            let gen = Gen {
                root: &schema,
                case,
            };
            let input = gen.value(&schema, gen.case, 0);
            total += 1;
            let before = server.server().received_requests().await.unwrap().len();
            if let Err(e) = client.call(op.name, input.clone()).await {
                lossy.push(format!(
                    "{} case {case}: refused: {e}\n  input: {input}",
                    op.name
                ));
                continue;
            }
            let received = server.server().received_requests().await.unwrap();
            let Some(request) = received.get(before) else {
                lossy.push(format!("{} case {case}: nothing sent", op.name));
                continue;
            };
            let mut problems = Vec::new();
            if let Some(body) = input.get("body") {
                let sent: Option<Value> = serde_json::from_slice(&request.body).ok();
                if let Some(d) = difference(body, sent.as_ref(), "body") {
                    problems.push(d);
                }
            }
            let query = query_of(request);
            // The path the server saw, segment by segment decoded, against the template with
            // the given values put in.
            let seen_path: Vec<String> = request
                .url
                .path_segments()
                .map(|s| s.map(percent_decode).collect())
                .unwrap_or_default();
            let mut expected_path = op.path.to_string();
            for (name, p) in schema["properties"].as_object().unwrap() {
                let Some(given) = input.get(name) else {
                    continue;
                };
                let Some(text) = as_wire_text(given) else {
                    continue;
                };
                match p["x-in"].as_str() {
                    Some("query") if query.get(name).and_then(Value::as_str) != Some(&text) => {
                        problems.push(format!(
                            "query {name}: gave {text}, got {:?}",
                            query.get(name)
                        ))
                    }
                    Some("path") => {
                        expected_path = expected_path.replace(&format!("{{{name}}}"), &text)
                    }
                    Some("header")
                        if request
                            .headers
                            .get(name.as_str())
                            .and_then(|h| h.to_str().ok())
                            != Some(text.as_str()) =>
                    {
                        problems.push(format!("header {name}: gave {text}"))
                    }
                    _ => {}
                }
            }
            if seen_path.join("/") != expected_path.trim_start_matches('/') {
                problems.push(format!(
                    "path: expected {expected_path}, got {}",
                    request.url.path()
                ));
            }
            if !problems.is_empty() {
                lossy.push(format!("{} case {case}: {}", op.name, problems.join("; ")));
            }
        }
    }
    println!(
        "requests: {ops} operations, {total} cases, {} lossy",
        lossy.len()
    );
    assert!(
        lossy.is_empty(),
        "{} of {total} request cases lost data:\n{}",
        lossy.len(),
        lossy.join("\n")
    );
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn answers_arrive_as_served() {
    let server = wiremock::MockServer::start().await;
    let client = aitoearn::Client::builder()
        .api_key("lossless-test-key")
        .base_url(server.uri())
        .retry_policy(aitoearn::RetryPolicy::none())
        .build()
        .unwrap();
    let (mut total, mut lossy, mut ops) = (0, Vec::new(), 0);
    for op in OPERATIONS.iter() {
        if !matches!(op.response, ResponseKind::Envelope | ResponseKind::Json) {
            continue;
        }
        let output = op.output_schema();
        let input_schema = op.input_schema();
        let input = Gen {
            root: &input_schema,
            case: 0,
        }
        .value(&input_schema, 0, 0);
        ops += 1;
        for case in 0..cases(&output) {
            let gen = Gen {
                root: &output,
                case,
            };
            let answer = gen.value(&output, case, 0);
            let body = match op.response {
                ResponseKind::Envelope => json!({
                    "code": 0, "message": "ok", "data": answer,
                    "requestId": "r-1", "timestamp": 1_760_000_000_000_i64
                }),
                _ => answer.clone(),
            };
            server.reset().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_json(&body))
                .mount(&server)
                .await;
            total += 1;
            match client.call(op.name, input.clone()).await {
                Ok(got) => {
                    if let Some(d) = difference(&answer, Some(&got), "data") {
                        lossy.push(format!("{} case {case}: {d}", op.name));
                    }
                }
                Err(e) => lossy.push(format!("{} case {case}: {e}\n  served: {answer}", op.name)),
            }
        }
    }
    println!(
        "answers: {ops} operations, {total} cases, {} lossy",
        lossy.len()
    );
    assert!(
        lossy.is_empty(),
        "{} of {total} answer cases lost data:\n{}",
        lossy.len(),
        lossy.join("\n")
    );
}
