//! The models decode as serde's derive decoded them (codegen/deserialize.rs replaced it with
//! smaller impls): for every operation whose answer is an object, from its spec-driven sample,
//!
//! - a required key left out is `missing field `key``, an optional one left out still decodes;
//! - a key given twice is `duplicate field`;
//! - a key the spec does not know is skipped;
//! - an array where the object belongs is refused (serde's derive took it by position).
//!
//! Driven by each operation's output JSON Schema: a new operation is covered with no new code.

use aitoearn::{OPERATIONS, Operation, ResponseKind};
use serde_json::{Map, Value, json};

/// The answer's object (`data` of an envelope, or the whole body) and its schema's object.
struct Case {
    op: &'static Operation,
    data: Map<String, Value>,
    required: Vec<String>,
    optional: Vec<String>,
}

fn object_schema(schema: &Value) -> Option<&Map<String, Value>> {
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => schema.pointer(r.trim_start_matches('#'))?,
        None => schema,
    };
    let object = resolved.as_object()?;
    object
        .get("properties")?
        .as_object()
        .filter(|p| !p.is_empty())?;
    Some(object)
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for op in OPERATIONS.iter() {
        if !matches!(op.response, ResponseKind::Envelope | ResponseKind::Json) {
            continue;
        }
        let schema = op.output_schema();
        let Some(object) = object_schema(&schema) else {
            continue;
        };
        let (_, body) = aitoearn::mock::sample_answer(op);
        let body: Value = serde_json::from_slice(&body).unwrap();
        let data = match op.response {
            ResponseKind::Envelope => body["data"].clone(),
            _ => body,
        };
        let Value::Object(data) = data else { continue };
        let required: Vec<String> = object
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str().map(String::from))
            .filter(|k| data.contains_key(k))
            .collect();
        let optional = data
            .keys()
            .filter(|k| !required.contains(k))
            .cloned()
            .collect();
        out.push(Case {
            op,
            data,
            required,
            optional,
        });
    }
    out
}

/// The body that answers `data` (an envelope around it, or `data` itself).
fn body(op: &Operation, data: &str) -> Vec<u8> {
    match op.response {
        ResponseKind::Envelope => {
            format!(r#"{{"code":0,"message":"ok","data":{data},"requestId":"r","timestamp":1}}"#)
                .into_bytes()
        }
        _ => data.as_bytes().to_vec(),
    }
}

fn decode(op: &Operation, data: &str) -> Result<Value, String> {
    match aitoearn::__private::decode(op.name, 200, &body(op, data)) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(e.to_string()),
        None => panic!("{} has no decoder", op.name),
    }
}

#[test]
fn models_decode_as_serde_derive_did() {
    let cases = cases();
    assert!(
        cases.len() >= 10,
        "only {} operations answer an object",
        cases.len()
    );
    let (mut missing_checked, mut optional_checked) = (0, 0);
    for case in &cases {
        let op = case.op;
        let whole = Value::Object(case.data.clone()).to_string();
        let base = decode(op, &whole);
        assert!(base.is_ok(), "{}: the sample decodes", op.name);
        let base = base.unwrap();
        // `v` without `key` (an absent key and its default compare equal).
        let without = |v: &Value, key: &str| {
            let mut v = v.clone();
            if let Some(m) = v.as_object_mut() {
                m.remove(key);
            }
            v
        };

        for key in &case.required {
            let mut data = case.data.clone();
            data.remove(key);
            let text = Value::Object(data).to_string();
            match decode(op, &text) {
                Err(e) => {
                    assert!(
                        e.contains(&format!("missing field `{key}`")),
                        "{}: without `{key}`: {e}",
                        op.name
                    );
                    missing_checked += 1;
                }
                // An adaptation may have made an answer field optional (or it is nullable):
                // then it decodes as absent.
                Ok(v) => assert!(
                    v.get(key).is_none_or(Value::is_null),
                    "{}: `{key}` left out but decoded as {v}",
                    op.name
                ),
            }
        }
        for key in &case.optional {
            let mut data = case.data.clone();
            data.remove(key);
            let decoded = decode(op, &Value::Object(data).to_string());
            assert!(
                decoded.is_ok(),
                "{}: without optional `{key}`: {decoded:?}",
                op.name
            );
            // The other fields carry what was given.
            assert_eq!(
                without(&decoded.unwrap(), key),
                without(&base, key),
                "{}: without optional `{key}`",
                op.name
            );
            optional_checked += 1;
        }

        // A key twice: the first key again in front of the object's own.
        let (first, value) = case.data.iter().next().unwrap();
        let twice = format!(
            "{{{}:{},{}",
            json!(first),
            value,
            whole.strip_prefix('{').unwrap()
        );
        let e = decode(op, &twice).expect_err(&format!("{}: `{first}` twice", op.name));
        assert!(
            e.contains(&format!("duplicate field `{first}`")),
            "{}: {e}",
            op.name
        );

        // A key the spec does not know.
        let mut data = case.data.clone();
        data.insert("keyNoSpecHas".into(), json!({"nested": [1, 2]}));
        let decoded = decode(op, &Value::Object(data).to_string());
        assert!(decoded.is_ok(), "{}: an unknown key: {decoded:?}", op.name);
        assert_eq!(
            decoded.unwrap(),
            base,
            "{}: an unknown key changes nothing",
            op.name
        );

        // The values in an array, in declaration order, are not an object.
        let values: Vec<&Value> = case.data.values().collect();
        let e =
            decode(op, &json!(values).to_string()).expect_err(&format!("{}: an array", op.name));
        assert!(e.contains("invalid type"), "{}: {e}", op.name);
    }
    assert!(
        missing_checked >= 10,
        "only {missing_checked} required keys checked"
    );
    assert!(
        optional_checked >= 10,
        "only {optional_checked} optional keys checked"
    );
}
