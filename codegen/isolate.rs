//! Every call into the backend (progenitor/typify), isolated: a panic or an error becomes an error message that
//! names the operation (method, path, operationId), the JSON pointer of the construct the
//! generator cannot take, and what to do about it.
//!
//! On failure the spec is bisected: the operations are generated in halves until the failing
//! ones are found, then each failing operation is retried without each of its parameters and
//! without its request body, to point at the construct.

use proc_macro2::TokenStream;
use serde_json::Value;

use super::refs::escape;
use super::spec_walk::HTTP_METHODS;

/// The code generator the adapted spec is handed to: progenitor, in the SDK's
/// `build/progenitor.rs`. Passed in rather than depended on, so this crate builds beside
/// progenitor instead of after it.
pub trait Backend {
    /// Its name, for messages (`progenitor panicked: …`).
    fn name(&self) -> &str;
    /// One run over the spec: the client and models. May panic; [`generate`] catches it.
    fn generate(&self, spec: &Value) -> Result<TokenStream, Refusal>;
}

/// Why a backend gave no code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It cannot read the spec at all: the spec's fault, not an operation's, so it is reported
    /// as is rather than bisected.
    Unreadable(String),
    /// It read the spec and refused a construct.
    Rejected(String),
}

/// Runs the backend on the adapted spec; never panics.
pub fn generate(spec: &Value, backend: &dyn Backend) -> Result<TokenStream, String> {
    dangling_refs(spec)?;
    match run(spec, backend) {
        Ok(tokens) => Ok(tokens),
        Err(Failure::Refused(Refusal::Unreadable(e))) => Err(e),
        Err(failure) => Err(explain(spec, backend, &failure.message(backend))),
    }
}

/// How one backend run failed.
enum Failure {
    Refused(Refusal),
    Panicked(String),
}

impl Failure {
    fn message(&self, backend: &dyn Backend) -> String {
        match self {
            Self::Refused(Refusal::Unreadable(e)) => e.clone(),
            Self::Refused(Refusal::Rejected(e)) => format!("{} rejects it: {e}", backend.name()),
            Self::Panicked(p) => format!("{} panicked: {p}", backend.name()),
        }
    }
}

/// One backend run, panics caught (and kept off stderr).
fn run(spec: &Value, backend: &dyn Backend) -> Result<TokenStream, Failure> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| backend.generate(spec)));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(refusal)) => Err(Failure::Refused(refusal)),
        Err(p) => Err(Failure::Panicked(panic_text(&*p))),
    }
}

/// [`run`], its failure as a message (the bisection's trials).
fn attempt(spec: &Value, backend: &dyn Backend) -> Result<TokenStream, String> {
    run(spec, backend).map_err(|f| f.message(backend))
}

/// Every local `$ref` that points at nothing (a component removed or renamed), by where it is:
/// typify would panic on the first one.
fn dangling_refs(spec: &Value) -> Result<(), String> {
    fn walk(spec: &Value, v: &Value, at: &mut Vec<String>, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    let target = r.strip_prefix('#').map(|p| spec.pointer(p));
                    if matches!(target, Some(None)) {
                        out.push(format!("`$ref` `{r}` at `#/{}`", at.join("/")));
                    }
                }
                for (k, c) in m {
                    at.push(escape(k));
                    walk(spec, c, at, out);
                    at.pop();
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    at.push(i.to_string());
                    walk(spec, c, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(spec, spec, &mut Vec::new(), &mut out);
    if out.is_empty() {
        return Ok(());
    }
    let n = out.len();
    let more = if n > 5 {
        format!("\n  … and {} more", out.len() - 5)
    } else {
        String::new()
    };
    out.truncate(5);
    Err(format!(
        "{} `$ref`s point at nothing (a component removed or renamed):\n  {}{more}\n  \
         what to do: an overlay (openapi/overlays/) that restores the component or points the \
         `$ref`s at its new name; fix it upstream",
        n,
        out.join("\n  ")
    ))
}

pub(crate) fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// (path, method) of every operation.
fn operations(spec: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in item.as_object().into_iter().flat_map(|m| m.keys()) {
                if HTTP_METHODS.contains(&method.as_str()) {
                    out.push((path.clone(), method.clone()));
                }
            }
        }
    }
    out
}

/// `spec` with only the operations `keep`.
fn only(spec: &Value, keep: &[(String, String)]) -> Value {
    let mut out = spec.clone();
    let mut paths = serde_json::Map::new();
    for (path, method) in keep {
        if let Some(op) = spec.pointer(&format!("/paths/{}/{method}", escape(path))) {
            let item = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(item) = item.as_object_mut() {
                item.insert(method.clone(), op.clone());
            }
        }
    }
    out["paths"] = Value::Object(paths);
    out
}

/// The operations that fail on their own (bisection).
fn culprits(
    spec: &Value,
    backend: &dyn Backend,
    ops: &[(String, String)],
    out: &mut Vec<((String, String), String)>,
) {
    if ops.is_empty() {
        return;
    }
    let Err(e) = attempt(&only(spec, ops), backend) else {
        return;
    };
    if ops.len() == 1 {
        out.push((ops[0].clone(), e));
        return;
    }
    let (a, b) = ops.split_at(ops.len() / 2);
    let before = out.len();
    culprits(spec, backend, a, out);
    culprits(spec, backend, b, out);
    if out.len() == before {
        // Only the combination fails: report it as a whole.
        out.push((
            ops[0].clone(),
            format!("{e} (only together with other operations)"),
        ));
    }
}

fn explain(spec: &Value, backend: &dyn Backend, failure: &str) -> String {
    // Components alone?
    if let Err(e) = attempt(&only(spec, &[]), backend) {
        return format!(
            "{failure}\n  the component schemas alone fail ({e}), so no operation is to blame; \
             find the schema by removing components, then add an adaptation (codegen/) that \
             rewrites that kind of schema, or an overlay (openapi/overlays/) that fixes it"
        );
    }
    let mut found = Vec::new();
    culprits(spec, backend, &operations(spec), &mut found);
    if found.is_empty() {
        return format!("{failure}\n  (no single operation fails on its own)");
    }
    let mut msg = failure.to_string();
    for ((path, method), e) in found.iter().take(5) {
        let pointer = format!("/paths/{}/{method}", escape(path));
        let op = spec.pointer(&pointer).cloned().unwrap_or(Value::Null);
        let id = op
            .get("x-aitoearn-operation-id")
            .or_else(|| op.get("operationId"))
            .and_then(Value::as_str)
            .unwrap_or("(none)");
        let (construct, what) = construct(spec, backend, path, method, &op);
        msg.push_str(&format!(
            "\n  operation `{} {path}` (operationId `{id}`) cannot be generated: {e}\
             \n    construct: {construct}\
             \n    what the generator cannot take: {what}\
             \n    what to do: add a named adaptation in codegen/ for this kind of construct \
             (see `ADAPTATIONS` in codegen/adapt.rs), or an overlay in openapi/overlays/ that \
             reshapes it",
            method.to_uppercase()
        ));
    }
    if found.len() > 5 {
        msg.push_str(&format!("\n  … and {} more operations", found.len() - 5));
    }
    msg
}

/// Which parameter or body of the failing operation is to blame: (JSON pointer, description).
fn construct(
    spec: &Value,
    backend: &dyn Backend,
    path: &str,
    method: &str,
    op: &Value,
) -> (String, String) {
    let pointer = format!("#/paths/{}/{method}", escape(path));
    let keep = [(path.to_string(), method.to_string())];
    let single = only(spec, &keep);
    let op_pointer = format!("/paths/{}/{method}", escape(path));
    let params = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, p) in params.iter().enumerate() {
        let mut trial = single.clone();
        if let Some(Value::Array(ps)) = trial
            .pointer_mut(&op_pointer)
            .and_then(|o| o.get_mut("parameters"))
        {
            ps.remove(i);
        }
        if attempt(&trial, backend).is_ok() {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
            let location = p.get("in").and_then(Value::as_str).unwrap_or("?");
            let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
            let shape = p
                .get("schema")
                .map(|s| shape(s, spec))
                .unwrap_or_else(|| "no schema".into());
            return (
                format!("{pointer}/parameters/{i}"),
                format!(
                    "the {} {location} parameter `{name}` of type {shape}",
                    if required { "required" } else { "optional" }
                ),
            );
        }
    }
    if op.get("requestBody").is_some() {
        let mut trial = single.clone();
        if let Some(o) = trial
            .pointer_mut(&op_pointer)
            .and_then(Value::as_object_mut)
        {
            o.remove("requestBody");
        }
        if attempt(&trial, backend).is_ok() {
            let media: Vec<String> = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default();
            return (
                format!("{pointer}/requestBody"),
                format!("its request body ({})", media.join(", ")),
            );
        }
    }
    (pointer, "the operation as a whole".into())
}

/// "object (with a builder)", "anyOf of 2 schemas", "string".
fn shape(schema: &Value, spec: &Value) -> String {
    let mut s = schema;
    if let Some(name) = s
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        if let Some(target) = spec.pointer(&format!("/components/schemas/{}", escape(name))) {
            s = target;
        }
        let inner = shape(s, &Value::Null);
        return format!("`{name}` ({inner})");
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(v) = s.get(key).and_then(Value::as_array) {
            return format!("{key} of {} schemas", v.len());
        }
    }
    s.get("type")
        .and_then(Value::as_str)
        .map(|t| {
            if t == "object" {
                "object (a struct with a builder)".to_string()
            } else {
                t.to_string()
            }
        })
        .unwrap_or_else(|| "any value".into())
}
