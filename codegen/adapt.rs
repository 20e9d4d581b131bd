//! Named transformations of the spec, applied before progenitor sees it.
//!
//! The vendored file is never edited: build.rs reads it, runs every adaptation below in order
//! on an in-memory copy, and hands the result to progenitor. Each adaptation looks for a
//! *kind* of construct, not for a place, so a future spec with the same quirk elsewhere still
//! builds. Each returns how many places it changed, which `cargo xtask operations --adaptations`
//! prints.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::naming;
// Where the generator and xtask have always found them (not every includer uses each).
#[allow(unused_imports)]
pub use super::spec_walk::{HTTP_METHODS, for_each_operation, insert_component, resolve};

/// One transformation of the spec.
pub struct Adaptation {
    /// Stable name, used in reports and tests.
    pub name: &'static str,
    /// Why progenitor/typify or the SDK need it.
    pub why: &'static str,
    /// Applies it; returns the number of places changed.
    pub apply: fn(&mut Value) -> Result<usize, String>,
}

/// Every adaptation, in the order they run.
pub const ADAPTATIONS: &[Adaptation] = &[
    Adaptation {
        name: "path_params",
        why: "progenitor asserts that path parameters are required and panics on one the path \
              template does not name: path parameters become required, a declared one the \
              template lost becomes an optional query parameter, a template name without a \
              declaration gets a string parameter; path-level and `$ref` parameters are \
              resolved into each operation. See `robust.rs`.",
        apply: super::robust::path_params,
    },
    Adaptation {
        name: "request_media",
        why: "progenitor takes one media type per request body (`todo!()` on several), refuses \
              `multipart/*`, `text/*` other than `text/plain` and binary types other than \
              `application/octet-stream`, accepts those only with an exact schema, and \
              `todo!()`s on `encoding`: one media type is kept (JSON, form, multipart, binary, \
              text, in that order), binary types and multipart become a raw body, `text/*` a \
              text body. See `robust.rs`.",
        apply: super::robust::request_media,
    },
    Adaptation {
        name: "param_schemas",
        why: "`nullable` query/header parameters are typed `Option<T>`, which progenitor takes as \
              optional whatever `required` says; header parameters are sent with `to_string()`, \
              which objects and unions lack; `content` parameters and cookies are refused: \
              `nullable` is dropped (absent is how no value is sent), non-scalar headers and \
              `content` parameters become strings, optional cookies are dropped. See \
              `robust.rs`.",
        apply: super::robust::param_schemas,
    },
    Adaptation {
        name: "hoist_pointer_refs",
        why: "`$ref`s that point inside another schema (`#/components/schemas/X/properties/y`) are \
              rejected by typify; the target becomes a component of its own (`XY`) and both the \
              original place and every pointer refer to it.",
        apply: hoist_pointer_refs,
    },
    Adaptation {
        name: "drop_nonconforming_defaults",
        why: "typify checks each `default` against the Rust type it generates and rejects the whole \
              spec when one does not fit (`default: {}` on an `anyOf` of objects, a string default \
              outside its enum). A default is the server's business, not the client's: such \
              defaults (and every default on a composite `anyOf`/`oneOf`/`allOf` schema, which \
              typify validates per variant) are dropped, so the field is simply not sent.",
        apply: drop_nonconforming_defaults,
    },
    Adaptation {
        name: "integral_number_enums",
        why: "typify types a `type: number` enum as `f64`, so `copyright: 2` goes on the wire as \
              `2.0`, which a strict server may refuse. An enum of `number`s that are all whole \
              is the same set of values as an `integer` enum, which typify types as an integer.",
        apply: integral_number_enums,
    },
    Adaptation {
        name: "tolerate_unknown_fields",
        why: "`additionalProperties: false` makes typify emit `deny_unknown_fields`, so a response \
              with a field the vendored spec does not know yet would fail to decode; the service \
              changes faster than the crate.",
        apply: tolerate_unknown_fields,
    },
    Adaptation {
        name: "name_operations",
        why: "progenitor names methods and types after operationIds (`AuthController_startAuth_v2`); \
              they are renamed by the rule in `naming.rs`, the original kept in \
              `x-aitoearn-operation-id`.",
        apply: name_operations,
    },
    Adaptation {
        name: "raw_responses",
        why: "The SDK decodes responses itself (envelope `{code, message, data}` answered with HTTP \
              200 even on errors, raw relay JSON, `text/event-stream`, JSON media types without \
              schema on which progenitor panics). Each operation's response is described in \
              `x-aitoearn-response`, its `data`/body schema hoisted into a named component, and \
              progenitor is given one opaque `default` response.",
        apply: raw_responses,
    },
    Adaptation {
        name: "share_identical_enums",
        why: "Each operation declares its own inline `platform` enum, so typify made one type per \
              place with the same values and a value from one operation could not be passed to \
              another. Inline string enums with the same values become one component named \
              after the property most of them type (`Platform`); a name two value sets would \
              take goes to the one used most, ties to neither. See `shared_enums.rs`.",
        apply: super::shared_enums::share_identical_enums,
    },
    Adaptation {
        name: "open_response_enums",
        why: "typify's enums reject values they do not list, so a status the service adds \
              tomorrow would fail to decode today's answers. Every enum reachable from a \
              response becomes `aitoearn::Open<E>` (via typify's `x-rust-type`): `Known(E)` or \
              `Unknown(raw value)`. Inline enums are first hoisted into components named as \
              typify would name them, so the Rust names do not change. Runs after \
              `raw_responses`, whose descriptors are the roots.",
        apply: open_response_enums,
    },
    Adaptation {
        name: "name_inline_schemas",
        why: "typify names an inline schema after its place and silently reuses an existing \
              type when two different schemas get the same name (each `oneOf` variant's \
              `option` became Bilibili's, dropping every other platform's options). Schemas \
              that differ get names of their own (`{Parent}{Variant}{Property}`, the variant \
              named by its discriminator value or title) through `title`; identical ones keep \
              sharing a type; non-ASCII titles move to the description. See `inline_names.rs`.",
        apply: super::inline_names::name_inline_schemas,
    },
    Adaptation {
        name: "object_unions",
        why: "typify models an `anyOf` as a struct of optional flattened members decoded and \
              serialised over each other: members that type a shared property differently \
              overwrite each other's values. Such an `anyOf` becomes a `oneOf` (an untagged \
              enum holding one member, variants named by their discriminator) where a \
              discriminator tells the members apart, else one merged object (listed as a \
              typing downgrade). See `inline_names.rs`.",
        apply: super::inline_names::object_unions,
    },
    Adaptation {
        name: "struct_params",
        why: "progenitor 0.15's builder reaches `unreachable!()` on an optional parameter whose \
              type has a builder (an object query parameter, or an `anyOf` whose members lost \
              their `required` lists and merged into one struct) and fails an assertion on a \
              required one. The struct keeps the name \
              typify gives it; the parameter's type becomes a newtype around it \
              (`{Operation}{Parameter}Param`, no builder) that the setter converts into; the \
              wire is unchanged (one query pair per field). Runs last, on the final shapes. \
              See `robust.rs`.",
        apply: super::robust::struct_params,
    },
];

/// Runs every adaptation; returns (name, places changed) for each.
pub fn adapt(spec: &mut Value) -> Result<Vec<(&'static str, usize)>, String> {
    ADAPTATIONS
        .iter()
        .map(|a| {
            (a.apply)(spec)
                .map(|n| (a.name, n))
                .map_err(|e| format!("{}: {e}", a.name))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// hoist_pointer_refs

fn hoist_pointer_refs(spec: &mut Value) -> Result<usize, String> {
    let mut pointers = BTreeSet::new();
    super::refs::each_ref(spec, &mut |r| {
        if r.strip_prefix("#/components/schemas/")
            .is_some_and(|rest| rest.contains('/'))
        {
            pointers.insert(r.to_string());
        }
    });
    if pointers.is_empty() {
        return Ok(0);
    }
    // Longest pointers first, so a pointer into a schema that is itself pointed to is hoisted
    // before its parent is replaced by a `$ref`.
    let mut ordered: Vec<String> = pointers.into_iter().collect();
    ordered.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
    let mut renames = BTreeMap::new();
    for pointer in &ordered {
        let json_pointer = pointer.trim_start_matches('#');
        let target = spec
            .pointer(json_pointer)
            .cloned()
            .ok_or_else(|| format!("`$ref` {pointer} points at nothing"))?;
        let name = unique_component_name(spec, &pointer_component_name(pointer))?;
        let new_ref = format!("#/components/schemas/{name}");
        insert_component(spec, &name, target)?;
        *spec.pointer_mut(json_pointer).expect("checked above") = json!({ "$ref": new_ref });
        renames.insert(pointer.clone(), new_ref);
    }
    let mut count = 0;
    rewrite_refs(spec, &mut |r| {
        renames.get(r).cloned().inspect(|_| count += 1)
    });
    Ok(count)
}

/// The component a pointer `$ref` becomes: [`naming::pointer_type_name`].
fn pointer_component_name(pointer: &str) -> String {
    naming::pointer_type_name(pointer)
}

fn unique_component_name(spec: &Value, base: &str) -> Result<String, String> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let taken = |n: &str| schemas.is_some_and(|s| s.contains_key(n));
    if !taken(base) {
        return Ok(base.to_string());
    }
    (2..100)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken(n))
        .ok_or_else(|| format!("no free component name for {base}"))
}

fn rewrite_refs(v: &mut Value, f: &mut impl FnMut(&str) -> Option<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref") {
                if let Some(new) = f(r) {
                    *r = new;
                }
            }
            m.values_mut().for_each(|v| rewrite_refs(v, f));
        }
        Value::Array(a) => a.iter_mut().for_each(|v| rewrite_refs(v, f)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// drop_nonconforming_defaults

fn drop_nonconforming_defaults(spec: &mut Value) -> Result<usize, String> {
    let mut count = 0;
    visit_schemas(spec, &mut |schema| {
        if schema
            .get("default")
            .is_some_and(|value| !conforms(value, schema))
        {
            schema.remove("default");
            count += 1;
        }
    });
    Ok(count)
}

/// Does `value` satisfy the type, enum, bounds and nullability of `schema` (shallowly)?
/// Composite schemas never do: typify checks them against each variant.
fn conforms(value: &Value, schema: &Map<String, Value>) -> bool {
    if ["anyOf", "oneOf", "allOf"]
        .iter()
        .any(|k| schema.contains_key(*k))
    {
        return false;
    }
    if let Some(Value::Array(allowed)) = schema.get("enum") {
        let allowed = allowed.contains(value) || (value.is_null() && is_nullable(schema));
        if !allowed {
            return false;
        }
    }
    if let Some(n) = value.as_f64() {
        let exclusive = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
        let min = schema.get("minimum").and_then(Value::as_f64);
        if min.is_some_and(|min| n < min || (exclusive("exclusiveMinimum") && n == min)) {
            return false;
        }
        let max = schema.get("maximum").and_then(Value::as_f64);
        if max.is_some_and(|max| n > max || (exclusive("exclusiveMaximum") && n == max)) {
            return false;
        }
    }
    conforms_type(value, schema)
}

fn conforms_type(value: &Value, schema: &Map<String, Value>) -> bool {
    if value.is_null() {
        return is_nullable(schema) || schema.get("type").is_none();
    }
    match schema.get("type").and_then(Value::as_str) {
        None => true,
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value
            .as_array()
            .is_some_and(|items| match schema.get("items") {
                Some(Value::Object(item_schema)) if !item_schema.contains_key("$ref") => {
                    items.iter().all(|i| conforms(i, item_schema))
                }
                _ => true,
            }),
        Some("object") => value.is_object(),
        Some(_) => false,
    }
}

fn is_nullable(schema: &Map<String, Value>) -> bool {
    schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Calls `f` on every object that sits where a schema sits: component schemas, parameter,
/// request and response schemas, and everything nested in them.
fn visit_schemas(spec: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    fn walk(v: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
        let Value::Object(m) = v else { return };
        f(m);
        for key in ["items", "not", "additionalProperties"] {
            if let Some(child) = m.get_mut(key) {
                walk(child, f);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(children)) = m.get_mut(key) {
                children.iter_mut().for_each(|c| walk(c, f));
            }
        }
        if let Some(Value::Object(props)) = m.get_mut("properties") {
            props.values_mut().for_each(|c| walk(c, f));
        }
    }
    if let Some(Value::Object(schemas)) = spec.pointer_mut("/components/schemas") {
        schemas.values_mut().for_each(|s| walk(s, f));
    }
    let _ = for_each_operation(spec, |_, _, op| {
        if let Some(Value::Array(params)) = op.get_mut("parameters") {
            for p in params {
                if let Some(s) = p.get_mut("schema") {
                    walk(s, f);
                }
            }
        }
        if let Some(Value::Object(content)) =
            op.get_mut("requestBody").and_then(|b| b.get_mut("content"))
        {
            content
                .values_mut()
                .filter_map(|m| m.get_mut("schema"))
                .for_each(|s| walk(s, f));
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for response in responses.values_mut() {
                if let Some(Value::Object(content)) = response.get_mut("content") {
                    content
                        .values_mut()
                        .filter_map(|m| m.get_mut("schema"))
                        .for_each(|s| walk(s, f));
                }
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// integral_number_enums

fn integral_number_enums(spec: &mut Value) -> Result<usize, String> {
    let mut count = 0;
    visit_schemas(spec, &mut |schema| {
        let whole = |v: &Value| v.is_i64() || v.is_u64() || v.is_null();
        let integral = schema.get("type") == Some(&json!("number"))
            && schema
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|values| !values.is_empty() && values.iter().all(whole));
        if integral {
            schema.insert("type".into(), json!("integer"));
            count += 1;
        }
    });
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// tolerate_unknown_fields

fn tolerate_unknown_fields(spec: &mut Value) -> Result<usize, String> {
    let mut count = 0;
    visit_schemas(spec, &mut |schema| {
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            schema.remove("additionalProperties");
            count += 1;
        }
    });
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// name_operations

fn name_operations(spec: &mut Value) -> Result<usize, String> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut count = 0;
    for_each_operation(spec, |method, path, op| {
        let original = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let name = naming::method_name(original.as_deref(), method, path);
        let key = format!("{} {path}", method.to_uppercase());
        if let Some(other) = seen.insert(name.clone(), key.clone()) {
            return Err(format!(
                "`{other}` and `{key}` both map to the method name `{name}`"
            ));
        }
        if let Some(original) = original {
            op.insert("x-aitoearn-operation-id".into(), Value::String(original));
        }
        op.insert("operationId".into(), Value::String(name));
        count += 1;
        Ok(())
    })?;
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// raw_responses

/// How the SDK reads an operation's successful answer: the kinds are the answer model's
/// (`codegen/answer.rs`), which parses what this adaptation writes.
pub use super::model::kind;

fn raw_responses(spec: &mut Value) -> Result<usize, String> {
    let mut hoists: Vec<(String, Value)> = Vec::new();
    let mut count = 0;
    let components = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(json!({}));
    for_each_operation(spec, |_, _, op| {
        let name = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let stem = naming::type_stem(&name);
        let success = op
            .get("responses")
            .and_then(Value::as_object)
            .and_then(|rs| {
                rs.iter()
                    .filter(|(code, _)| code.starts_with('2') || code.as_str() == "default")
                    .min_by_key(|(code, _)| code.to_string())
                    .map(|(_, r)| r.clone())
            })
            .unwrap_or(Value::Null);
        let content = success.get("content").and_then(Value::as_object);
        let json_media = content.and_then(|c| {
            c.iter()
                .find(|(ct, _)| {
                    ct.as_str() == "application/json" || ct.starts_with("application/json;")
                })
                .map(|(_, m)| m)
        });
        let sse_media = content.and_then(|c| c.get("text/event-stream"));
        let raw_flag = op
            .get("x-aitoearn-backend")
            .and_then(|b| b.get("rawResponse"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let json_schema = json_media.and_then(|m| m.get("schema"));

        let mut response = Map::new();
        let kind = match (json_media, sse_media) {
            (Some(_), Some(_)) => kind::JSON_OR_SSE,
            (None, Some(_)) => kind::SSE,
            (Some(_), None) => match json_schema {
                Some(s) if !raw_flag && is_envelope(s, &components) => kind::ENVELOPE,
                _ => kind::JSON,
            },
            (None, None) if content.is_some_and(|c| !c.is_empty()) => kind::JSON,
            (None, None) => kind::EMPTY,
        };
        response.insert("kind".into(), json!(kind));
        let (body, body_name) = match kind {
            kind::ENVELOPE => {
                let env = resolve(json_schema.expect("envelope has a schema"), &components);
                (
                    env.pointer("/properties/data").cloned(),
                    format!("{stem}Data"),
                )
            }
            _ => (json_schema.cloned(), format!("{stem}Response")),
        };
        if let Some(body) = body {
            response.insert("body".into(), describe_body(body, &body_name, &mut hoists));
        }
        // The first documented success example: the mock answers with it where the spec has no
        // schema to build a sample from.
        let example = json_media
            .or(sse_media)
            .and_then(|m| m.get("examples"))
            .and_then(Value::as_object)
            .and_then(|ex| ex.get("success").or_else(|| ex.values().next()))
            .and_then(|e| e.get("value"))
            .cloned();
        if let Some(example) = example {
            response.insert("example".into(), example);
        }
        let event_schema = sse_media.and_then(|m| m.get("schema")).filter(|schema| {
            !matches!(
                schema.get("type").and_then(Value::as_str),
                Some("string") | None
            ) || schema.get("$ref").is_some()
        });
        if let Some(schema) = event_schema {
            let event = describe_body(schema.clone(), &format!("{stem}Event"), &mut hoists);
            response.insert("event".into(), event);
        }
        op.insert(
            super::model::answer::EXTENSION.into(),
            Value::Object(response),
        );
        op.insert(
            "responses".into(),
            json!({
                "default": {
                    "description": "Decoded by the SDK; see `x-aitoearn-response`.",
                    "content": {
                        "application/octet-stream": {
                            "schema": { "type": "string", "format": "binary" }
                        }
                    }
                }
            }),
        );
        count += 1;
        Ok(())
    })?;
    for (name, schema) in hoists {
        let name = unique_component_name(spec, &name)?;
        insert_component(spec, &name, schema)?;
    }
    Ok(count)
}

/// An enveloped response: an object with an integer `code` and a `message`.
fn is_envelope(schema: &Value, components: &Value) -> bool {
    let schema = resolve(schema, components);
    let props = schema.get("properties");
    let code_is_int = props
        .and_then(|p| p.get("code"))
        .map(|c| resolve(c, components))
        .and_then(|c| {
            c.get("type")
                .and_then(Value::as_str)
                .map(|t| t == "integer" || t == "number")
        })
        .unwrap_or(false);
    code_is_int && props.and_then(|p| p.get("message")).is_some()
}

/// Describes where the Rust type of a body comes from (`x-aitoearn-response.body`):
/// `{"ref": "Name"}` for a component (hoisted here when inline), `{"array": <body>}`,
/// `{"scalar": "string" | "integer" | "number" | "boolean"}`, or `{"any": true}`.
fn describe_body(schema: Value, name: &str, hoists: &mut Vec<(String, Value)>) -> Value {
    let component = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"));
    if let Some(n) = component {
        return json!({ "ref": n });
    }
    let ty = schema.get("type").and_then(Value::as_str);
    match ty {
        Some("array") => {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            json!({ "array": describe_body(items, &format!("{name}Item"), hoists) })
        }
        Some(t @ ("string" | "integer" | "number" | "boolean"))
            if schema.get("enum").is_none()
                && schema.get("nullable") != Some(&Value::Bool(true)) =>
        {
            json!({ "scalar": t })
        }
        _ if is_any(&schema) => json!({ "any": true }),
        _ => {
            hoists.push((name.to_string(), schema));
            json!({ "ref": name })
        }
    }
}

fn is_any(schema: &Value) -> bool {
    let Some(m) = schema.as_object() else {
        return true;
    };
    m.keys().all(|k| {
        matches!(
            k.as_str(),
            "description" | "example" | "examples" | "title" | "deprecated"
        )
    })
}

// ---------------------------------------------------------------------------------------------
// open_response_enums

/// The `x-rust-type` wrapper that makes `E` open to unknown values.
fn open_enum(component: &str, description: Option<&Value>) -> Value {
    let mut wrapper = json!({
        "x-rust-type": {
            "crate": "aitoearn",
            "version": "*",
            "path": "aitoearn::Open",
            "parameters": [{ "$ref": format!("#/components/schemas/{component}") }]
        }
    });
    if let Some(d) = description {
        wrapper["description"] = d.clone();
    }
    wrapper
}

fn is_enum(schema: &Value) -> bool {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.is_empty())
        && schema.get("nullable") != Some(&Value::Bool(true))
}

fn open_response_enums(spec: &mut Value) -> Result<usize, String> {
    // Roots: the components the answers are made of, read with the answer model (a descriptor
    // that does not parse names none here; `model::operations` refuses it).
    let mut roots = Vec::new();
    super::spec_walk::each_operation(spec, |_, _, op| {
        let answer = super::model::Answer::parse(op.get(super::model::answer::EXTENSION));
        if let Ok(answer) = answer {
            roots.extend(answer.components().map(str::to_owned));
        }
    });
    // Every component reachable from them.
    let components = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(json!({}));
    let reachable = super::refs::reachable_components(&components, roots);
    let enum_components: BTreeSet<String> = reachable
        .iter()
        .filter(|n| components.get(n.as_str()).is_some_and(is_enum))
        .cloned()
        .collect();

    let mut hoists: Vec<(String, Value)> = Vec::new();
    let mut count = 0;
    let mut taken: BTreeSet<String> = components
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for name in &reachable {
        if enum_components.contains(name) {
            continue;
        }
        let Some(schema) = spec.pointer_mut(&format!("/components/schemas/{name}")) else {
            continue;
        };
        open_enums_in(
            schema,
            name,
            &enum_components,
            &mut taken,
            &mut hoists,
            &mut count,
        );
    }
    for (name, schema) in hoists {
        insert_component(spec, &name, schema)?;
    }
    Ok(count)
}

/// Wraps the enums under `schema` (not `schema` itself); `name` is its type name.
fn open_enums_in(
    schema: &mut Value,
    name: &str,
    enum_components: &BTreeSet<String>,
    taken: &mut BTreeSet<String>,
    hoists: &mut Vec<(String, Value)>,
    count: &mut usize,
) {
    let Value::Object(m) = schema else { return };
    let mut children: Vec<(String, &mut Value)> = Vec::new();
    for (key, child) in m.iter_mut() {
        match (key.as_str(), child) {
            ("properties", Value::Object(props)) => {
                for (prop, s) in props.iter_mut() {
                    let stem = naming::type_name(prop);
                    children.push((format!("{name}{stem}"), s));
                }
            }
            ("items" | "additionalProperties", c @ Value::Object(_)) => {
                let suffix = if key == "items" { "Item" } else { "Value" };
                children.push((format!("{name}{suffix}"), c));
            }
            ("allOf" | "anyOf" | "oneOf", Value::Array(variants)) => {
                for (i, s) in variants.iter_mut().enumerate() {
                    children.push((format!("{name}Variant{i}"), s));
                }
            }
            _ => {}
        }
    }
    for (child_name, child) in children {
        let target = child.get("$ref").and_then(Value::as_str).and_then(|r| {
            r.strip_prefix("#/components/schemas/")
                .filter(|n| enum_components.contains(*n))
        });
        if let Some(component) = target.map(str::to_owned) {
            *child = open_enum(&component, child.get("description"));
            *count += 1;
        } else if is_enum(child) {
            let mut component = child_name.clone();
            let mut i = 2;
            while !taken.insert(component.clone()) {
                component = format!("{child_name}{i}");
                i += 1;
            }
            let description = child.get("description").cloned();
            hoists.push((component.clone(), std::mem::take(child)));
            *child = open_enum(&component, description.as_ref());
            *count += 1;
        } else {
            open_enums_in(child, &child_name, enum_components, taken, hoists, count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_refs_become_components() {
        let mut spec = json!({
            "components": { "schemas": {
                "Meta": { "type": "object", "properties": {
                    "rules": { "type": "object", "properties": {
                        "ratio": { "type": "string", "enum": ["1:1"] } } } } },
                "User": { "type": "object", "properties": {
                    "r": { "$ref": "#/components/schemas/Meta/properties/rules/properties/ratio" },
                    "rules": { "$ref": "#/components/schemas/Meta/properties/rules" } } }
            } }
        });
        let n = hoist_pointer_refs(&mut spec).unwrap();
        assert_eq!(n, 2);
        let s = &spec["components"]["schemas"];
        assert_eq!(s["MetaRulesRatio"]["enum"], json!(["1:1"]));
        assert_eq!(
            s["MetaRules"]["properties"]["ratio"]["$ref"],
            "#/components/schemas/MetaRulesRatio"
        );
        assert_eq!(
            s["Meta"]["properties"]["rules"]["$ref"],
            "#/components/schemas/MetaRules"
        );
        assert_eq!(
            s["User"]["properties"]["r"]["$ref"],
            "#/components/schemas/MetaRulesRatio"
        );
        assert_eq!(
            s["User"]["properties"]["rules"]["$ref"],
            "#/components/schemas/MetaRules"
        );
        // Idempotent: nothing left to hoist.
        assert_eq!(hoist_pointer_refs(&mut spec).unwrap(), 0);
    }

    #[test]
    fn dangling_pointer_is_an_error() {
        let mut spec = json!({ "components": { "schemas": {
            "A": { "$ref": "#/components/schemas/B/properties/nope" }, "B": {} } } });
        assert!(
            hoist_pointer_refs(&mut spec)
                .unwrap_err()
                .contains("points at nothing")
        );
    }

    #[test]
    fn nonconforming_defaults_are_dropped() {
        let mut spec = json!({ "components": { "schemas": { "A": { "type": "object", "properties": {
            "n": { "type": "integer", "default": 3, "minimum": 0 },
            "low": { "type": "integer", "default": 0, "minimum": 0, "exclusiveMinimum": true },
            "t": { "type": "integer", "default": "3" },
            "s": { "type": "string", "enum": ["a", "b"], "default": "c" },
            "ok": { "type": "string", "enum": ["a", "b"], "default": "a" },
            "l": { "type": "array", "items": { "type": "string" }, "default": [1] },
            "u": { "anyOf": [{ "type": "object" }], "default": {} }
        } } } } });
        assert_eq!(drop_nonconforming_defaults(&mut spec).unwrap(), 5);
        let p = &spec["components"]["schemas"]["A"]["properties"];
        assert_eq!(p["n"]["default"], 3);
        assert_eq!(p["ok"]["default"], "a");
        for dropped in ["low", "t", "s", "l", "u"] {
            assert!(p[dropped].get("default").is_none(), "{dropped}");
        }
    }

    #[test]
    fn whole_number_enums_become_integers() {
        let mut spec = json!({ "components": { "schemas": { "A": { "type": "object", "properties": {
            "c": { "type": "number", "enum": [1, 2] },
            "r": { "type": "number", "enum": [0.5, 1] },
            "n": { "type": "number" } } } } } });
        assert_eq!(integral_number_enums(&mut spec).unwrap(), 1);
        let p = &spec["components"]["schemas"]["A"]["properties"];
        assert_eq!(p["c"]["type"], "integer");
        assert_eq!(p["r"]["type"], "number");
        assert_eq!(p["n"]["type"], "number");
    }

    #[test]
    fn unknown_fields_are_tolerated_everywhere() {
        let mut spec = json!({
            "components": { "schemas": { "A": { "type": "object", "additionalProperties": false,
                "properties": { "b": { "type": "object", "additionalProperties": false } } } } },
            "paths": { "/x": { "get": { "responses": { "200": { "content": { "application/json": {
                "schema": { "type": "object", "additionalProperties": false } } } } } } } }
        });
        assert_eq!(tolerate_unknown_fields(&mut spec).unwrap(), 3);
        assert!(!spec.to_string().contains("additionalProperties"));
    }

    #[test]
    fn operations_are_renamed_and_collisions_rejected() {
        let mut spec = json!({ "paths": {
            "/a": { "get": { "operationId": "AccountsController_list_v2" } },
            "/b": { "get": { "operationId": "AccountGroupsController_list_v2" } } } });
        assert_eq!(name_operations(&mut spec).unwrap(), 2);
        assert_eq!(spec["paths"]["/a"]["get"]["operationId"], "accounts_list");
        assert_eq!(
            spec["paths"]["/a"]["get"]["x-aitoearn-operation-id"],
            "AccountsController_list_v2"
        );
        assert_eq!(
            spec["paths"]["/b"]["get"]["operationId"],
            "account_groups_list"
        );

        let mut clash = json!({ "paths": {
            "/a": { "get": { "operationId": "AuthController_startAuth_v2" } },
            "/b": { "post": { "operationId": "AuthController_start_v2" } } } });
        assert!(
            name_operations(&mut clash)
                .unwrap_err()
                .contains("auth_start")
        );
    }

    fn op_with(content: Value) -> Value {
        json!({ "paths": { "/x": { "get": { "operationId": "things_get",
            "responses": { "200": { "description": "", "content": content } } } } },
            "components": { "schemas": { "Thing": { "type": "object" } } } })
    }

    #[test]
    fn envelope_data_is_hoisted() {
        let mut spec = op_with(json!({ "application/json": { "schema": { "type": "object",
            "properties": { "code": { "type": "integer" }, "message": { "type": "string" },
                "data": { "type": "object", "properties": { "id": { "type": "string" } } } } } } }));
        raw_responses(&mut spec).unwrap();
        let op = &spec["paths"]["/x"]["get"];
        assert_eq!(
            op["x-aitoearn-response"],
            json!({ "kind": "envelope", "body": { "ref": "ThingsGetData" } })
        );
        assert_eq!(
            spec["components"]["schemas"]["ThingsGetData"]["properties"]["id"]["type"],
            "string"
        );
        assert!(op["responses"]["default"]["content"]["application/octet-stream"].is_object());
        assert!(op["responses"].get("200").is_none());
    }

    #[test]
    fn envelope_arrays_refs_scalars_and_absent_data() {
        for (data, expected) in [
            (
                json!({ "type": "array", "items": { "$ref": "#/components/schemas/Thing" } }),
                json!({ "array": { "ref": "Thing" } }),
            ),
            (json!({ "type": "boolean" }), json!({ "scalar": "boolean" })),
            (json!({ "description": "anything" }), json!({ "any": true })),
        ] {
            let mut spec = op_with(json!({ "application/json": { "schema": { "type": "object",
                "properties": { "code": { "type": "integer" }, "message": { "type": "string" }, "data": data } } } }));
            raw_responses(&mut spec).unwrap();
            assert_eq!(
                spec["paths"]["/x"]["get"]["x-aitoearn-response"]["body"],
                expected
            );
        }
        let mut spec = op_with(json!({ "application/json": { "schema": { "type": "object",
            "properties": { "code": { "type": "integer" }, "message": { "type": "string" } } } } }));
        raw_responses(&mut spec).unwrap();
        assert_eq!(
            spec["paths"]["/x"]["get"]["x-aitoearn-response"],
            json!({ "kind": "envelope" })
        );
    }

    #[test]
    fn relay_kinds() {
        let mut spec = op_with(
            json!({ "application/json": {}, "text/event-stream": { "schema": { "type": "string" } } }),
        );
        raw_responses(&mut spec).unwrap();
        assert_eq!(
            spec["paths"]["/x"]["get"]["x-aitoearn-response"],
            json!({ "kind": "json_or_sse" })
        );

        let mut spec = op_with(json!({ "text/event-stream": {} }));
        raw_responses(&mut spec).unwrap();
        assert_eq!(
            spec["paths"]["/x"]["get"]["x-aitoearn-response"]["kind"],
            "sse"
        );

        let mut spec = op_with(
            json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } }),
        );
        raw_responses(&mut spec).unwrap();
        assert_eq!(
            spec["paths"]["/x"]["get"]["x-aitoearn-response"],
            json!({ "kind": "json", "body": { "ref": "Thing" } })
        );
    }

    #[test]
    fn raw_flag_overrides_envelope_shape() {
        let mut spec = op_with(json!({ "application/json": { "schema": { "type": "object",
            "properties": { "code": { "type": "integer" }, "message": { "type": "string" } } } } }));
        spec["paths"]["/x"]["get"]["x-aitoearn-backend"] = json!({ "rawResponse": true });
        raw_responses(&mut spec).unwrap();
        assert_eq!(
            spec["paths"]["/x"]["get"]["x-aitoearn-response"]["kind"],
            "json"
        );
    }

    #[test]
    fn response_enums_become_open() {
        let mut spec = json!({
            "paths": { "/x": { "get": { "operationId": "x_get",
                "x-aitoearn-response": { "kind": "envelope", "body": { "array": { "ref": "Rec" } } } } } },
            "components": { "schemas": {
                "Rec": { "type": "object", "properties": {
                    "state": { "type": "string", "enum": ["a", "b"], "description": "d" },
                    "kind": { "$ref": "#/components/schemas/Kind" },
                    "tags": { "type": "array", "items": { "type": "number", "enum": [1, 2] } },
                    "name": { "type": "string" } } },
                "Kind": { "type": "string", "enum": ["k"] },
                "RequestOnly": { "type": "object", "properties": {
                    "mode": { "type": "string", "enum": ["m"] } } }
            } }
        });
        assert_eq!(open_response_enums(&mut spec).unwrap(), 3);
        let s = &spec["components"]["schemas"];
        let rec = &s["Rec"]["properties"];
        assert_eq!(rec["state"]["x-rust-type"]["path"], "aitoearn::Open");
        assert_eq!(
            rec["state"]["x-rust-type"]["parameters"][0]["$ref"],
            "#/components/schemas/RecState"
        );
        assert_eq!(rec["state"]["description"], "d");
        assert_eq!(s["RecState"]["enum"], json!(["a", "b"]));
        assert_eq!(
            rec["kind"]["x-rust-type"]["parameters"][0]["$ref"],
            "#/components/schemas/Kind"
        );
        assert_eq!(
            rec["tags"]["items"]["x-rust-type"]["parameters"][0]["$ref"],
            "#/components/schemas/RecTagsItem"
        );
        assert_eq!(rec["name"], json!({ "type": "string" }));
        // Not reachable from a response: stays strict.
        assert_eq!(s["RequestOnly"]["properties"]["mode"]["enum"], json!(["m"]));
    }
}
