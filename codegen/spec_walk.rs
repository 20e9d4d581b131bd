//! Walking and editing the in-memory spec: its operations, its components. Used by every
//! adaptation (and re-exported by `adapt`), so it imports none of them.

use serde_json::{Map, Value, json};

use super::refs;

pub const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Calls `f(method, path, operation)` for every operation, reading only.
pub fn each_operation(spec: &Value, mut f: impl FnMut(&str, &str, &Map<String, Value>)) {
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let (true, Some(op)) = (HTTP_METHODS.contains(&method.as_str()), op.as_object()) {
                f(method, path, op);
            }
        }
    }
}

/// Calls `f(method, path, operation)` for every operation (in the order of the JSON map).
pub fn for_each_operation(
    spec: &mut Value,
    mut f: impl FnMut(&str, &str, &mut Map<String, Value>) -> Result<(), String>,
) -> Result<(), String> {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(op) = op.as_object_mut() {
                f(method, path, op)?;
            }
        }
    }
    Ok(())
}

/// Calls `f(method, path, operation)` for every operation, editing; for edits that cannot fail.
pub fn each_operation_mut(
    spec: &mut Value,
    mut f: impl FnMut(&str, &str, &mut Map<String, Value>),
) {
    // The closure never fails, so neither does the walk.
    let _ = for_each_operation(spec, |method, path, op| {
        f(method, path, op);
        Ok(())
    });
}

pub fn insert_component(spec: &mut Value, name: &str, schema: Value) -> Result<(), String> {
    let root = spec.as_object_mut().ok_or("spec is not an object")?;
    let components = root.entry("components").or_insert_with(|| json!({}));
    let schemas = components
        .as_object_mut()
        .ok_or("components is not an object")?
        .entry("schemas")
        .or_insert_with(|| json!({}));
    schemas
        .as_object_mut()
        .ok_or("components.schemas is not an object")?
        .insert(name.to_string(), schema);
    Ok(())
}

/// `schema`, its references to whole components (`components`: the spec's `components.schemas`)
/// followed ([`refs::follow`]).
pub fn resolve<'a>(schema: &'a Value, components: &'a Value) -> &'a Value {
    refs::follow(schema, refs::in_components(components)).schema
}
