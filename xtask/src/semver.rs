//! The ground truth for diff-spec's Rust-API predictions: `cargo semver-checks` compares the
//! public API of the crate generated from two specs (two scratch copies of the crate, their
//! rustdoc JSON), and its findings are set beside what diff-spec predicted, kind by kind.
//! Used by `update-spec --semver-checks` (the PR body) and `semver-fixture` (the recorded
//! agreement test).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::diff::model::Report;

/// How to install it.
pub const INSTALL: &str = "cargo install --locked cargo-semver-checks@0.51.0";

/// How the tool reports a triggered lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A `deny` lint: semver needs a bigger bump.
    Failure,
    /// A `warn` lint (here: the additions, enabled for the comparison).
    Warning,
}

/// One triggered lint of `cargo semver-checks`: the items it names, without their files
/// (scratch and build paths, different on every run).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub severity: Severity,
    pub lint: String,
    pub summary: String,
    pub places: Vec<String>,
}

/// `variant E::V, previously in file /x/y.rs:10` → `variant E::V`.
fn item(place: &str) -> String {
    for sep in [", previously in file ", " in file ", " in "] {
        if let Some(at) = place.rfind(sep) {
            let file = &place[at + sep.len()..];
            let line_no = file.rsplit(':').next().unwrap_or("");
            if !line_no.is_empty() && line_no.bytes().all(|b| b.is_ascii_digit()) {
                return place[..at].to_string();
            }
        }
    }
    place.to_string()
}

/// The triggered lints in `cargo semver-checks check-release` output (`--- failure LINT: WHAT
/// ---` or `--- warning …`, then the indented lines under `Failed in:`), places sorted.
pub fn parse(text: &str) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut in_places = false;
    for line in text.lines() {
        let head = line.trim().strip_suffix(" ---").and_then(|r| {
            r.strip_prefix("--- failure ")
                .map(|r| (Severity::Failure, r))
                .or_else(|| {
                    r.strip_prefix("--- warning ")
                        .map(|r| (Severity::Warning, r))
                })
        });
        if let Some((severity, rest)) = head {
            let (lint, summary) = rest.split_once(": ").unwrap_or((rest, ""));
            out.push(Finding {
                severity,
                lint: lint.to_string(),
                summary: summary.to_string(),
                places: Vec::new(),
            });
            in_places = false;
        } else if line.trim() == "Failed in:" {
            in_places = true;
        } else if in_places && line.starts_with("  ") && !line.trim().is_empty() {
            if let Some(f) = out.last_mut() {
                f.places.push(item(line.trim()));
            }
        } else if line.trim().is_empty() {
            in_places = false;
        }
    }
    for f in &mut out {
        f.places.sort();
    }
    out
}

/// Which lints of the tool see a kind of change diff-spec classifies: the ones that must fire
/// for the kind to count as seen, and the ones its consequences also trigger (a removed method
/// takes its module and request types with it). `primary` empty: no lint compares it.
pub struct Lints {
    pub primary: &'static [&'static str],
    pub also: &'static [&'static str],
}

/// The lints for a diff-spec kind (see `diff::classify`).
pub fn lints_for_kind(kind: &str) -> Lints {
    const TYPES_GONE: &[&str] = &["module_missing", "struct_missing", "enum_missing"];
    const TYPES_NEW: &[&str] = &["exhaustive_struct_added", "exhaustive_enum_added"];
    let (primary, also): (&[&str], &[&str]) = match kind {
        "operation-added" => (&["inherent_method_added"], TYPES_NEW),
        "operation-removed" => (&["inherent_method_missing"], TYPES_GONE),
        "operation-id-changed" => (
            &["inherent_method_missing", "inherent_method_added"],
            &[
                "module_missing",
                "struct_missing",
                "enum_missing",
                "exhaustive_struct_added",
                "exhaustive_enum_added",
            ],
        ),
        "schema-removed" | "ref-changed" => (&["struct_missing", "enum_missing"], TYPES_NEW),
        "schema-added" | "generated-type-added" => (TYPES_NEW, &[]),
        "generated-type-removed" => (&["struct_missing", "enum_missing"], &[]),
        "enum-values-added" => (&["enum_variant_added"], &[]),
        // Removing a variant renumbers the ones after it.
        "enum-values-removed" => (
            &["enum_variant_missing"],
            &[
                "enum_no_repr_variant_discriminant_changed",
                "partial_ord_enum_variants_reordered",
            ],
        ),
        "enum-removed" => (&["enum_missing"], &[]),
        "enum-added" => (&["exhaustive_enum_added"], &[]),
        "field-added" => (&["constructible_struct_adds_field"], &[]),
        "field-removed" => (&["struct_pub_field_missing"], &[]),
        "parameter-added" | "request-body-added" => (&["inherent_method_added"], TYPES_NEW),
        "parameter-removed" | "request-body-removed" => (&["inherent_method_missing"], &[]),
        // `Option<T>` → `T`, a field's or `send()`'s type: no lint of the tool compares the
        // types of fields or of return values.
        _ => (&[], &[]),
    };
    Lints { primary, also }
}

/// How diff-spec's prediction of one kind compares with the tool's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Predicted, and the tool's lints for it fired.
    Agree,
    /// Predicted, but no lint of the tool compares this kind of change.
    Blind,
    /// Predicted, and the lints that would see it did not fire.
    Missed,
    /// The tool fired a lint that no predicted kind explains.
    Unpredicted,
}

impl Verdict {
    fn words(self) -> &'static str {
        match self {
            Verdict::Agree => "yes",
            Verdict::Blind => "**no**: no lint of the tool compares it",
            Verdict::Missed => "**no**: the tool does not see it",
            Verdict::Unpredicted => "**no**: diff-spec predicted nothing it explains",
        }
    }
}

/// One row of the comparison: a diff-spec kind (or, for [`Verdict::Unpredicted`], a lint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The diff-spec kind; for an unpredicted finding, the lint.
    pub kind: String,
    /// Rust-API changes diff-spec predicts of this kind.
    pub predicted: usize,
    /// The lints that see it.
    pub lints: Vec<&'static str>,
    /// Items the tool names under those lints.
    pub found: usize,
    pub verdict: Verdict,
}

/// A name a finding's item must mention to be the consequence of a prediction: a path segment
/// that is `text` (`whole`) or starts with it (a type and the types named after it).
#[derive(Debug, Clone)]
struct Subject {
    text: String,
    whole: bool,
}

impl Subject {
    fn mentioned_in(&self, place: &str) -> bool {
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        place.match_indices(&self.text).any(|(at, _)| {
            let before = place[..at].chars().next_back();
            let after = place[at + self.text.len()..].chars().next();
            !before.is_some_and(ident) && (!self.whole || !after.is_some_and(ident))
        })
    }
}

/// `publish_record_delete` → `PublishRecordDelete` (the request and answer types named after
/// a method).
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// One Rust-API change diff-spec predicts, and the names the tool's items must mention to be
/// its consequences (none: any item of its lints is).
struct Prediction {
    kind: &'static str,
    subjects: Vec<Subject>,
}

fn predictions(report: &Report) -> Vec<Prediction> {
    let mut out = Vec::new();
    for op in &report.operations {
        let methods = [&op.rust_method.0, &op.rust_method.1];
        for c in op.changes.iter().filter(|c| c.rust_api) {
            let subjects = match c.kind {
                "operation-added" | "operation-removed" | "operation-id-changed" => methods
                    .iter()
                    .filter_map(|m| m.as_deref())
                    .flat_map(|m| {
                        [
                            Subject {
                                text: format!("Client::{m}"),
                                whole: true,
                            },
                            Subject {
                                text: format!("ops::{m}"),
                                whole: true,
                            },
                            Subject {
                                text: pascal(m),
                                whole: false,
                            },
                        ]
                    })
                    .collect(),
                _ => referenced(c),
            };
            out.push(Prediction {
                kind: c.kind,
                subjects,
            });
        }
    }
    for s in &report.schemas {
        for c in s.changes.iter().filter(|c| c.rust_api) {
            let subjects = match c.kind {
                "schema-added" | "schema-removed" => vec![Subject {
                    text: crate::diff::schema::type_name(&s.name),
                    whole: false,
                }],
                _ => referenced(c),
            };
            out.push(Prediction {
                kind: c.kind,
                subjects,
            });
        }
    }
    for c in report.document.iter().filter(|c| c.rust_api) {
        out.push(Prediction {
            kind: c.kind,
            subjects: referenced(c),
        });
    }
    out
}

/// A changed `$ref` names the type that goes away (and the types named after it): the
/// generated type on its old side (`{"rust": "Option<types::AuthStartData>"}`); a type the
/// generator stops or starts emitting names itself, on the side it exists.
fn referenced(c: &crate::diff::model::Change) -> Vec<Subject> {
    let side = match c.kind {
        "ref-changed" | "generated-type-removed" => &c.old,
        "generated-type-added" => &c.new,
        _ => return Vec::new(),
    };
    let rust = side.get("rust").and_then(|r| r.as_str()).unwrap_or("");
    let Some(at) = rust.rfind("types::") else {
        return Vec::new();
    };
    let name: String = rust[at + "types::".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() {
        return Vec::new();
    }
    vec![Subject {
        text: name,
        whole: false,
    }]
}

/// Does `place`, an item `lint` fired on, follow from `p` (through `lints`: its primary ones,
/// or also the ones its consequences trigger)?
fn follows(p: &Prediction, lint: &str, place: &str, also: bool) -> bool {
    let l = lints_for_kind(p.kind);
    let by_lint = l.primary.contains(&lint) || (also && l.also.contains(&lint));
    by_lint && (p.subjects.is_empty() || p.subjects.iter().any(|s| s.mentioned_in(place)))
}

/// diff-spec's Rust-API predictions beside the tool's findings, kind by kind (sorted by kind),
/// then, lint by lint, the items no prediction explains.
pub fn agreement(report: &Report, findings: &[Finding]) -> Vec<Row> {
    let predicted = predictions(report);
    let places = || {
        findings
            .iter()
            .flat_map(|f| f.places.iter().map(move |p| (f.lint.as_str(), p.as_str())))
    };
    let mut kinds: Vec<&str> = predicted.iter().map(|p| p.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut rows = Vec::new();
    for kind in kinds {
        let of_kind: Vec<&Prediction> = predicted.iter().filter(|p| p.kind == kind).collect();
        let lints = lints_for_kind(kind);
        let found = places()
            .filter(|(l, place)| of_kind.iter().any(|p| follows(p, l, place, false)))
            .count();
        let all_seen = of_kind
            .iter()
            .all(|p| places().any(|(l, place)| follows(p, l, place, false)));
        let verdict = match (lints.primary.is_empty(), all_seen) {
            (true, _) => Verdict::Blind,
            (false, false) => Verdict::Missed,
            (false, true) => Verdict::Agree,
        };
        rows.push(Row {
            kind: kind.to_string(),
            predicted: of_kind.len(),
            lints: lints.primary.to_vec(),
            found,
            verdict,
        });
    }
    let mut unexplained: std::collections::BTreeMap<&str, usize> = Default::default();
    for (lint, place) in places() {
        if !predicted.iter().any(|p| follows(p, lint, place, true)) {
            *unexplained.entry(lint).or_default() += 1;
        }
    }
    for (lint, found) in unexplained {
        rows.push(Row {
            kind: lint.to_string(),
            predicted: 0,
            lints: Vec::new(),
            found,
            verdict: Verdict::Unpredicted,
        });
    }
    rows
}

/// The items of `findings` no prediction of `report` explains.
pub fn unexplained(report: &Report, findings: &[Finding]) -> Vec<(String, String)> {
    let predicted = predictions(report);
    findings
        .iter()
        .flat_map(|f| f.places.iter().map(move |p| (f.lint.clone(), p.clone())))
        .filter(|(l, place)| !predicted.iter().any(|p| follows(p, l, place, true)))
        .collect()
}

/// What a run of the tool produced.
pub struct Run {
    /// Its whole output (stdout and stderr).
    pub output: String,
    pub findings: Vec<Finding>,
    pub elapsed: Duration,
    /// `cargo-semver-checks 0.51.0`.
    pub version: String,
}

/// The tool found a change that needs a semver-breaking bump (a failed check).
pub fn breaks(run: &Run) -> bool {
    run.findings.iter().any(|f| f.severity == Severity::Failure)
}

/// The PR body's section: the tool's findings beside diff-spec's predictions, disagreements
/// said; or why the comparison was skipped.
pub fn section(report: &Report, run: Result<&Run, &str>) -> String {
    let run = match run {
        Ok(run) => run,
        Err(why) => {
            return format!(
                "**Skipped**: {why}. diff-spec's Rust-API predictions above are not checked \
                 against the compiled crates.\n"
            );
        }
    };
    let rows = agreement(report, &run.findings);
    let (fail, warn) = run
        .findings
        .iter()
        .fold((0, 0), |(f, w), x| match x.severity {
            Severity::Failure => (f + 1, w),
            Severity::Warning => (f, w + 1),
        });
    let mut b = format!(
        "`{}` (`check-release`, default features, the crate built from the old spec and from \
         the new one; {:.0} s): {fail} checks fail, {warn} warn.\n\n",
        run.version,
        run.elapsed.as_secs_f64()
    );
    if rows.is_empty() {
        b.push_str("No Rust-API change predicted and none found: the tool agrees.\n");
        return b;
    }
    b.push_str(
        "| diff-spec kind | predicted | tool's lints | found | agree |\n|---|---|---|---|---|\n",
    );
    for r in &rows {
        let lints = if r.lints.is_empty() {
            "—".to_string()
        } else {
            r.lints
                .iter()
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            b,
            "| `{}` | {} | {lints} | {} | {} |",
            r.kind,
            r.predicted,
            r.found,
            r.verdict.words()
        );
    }
    if !run.findings.is_empty() {
        b.push_str("\nWhat the tool found:\n\n");
        for f in &run.findings {
            let shown: Vec<String> = f.places.iter().take(5).map(|p| format!("`{p}`")).collect();
            let more = f.places.len().saturating_sub(5);
            let _ = write!(
                b,
                "- {} `{}` ({}): {}",
                match f.severity {
                    Severity::Failure => "failure",
                    Severity::Warning => "warning",
                },
                f.lint,
                f.summary,
                shown.join(", ")
            );
            if more > 0 {
                let _ = write!(b, " and {more} more");
            }
            b.push('\n');
        }
    }
    let disagree: Vec<&Row> = rows
        .iter()
        .filter(|r| r.verdict != Verdict::Agree)
        .collect();
    if disagree.is_empty() {
        b.push_str("\nThe tool agrees with diff-spec's predictions on every kind.\n");
    } else {
        let names: Vec<String> = disagree.iter().map(|r| format!("`{}`", r.kind)).collect();
        let items: Vec<String> = unexplained(report, &run.findings)
            .iter()
            .take(8)
            .map(|(lint, place)| format!("`{place}` ({lint})"))
            .collect();
        let _ = writeln!(
            b,
            "\n**The tool and diff-spec disagree** on {}.{}{}",
            names.join(", "),
            if items.is_empty() {
                String::new()
            } else {
                format!(
                    " Items the tool names that no prediction explains: {}.",
                    items.join(", ")
                )
            },
            if disagree.iter().any(|r| r.verdict == Verdict::Blind) {
                " The tool compares items (types, variants, methods, fields by name), not the \
                 types of fields or return values: an `Option<T>` that becomes `T` is invisible \
                 to it, so those predictions stand on diff-spec alone."
            } else {
                ""
            }
        );
    }
    b
}

/// `cargo-semver-checks 0.51.0` when it is installed (`cargo semver-checks --version`), or why
/// not.
pub fn installed() -> Result<String, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["semver-checks", "--version"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.status.success() && text.starts_with("cargo-semver-checks") {
        Ok(text)
    } else {
        Err(format!(
            "cargo-semver-checks is not installed (`{INSTALL}`: 11 min to build here)"
        ))
    }
}

/// Lints that are `allow` by default but are the ground truth for additions (methods, types).
const ENABLE: &str = "
# Added by `cargo xtask` in this scratch copy: additions are findings of the comparison too.
[package.metadata.cargo-semver-checks.lints]
inherent_method_added = \"warn\"
exhaustive_struct_added = \"warn\"
exhaustive_enum_added = \"warn\"
";

/// `cargo semver-checks check-release` of the crate built from `new` (Chinese and English
/// editions) against the crate built from `old`, in two scratch copies of the crate under
/// `root`; its rustdoc builds share `target/semver-checks`. Stopped after `timeout`.
pub fn run(
    root: &Path,
    old: (&str, &str),
    new: (&str, &str),
    timeout: Duration,
) -> Result<Run, String> {
    let version = installed()?;
    let old = crate::check_spec::Scratch::new(root, old.0, Some(old.1))?;
    let new = crate::check_spec::Scratch::new(root, new.0, Some(new.1))?;
    let manifest = new.dir.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    text.push_str(ENABLE);
    std::fs::write(&manifest, text).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let log = new.dir.join("semver-checks.log");
    let file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .args([
            "semver-checks",
            "check-release",
            "-p",
            "aitoearn",
            "--default-features",
            // A 0.x crate: "minor" would allow additions, and skip the lints that see them.
            "--release-type",
            "patch",
            "--color",
            "never",
            "--baseline-root",
        ])
        .arg(&old.dir)
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", root.join("target/semver-checks"))
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
    let status = crate::util::wait_bounded(&mut child, started, timeout, "cargo semver-checks")?;
    let output = std::fs::read_to_string(&log).map_err(|e| e.to_string())?;
    // It exits 1 when a check fails, and also when it could not check at all: only a
    // summary says it compared the two crates.
    if !status.success() && !output.contains("     Summary ") {
        let tail: Vec<&str> = output.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "cargo semver-checks failed ({status}):\n{}",
            tail.join("\n")
        ));
    }
    Ok(Run {
        findings: parse(&output),
        output: output.replace(&format!("{}/", root.display()), "<root>/"),
        elapsed: started.elapsed(),
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of `cargo semver-checks check-release` output (0.51.0).
    const OUTPUT: &str = "     Checking aitoearn v0.1.0 -> v0.1.0 (no change; assume patch)
     Checked [   0.2s] 196 checks: 192 pass, 3 fail, 1 warn, 0 skip

--- failure enum_variant_missing: pub enum variant removed or renamed ---

Description:
A publicly-visible enum has at least one variant that is no longer available under its prior name.
        ref: https://doc.rust-lang.org/cargo/reference/semver.html
       impl: https://github.com/obi1kenobi/cargo-semver-checks/tree/v0.51.0/src/lints/enum_variant_missing.ron

Failed in:
  variant Platform::Kwai, previously in file /tmp/a/src/lib.rs:10

--- failure inherent_method_missing: pub method removed or renamed ---

Failed in:
  Client::works_list, previously in file /tmp/a/src/lib.rs:20
  Client::works_get, previously in file /tmp/a/src/lib.rs:21

--- failure struct_missing: pub struct removed or renamed ---

Failed in:
  struct aitoearn::types::AuthStartData, previously in file /tmp/a/src/lib.rs:30

--- warning inherent_method_added: pub inherent method added ---

Failed in:
  Client::works_new in /tmp/b/out/api.rs:40

     Summary semver requires new major version: 3 major and 0 minor checks failed
";

    #[test]
    fn output_is_read() {
        let f = parse(OUTPUT);
        let lints: Vec<&str> = f.iter().map(|f| f.lint.as_str()).collect();
        assert_eq!(
            lints,
            [
                "enum_variant_missing",
                "inherent_method_missing",
                "struct_missing",
                "inherent_method_added"
            ]
        );
        assert_eq!(f[1].places, ["Client::works_get", "Client::works_list"]);
        assert_eq!(f[0].summary, "pub enum variant removed or renamed");
        assert_eq!(f[2].places, ["struct aitoearn::types::AuthStartData"]);
        assert_eq!(f[3].severity, Severity::Warning);
        assert_eq!(f[3].places, ["Client::works_new"]);
        assert!(parse("     Checked [0.1s] 196 checks: 196 pass").is_empty());
    }

    fn run_of(findings: Vec<Finding>) -> Run {
        Run {
            output: String::new(),
            findings,
            elapsed: Duration::from_secs(1),
            version: "cargo-semver-checks 0.51.0".into(),
        }
    }

    /// Where the tool and diff-spec's predictions disagree, the section says so.
    #[test]
    fn the_tool_beside_the_predictions() {
        let text = |old: &str, new: &str| crate::diff::compare_texts(old, new, "a", "b").unwrap();
        let fixture = |name: &str| {
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures")
                    .join(name),
            )
            .unwrap()
        };
        let (v1, v2) = (fixture("things_v1.json"), fixture("things_v2.json"));
        // v1 → v2 removes a response field: `field-removed`, seen by `struct_pub_field_missing`.
        let report = text(&v1, &v2);
        assert!(report.all_changes().any(|c| c.kind == "field-removed"));
        let none = section(&report, Ok(&run_of(Vec::new())));
        assert!(
            none.contains("**The tool and diff-spec disagree**"),
            "{none}"
        );
        assert!(
            none.contains("| `field-removed` | 2 | `struct_pub_field_missing` | 0 | **no**: the tool does not see it |"),
            "{none}"
        );
        // No change predicted and none found: agreement.
        let same = text(&v1, &v1);
        assert!(section(&same, Ok(&run_of(Vec::new()))).contains("the tool agrees"));
        // Findings where none were predicted.
        let s = section(&same, Ok(&run_of(parse(OUTPUT))));
        assert!(s.contains("3 checks fail, 1 warn"), "{s}");
        assert!(
            s.contains(
                "| `struct_missing` | 0 | — | 1 | **no**: diff-spec predicted nothing it explains |"
            ),
            "{s}"
        );
        assert!(s.contains("- failure `struct_missing` (pub struct removed or renamed): `struct aitoearn::types::AuthStartData`"), "{s}");
        // Skipped: said, not silent.
        let skipped = section(&report, Err("cargo-semver-checks is not installed"));
        assert!(skipped.starts_with("**Skipped**: cargo-semver-checks is not installed."));
    }
}
