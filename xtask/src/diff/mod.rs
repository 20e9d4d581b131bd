//! `cargo xtask diff-spec`: what changes between two versions of the spec, for users of the
//! generated SDK.
//!
//! Stages, one module each: [`load`] reads the two sides; [`walk`] (with [`schema`]) compares
//! them structurally; [`generated`] adds what the generator makes of each side (Rust method
//! names, return types, how the API key is sent); [`classify`] decides breaking / compatible /
//! rust-api / docs with a reason; [`render`] prints Markdown, JSON or a short summary.

pub mod classify;
pub mod generated;
pub mod load;
pub mod model;
pub mod render;
pub mod schema;
pub mod walk;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;

use crate::cli::{Args, Failure};
use crate::util::{SPEC, pretty};
use classify::{Context, classify};
use model::{Direction, Finding, OperationDiff, Place, Report, SchemaDiff, Status, What};

/// How to compare.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Structure only, for two editions (translations) of one spec: summaries, descriptions,
    /// titles and tag names are not compared (examples never are), and a difference inside a
    /// component schema is listed once, under the schema, not under each operation using it.
    pub ignore_text: bool,
}

/// Compares two documents.
#[cfg(test)]
pub fn compare(old: &Value, new: &Value, old_label: &str, new_label: &str) -> Report {
    compare_with(old, new, old_label, new_label, Options::default())
}

/// Compares two documents as `options` say.
pub fn compare_with(
    old: &Value,
    new: &Value,
    old_label: &str,
    new_label: &str,
    options: Options,
) -> Report {
    let mut report = Report {
        old: old_label.into(),
        new: new_label.into(),
        ignore_text: options.ignore_text,
        ..Report::default()
    };
    // The common case (nothing changed) skips the generator and the walk.
    if old == new {
        return report;
    }
    let (sdk_old, sdk_new) = (generated::view(old), generated::view(new));
    for (side, view) in [("OLD", &sdk_old), ("NEW", &sdk_new)] {
        if let Some(e) = &view.error {
            report.notes.push(format!(
                "{side}: the generator's adaptations reject this spec ({e}); Rust names are \
                 derived from operationIds and response types are not compared"
            ));
        }
    }
    for (side, doc) in [("OLD", old), ("NEW", new)] {
        for r in dangling_refs(doc) {
            report.notes.push(format!(
                "{side}: `$ref` `{r}` points at nothing; compared as an unconstrained value"
            ));
        }
    }
    let mut walked = walk::walk(old, new, (&sdk_old, &sdk_new), options.ignore_text);
    let types = generated_types(&walked, &sdk_old, &sdk_new);
    if options.ignore_text {
        for op in &mut walked.operations {
            op.findings.retain(|f| !f.what.is_text());
        }
        walked.operations.retain(|op| !op.findings.is_empty());
        for s in &mut walked.schemas {
            s.findings.retain(|f| !f.what.is_text());
        }
        walked.schemas.retain(|s| !s.findings.is_empty());
        walked.document.retain(|f| !f.what.is_text());
    }
    for op in walked.operations {
        let ctx = Context {
            old_method: op.rust_method.0.as_deref(),
            new_method: op.rust_method.1.as_deref(),
        };
        let mut changes: Vec<_> = op.findings.iter().map(|f| classify(f, &ctx)).collect();
        // Stable: places in a fixed order, walk order (parents first) within a place.
        changes.sort_by(|a, b| a.place.cmp(&b.place));
        report.operations.push(OperationDiff {
            method: op.method,
            path: op.path,
            status: op.status,
            operation_id: op.operation_id,
            rust_method: op.rust_method,
            changes,
        });
    }
    for s in walked.schemas {
        let changes = s
            .findings
            .iter()
            .map(|f| classify(f, &Context::default()))
            .collect();
        report.schemas.push(SchemaDiff {
            name: s.name,
            status: s.status,
            changes,
            used_by: s.used_by,
        });
    }
    report.document = walked
        .document
        .iter()
        .map(|f| classify(f, &Context::default()))
        .collect();
    // Types that a classified change already names on that side (`ref-changed` from
    // `types::AuthStartData`, an enum removed from `types::AuthStartPlatform`) are its
    // consequence, not news.
    let changes = || {
        report
            .operations
            .iter()
            .flat_map(|o| &o.changes)
            .chain(report.schemas.iter().flat_map(|s| &s.changes))
    };
    let (old_named, new_named): (BTreeSet<String>, BTreeSet<String>) = (
        changes().flat_map(|c| type_names(&c.old)).collect(),
        changes().flat_map(|c| type_names(&c.new)).collect(),
    );
    for f in types {
        let named = match &f.what {
            What::GeneratedTypeRemoved { name } => old_named.iter().any(|n| name.starts_with(n)),
            What::GeneratedTypeAdded { name } => new_named.iter().any(|n| name.starts_with(n)),
            _ => false,
        };
        if !named {
            report.document.push(classify(&f, &Context::default()));
        }
    }
    report
}

/// The generated types a change's value names (`types::X` in its `rust` strings).
fn type_names(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut strings = vec![v];
    while let Some(v) = strings.pop() {
        match v {
            Value::String(s) => {
                for (at, _) in s.match_indices("types::") {
                    let name: String = s[at + "types::".len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            }
            Value::Array(a) => strings.extend(a),
            Value::Object(o) => strings.extend(o.values()),
            _ => {}
        }
    }
    out
}

/// The models the generator emits on one side only that no added or removed schema explains
/// (both sides' adaptations succeeded): what an adaptation merged, split or renamed.
fn generated_types(
    walked: &walk::Walked,
    old: &generated::SdkView,
    new: &generated::SdkView,
) -> Vec<Finding> {
    if old.error.is_some() || new.error.is_some() {
        return Vec::new();
    }
    // A schema added or removed explains its own type and the types named after it; an
    // operation added or removed, the types named after its method (`<Method>Data…`).
    let explained = |ty: &str, status: Status| {
        let schemas = walked
            .schemas
            .iter()
            .filter(|s| s.status == status)
            .map(|s| schema::type_name(&s.name));
        let methods = walked
            .operations
            .iter()
            .filter(|o| o.status == status)
            .filter_map(|o| match status {
                Status::Removed => o.rust_method.0.as_deref(),
                _ => o.rust_method.1.as_deref(),
            })
            .map(crate::codegen::naming::type_stem);
        schemas.chain(methods).any(|stem| ty.starts_with(&stem))
    };
    let finding = |what| Finding {
        place: Place::Document,
        path: String::new(),
        dir: Direction::Both,
        what,
    };
    let removed = old
        .types
        .difference(&new.types)
        .filter(|t| !explained(t, Status::Removed))
        .map(|t| finding(What::GeneratedTypeRemoved { name: t.clone() }));
    let added = new
        .types
        .difference(&old.types)
        .filter(|t| !explained(t, Status::Added))
        .map(|t| finding(What::GeneratedTypeAdded { name: t.clone() }));
    removed.chain(added).collect()
}

/// Every local `$ref` of `doc` that names nothing (non-local `$ref`s cannot be checked here).
fn dangling_refs(doc: &Value) -> BTreeSet<String> {
    fn walk(doc: &Value, v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                let dangling = m
                    .get("$ref")
                    .and_then(Value::as_str)
                    .filter(|r| r.strip_prefix('#').is_none_or(|p| doc.pointer(p).is_none()));
                if let Some(r) = dangling {
                    out.insert(r.to_string());
                }
                m.values().for_each(|v| walk(doc, v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(doc, v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(doc, doc, &mut out);
    out
}

/// Parses both texts and compares them.
pub fn compare_texts(
    old: &str,
    new: &str,
    old_label: &str,
    new_label: &str,
) -> Result<Report, String> {
    compare_texts_with(old, new, old_label, new_label, Options::default())
}

/// Parses both texts and compares them as `options` say.
pub fn compare_texts_with(
    old: &str,
    new: &str,
    old_label: &str,
    new_label: &str,
    options: Options,
) -> Result<Report, String> {
    let parse = |text: &str, side: &str, label: &str| -> Result<Value, String> {
        serde_json::from_str(text).map_err(|e| format!("{side} (`{label}`) is not JSON: {e}"))
    };
    let old_value = parse(old, "OLD", old_label)?;
    let new_value = parse(new, "NEW", new_label)?;
    Ok(compare_with(
        &old_value, &new_value, old_label, new_label, options,
    ))
}

pub const USAGE: &str = "\
cargo xtask diff-spec [OLD] [NEW] [--format markdown|json] [--ignore-text] [--fail-on breaking]
                      [--raw]
cargo xtask diff-spec --overlays [SPEC] [--format markdown|json]

  OLD, NEW       a path, a file:// or http(s):// URL, a git revision REV (its
                 openapi/aitoearn.openapi.json) or REV:path.
                 Defaults: OLD = HEAD, NEW = openapi/aitoearn.openapi.json (the working tree).
  --format       markdown (default; fit for a PR body) or json (stable, sorted).
  --ignore-text  structure only, to compare the two editions of the spec:
                   cargo xtask diff-spec openapi/aitoearn.openapi.json \\
                     openapi/aitoearn.openapi.en.json --ignore-text
                 Summaries, descriptions, titles and tag names are not compared (examples
                 never are); operations are matched by method and path; a difference inside
                 a component schema is listed once, under the schema, with the operations
                 that use it.
  --fail-on      breaking: exit 1 when a breaking change is found (the report is still
                 printed). Without it a report is never a failure.
  --raw          compare the documents as they are. Without it (and without --ignore-text)
                 both sides get the overlays of openapi/overlays applied, as build.rs does,
                 so the report shows what changes for SDK users; a side the overlays no longer
                 fit is compared as it is, with a note.
  --overlays     what the overlays change: SPEC (default openapi/aitoearn.openapi.json)
                 against SPEC with every overlay applied, in the same report format.";

pub fn run(args: &[String], root: &Path) -> Result<ExitCode, Failure> {
    let args = Args::parse(
        args,
        &["ignore-text", "raw", "overlays"],
        &["format", "fail-on"],
    )?;
    args.max_positionals(if args.flag("overlays") { 1 } else { 2 })?;
    let json = match args.option("format").unwrap_or("markdown") {
        "markdown" | "md" => false,
        "json" => true,
        other => {
            return Err(Failure::Usage(format!(
                "unknown format `{other}`: use markdown or json"
            )));
        }
    };
    let fail_on_breaking = match args.option("fail-on") {
        None => false,
        Some("breaking") => true,
        Some(other) => {
            return Err(Failure::Usage(format!(
                "unknown `--fail-on {other}`: use breaking"
            )));
        }
    };
    let overlays = crate::util::overlays(root)?;
    if args.flag("overlays") {
        let spec_arg = args.positionals.first().map(String::as_str).unwrap_or(SPEC);
        let side = load::load(spec_arg, root)?;
        let (published, effective, _) = crate::codegen::effective(&side.text, &overlays)?;
        let label = format!("{} + {}", side.label, crate::util::OVERLAYS);
        let report = compare_with(
            &published,
            &effective,
            &side.label,
            &label,
            Options::default(),
        );
        if json {
            print!("{}", pretty(&render::json(&report)));
        } else {
            print!("{}", render::markdown(&report));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let old_arg = args
        .positionals
        .first()
        .map(String::as_str)
        .unwrap_or("HEAD");
    let new_arg = args.positionals.get(1).map(String::as_str).unwrap_or(SPEC);
    let old = load::load(old_arg, root)?;
    let new = load::load(new_arg, root)?;
    let options = Options {
        ignore_text: args.flag("ignore-text"),
    };
    let report = if args.flag("raw") || options.ignore_text || overlays.is_empty() {
        compare_texts_with(&old.text, &new.text, &old.label, &new.label, options)?
    } else {
        let mut notes = Vec::new();
        let mut side = |text: &str, name: &str| -> Result<Value, String> {
            match crate::codegen::effective(text, &overlays) {
                Ok((_, effective, _)) => Ok(effective),
                Err(e) => {
                    notes.push(format!(
                        "{name}: the overlays do not apply ({e}); compared without them"
                    ));
                    serde_json::from_str(text).map_err(|e| format!("{name} is not JSON: {e}"))
                }
            }
        };
        let old_value = side(&old.text, "OLD")?;
        let new_value = side(&new.text, "NEW")?;
        let mut report = compare_with(&old_value, &new_value, &old.label, &new.label, options);
        report.notes.extend(notes);
        report
    };
    if json {
        print!("{}", pretty(&render::json(&report)));
    } else {
        print!("{}", render::markdown(&report));
    }
    if fail_on_breaking && report.has_breaking() {
        eprintln!(
            "error: breaking changes ({}); failing as asked by --fail-on breaking",
            render::breaking_counts(&report)
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
