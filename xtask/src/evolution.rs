//! Evolution run: the vendored spec transformed the way published specs change, systematically
//! (every `required` list dropped, then added; every enum dropped, then added; every component
//! `$ref` inlined, and inline schemas made components; every request body optional; `nullable`
//! everywhere; bodies composed with `allOf`; query parameters moved into the path; unused
//! components removed, and a used one), plus synthetic operations with each construct a spec
//! grows into (see [`synthetic_operations`]). Each spec goes through the whole generator and
//! must generate, or fail with the generator's clear error; none may panic. A sample is also
//! compiled (the crate checked against it in a scratch copy, `check_spec::cargo_check`).
//!
//! Cost here (2 cores): generating all of them takes about half a minute unoptimised
//! (progenitor dominates); compiling one takes one to two minutes with a warm target directory
//! (build.rs and a `cargo check` of the crate and examples), and the first variant's raw-body
//! test (`xtask/scratch-tests/raw_bodies.rs`, a debug build of the crate) about one more, so
//! CI compiles one
//! (`cargo xtask check-spec --mutate --compile 1`) and the full run
//! (`--compile all`, every spec) would cost about half an hour.

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::codegen;
use crate::util::SPEC;

fn walk(v: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    match v {
        Value::Object(m) => {
            f(m);
            m.values_mut().for_each(|c| walk(c, f));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| walk(c, f)),
        _ => {}
    }
}

/// Only where schemas live: components and operations (not `x-…` extensions or examples).
fn walk_schemas(spec: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    if let Some(s) = spec.pointer_mut("/components/schemas") {
        walk(s, f);
    }
    if let Some(p) = spec.get_mut("paths") {
        walk(p, f);
    }
}

/// Schema-level `required` lists (not parameters' and bodies' `required: true`).
fn drop_required(spec: &mut Value) {
    walk_schemas(spec, &mut |m| {
        if m.get("required").is_some_and(Value::is_array) {
            m.remove("required");
        }
    });
}

/// Every object's properties all required.
fn require_all(spec: &mut Value) {
    walk_schemas(spec, &mut |m| {
        if let Some(Value::Object(props)) = m.get("properties") {
            let all: Vec<Value> = props.keys().map(|k| json!(k)).collect();
            if !all.is_empty() {
                m.insert("required".into(), Value::Array(all));
            }
        }
    });
}

fn drop_enums(spec: &mut Value) {
    walk_schemas(spec, &mut |m| {
        if m.get("enum").is_some_and(Value::is_array) {
            m.remove("enum");
        }
    });
}

/// Every string schema with a string `example` or `default` becomes an enum of that value.
fn add_enums(spec: &mut Value) {
    walk_schemas(spec, &mut |m| {
        if m.get("type").and_then(Value::as_str) != Some("string") || m.contains_key("enum") {
            return;
        }
        let value = m
            .get("example")
            .or_else(|| m.get("default"))
            .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
            .cloned();
        if let Some(v) = value {
            m.remove("format");
            m.remove("pattern");
            m.insert("enum".into(), json!([v]));
        }
    });
}

/// Every `$ref` to a component replaced by the component itself, once (refs inside the inlined
/// copies stay refs, so recursive schemas stay finite).
fn inline_refs(spec: &mut Value) {
    let components = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(Value::Null);
    let Some(paths) = spec.get_mut("paths") else {
        return;
    };
    walk(paths, &mut |m| {
        let target = m
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .filter(|n| !n.contains('/'))
            .and_then(|n| components.get(n))
            .and_then(Value::as_object)
            .cloned();
        if let Some(schema) = target {
            m.remove("$ref");
            m.extend(schema);
        }
    });
}

/// The other way: every inline object schema of a request body or a response becomes a
/// component (`Evolved1`, …) and a `$ref` to it.
fn hoist_inline(spec: &mut Value) {
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    let _ = codegen::adapt::for_each_operation(spec, |_, _, op| {
        let mut bodies: Vec<&mut Value> = Vec::new();
        for (key, c) in op.iter_mut() {
            match key.as_str() {
                "requestBody" => {
                    if let Some(Value::Object(c)) = c.get_mut("content") {
                        bodies.extend(c.values_mut().filter_map(|m| m.get_mut("schema")));
                    }
                }
                "responses" => {
                    for r in c.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                        if let Some(Value::Object(c)) = r.get_mut("content") {
                            bodies.extend(c.values_mut().filter_map(|m| m.get_mut("schema")));
                        }
                    }
                }
                _ => {}
            }
        }
        for schema in bodies {
            if schema.get("properties").is_some() && schema.get("$ref").is_none() {
                let name = format!("Evolved{}", hoisted.len() + 1);
                let inline = std::mem::replace(
                    schema,
                    json!({ "$ref": format!("#/components/schemas/{name}") }),
                );
                hoisted.push((name, inline));
            }
        }
        Ok(())
    });
    for (name, schema) in hoisted {
        let _ = codegen::adapt::insert_component(spec, &name, schema);
    }
}

fn bodies_optional(spec: &mut Value) {
    let _ = codegen::adapt::for_each_operation(spec, |_, _, op| {
        if let Some(Value::Object(b)) = op.get_mut("requestBody") {
            b.remove("required");
        }
        Ok(())
    });
}

/// Every property, parameter and component schema `nullable`.
fn nullable_everywhere(spec: &mut Value) {
    walk_schemas(spec, &mut |m| {
        if let Some(Value::Object(props)) = m.get_mut("properties") {
            for p in props.values_mut() {
                if let Some(p) = p.as_object_mut() {
                    if !p.contains_key("$ref") {
                        p.insert("nullable".into(), json!(true));
                    }
                }
            }
        }
        if m.contains_key("in") {
            if let Some(Value::Object(s)) = m.get_mut("schema") {
                if !s.contains_key("$ref") {
                    s.insert("nullable".into(), json!(true));
                }
            }
        }
    });
}

/// Every JSON request body `allOf` its old schema and an object with one more field.
fn compose_bodies(spec: &mut Value) {
    let _ = codegen::adapt::for_each_operation(spec, |_, _, op| {
        if let Some(Value::Object(c)) = op.get_mut("requestBody").and_then(|b| b.get_mut("content"))
        {
            if let Some(schema) = c
                .get_mut("application/json")
                .and_then(|m| m.get_mut("schema"))
            {
                let old = schema.take();
                *schema = json!({ "allOf": [old, { "type": "object",
                    "properties": { "evolutionNote": { "type": "string" } } }] });
            }
        }
        Ok(())
    });
}

/// In path items with one operation, its first required scalar query parameter moves into the
/// path (`/x` → `/x/{name}`); and the first path parameter of the others becomes a query one
/// whose declaration stays `in: path` (a spec caught mid-move).
fn move_parameters(spec: &mut Value) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let old = std::mem::take(paths);
    for (path, mut item) in old {
        let mut new_path = path.clone();
        let ops: Vec<String> = item
            .as_object()
            .map(|m| {
                m.keys()
                    .filter(|k| codegen::adapt::HTTP_METHODS.contains(&k.as_str()))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if ops.len() == 1 {
            let op = &mut item[&ops[0]];
            if let Some(Value::Array(params)) = op.get_mut("parameters") {
                let found = params.iter_mut().find(|p| {
                    p.get("in") == Some(&json!("query"))
                        && p.get("required") == Some(&json!(true))
                        && p.pointer("/schema/type") == Some(&json!("string"))
                });
                if let Some(p) = found {
                    p["in"] = json!("path");
                    let name = p["name"].as_str().unwrap_or_default().to_string();
                    new_path = format!("{path}/{{{name}}}");
                }
            }
        } else if path.contains('{') {
            // Drop the first `{name}` from the template, keep its declaration.
            if let (Some(start), Some(end)) = (path.find('{'), path.find('}')) {
                new_path = format!("{}{}", &path[..start], &path[end + 1..]).replace("//", "/");
            }
        }
        if paths.contains_key(&new_path) {
            new_path = path;
        }
        paths.insert(new_path, item);
    }
}

/// Component schemas nothing refers to.
fn remove_unused_components(spec: &mut Value) {
    let text = spec.to_string();
    let Some(Value::Object(schemas)) = spec.pointer_mut("/components/schemas") else {
        return;
    };
    schemas.retain(|name, _| {
        text.contains(&format!("\"#/components/schemas/{name}\""))
            || text.contains(&format!("\"#/components/schemas/{name}/"))
    });
}

/// One component a `$ref` points at is removed: the generator must say which `$ref` dangles.
fn remove_a_used_component(spec: &mut Value) {
    let text = spec.to_string();
    let Some(Value::Object(schemas)) = spec.pointer_mut("/components/schemas") else {
        return;
    };
    let used = schemas
        .keys()
        .find(|n| text.contains(&format!("\"#/components/schemas/{n}\"")))
        .cloned();
    if let Some(n) = used {
        schemas.remove(&n);
    }
}

/// The response every synthetic operation answers with, unless it says otherwise.
fn envelope(data: Value) -> Value {
    json!({ "200": { "description": "ok", "content": { "application/json": { "schema": {
        "type": "object", "properties": { "code": { "type": "integer" },
        "message": { "type": "string" }, "data": data } } } } } })
}

fn object(props: Value) -> Value {
    json!({ "type": "object", "properties": props })
}

/// Operations with each construct a spec grows into, added under `/api/evolution/…`: optional
/// parameters of object / `anyOf` / `oneOf` / `allOf` type (query and header), nullable
/// parameters, optional and absent-`required` bodies, bodies in every media type the SDK may
/// meet (form, multipart, binary, text, several at once, with `encoding`), responses with no
/// content (204), binary, `text/*`, several 2xx, `allOf` and `nullable` in answers, path
/// parameters declared inconsistently, `$ref`s to shared parameters and request bodies.
pub fn synthetic_operations() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let mut ops = typed_operations();
    ops.extend(raw_body_operations());
    ops
}

/// The operations whose request body the SDK sends raw (multipart, binary, text): the request
/// builder holds the bytes (`bytes::Bytes`) or the text and hands progenitor's positional
/// method a fresh body per attempt, so they compile like the others.
pub fn raw_body_operations() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let ok = envelope(json!({ "$ref": "#/components/schemas/EvolutionThing" }));
    vec![
        (
            "post",
            "/api/evolution/multipart",
            "EvolutionController_multipart",
            json!({ "requestBody": { "required": true, "content": { "multipart/form-data": {
                "schema": object(json!({ "file": { "type": "string", "format": "binary" } })),
                "encoding": { "file": { "contentType": "image/png" } } } } }, "responses": ok }),
        ),
        (
            "put",
            "/api/evolution/binary",
            "EvolutionController_binary",
            json!({ "requestBody": { "required": true, "content": { "image/png": {
                "schema": { "type": "string", "format": "binary", "maxLength": 1000 } } } },
                "responses": { "204": { "description": "no content" } } }),
        ),
        (
            "post",
            "/api/evolution/text",
            "EvolutionController_text",
            json!({ "requestBody": { "required": true, "content": { "text/markdown": {
                "schema": { "type": "string", "minLength": 1 } } } },
                "responses": { "200": { "description": "csv", "content": { "text/csv": {
                    "schema": { "type": "string" } } } } } }),
        ),
    ]
    .into_iter()
    .map(|(m, p, id, mut op)| {
        op["operationId"] = json!(id);
        (m, p, id, op)
    })
    .collect()
}

/// The operations with typed (JSON or form) bodies or none.
pub fn typed_operations() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let page = object(json!({ "page": { "type": "integer" }, "pageSize": { "type": "integer" } }));
    let cursor = object(json!({ "cursor": { "type": "string" }, "limit": { "type": "integer" } }));
    let thing = json!({ "$ref": "#/components/schemas/EvolutionThing" });
    let ok = envelope(thing.clone());
    let q = |name: &str, schema: Value| json!({ "name": name, "in": "query", "schema": schema });
    vec![
        ("get", "/api/evolution/object-query", "EvolutionController_objectQuery",
            json!({ "parameters": [q("pagination", page.clone())], "responses": ok })),
        ("get", "/api/evolution/any-of-query", "EvolutionController_anyOfQuery",
            json!({ "parameters": [q("pagination", json!({ "anyOf": [page.clone(), cursor.clone()] }))],
                "responses": ok })),
        ("get", "/api/evolution/one-of-query", "EvolutionController_oneOfQuery",
            json!({ "parameters": [q("pagination", json!({ "oneOf": [page.clone(), cursor.clone()] }))],
                "responses": ok })),
        ("get", "/api/evolution/all-of-query", "EvolutionController_allOfQuery",
            json!({ "parameters": [q("filter", json!({ "allOf": [page.clone(),
                object(json!({ "q": { "type": "string" } }))] }))], "responses": ok })),
        ("get", "/api/evolution/ref-query", "EvolutionController_refQuery",
            json!({ "parameters": [q("thing", thing.clone()),
                { "name": "nullable", "in": "query", "schema": { "type": "string", "nullable": true } },
                { "name": "nullablePage", "in": "query", "required": true,
                  "schema": { "type": "object", "nullable": true, "properties": { "p": { "type": "integer" } } } },
                { "name": "X-Filter", "in": "header", "schema": page.clone() },
                { "name": "X-Json", "in": "header", "content": { "application/json": { "schema": cursor.clone() } } },
                { "name": "session", "in": "cookie", "schema": { "type": "string" } },
                { "$ref": "#/components/parameters/EvolutionLimit" }],
                "responses": ok })),
        ("post", "/api/evolution/optional-body", "EvolutionController_optionalBody",
            json!({ "requestBody": { "content": { "application/json": { "schema": thing.clone() } } },
                "responses": ok })),
        ("post", "/api/evolution/optional-enum-body", "EvolutionController_optionalEnumBody",
            json!({ "requestBody": { "required": false, "content": { "application/json": {
                "schema": { "oneOf": [page.clone(), cursor.clone()] } } } }, "responses": ok })),
        ("post", "/api/evolution/form", "EvolutionController_form",
            json!({ "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": {
                "schema": object(json!({ "name": { "type": "string" } })),
                "encoding": { "name": { "style": "form" } } } } }, "responses": ok })),
        ("post", "/api/evolution/several-media", "EvolutionController_severalMedia",
            json!({ "requestBody": { "$ref": "#/components/requestBodies/EvolutionBody" },
                "responses": ok })),
        ("get", "/api/evolution/download", "EvolutionController_download",
            json!({ "responses": { "200": { "description": "file", "content": {
                "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } } } })),
        ("post", "/api/evolution/several-2xx", "EvolutionController_several2xx",
            json!({ "responses": { "201": { "description": "created", "content": { "application/json": {
                    "schema": { "type": "object", "properties": { "code": { "type": "integer" },
                        "message": { "type": "string" }, "data": thing.clone() } } } } },
                "202": { "description": "accepted" }, "204": { "description": "none" } } })),
        ("get", "/api/evolution/composed", "EvolutionController_composed",
            json!({ "responses": envelope(json!({ "allOf": [thing.clone(),
                object(json!({ "extra": { "type": "string", "nullable": true },
                    "when": { "type": "string", "format": "date-time", "nullable": true } }))] })) })),
        ("get", "/api/evolution/items/{id}", "EvolutionController_item",
            json!({ "parameters": [{ "name": "id", "in": "path", "schema": { "type": "string" } },
                { "name": "stale", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": ok })),
    ]
    .into_iter()
    .map(|(m, p, id, mut op)| {
        op["operationId"] = json!(id);
        (m, p, id, op)
    })
    .collect()
}

/// The spec with [`synthetic_operations`] and the components they use.
fn add_synthetic(spec: &mut Value) {
    add_operations(spec, synthetic_operations());
}

/// The spec with `ops` and the components the synthetic operations use.
fn add_operations(spec: &mut Value, ops: Vec<(&'static str, &'static str, &'static str, Value)>) {
    for (method, path, _, op) in ops {
        spec["paths"][path][method] = op;
    }
    let _ = codegen::adapt::insert_component(
        spec,
        "EvolutionThing",
        json!({ "type": "object", "required": ["id"], "properties": {
            "id": { "type": "string" }, "state": { "type": "string", "enum": ["a", "b"] },
            "note": { "type": "string", "nullable": true } } }),
    );
    let components = spec["components"].as_object_mut();
    if let Some(c) = components {
        c.insert(
            "parameters".into(),
            json!({ "EvolutionLimit": { "name": "limit", "in": "query",
                "schema": { "type": "integer", "minimum": 1 } } }),
        );
        c.insert(
            "requestBodies".into(),
            json!({ "EvolutionBody": { "content": {
                "text/plain": { "schema": { "type": "string" } },
                "application/json": { "schema": { "$ref": "#/components/schemas/EvolutionThing" } },
                "application/xml": { "schema": { "type": "string" } } } } }),
        );
    }
}

type Mutation = fn(&mut Value);

/// What a variant must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Generate, and the crate (flows, examples) compile against it: the API the hand-written
    /// code uses is unchanged.
    Compiles,
    /// Generate. Compiling may fail where the API itself changed (a field now optional, a
    /// type renamed): that is what `diff-spec` reports, not a generator failure.
    Generates,
    /// Fail with the generator's clear error.
    FailsCleanly,
}

/// Every variant: (name, mutation, what it must do).
pub fn mutations() -> Vec<(&'static str, Mutation, Expect)> {
    use Expect::*;
    let all: Mutation = |s| {
        add_synthetic(s);
        drop_required(s);
        drop_enums(s);
        inline_refs(s);
        bodies_optional(s);
        nullable_everywhere(s);
    };
    vec![
        // Compiled by CI (`check-spec --mutate --limit 1 --compile 1`): every construct,
        // raw bodies included.
        (
            "synthetic operations with each construct",
            add_synthetic,
            Compiles,
        ),
        (
            "all of them together, with the synthetic operations",
            all,
            Generates,
        ),
        ("every required list dropped", drop_required, Generates),
        ("every object's properties required", require_all, Generates),
        ("every enum dropped", drop_enums, Generates),
        (
            "enums added (string examples become enums)",
            add_enums,
            Generates,
        ),
        ("every component $ref inlined", inline_refs, Generates),
        (
            "inline body and answer schemas become components",
            hoist_inline,
            Generates,
        ),
        ("every body optional", bodies_optional, Generates),
        ("nullable everywhere", nullable_everywhere, Generates),
        ("JSON bodies composed with allOf", compose_bodies, Generates),
        (
            "parameters moved between query and path",
            move_parameters,
            Generates,
        ),
        (
            "unused components removed",
            remove_unused_components,
            Compiles,
        ),
        (
            "a used component removed",
            remove_a_used_component,
            FailsCleanly,
        ),
    ]
}

/// What an evolution run found.
#[derive(Debug, Default)]
pub struct Summary {
    pub specs: usize,
    pub generated: usize,
    pub compiled: usize,
    pub failed_cleanly: usize,
    /// Expected to compile and did not, or expected to generate and failed.
    pub failed_compile: usize,
    /// Compiled and failed where the API itself changed (expected).
    pub not_compiled: usize,
    pub panicked: usize,
    pub elapsed: Duration,
    pub lines: Vec<String>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        write!(
            f,
            "evolution: {} specs: {} generated, {} compiled, {} failed cleanly, {} failed where \
             they should not, {} did not compile where the API changed, {} panicked, in {:.0} s",
            self.specs,
            self.generated,
            self.compiled,
            self.failed_cleanly,
            self.failed_compile,
            self.not_compiled,
            self.panicked,
            self.elapsed.as_secs_f64()
        )
    }
}

/// A clear error names what to do.
fn actionable(e: &str) -> bool {
    e.contains("what to do") || e.contains("overlay") || e.contains("adaptation")
}

/// Generates the first `limit` variants of the vendored spec under `root`; compiles the first
/// `compile` that generate (each bounded by `timeout`).
pub fn run(
    root: &Path,
    limit: usize,
    compile: usize,
    timeout: Duration,
) -> Result<Summary, String> {
    let text = std::fs::read_to_string(root.join(SPEC)).map_err(|e| format!("{SPEC}: {e}"))?;
    // The effective spec (overlays applied) is transformed: an overlay whose target a change
    // moves fails with its own clear error, which `refresh-spec` reports; here the generator
    // is under test.
    let overlays = crate::util::overlays(root)?;
    let (_, base, _) = codegen::effective(&text, &overlays)?;
    let started = Instant::now();
    let mut s = Summary::default();
    for (name, mutate, expect) in mutations().into_iter().take(limit) {
        let must_generate = expect != Expect::FailsCleanly;
        let mut spec = base.clone();
        mutate(&mut spec);
        if spec == base {
            return Err(format!("`{name}` changes nothing in the vendored spec"));
        }
        s.specs += 1;
        let spec_text = spec.to_string();
        let t = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            codegen::generate_full(&spec_text, None, &[], codegen::Options::default())
        }));
        let took = t.elapsed().as_secs_f64();
        match outcome {
            Ok(Ok(out)) => {
                s.generated += 1;
                let mut line = format!(
                    "{name}: generated ({} operations, {took:.1} s)",
                    out.operations.len()
                );
                if !must_generate {
                    line.push_str(" — expected a clear error");
                    s.failed_compile += 1;
                }
                let attempted = s.compiled + s.failed_compile + s.not_compiled;
                if attempted < compile && must_generate {
                    let scratch = crate::check_spec::Scratch::new(root, &spec_text, None)?;
                    match crate::check_spec::cargo_check(root, &scratch, timeout) {
                        Ok(d) => {
                            s.compiled += 1;
                            line.push_str(&format!("; compiled ({:.0} s)", d.as_secs_f64()));
                            // Where the raw-body operations are, their bodies are sent for real.
                            if spec.pointer("/paths/~1api~1evolution~1binary").is_some() {
                                match crate::check_spec::raw_bodies_test(root, &scratch, timeout) {
                                    Ok(d) => line.push_str(&format!(
                                        "; raw bodies reach a local server byte for byte ({:.0} s)",
                                        d.as_secs_f64()
                                    )),
                                    Err(e) => {
                                        s.failed_compile += 1;
                                        line.push_str(&format!("; RAW-BODY TEST FAILED: {e}"));
                                    }
                                }
                            }
                        }
                        Err(e) if expect == Expect::Compiles => {
                            s.failed_compile += 1;
                            line.push_str(&format!("; DOES NOT COMPILE: {e}"));
                        }
                        Err(e) => {
                            s.not_compiled += 1;
                            let first = e.lines().nth(2).unwrap_or_default();
                            line.push_str(&format!(
                                "; does not compile (allowed for this variant: the API \
                                 changed): {first}"
                            ));
                        }
                    }
                }
                s.lines.push(line);
            }
            Ok(Err(e)) => {
                s.failed_cleanly += 1;
                let first = e.lines().next().unwrap_or("").to_string();
                if must_generate || !actionable(&e) {
                    // A failure where none is expected, or one that says nothing actionable,
                    // is as bad as a panic for whoever regenerates.
                    s.panicked += usize::from(!actionable(&e));
                    s.failed_compile += usize::from(must_generate && actionable(&e));
                    s.lines
                        .push(format!("{name}: FAILED where it should generate: {e}"));
                } else {
                    s.lines.push(format!("{name}: failed cleanly: {first}"));
                }
            }
            Err(_) => {
                s.panicked += 1;
                s.lines.push(format!("{name}: PANICKED"));
            }
        }
    }
    s.elapsed = started.elapsed();
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::workspace_root;

    /// Every variant generates (the dangling `$ref` one fails with an error that names it);
    /// nothing panics. Compiling is `cargo xtask check-spec --mutate --compile N` (nested
    /// cargo cannot share this test's target directory).
    #[test]
    fn every_kind_of_change_generates_or_fails_clearly() {
        let s = run(&workspace_root(), usize::MAX, 0, Duration::ZERO).unwrap();
        eprintln!("{s}");
        assert_eq!(s.panicked, 0, "{s}");
        assert_eq!(s.failed_compile, 0, "{s}");
        assert_eq!(s.specs, mutations().len());
        assert_eq!(s.generated, s.specs - 1, "{s}");
        assert_eq!(s.failed_cleanly, 1, "{s}");
    }

    /// Each synthetic operation on its own: generated, and present in the SDK's operations.
    #[test]
    fn each_synthetic_operation_generates() {
        let text = std::fs::read_to_string(workspace_root().join(SPEC)).unwrap();
        let mut spec: Value = serde_json::from_str(&text).unwrap();
        spec["paths"] = json!({});
        add_synthetic(&mut spec);
        let out = codegen::generate(&spec.to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.operations.len(), synthetic_operations().len());
        // The optional object / anyOf / allOf query parameters took a newtype.
        for ty in [
            "EvolutionObjectQueryPaginationParam",
            "EvolutionAnyOfQueryPaginationParam",
            "EvolutionAllOfQueryFilterParam",
        ] {
            assert!(
                out.client.contains(&format!("pub struct {ty}(pub ")),
                "{ty}"
            );
        }
        // Bodies as the SDK sends them.
        let media = |path: &str, method: &str| {
            out.adapted
                .pointer(&format!(
                    "/paths/{}/{method}/requestBody/content",
                    path.replace('/', "~1")
                ))
                .and_then(Value::as_object)
                .map(|c| c.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        };
        assert_eq!(
            media("/api/evolution/multipart", "post"),
            ["application/octet-stream"]
        );
        assert_eq!(
            media("/api/evolution/binary", "put"),
            ["application/octet-stream"]
        );
        assert_eq!(media("/api/evolution/text", "post"), ["text/plain"]);
        assert_eq!(
            media("/api/evolution/several-media", "post"),
            ["application/json"]
        );
        assert_eq!(
            media("/api/evolution/form", "post"),
            ["application/x-www-form-urlencoded"]
        );
        let kind = |name: &str| {
            out.operations
                .iter()
                .find(|o| o.name == name)
                .map(|o| o.answer.kind())
                .unwrap_or_default()
        };
        assert_eq!(kind("evolution_binary"), "empty");
        assert_eq!(kind("evolution_several2xx"), "envelope");
    }

    #[test]
    fn a_dangling_ref_is_named() {
        let text = std::fs::read_to_string(workspace_root().join(SPEC)).unwrap();
        let mut spec: Value = serde_json::from_str(&text).unwrap();
        remove_a_used_component(&mut spec);
        let e = match codegen::generate(&spec.to_string()) {
            Ok(_) => panic!("a dangling $ref generates"),
            Err(e) => e,
        };
        assert!(e.contains("point at nothing"), "{e}");
        assert!(e.contains("`$ref` `#/components/schemas/"), "{e}");
        assert!(e.contains("what to do"), "{e}");
    }
}
