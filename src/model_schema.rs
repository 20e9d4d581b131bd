//! `schemars::JsonSchema` of the models, from the spec's own schemas (feature `schemars`).
//!
//! Each model's impl is a two-line stub over these functions: its schema is the spec's schema
//! of its component (or of its operation's request body), converted once by build.rs to JSON
//! Schema, and the components it references are added to the generator's definitions. Deriving
//! `JsonSchema` instead cost about 40% of the crate's compile time for the same schemas.

use schemars::r#gen::SchemaGenerator;
use schemars::schema::Schema;
use serde_json::Value;

/// Every component's schema, `{name: schema}`, references as `#/$defs/<name>`.
fn components() -> &'static serde_json::Map<String, Value> {
    static PARSED: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(crate::api::MODEL_DEFS).unwrap_or_default())
}

/// The schema of component `name`; the components it needs are added to `generator`.
pub(crate) fn component(generator: &mut SchemaGenerator, name: &str) -> Schema {
    match components().get(name) {
        Some(schema) => register(generator, schema),
        None => Schema::Bool(true),
    }
}

/// The schema `json` (references as `#/$defs/<name>`); the components it needs are added to
/// `generator`.
pub(crate) fn inline(generator: &mut SchemaGenerator, json: &str) -> Schema {
    match serde_json::from_str::<Value>(json) {
        Ok(schema) => register(generator, &schema),
        Err(_) => Schema::Bool(true),
    }
}

/// `schema` with its references pointed at the generator's definitions, where every
/// component it reaches is added (once).
fn register(generator: &mut SchemaGenerator, schema: &Value) -> Schema {
    let path = generator.settings().definitions_path.clone();
    let mut todo = Vec::new();
    let root = rewrite(schema, &path, &mut todo);
    while let Some(name) = todo.pop() {
        if generator.definitions().contains_key(&name) {
            continue;
        }
        let Some(def) = components().get(&name) else {
            continue;
        };
        let def = rewrite(def, &path, &mut todo);
        generator.definitions_mut().insert(name, to_schema(def));
    }
    to_schema(root)
}

fn to_schema(v: Value) -> Schema {
    serde_json::from_value(v).unwrap_or(Schema::Bool(true))
}

/// `v` with `#/$defs/<name>` references as `<path><name>`; the names are pushed to `found`.
fn rewrite(v: &Value, path: &str, found: &mut Vec<String>) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let name = (k == "$ref")
                        .then(|| v.as_str().and_then(|r| r.strip_prefix("#/$defs/")))
                        .flatten();
                    match name {
                        Some(name) => {
                            found.push(name.to_string());
                            (k.clone(), Value::String(format!("{path}{name}")))
                        }
                        None => (k.clone(), rewrite(v, path, found)),
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| rewrite(v, path, found)).collect()),
        other => other.clone(),
    }
}
