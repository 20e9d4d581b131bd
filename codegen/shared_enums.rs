//! One Rust type for one set of values: inline string enums with the same values become a
//! shared component.
//!
//! Each operation declares its own `platform` enum inline, so typify generated one type per
//! place (`AuthStartPlatform`, `WorksListPlatform`, …, the same values each time) and a value
//! taken from one operation's answer could not be passed to another. Inline string enums with
//! the same set of values are hoisted into one component named after the property or parameter
//! most of them are (`platform` → `Platform`). Where two different value sets would take the
//! same name, the set used in the most places takes it and the others stay where they are, so
//! no name is numbered and no name depends on the order of the spec.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::inline_names::{escape, pascal};
use super::spec_walk::{each_operation, insert_component};

/// One inline enum: where it is, the name of what it types, its values.
struct Place {
    pointer: String,
    name: String,
}

/// Runs the adaptation; returns how many places now refer to a shared enum.
pub fn share_identical_enums(spec: &mut Value) -> Result<usize, String> {
    let mut groups: BTreeMap<Vec<String>, Vec<Place>> = BTreeMap::new();
    let mut found = |pointer: String, name: &str, schema: &Map<String, Value>| {
        if let Some(key) = enum_key(schema) {
            groups.entry(key).or_default().push(Place {
                pointer,
                name: name.to_string(),
            });
        }
    };
    if let Some(Value::Object(schemas)) = spec.pointer("/components/schemas") {
        for (name, schema) in schemas {
            walk(
                schema,
                &format!("/components/schemas/{}", escape(name)),
                name,
                &mut found,
                false,
            );
        }
    }
    each_operation(spec, |method, path, op| {
        let base = format!("/paths/{}/{method}", escape(path));
        for (i, p) in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let (Some(name), Some(schema)) =
                (p.get("name").and_then(Value::as_str), p.get("schema"))
            {
                walk(
                    schema,
                    &format!("{base}/parameters/{i}/schema"),
                    name,
                    &mut found,
                    true,
                );
            }
        }
        if let Some(Value::Object(content)) = op.get("requestBody").and_then(|b| b.get("content")) {
            for (media, m) in content {
                if let Some(schema) = m.get("schema") {
                    let at = format!("{base}/requestBody/content/{}/schema", escape(media));
                    walk(schema, &at, "body", &mut found, false);
                }
            }
        }
    });

    // A name per value set: its places' most common name; the largest set wins a name.
    let taken: BTreeSet<String> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut claims: BTreeMap<String, Vec<(usize, Vec<String>)>> = BTreeMap::new();
    for (key, places) in &groups {
        if places.len() < 2 {
            continue;
        }
        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
        for p in places {
            *names.entry(p.name.as_str()).or_default() += 1;
        }
        let Some((name, _)) = names
            .iter()
            .max_by_key(|(n, c)| (**c, std::cmp::Reverse(*n)))
        else {
            continue;
        };
        let type_name = pascal(name);
        if type_name.is_empty()
            || taken.contains(&type_name)
            || !type_name.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            continue;
        }
        claims
            .entry(type_name)
            .or_default()
            .push((places.len(), key.clone()));
    }
    let mut count = 0;
    for (type_name, mut contenders) in claims {
        contenders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        if contenders.len() > 1 && contenders[0].0 == contenders[1].0 {
            continue; // A tie: no set has the better claim.
        }
        let places = &groups[&contenders[0].1];
        let first = spec
            .pointer(&places[0].pointer)
            .cloned()
            .ok_or("enum place vanished")?;
        let mut component = Map::new();
        for k in ["type", "enum"] {
            if let Some(v) = first.get(k) {
                component.insert(k.into(), v.clone());
            }
        }
        insert_component(spec, &type_name, Value::Object(component))?;
        for place in places {
            let Some(Value::Object(schema)) = spec.pointer_mut(&place.pointer) else {
                continue;
            };
            let mut wrapper = Map::new();
            wrapper.insert(
                "allOf".into(),
                json!([{ "$ref": format!("#/components/schemas/{type_name}") }]),
            );
            for k in ["description", "example", "examples", "deprecated"] {
                if let Some(v) = schema.get(k) {
                    wrapper.insert(k.into(), v.clone());
                }
            }
            *schema = wrapper;
            count += 1;
        }
    }
    Ok(count)
}

/// The sorted values of an inline string enum (`None` for anything else).
fn enum_key(schema: &Map<String, Value>) -> Option<Vec<String>> {
    if schema.get("type").and_then(Value::as_str) != Some("string")
        || schema.contains_key("x-rust-type")
        || schema.get("nullable") == Some(&Value::Bool(true))
    {
        return None;
    }
    let values = schema.get("enum")?.as_array()?;
    let mut key: Vec<String> = values
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<_>>()?;
    if key.len() < 2 {
        return None; // A single value is a tag or a constant, not a choice.
    }
    key.sort();
    key.dedup();
    Some(key)
}

/// Calls `found` on every inline schema under `schema` with the name of what it types.
fn walk(
    schema: &Value,
    pointer: &str,
    name: &str,
    found: &mut impl FnMut(String, &str, &Map<String, Value>),
    is_parameter: bool,
) {
    let Value::Object(m) = schema else { return };
    if !pointer.starts_with("/components/schemas/")
        || pointer.matches('/').count() > 3
        || is_parameter
    {
        found(pointer.to_string(), name, m);
    }
    if let Some(Value::Object(props)) = m.get("properties") {
        for (p, s) in props {
            walk(
                s,
                &format!("{pointer}/properties/{}", escape(p)),
                p,
                found,
                false,
            );
        }
    }
    if let Some(items) = m.get("items") {
        walk(items, &format!("{pointer}/items"), name, found, false);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(vs)) = m.get(key) {
            for (i, v) in vs.iter().enumerate() {
                walk(v, &format!("{pointer}/{key}/{i}"), name, found, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_values_share_one_type() {
        let platform = json!({ "type": "string", "enum": ["douyin", "xhs"], "description": "d" });
        let mut spec = json!({
            "paths": {
                "/a/{platform}": { "get": { "parameters": [{ "name": "platform", "in": "path", "schema": platform }] } },
                "/b": { "post": { "requestBody": { "content": { "application/json": { "schema": {
                    "type": "object", "properties": {
                        "platform": { "type": "string", "enum": ["xhs", "douyin"] },
                        "mode": { "type": "string", "enum": ["a", "b"] } } } } } } } }
            },
            "components": { "schemas": { "Rec": { "type": "object", "properties": {
                "kind": { "type": "string", "enum": ["douyin", "xhs"] },
                "other": { "type": "string", "enum": ["x", "y", "z"] } } } } }
        });
        assert_eq!(share_identical_enums(&mut spec).unwrap(), 3);
        assert_eq!(
            spec["components"]["schemas"]["Platform"]["enum"],
            json!(["douyin", "xhs"])
        );
        let param = &spec["paths"]["/a/{platform}"]["get"]["parameters"][0]["schema"];
        assert_eq!(param["allOf"][0]["$ref"], "#/components/schemas/Platform");
        assert_eq!(param["description"], "d");
        let rec = &spec["components"]["schemas"]["Rec"]["properties"];
        assert_eq!(
            rec["kind"]["allOf"][0]["$ref"],
            "#/components/schemas/Platform"
        );
        // Used once: stays inline.
        assert_eq!(rec["other"]["enum"], json!(["x", "y", "z"]));
    }

    #[test]
    fn a_taken_name_or_a_tie_shares_nothing() {
        let mut spec = json!({ "components": { "schemas": {
            "Mode": { "type": "string", "enum": ["q"] },
            "A": { "type": "object", "properties": {
                "mode": { "type": "string", "enum": ["a", "b"] },
                "kind": { "type": "string", "enum": ["c", "d"] } } },
            "B": { "type": "object", "properties": {
                "mode": { "type": "string", "enum": ["a", "b"] },
                "kind": { "type": "string", "enum": ["e", "f"] } } },
            "C": { "type": "object", "properties": {
                "kind": { "type": "string", "enum": ["c", "d"] } } },
            "D": { "type": "object", "properties": {
                "kind": { "type": "string", "enum": ["e", "f"] } } }
        } } });
        assert_eq!(share_identical_enums(&mut spec).unwrap(), 0);
    }
}
