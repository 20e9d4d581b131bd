//! JSON Schemas (draft 2020-12) of each operation's whole input and of its output, from the
//! adapted spec: what an agent needs to offer an operation as a tool and check its answer.
//!
//! The input is one object: path, query and header parameters under their wire names, the
//! request body under `"body"` — the shape `Client::call` takes. Component schemas are
//! referenced as `#/$defs/Name`; `defs` gives the closure an operation needs.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// The input schema of the operation `op` (an operation object of the adapted spec).
pub fn input_schema(op: &Value) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        let mut schema = p.get("schema").map(convert).unwrap_or(json!({}));
        if let (Some(d), Some(m)) = (
            p.get("description").and_then(Value::as_str),
            schema.as_object_mut(),
        ) {
            if !d.is_empty() {
                m.insert("description".into(), json!(d));
            }
        }
        let location = p.get("in").and_then(Value::as_str).unwrap_or("query");
        if let Some(m) = schema.as_object_mut() {
            m.insert("x-in".into(), json!(location));
        }
        if p.get("required").and_then(Value::as_bool).unwrap_or(false) {
            required.push(json!(name));
        }
        properties.insert(name.to_string(), schema);
    }
    if let Some(body) = op.get("requestBody") {
        let schema = body
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.values().next())
            .and_then(|m| m.get("schema"))
            .map(convert)
            .unwrap_or(json!({}));
        properties.insert("body".into(), schema);
        if body
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            required.push(json!("body"));
        }
    }
    let mut out =
        json!({ "type": "object", "properties": properties, "additionalProperties": false });
    if !required.is_empty() {
        out["required"] = Value::Array(required);
    }
    out
}

/// The schema of what `send()` returns for `op` (the envelope's `data`, or the raw body; for
/// a stream, one event's `data`).
pub fn output_schema(op: &Value) -> Value {
    // Parsed as the generator parses it (`model::Answer`): the body, else the event.
    let answer = super::model::Answer::parse(op.get("x-aitoearn-response"));
    match answer
        .as_ref()
        .ok()
        .and_then(|a| a.body().or_else(|| a.event()))
    {
        Some(shape) => shape_schema(shape),
        None => json!({}),
    }
}

/// The JSON Schema of a body or event shape (components as `#/$defs/Name`).
fn shape_schema(shape: &super::model::Shape) -> Value {
    use super::model::{Scalar, Shape};
    match shape {
        Shape::Component(name) => json!({ "$ref": format!("#/$defs/{name}") }),
        Shape::Array(items) => json!({ "type": "array", "items": shape_schema(items) }),
        Shape::Scalar(s) => json!({ "type": match s {
            Scalar::String => "string",
            Scalar::Integer => "integer",
            Scalar::Number => "number",
            Scalar::Boolean => "boolean",
        } }),
        Shape::Any => json!({}),
    }
}

pub fn convert(schema: &Value) -> Value {
    match schema {
        Value::Object(m) => {
            if let Some(inner) = m
                .get("x-rust-type")
                .and_then(|x| x.pointer("/parameters/0"))
            {
                let mut out = convert(inner);
                if let (Some(d), Some(o)) = (m.get("description"), out.as_object_mut()) {
                    o.insert("description".into(), d.clone());
                }
                return out;
            }
            let mut out = Map::new();
            for (k, v) in m {
                match k.as_str() {
                    "$ref" => {
                        let r = v.as_str().unwrap_or_default();
                        let r = r.replace("#/components/schemas/", "#/$defs/");
                        out.insert(k.clone(), json!(r));
                    }
                    "nullable" | "example" | "exclusiveMinimum" | "exclusiveMaximum"
                    | "discriminator" | "xml" | "externalDocs" | "readOnly" | "writeOnly"
                    | "deprecated" => {}
                    k if k.starts_with("x-") => {}
                    "properties" | "patternProperties" => {
                        let props = v
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(k, v)| (k.clone(), convert(v)))
                                    .collect::<Map<_, _>>()
                            })
                            .unwrap_or_default();
                        out.insert(k.to_string(), Value::Object(props));
                    }
                    _ => {
                        out.insert(k.to_string(), convert(v));
                    }
                }
            }
            if let Some(e) = m.get("example") {
                out.insert("examples".into(), json!([e]));
            }
            for (flag, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                match m.get(flag) {
                    Some(Value::Bool(true)) => {
                        if let Some(b) = out.remove(bound) {
                            out.insert(flag.into(), b);
                        }
                    }
                    Some(n @ Value::Number(_)) => {
                        out.insert(flag.into(), n.clone());
                    }
                    _ => {}
                }
            }
            if m.get("nullable") == Some(&Value::Bool(true)) {
                match out.get("type").cloned() {
                    Some(Value::String(t)) => {
                        out.insert("type".into(), json!([t, "null"]));
                    }
                    _ => {
                        let inner = Value::Object(std::mem::take(&mut out));
                        out.insert("anyOf".into(), json!([inner, { "type": "null" }]));
                    }
                }
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    if !values.contains(&Value::Null) {
                        values.push(Value::Null);
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(convert).collect()),
        other => other.clone(),
    }
}

/// The names of the components `schema` needs, transitively.
pub fn defs_closure(schema: &Value, components: &Value) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = Vec::new();
    refs(schema, &mut todo);
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            if let Some(c) = components.get(&name) {
                refs(&convert(c), &mut todo);
            }
        }
    }
    seen
}

fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            {
                out.push(r.to_string());
            }
            m.values().for_each(|v| refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// `schema` made self-contained: the `$defs` it needs attached, in JSON Schema 2020-12.
pub fn standalone(schema: &Value, components: &Value) -> Value {
    let mut out = schema.clone();
    let names = defs_closure(schema, components);
    if let Some(m) = out.as_object_mut() {
        m.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        if !names.is_empty() {
            let defs: Map<String, Value> = names
                .iter()
                .filter_map(|n| components.get(n).map(|c| (n.clone(), convert(c))))
                .collect();
            m.insert("$defs".into(), Value::Object(defs));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_keywords_become_json_schema() {
        let s = convert(&json!({
            "type": "integer", "minimum": 0, "exclusiveMinimum": true, "nullable": true,
            "example": 3, "x-internal": 1
        }));
        assert_eq!(
            s,
            json!({ "type": ["integer", "null"], "exclusiveMinimum": 0, "examples": [3] })
        );
        let s = convert(&json!({ "$ref": "#/components/schemas/A", "nullable": true }));
        assert_eq!(
            s,
            json!({ "anyOf": [{ "$ref": "#/$defs/A" }, { "type": "null" }] })
        );
        let open = json!({ "description": "d", "x-rust-type": { "parameters": [{ "$ref": "#/components/schemas/E" }] } });
        assert_eq!(
            convert(&open),
            json!({ "$ref": "#/$defs/E", "description": "d" })
        );
    }

    #[test]
    fn input_gathers_parameters_and_body() {
        let op = json!({
            "parameters": [
                { "name": "platform", "in": "path", "required": true, "description": "p", "schema": { "type": "string", "enum": ["douyin"] } },
                { "name": "groupId", "in": "query", "schema": { "type": "string" } }
            ],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/B" } } } }
        });
        let s = input_schema(&op);
        assert_eq!(s["required"], json!(["platform", "body"]));
        assert_eq!(s["properties"]["platform"]["description"], "p");
        assert_eq!(s["properties"]["platform"]["x-in"], "path");
        assert_eq!(s["properties"]["body"]["$ref"], "#/$defs/B");
        let components = json!({ "B": { "type": "object", "properties": { "c": { "$ref": "#/components/schemas/C" } } }, "C": { "type": "string" }, "D": {} });
        let full = standalone(&s, &components);
        assert_eq!(
            full["$defs"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["B", "C"]
        );
    }

    #[test]
    fn output_follows_the_response_descriptor() {
        let op = json!({ "x-aitoearn-response": { "kind": "envelope", "body": { "array": { "ref": "A" } } } });
        assert_eq!(
            output_schema(&op),
            json!({ "type": "array", "items": { "$ref": "#/$defs/A" } })
        );
        let op = json!({ "x-aitoearn-response": { "kind": "json" } });
        assert_eq!(output_schema(&op), json!({}));
    }
}
