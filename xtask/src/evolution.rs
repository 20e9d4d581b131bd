//! Evolution test: the vendored spec transformed the way published specs change, systematically
//! (every `required` list dropped, every enum dropped, every component `$ref` inlined, every
//! request body optional, all of them together), each run through the whole generator. Each must
//! generate, or fail with the generator's clear error; none may panic.
//!
//! Cost: each generation is a few seconds unoptimised (progenitor dominates); compiling the
//! crate against each variant (a scratch copy, `cargo check`) would add about a minute each on
//! this machine, so CI only generates; `cargo xtask check-spec` is the compile step for one spec.

use serde_json::Value;

use crate::codegen;
use crate::util::{SPEC, workspace_root};

fn walk(v: &mut Value, f: &mut impl FnMut(&mut serde_json::Map<String, Value>)) {
    match v {
        Value::Object(m) => {
            f(m);
            m.values_mut().for_each(|c| walk(c, f));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| walk(c, f)),
        _ => {}
    }
}

/// Schema-level `required` lists (not parameters' and bodies' `required: true`).
fn drop_required(spec: &mut Value) {
    walk(spec, &mut |m| {
        if m.get("required").is_some_and(Value::is_array) {
            m.remove("required");
        }
    });
}

fn drop_enums(spec: &mut Value) {
    walk(spec, &mut |m| {
        if m.get("enum").is_some_and(Value::is_array) {
            m.remove("enum");
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

fn bodies_optional(spec: &mut Value) {
    let _ = codegen::adapt::for_each_operation(spec, |_, _, op| {
        if let Some(Value::Object(b)) = op.get_mut("requestBody") {
            b.remove("required");
        }
        Ok(())
    });
}

#[test]
fn every_kind_of_change_generates_or_fails_clearly() {
    let text = std::fs::read_to_string(workspace_root().join(SPEC)).unwrap();
    let base: Value = serde_json::from_str(&text).unwrap();
    let overlays = crate::util::overlays(&workspace_root()).unwrap();
    type Mutation = fn(&mut Value);
    let all: Mutation = |s| {
        drop_required(s);
        drop_enums(s);
        inline_refs(s);
        bodies_optional(s);
    };
    let mutations: [(&str, Mutation); 5] = [
        ("every required list dropped", drop_required),
        ("every enum dropped", drop_enums),
        ("every component $ref inlined", inline_refs),
        ("every body optional", bodies_optional),
        ("all of them", all),
    ];
    let started = std::time::Instant::now();
    let (mut generated, mut failed_cleanly, mut panicked) = (0, 0, 0);
    let mut report = Vec::new();
    for (name, mutate) in mutations {
        let mut spec = base.clone();
        mutate(&mut spec);
        assert_ne!(spec, base, "{name} changes the spec");
        let spec_text = spec.to_string();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            codegen::generate_full(&spec_text, None, &overlays, codegen::Options::default())
        }));
        match outcome {
            Ok(Ok(_)) => {
                generated += 1;
                report.push(format!("{name}: generated"));
            }
            Ok(Err(e)) => {
                failed_cleanly += 1;
                // A clear error names what to do.
                assert!(
                    e.contains("what to do") || e.contains("overlay") || e.contains("adaptation"),
                    "{name}: an error that says nothing actionable: {e}"
                );
                report.push(format!(
                    "{name}: failed cleanly: {}",
                    e.lines().next().unwrap_or("")
                ));
            }
            Err(_) => {
                panicked += 1;
                report.push(format!("{name}: PANICKED"));
            }
        }
    }
    eprintln!(
        "evolution: {generated} generated, {failed_cleanly} failed cleanly, {panicked} panicked \
         in {:.1?}\n{}",
        started.elapsed(),
        report.join("\n")
    );
    assert_eq!(panicked, 0, "{report:#?}");
}
