//! Rendering a [`Report`]: Markdown for people and PR bodies, JSON for machines, and a few
//! lines for `refresh-spec`.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::model::{Change, Counts, OperationDiff, Report, SchemaDiff, Status};
use crate::util::sorted_json;

/// `GET /path` `name()`.
fn operation_title(op: &OperationDiff) -> String {
    let name = match (&op.rust_method.0, &op.rust_method.1) {
        (Some(o), Some(n)) if o != n => format!("`{o}()` → `{n}()`"),
        (_, Some(n)) | (Some(n), None) => format!("`{n}()`"),
        (None, None) => String::new(),
    };
    format!("`{} {}` {name}", op.method, op.path)
}

fn status_counts<T>(items: &[T], status: impl Fn(&T) -> Status) -> (usize, usize, usize) {
    let count = |s: Status| items.iter().filter(|i| status(i) == s).count();
    (
        count(Status::Changed),
        count(Status::Added),
        count(Status::Removed),
    )
}

fn counts_line(c: Counts) -> String {
    format!(
        "{} breaking, {} compatible ({} docs only); {} change the generated Rust API",
        c.breaking, c.compatible, c.docs, c.rust_api
    )
}

fn impact(c: &Change) -> String {
    let mut s = if c.breaking {
        "**breaking**".to_string()
    } else {
        "compatible".to_string()
    };
    if c.docs {
        s.push_str(" · docs");
    }
    if c.rust_api {
        s.push_str(" · `rust-api`");
    }
    s
}

fn location(c: &Change) -> String {
    if c.path.is_empty() {
        c.place.describe()
    } else {
        format!("{} · `{}`", c.place.describe(), c.path)
    }
}

/// A table cell: one line, no unescaped pipes.
fn cell(s: &str) -> String {
    s.replace('\r', "").replace('\n', " ").replace('|', "\\|")
}

fn table(out: &mut String, changes: &[Change]) {
    out.push_str("| Impact | Where | Change | Why |\n|---|---|---|---|\n");
    for c in changes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            impact(c),
            cell(&location(c)),
            cell(&c.change),
            cell(&c.reason)
        );
    }
}

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## OpenAPI changes\n\n`{}` → `{}`\n",
        report.old, report.new
    );
    if report.ignore_text {
        out.push_str(
            "Structure only (`--ignore-text`): summaries, descriptions, titles and tag names are \
             not compared. Each difference is listed once, where it is written: a difference \
             inside a component schema is listed under the schema, with the operations that \
             use it. Impacts read the second document as a newer version of the first.\n\n",
        );
    }
    for note in &report.notes {
        let _ = writeln!(out, "> **Note:** {}\n", cell(note));
    }
    if report.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let ops = Counts::of(report.operations.iter().flat_map(|o| &o.changes));
    let schemas = Counts::of(report.schemas.iter().flat_map(|s| &s.changes));
    let doc = Counts::of(&report.document);
    let (oc, oa, or) = status_counts(&report.operations, |o| o.status);
    let (sc, sa, sr) = status_counts(&report.schemas, |s| s.status);
    out.push_str(
        "| | Changed | Added | Removed | Breaking | Compatible | Docs only | Rust API |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    let row = |out: &mut String, what: &str, (c, a, r): (usize, usize, usize), n: Counts| {
        let _ = writeln!(
            out,
            "| {what} | {c} | {a} | {r} | {} | {} | {} | {} |",
            n.breaking, n.compatible, n.docs, n.rust_api
        );
    };
    row(&mut out, "Operations", (oc, oa, or), ops);
    row(&mut out, "Component schemas", (sc, sa, sr), schemas);
    if !report.document.is_empty() {
        row(&mut out, "Document", (report.document.len(), 0, 0), doc);
    }
    out.push('\n');
    out.push_str(
        "*Breaking*: code written against the previous SDK, or an SDK built from the old spec \
         talking to the new server, can fail. *`rust-api`*: the generated Rust API changes.",
    );
    if !report.ignore_text {
        out.push_str(
            " Changes inside component schemas are listed under every operation that uses them.",
        );
    }
    out.push('\n');

    let breaking: Vec<(String, &Change)> = report
        .operations
        .iter()
        .flat_map(|o| o.changes.iter().map(move |c| (operation_title(o), c)))
        .chain(
            report
                .schemas
                .iter()
                .flat_map(|s| s.changes.iter().map(move |c| (format!("`{}`", s.name), c))),
        )
        .chain(report.document.iter().map(|c| ("document".to_string(), c)))
        .filter(|(_, c)| c.breaking)
        .collect();
    if !breaking.is_empty() {
        let _ = writeln!(
            out,
            "\n### Breaking changes ({})\n",
            breaking_counts(report)
        );
        for (title, c) in breaking {
            let _ = writeln!(
                out,
                "- {title} — {}: {}",
                cell(&location(c)),
                cell(&c.change)
            );
        }
    }
    if !report.operations.is_empty() {
        out.push_str("\n### Operations\n");
        for op in &report.operations {
            let _ = writeln!(
                out,
                "\n#### {} ({})\n",
                operation_title(op),
                op.status.as_str()
            );
            match &op.operation_id {
                (Some(o), Some(n)) if o != n => {
                    let _ = writeln!(out, "operationId `{o}` → `{n}`\n");
                }
                (_, Some(id)) | (Some(id), None) => {
                    let _ = writeln!(out, "operationId `{id}`\n");
                }
                (None, None) => {}
            }
            table(&mut out, &op.changes);
        }
    }
    if !report.schemas.is_empty() {
        out.push_str("\n### Component schemas\n");
        for s in &report.schemas {
            let _ = writeln!(out, "\n#### `{}` ({})\n", s.name, s.status.as_str());
            if report.ignore_text {
                let users: Vec<String> = s.used_by.iter().map(|u| format!("`{u}`")).collect();
                let users = if users.is_empty() {
                    "no operation".to_string()
                } else {
                    users.join(", ")
                };
                let _ = writeln!(out, "Used by {users}\n");
            }
            table(&mut out, &s.changes);
        }
    }
    if !report.document.is_empty() {
        out.push_str("\n### Document\n\n");
        table(&mut out, &report.document);
    }
    out
}

/// "3 in operations, 1 in component schemas": a component's change also shows under each
/// operation that uses it, so one total would count it twice.
pub fn breaking_counts(report: &Report) -> String {
    let count = |changes: &mut dyn Iterator<Item = &Change>| changes.filter(|c| c.breaking).count();
    let parts = [
        (
            count(&mut report.operations.iter().flat_map(|o| &o.changes)),
            "in operations",
        ),
        (
            count(&mut report.schemas.iter().flat_map(|s| &s.changes)),
            "in component schemas",
        ),
        (count(&mut report.document.iter()), "in the document"),
    ];
    let parts: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
    parts.join(", ")
}

fn change_json(c: &Change) -> Value {
    json!({
        "where": c.place.to_json(),
        "path": c.path,
        "kind": c.kind,
        "change": c.change,
        "old": c.old,
        "new": c.new,
        "breaking": c.breaking,
        "rust_api": c.rust_api,
        "docs": c.docs,
        "reason": c.reason,
    })
}

fn counts_json(c: Counts, (changed, added, removed): (usize, usize, usize)) -> Value {
    json!({
        "changed": changed, "added": added, "removed": removed,
        "breaking": c.breaking, "compatible": c.compatible, "docs": c.docs, "rust_api": c.rust_api,
    })
}

/// The report as JSON: keys sorted, arrays in report order (operations by path then method,
/// schemas by name, changes in walk order), so equal inputs give byte-identical output.
pub fn json(report: &Report) -> Value {
    let pair = |p: &(Option<String>, Option<String>)| json!({ "old": p.0, "new": p.1 });
    let operations: Vec<Value> = report
        .operations
        .iter()
        .map(|o| {
            json!({
                "method": o.method,
                "path": o.path,
                "status": o.status.as_str(),
                "operation_id": pair(&o.operation_id),
                "rust_method": pair(&o.rust_method),
                "changes": o.changes.iter().map(change_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let schemas: Vec<Value> = report
        .schemas
        .iter()
        .map(|s: &SchemaDiff| {
            json!({
                "name": s.name,
                "status": s.status.as_str(),
                "used_by": s.used_by,
                "changes": s.changes.iter().map(change_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let value = json!({
        "old": report.old,
        "new": report.new,
        "breaking": report.has_breaking(),
        "ignore_text": report.ignore_text,
        "summary": {
            "operations": counts_json(
                Counts::of(report.operations.iter().flat_map(|o| &o.changes)),
                status_counts(&report.operations, |o| o.status),
            ),
            "schemas": counts_json(
                Counts::of(report.schemas.iter().flat_map(|s| &s.changes)),
                status_counts(&report.schemas, |s| s.status),
            ),
            "document": counts_json(Counts::of(&report.document), (report.document.len(), 0, 0)),
        },
        "operations": operations,
        "schemas": schemas,
        "document": report.document.iter().map(change_json).collect::<Vec<_>>(),
        "notes": report.notes,
    });
    sorted_json(value)
}

/// A few lines for `refresh-spec`: counts and the breaking changes.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    for note in &report.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    if report.is_empty() {
        out.push_str("  no changes to operations or schemas\n");
        return out;
    }
    if report.ignore_text {
        return structure_summary(report, out);
    }
    let (oc, oa, or) = status_counts(&report.operations, |o| o.status);
    let (sc, sa, sr) = status_counts(&report.schemas, |s| s.status);
    let _ = writeln!(out, "  operations: {oc} changed, {oa} added, {or} removed");
    let _ = writeln!(
        out,
        "    {}",
        counts_line(Counts::of(
            report.operations.iter().flat_map(|o| &o.changes)
        ))
    );
    let _ = writeln!(
        out,
        "  component schemas: {sc} changed, {sa} added, {sr} removed"
    );
    if !report.document.is_empty() {
        let _ = writeln!(
            out,
            "  document: {}",
            counts_line(Counts::of(&report.document))
        );
    }
    let breaking: Vec<String> = report
        .operations
        .iter()
        .flat_map(|o| o.changes.iter().filter(|c| c.breaking).map(move |c| (o, c)))
        .map(|(o, c)| format!("{} {}: {}: {}", o.method, o.path, location(c), c.change))
        .collect();
    if !breaking.is_empty() {
        out.push_str("  breaking:\n");
        for line in breaking {
            let _ = writeln!(out, "    - {line}");
        }
    }
    out
}

/// The summary of a structure-only report (`--ignore-text`): which operations and component
/// schemas differ, each with its number of differences.
fn structure_summary(report: &Report, mut out: String) -> String {
    let n = |changes: &[Change]| match changes.len() {
        1 => "1 difference".to_string(),
        k => format!("{k} differences"),
    };
    let (oc, oa, or) = status_counts(&report.operations, |o| o.status);
    let _ = writeln!(out, "  operations: {oc} changed, {oa} added, {or} removed");
    for o in &report.operations {
        let status = match o.status {
            Status::Changed => n(&o.changes),
            other => other.as_str().to_string(),
        };
        let _ = writeln!(out, "    - {} {} ({status})", o.method, o.path);
    }
    let (sc, sa, sr) = status_counts(&report.schemas, |s| s.status);
    let _ = writeln!(
        out,
        "  component schemas: {sc} changed, {sa} added, {sr} removed"
    );
    for s in &report.schemas {
        let status = match s.status {
            Status::Changed => n(&s.changes),
            other => other.as_str().to_string(),
        };
        let _ = writeln!(out, "    - {} ({status})", s.name);
    }
    if !report.document.is_empty() {
        let _ = writeln!(out, "  document: {}", n(&report.document));
    }
    out
}
