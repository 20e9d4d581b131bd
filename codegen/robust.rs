//! Adaptations that keep regeneration working when the spec grows constructs progenitor 0.15
//! cannot take as written: each rewrites one *kind* of construct into an equivalent one it
//! can, so any published version of the spec builds (see `ADAPTATIONS` in `adapt.rs` and the
//! evolution test in `xtask/src/evolution.rs`).
//!
//! - [`request_media`]: request bodies progenitor only takes in one shape (one media type;
//!   `application/octet-stream` exactly `string`/`binary`; `text/plain`; no `encoding`).
//! - [`path_params`]: path parameters must be required and appear in the path template.
//! - [`param_schemas`]: `nullable` parameters, and header parameters that are not scalars.
//! - [`struct_params`]: optional parameters whose type is a struct (an object, an
//!   `anyOf` of objects, an `allOf`): progenitor's builder has no branch for them.
//!
//! How an object query parameter goes on the wire: as OpenAPI's default for query parameters
//! (`style: form, explode: true`), each of its fields is one query pair, named by the field:
//! `pagination = {page: 1, pageSize: 10}` is sent as `?page=1&pageSize=10`, fields that are
//! not set are left out (progenitor-client's `QueryParam`, then `serde_urlencoded`). A field
//! that is itself an object cannot be sent this way: such a call fails before sending with
//! `Error::InvalidRequest`.

use serde_json::{Map, Value, json};

use super::adapt::{for_each_operation, insert_component, resolve};
use super::naming;

// ---------------------------------------------------------------------------------------------
// request_media

/// The media types the SDK sends, best first: the first one an operation offers is kept.
const MEDIA_PREFERENCE: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/octet-stream",
    "text/plain",
];

/// The `application/json`-like media types (`application/json; charset=utf-8`,
/// `application/merge-patch+json`, `application/vnd.x+json`) are JSON to the SDK.
fn is_json(media: &str) -> bool {
    let base = media.split(';').next().unwrap_or(media).trim();
    base == "application/json" || (base.starts_with("application/") && base.ends_with("+json"))
}

/// The kind the SDK treats `media` as (one of [`MEDIA_PREFERENCE`]).
fn media_kind(media: &str) -> &'static str {
    let base = media.split(';').next().unwrap_or(media).trim();
    if is_json(media) || base == "*/*" {
        "application/json"
    } else if base == "application/x-www-form-urlencoded" {
        "application/x-www-form-urlencoded"
    } else if base.starts_with("multipart/") {
        "multipart/form-data"
    } else if base.starts_with("text/") {
        "text/plain"
    } else {
        // Any other binary type (`image/png`, `application/pdf`, `application/zip`).
        "application/octet-stream"
    }
}

/// One media type per request body, in a shape progenitor takes:
///
/// - several media types: the first of JSON, form, multipart, binary, text is kept (the
///   others are listed in `x-aitoearn-request-media.dropped`);
/// - `application/*+json` and parameters (`; charset=utf-8`) become `application/json`;
/// - `text/*` becomes `text/plain` with a plain `string` schema (progenitor's raw text body);
/// - binary types (`image/png`, `application/pdf`, …) become `application/octet-stream` with
///   `string`/`binary` (a raw body: bytes, a file, a stream);
/// - `multipart/form-data` is sent by the SDK as a raw body too (progenitor 0.15 has no
///   multipart encoder): `application/octet-stream`, the caller gives the encoded form
///   (`x-aitoearn-request-media.original` keeps `multipart/form-data`);
/// - a JSON or form body without schema takes any JSON value;
/// - `encoding` objects are dropped (progenitor `todo!()`s on them; the defaults apply).
pub fn request_media(spec: &mut Value) -> Result<usize, String> {
    let components = spec.get("components").cloned().unwrap_or(json!({}));
    let mut count = 0;
    for_each_operation(spec, |_, _, op| {
        // A `$ref` to `#/components/requestBodies/X`: resolved in place, so it can be adapted.
        if let Some(r) = op
            .get("requestBody")
            .and_then(|b| b.get("$ref"))
            .and_then(Value::as_str)
        {
            let body = r
                .strip_prefix("#/components/requestBodies/")
                .and_then(|n| components.pointer(&format!("/requestBodies/{n}")))
                .cloned()
                .ok_or_else(|| format!("request body `$ref` {r} points at nothing"))?;
            op.insert("requestBody".into(), body);
            count += 1;
        }
        let Some(Value::Object(body)) = op.get_mut("requestBody") else {
            return Ok(());
        };
        let Some(Value::Object(content)) = body.get("content") else {
            return Ok(());
        };
        if content.is_empty() {
            // No media type: progenitor generates no body; neither does the SDK.
            body.remove("content");
            count += 1;
            return Ok(());
        }
        let chosen = MEDIA_PREFERENCE
            .iter()
            .find_map(|kind| {
                content
                    .iter()
                    .find(|(media, _)| media_kind(media) == *kind)
                    .map(|(m, v)| (m.clone(), v.clone(), *kind))
            })
            .expect("every media type has a kind");
        let (original, mut media, kind) = chosen;
        let dropped: Vec<String> = content
            .keys()
            .filter(|m| **m != original)
            .cloned()
            .collect();
        let mut changed = !dropped.is_empty();
        let Some(media_obj) = media.as_object_mut() else {
            return Err(format!("media type `{original}` is not an object"));
        };
        if media_obj.remove("encoding").is_some() {
            changed = true;
        }
        let sent_as = match kind {
            "multipart/form-data" => "application/octet-stream",
            k => k,
        };
        match sent_as {
            "application/octet-stream" => {
                let binary = json!({ "type": "string", "format": "binary" });
                if media_obj.get("schema") != Some(&binary) {
                    let description = media_obj
                        .get("schema")
                        .and_then(|s| s.get("description"))
                        .cloned();
                    let mut schema = binary;
                    if let Some(d) = description {
                        schema["description"] = d;
                    }
                    media_obj.insert("schema".into(), schema);
                    changed = true;
                }
            }
            "text/plain" => {
                let plain = json!({ "type": "string" });
                if media_obj.get("schema") != Some(&plain) {
                    media_obj.insert("schema".into(), plain);
                    changed = true;
                }
            }
            _ => {
                if !media_obj.contains_key("schema") {
                    media_obj.insert("schema".into(), json!({}));
                    changed = true;
                }
            }
        }
        if sent_as != original {
            changed = true;
        }
        if changed {
            let mut content = Map::new();
            content.insert(sent_as.to_string(), media);
            body.insert("content".into(), Value::Object(content));
            let mut note = Map::new();
            note.insert("original".into(), json!(original));
            note.insert("sent_as".into(), json!(sent_as));
            if !dropped.is_empty() {
                note.insert("dropped".into(), json!(dropped));
            }
            op.insert("x-aitoearn-request-media".into(), Value::Object(note));
            count += 1;
        }
        Ok(())
    })?;
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// path_params

/// `{name}`s of a path template.
fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

/// Path parameters as progenitor requires them (it asserts or panics otherwise):
///
/// - a path parameter is required (OpenAPI says it MUST be): `required: true`;
/// - a path parameter the template does not name (it moved into the query, say, and the old
///   declaration stayed) becomes a query parameter, optional;
/// - a `{name}` of the template without a declared parameter gets a required string one;
/// - `$ref`s to `#/components/parameters/X` are resolved in place, so every adaptation sees
///   the parameter itself.
pub fn path_params(spec: &mut Value) -> Result<usize, String> {
    let components = spec.get("components").cloned().unwrap_or(json!({}));
    let mut count = 0;
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(0);
    };
    for (path, item) in paths.iter_mut() {
        let names = template_names(path);
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        // Path-level parameters go to each operation (an operation's own win).
        let shared: Vec<Value> = item
            .remove("parameters")
            .and_then(|p| p.as_array().cloned())
            .unwrap_or_default();
        if !shared.is_empty() {
            count += 1;
        }
        for (method, op) in item.iter_mut() {
            if !super::adapt::HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let own: Vec<Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut params: Vec<Value> = Vec::new();
            for p in own.iter().chain(shared.iter()) {
                let p = match p.get("$ref").and_then(Value::as_str) {
                    Some(r) => {
                        count += 1;
                        r.strip_prefix("#/components/parameters/")
                            .and_then(|n| components.pointer(&format!("/parameters/{n}")))
                            .cloned()
                            .ok_or_else(|| format!("parameter `$ref` {r} points at nothing"))?
                    }
                    None => p.clone(),
                };
                let key = |p: &Value| {
                    (
                        p.get("name").and_then(Value::as_str).map(str::to_owned),
                        p.get("in").and_then(Value::as_str).map(str::to_owned),
                    )
                };
                if params.iter().any(|q| key(q) == key(&p)) {
                    continue;
                }
                params.push(p);
            }
            for p in params.iter_mut() {
                let Some(m) = p.as_object_mut() else { continue };
                if m.get("in").and_then(Value::as_str) != Some("path") {
                    continue;
                }
                let name = m.get("name").and_then(Value::as_str).unwrap_or_default();
                if !names.iter().any(|n| n == name) {
                    m.insert("in".into(), json!("query"));
                    m.insert("required".into(), json!(false));
                    count += 1;
                } else if m.get("required") != Some(&Value::Bool(true)) {
                    m.insert("required".into(), json!(true));
                    count += 1;
                }
            }
            for name in &names {
                let declared = params.iter().any(|p| {
                    p.get("in").and_then(Value::as_str) == Some("path")
                        && p.get("name").and_then(Value::as_str) == Some(name)
                });
                if !declared {
                    params.push(json!({ "name": name, "in": "path", "required": true,
                        "schema": { "type": "string" } }));
                    count += 1;
                }
            }
            if params != own {
                op.insert("parameters".into(), Value::Array(params));
            }
        }
    }
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// param_schemas

fn is_scalar(schema: &Value, components: &Value) -> bool {
    let s = resolve(schema, components);
    matches!(
        s.get("type").and_then(Value::as_str),
        Some("string" | "integer" | "number" | "boolean")
    ) && !["anyOf", "oneOf", "allOf"]
        .iter()
        .any(|k| s.get(*k).is_some())
}

/// Parameter schemas progenitor mistypes:
///
/// - `nullable: true` on a query or header parameter: typify types it `Option<T>`, which
///   progenitor takes as "optional" whatever `required` says (and then reaches
///   `unreachable!()` when `T` is a struct). A parameter cannot be `null` on the wire; an
///   absent optional parameter is how "no value" is sent, so `nullable` is dropped;
/// - a header parameter whose type is not a scalar (an object, an array, a union): progenitor
///   sends headers with `to_string()`, which such types do not have; it becomes a `string`
///   (`style: simple` is the caller's to write: `a,b` or `k,v,k,v`);
/// - a parameter described with `content` instead of `schema` (progenitor refuses it) takes
///   that media type's schema (a header or an object query value, JSON-encoded by the caller,
///   becomes a `string`);
/// - a cookie parameter (progenitor refuses them) is dropped when optional; a required one
///   stays, and the generator's error names it.
pub fn param_schemas(spec: &mut Value) -> Result<usize, String> {
    let components = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(json!({}));
    let mut count = 0;
    for_each_operation(spec, |_, _, op| {
        let Some(Value::Array(params)) = op.get_mut("parameters") else {
            return Ok(());
        };
        let before = params.len();
        params.retain(|p| {
            !(p.get("in").and_then(Value::as_str) == Some("cookie")
                && p.get("required") != Some(&Value::Bool(true)))
        });
        count += before - params.len();
        for p in params.iter_mut() {
            let Some(m) = p.as_object_mut() else { continue };
            let location = m
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if !m.contains_key("schema") {
                if let Some(content) = m.remove("content") {
                    let schema = content
                        .as_object()
                        .and_then(|c| c.values().next())
                        .and_then(|media| media.get("schema"))
                        .cloned()
                        .filter(|s| is_scalar(s, &components))
                        .unwrap_or(json!({ "type": "string" }));
                    m.insert("schema".into(), schema);
                    count += 1;
                }
            }
            if location == "path" {
                continue;
            }
            if let Some(Value::Object(s)) = m.get_mut("schema") {
                if s.remove("nullable").is_some() {
                    count += 1;
                }
            }
            if location == "header" {
                let scalar = m.get("schema").is_some_and(|s| is_scalar(s, &components));
                if !scalar {
                    let description = m.get("schema").and_then(|s| s.get("description")).cloned();
                    let mut schema = json!({ "type": "string" });
                    if let Some(d) = description {
                        schema["description"] = d;
                    }
                    m.insert("schema".into(), schema);
                    count += 1;
                }
            }
        }
        Ok(())
    })?;
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// struct_params

/// Could typify make `schema` a struct (a type with a builder)? An object with properties, or
/// a union (`allOf`, `anyOf`, `oneOf`) with such a member: typify merges an `allOf` and makes an
/// `anyOf` whose members it cannot tell apart a struct of optional flattened members. Erring on
/// the side of yes costs nothing: the newtype of [`struct_params`] around an enum
/// takes the enum's values just the same (`From`), under the same names.
pub fn is_struct_like(schema: &Value, components: &Value, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    let s = resolve(schema, components);
    if s.get("enum").is_some() || s.get("x-rust-type").is_some() {
        return false;
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(members) = s.get(key).and_then(Value::as_array) {
            return members
                .iter()
                .any(|m| is_struct_like(m, components, depth + 1));
        }
    }
    let has_props = s
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    has_props && s.get("type").is_none_or(|t| t == "object")
}

/// progenitor 0.15's builder has no branch for a parameter whose type has a builder
/// (`builder_struct`: `unreachable!()` when optional, a failed `assert_eq!(name, "body")` when
/// required): an object query parameter, or one whose `anyOf` members lost their `required`
/// lists and merged into one struct. Such a parameter's schema
/// becomes a component named as typify would name it (`{Operation}{Parameter}`, unchanged
/// for the user) and the parameter's type a newtype around it (`{Operation}{Parameter}Param`,
/// which has no builder); the setter takes the struct (`From`), and it goes on the wire as
/// before: one query pair per field (see the module's docs).
pub fn struct_params(spec: &mut Value) -> Result<usize, String> {
    let components = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(json!({}));
    let mut hoists: Vec<(String, Value)> = Vec::new();
    let mut taken: std::collections::BTreeSet<String> = components
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut unique = |base: String| {
        let mut name = base.clone();
        let mut i = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}{i}");
            i += 1;
        }
        name
    };
    let mut count = 0;
    for_each_operation(spec, |_, _, op| {
        let stem = naming::type_stem(
            op.get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        let Some(Value::Array(params)) = op.get_mut("parameters") else {
            return Ok(());
        };
        for p in params.iter_mut() {
            let Some(m) = p.as_object_mut() else { continue };
            let location = m.get("in").and_then(Value::as_str).unwrap_or_default();
            if location == "path" {
                continue;
            }
            let Some(schema) = m.get("schema") else {
                continue;
            };
            if !is_struct_like(schema, &components, 0) {
                continue;
            }
            let param = m.get("name").and_then(Value::as_str).unwrap_or_default();
            let param_stem = naming::type_name(param);
            let inner_ref = match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => r.to_string(),
                None => {
                    let name = unique(format!("{stem}{param_stem}"));
                    let mut hoisted = schema.clone();
                    if let (Some(h), Some(d)) = (hoisted.as_object_mut(), m.get("description")) {
                        h.entry("description").or_insert_with(|| d.clone());
                    }
                    hoists.push((name.clone(), hoisted));
                    format!("#/components/schemas/{name}")
                }
            };
            let newtype = unique(format!("{stem}{param_stem}Param"));
            // `allOf` of one `$ref`: typify makes a newtype of it (and keeps the description).
            let mut wrapper = json!({ "allOf": [{ "$ref": inner_ref }] });
            let description = m
                .get("description")
                .and_then(Value::as_str)
                .map(|d| format!("{d}\n\n"))
                .unwrap_or_default();
            wrapper["description"] = json!(format!(
                "{description}The `{param}` {location} parameter (each field one query pair)."
            ));
            hoists.push((newtype.clone(), wrapper));
            m.insert(
                "schema".into(),
                json!({ "$ref": format!("#/components/schemas/{newtype}") }),
            );
            count += 1;
        }
        Ok(())
    })?;
    for (name, schema) in hoists {
        insert_component(spec, &name, schema)?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(extra: Value) -> Value {
        let mut op = json!({ "operationId": "ThingsController_list_v2",
            "responses": { "200": { "description": "ok" } } });
        if let (Some(o), Some(e)) = (op.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
            "paths": { "/api/v2/things/{id}": { "post": op } },
            "components": { "schemas": {
                "Page": { "type": "object", "properties": { "page": { "type": "integer" } } } } } })
    }

    fn id_param() -> Value {
        json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } })
    }

    #[test]
    fn one_media_type_per_body_in_a_shape_progenitor_takes() {
        let cases = [
            (
                json!({ "text/csv": { "schema": { "type": "string", "maxLength": 9 } },
                    "application/merge-patch+json": { "schema": { "type": "object" } } }),
                "application/json",
            ),
            (
                json!({ "multipart/form-data": { "schema": { "type": "object" },
                    "encoding": { "file": { "contentType": "image/png" } } } }),
                "application/octet-stream",
            ),
            (
                json!({ "image/png": { "schema": { "type": "string" } } }),
                "application/octet-stream",
            ),
            (
                json!({ "text/markdown": { "schema": { "type": "string", "minLength": 1 } } }),
                "text/plain",
            ),
            (
                json!({ "application/x-www-form-urlencoded": { "schema": { "type": "object" },
                    "encoding": { "a": { "style": "form" } } } }),
                "application/x-www-form-urlencoded",
            ),
        ];
        for (content, kept) in cases {
            let mut spec = op(json!({ "parameters": [id_param()],
                "requestBody": { "content": content } }));
            assert_eq!(request_media(&mut spec).unwrap(), 1, "{content}");
            let body = &spec["paths"]["/api/v2/things/{id}"]["post"]["requestBody"]["content"];
            let media = body.as_object().unwrap();
            assert_eq!(media.keys().collect::<Vec<_>>(), [kept], "{content}");
            assert!(media[kept].get("encoding").is_none());
            match kept {
                "application/octet-stream" => assert_eq!(
                    media[kept]["schema"],
                    json!({ "type": "string", "format": "binary" })
                ),
                "text/plain" => assert_eq!(media[kept]["schema"], json!({ "type": "string" })),
                _ => {}
            }
        }
        // Already fine: untouched.
        let mut spec = op(json!({ "parameters": [id_param()], "requestBody": {
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Page" } } } } }));
        let before = spec.clone();
        assert_eq!(request_media(&mut spec).unwrap(), 0);
        assert_eq!(spec, before);
    }

    #[test]
    fn path_parameters_are_made_consistent() {
        let mut spec = op(json!({ "parameters": [
            { "name": "id", "in": "path", "schema": { "type": "string" } },
            { "name": "gone", "in": "path", "required": true, "schema": { "type": "string" } }
        ] }));
        spec["paths"]["/api/v2/things/{id}/{sub}"] = spec["paths"]["/api/v2/things/{id}"].clone();
        path_params(&mut spec).unwrap();
        let params = &spec["paths"]["/api/v2/things/{id}/{sub}"]["post"]["parameters"];
        assert_eq!(params[0]["required"], true);
        assert_eq!(
            (&params[1]["in"], &params[1]["required"]),
            (&json!("query"), &json!(false))
        );
        assert_eq!(params[2]["name"], "sub");
        assert_eq!(params[2]["in"], "path");
    }

    #[test]
    fn nullable_and_non_scalar_header_parameters() {
        let mut spec = op(json!({ "parameters": [id_param(),
            { "name": "q", "in": "query", "schema": { "type": "string", "nullable": true } },
            { "name": "X-Filter", "in": "header", "schema": { "type": "object",
                "properties": { "a": { "type": "string" } } } },
            { "name": "X-Json", "in": "header", "content": { "application/json": {
                "schema": { "type": "object" } } } },
            { "name": "session", "in": "cookie", "schema": { "type": "string" } }
        ] }));
        assert_eq!(param_schemas(&mut spec).unwrap(), 4);
        let params = &spec["paths"]["/api/v2/things/{id}"]["post"]["parameters"];
        assert_eq!(params.as_array().unwrap().len(), 4);
        assert_eq!(params[1]["schema"], json!({ "type": "string" }));
        assert_eq!(params[2]["schema"], json!({ "type": "string" }));
        assert_eq!(params[3]["schema"], json!({ "type": "string" }));
    }

    #[test]
    fn struct_like_schemas() {
        let c = json!({ "Page": { "type": "object", "properties": { "p": {} } },
            "E": { "type": "string", "enum": ["a"] } });
        let yes = [
            json!({ "$ref": "#/components/schemas/Page" }),
            json!({ "properties": { "a": {} } }),
            json!({ "anyOf": [{ "$ref": "#/components/schemas/Page" }, { "type": "object",
                "properties": { "c": {} } }] }),
            json!({ "allOf": [{ "$ref": "#/components/schemas/Page" }, { "properties": { "x": {} } }] }),
            json!({ "oneOf": [{ "$ref": "#/components/schemas/Page" }] }),
            json!({ "oneOf": [{ "$ref": "#/components/schemas/Page" }, { "type": "object",
                "properties": { "c": {} } }] }),
        ];
        let no = [
            json!({ "type": "string" }),
            json!({ "$ref": "#/components/schemas/E" }),
            json!({ "type": "object" }),
            json!({ "type": "array", "items": { "$ref": "#/components/schemas/Page" } }),
            json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }] }),
        ];
        for s in yes {
            assert!(is_struct_like(&s, &c, 0), "{s}");
        }
        for s in no {
            assert!(!is_struct_like(&s, &c, 0), "{s}");
        }
    }

    #[test]
    fn struct_parameters_get_a_newtype() {
        let mut spec = op(
            json!({ "operationId": "things_list", "parameters": [id_param(),
            { "name": "pagination", "in": "query", "description": "Paging.",
              "schema": { "type": "object", "properties": { "page": { "type": "integer" } } } },
            { "name": "page", "in": "query", "schema": { "$ref": "#/components/schemas/Page" } },
            { "name": "must", "in": "query", "required": true,
              "schema": { "$ref": "#/components/schemas/Page" } }
        ] }),
        );
        assert_eq!(struct_params(&mut spec).unwrap(), 3);
        let s = &spec["components"]["schemas"];
        let params = &spec["paths"]["/api/v2/things/{id}"]["post"]["parameters"];
        assert_eq!(
            params[1]["schema"]["$ref"],
            "#/components/schemas/ThingsListPaginationParam"
        );
        assert_eq!(
            s["ThingsListPaginationParam"]["allOf"][0]["$ref"],
            "#/components/schemas/ThingsListPagination"
        );
        assert_eq!(
            s["ThingsListPagination"]["properties"]["page"]["type"],
            "integer"
        );
        assert_eq!(s["ThingsListPagination"]["description"], "Paging.");
        assert_eq!(
            s["ThingsListPageParam"]["allOf"][0]["$ref"],
            "#/components/schemas/Page"
        );
        // Required too (progenitor asserts it is the body).
        assert_eq!(
            params[3]["schema"]["$ref"],
            "#/components/schemas/ThingsListMustParam"
        );
    }
}
