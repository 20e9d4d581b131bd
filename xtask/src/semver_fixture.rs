//! `cargo xtask semver-fixture [--record]`: the fixture pair on which diff-spec's Rust-API
//! predictions are checked against `cargo semver-checks`, kind by kind.
//!
//! The pair is the vendored spec and the same spec with [`mutate`] applied to both editions:
//! a type renamed, a field made required (`Option<T>` → `T`), an enum variant added and one
//! removed, a method added and one removed. Installing the tool costs 11 minutes here and a
//! run two rustdoc builds of the crate, more than CI affords, so its findings are recorded in
//! [`RECORD`] by `--record`; the unit test compares diff-spec's predictions with the record on
//! every run, and `semver-fixture` (or the ignored test) runs the tool live, when installed, to
//! check the record still says what the tool says.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;

use crate::cli::{Args, Failure};
use crate::diff::model::Report;
use crate::semver::{self, Finding, Run};
use crate::util::{SPEC, SPEC_EN};

pub const USAGE: &str = "\
cargo xtask semver-fixture [--record] [--timeout SECS]

  Compares diff-spec's Rust-API predictions for the fixture pair (the vendored spec, and the
  same with a type renamed, a field made required, an enum variant added and one removed, a
  method added and one removed) with the findings of cargo-semver-checks recorded in
  xtask/fixtures/semver-checks-pair.txt, kind by kind; then, when cargo-semver-checks is
  installed, runs it on the pair (two rustdoc builds of the crate, minutes) and checks the
  record is still what it says (otherwise says the live check was skipped, and why).

  --record   run the tool and write its findings to the record (the tool is required)
  --timeout  seconds before the tool is stopped (default 1800)";

/// The recorded findings, relative to the workspace root.
pub const RECORD: &str = "xtask/fixtures/semver-checks-pair.txt";

/// `#/components/schemas/<name>`.
fn component(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

fn at<'v>(spec: &'v mut Value, pointer: &str) -> Result<&'v mut Value, String> {
    spec.pointer_mut(pointer).ok_or_else(|| {
        format!("the fixture pair needs `{pointer}` in the vendored spec; choose another target")
    })
}

/// Every `$ref` to `from` made a `$ref` to `to`.
fn retarget(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "$ref" && x.as_str() == Some(from) {
                    *x = to.into();
                } else {
                    retarget(x, from, to);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| retarget(x, from, to)),
        _ => {}
    }
}

/// The new side of the pair from one edition of the vendored spec (the same targets in both).
pub fn mutate(mut spec: Value) -> Result<Value, String> {
    // A type renamed: component `ChannelWorkOwnershipVo` → `ChannelWorkOwnershipResultVo`.
    let schemas = at(&mut spec, "/components/schemas")?
        .as_object_mut()
        .ok_or("components.schemas is not an object")?;
    let renamed = schemas
        .remove("ChannelWorkOwnershipVo")
        .ok_or("the fixture pair needs component ChannelWorkOwnershipVo")?;
    schemas.insert("ChannelWorkOwnershipResultVo".into(), renamed);
    retarget(
        &mut spec,
        &component("ChannelWorkOwnershipVo"),
        &component("ChannelWorkOwnershipResultVo"),
    );
    // A field made required: `AiLogSettlementVo.settledAt`, `Option<DateTime<Utc>>` → `DateTime<Utc>`.
    at(&mut spec, "/components/schemas/AiLogSettlementVo/required")?
        .as_array_mut()
        .ok_or("AiLogSettlementVo.required is not a list")?
        .push("settledAt".into());
    // An enum variant added: `AiLogSettlementVo.status` gains `disputed`.
    at(
        &mut spec,
        "/components/schemas/AiLogSettlementVo/properties/status/enum",
    )?
    .as_array_mut()
    .ok_or("AiLogSettlementVo.status is not an enum")?
    .push("disputed".into());
    // An enum variant removed: `ChannelEngagementActionVo.actionType` loses `quote`.
    let values = at(
        &mut spec,
        "/components/schemas/ChannelEngagementActionVo/properties/actionType/enum",
    )?
    .as_array_mut()
    .ok_or("ChannelEngagementActionVo.actionType is not an enum")?;
    let before = values.len();
    values.retain(|v| v != "quote");
    if values.len() == before {
        return Err(
            "the fixture pair needs `quote` in ChannelEngagementActionVo.actionType".into(),
        );
    }
    // A method added: `GET /api/v2/channels/platforms-v3` (`platforms_list_v3`).
    let mut copy = at(&mut spec, "/paths/~1api~1v2~1channels~1platforms")?.clone();
    *at(&mut copy, "/get/operationId")? = "PlatformsController_listPlatforms_v3".into();
    at(&mut spec, "/paths")?
        .as_object_mut()
        .ok_or("paths is not an object")?
        .insert("/api/v2/channels/platforms-v3".into(), copy);
    // A method removed: `DELETE /api/v2/channels/publish/records/{recordId}`.
    at(
        &mut spec,
        "/paths/~1api~1v2~1channels~1publish~1records~1{recordId}",
    )?
    .as_object_mut()
    .ok_or("the records path is not an object")?
    .remove("delete")
    .ok_or("the fixture pair needs DELETE /api/v2/channels/publish/records/{recordId}")?;
    Ok(spec)
}

/// Both sides of the pair: (Chinese, English) editions.
pub struct Pair {
    pub old: (String, String),
    pub new: (String, String),
}

impl Pair {
    /// cargo-semver-checks on the pair (old → new), stopped after `timeout`.
    pub fn check(&self, root: &Path, timeout: Duration) -> Result<Run, String> {
        semver::run(
            root,
            (&self.old.0, &self.old.1),
            (&self.new.0, &self.new.1),
            timeout,
        )
    }

    /// The vendored spec under `root`, and its mutation.
    pub fn of(root: &Path) -> Result<Pair, String> {
        let read = |f: &str| std::fs::read_to_string(root.join(f)).map_err(|e| format!("{f}: {e}"));
        let (zh, en) = (read(SPEC)?, read(SPEC_EN)?);
        let new = |text: &str| -> Result<String, String> {
            let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            Ok(crate::util::pretty(&mutate(v)?))
        };
        Ok(Pair {
            new: (new(&zh)?, new(&en)?),
            old: (zh, en),
        })
    }

    /// diff-spec's report for the pair, as update-spec computes it (overlays on both sides).
    pub fn report(&self, root: &Path) -> Result<Report, String> {
        let overlays = crate::util::overlays(root)?;
        crate::update_spec::diff(&self.old.0, &self.new.0, &overlays)
    }
}

/// The recorded run: its header (`# key: value` lines) and the tool's output.
pub struct Record {
    pub version: String,
    pub recorded: String,
    pub seconds: u64,
    pub output: String,
}

impl Record {
    pub fn parse(text: &str) -> Result<Record, String> {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
                .map(str::to_owned)
                .ok_or_else(|| format!("{RECORD}: no `# {key}:` line in its header"))
        };
        Ok(Record {
            version: field("tool")?,
            recorded: field("recorded")?,
            seconds: field("seconds")?
                .parse()
                .map_err(|_| format!("{RECORD}: `# seconds:` is not a number"))?,
            output: text
                .lines()
                .filter(|l| !l.starts_with("# "))
                .collect::<Vec<_>>()
                .join("\n"),
        })
    }

    pub fn read(root: &Path) -> Result<Record, String> {
        let text = std::fs::read_to_string(root.join(RECORD)).map_err(|e| {
            format!("{RECORD}: {e} (make it with `cargo xtask semver-fixture --record`)")
        })?;
        Record::parse(&text)
    }

    /// The record of `run`, with its header.
    pub fn text(run: &Run, spec_id: &str) -> String {
        format!(
            "# The findings of cargo-semver-checks for the fixture pair of xtask/src/semver_fixture.rs:\n\
             # the vendored spec, and the same with `mutate` applied (a type renamed, a field made\n\
             # required, an enum variant added and one removed, a method added and one removed).\n\
             # Made by `cargo xtask semver-fixture --record`; checked against diff-spec's predictions\n\
             # by `cargo test -p xtask semver_fixture`, and against the tool by `cargo xtask semver-fixture`.\n\
             # tool: {}\n\
             # recorded: {}\n\
             # seconds: {:.0}\n\
             # vendored spec: spec.{spec_id}\n\
             {}",
            run.version,
            crate::update_spec::today(),
            run.elapsed.as_secs_f64(),
            run.output
        )
    }

    /// The record as a run (for the comparison table).
    pub fn run(&self) -> Run {
        Run {
            output: self.output.clone(),
            findings: semver::parse(&self.output),
            elapsed: Duration::from_secs(self.seconds),
            version: format!("{} (recorded {})", self.version, self.recorded),
        }
    }
}

/// The live check's outcome.
pub enum Live {
    /// The tool says what the record says.
    Same(Run),
    /// Not run, and why.
    Skipped(String),
}

/// Findings as `severity lint: place` lines, for comparing two runs.
fn lines(findings: &[Finding]) -> Vec<String> {
    let mut out: Vec<String> = findings
        .iter()
        .flat_map(|f| {
            f.places
                .iter()
                .map(move |p| format!("{:?} {}: {p}", f.severity, f.lint))
        })
        .collect();
    out.sort();
    out
}

/// Runs the tool on the pair and compares its findings with the record's.
pub fn live_check(root: &Path, timeout: Duration) -> Result<Live, String> {
    if let Err(why) = semver::installed() {
        return Ok(Live::Skipped(why));
    }
    let record = Record::read(root)?;
    let pair = Pair::of(root)?;
    let run = pair.check(root, timeout)?;
    let (was, now) = (lines(&record.run().findings), lines(&run.findings));
    if was != now {
        let gone: Vec<&String> = was.iter().filter(|l| !now.contains(l)).collect();
        let new: Vec<&String> = now.iter().filter(|l| !was.contains(l)).collect();
        return Err(format!(
            "{RECORD} is stale: {} now finds, beside the record ({}):\n  no longer: {gone:?}\n  new: {new:?}\nre-record with `cargo xtask semver-fixture --record`",
            run.version, record.version
        ));
    }
    Ok(Live::Same(run))
}

pub fn run(args: &[String], root: &Path) -> Result<ExitCode, Failure> {
    let args = Args::parse(args, &["record"], &["timeout"])?;
    args.max_positionals(0)?;
    let timeout = match args.option("timeout") {
        Some(t) => Duration::from_secs(
            t.parse()
                .map_err(|_| Failure::Usage(format!("`--timeout {t}`: seconds, a number")))?,
        ),
        None => Duration::from_secs(1800),
    };
    let pair = Pair::of(root)?;
    let report = pair.report(root)?;
    if args.flag("record") {
        semver::installed()?;
        let run = pair.check(root, timeout)?;
        let id = crate::update_spec::spec_id(pair.old.0.as_bytes());
        std::fs::write(root.join(RECORD), Record::text(&run, &id))
            .map_err(|e| format!("{RECORD}: {e}"))?;
        println!("{}", semver::section(&report, Ok(&run)));
        println!(
            "recorded {RECORD} ({}, {:.0} s)",
            run.version,
            run.elapsed.as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let record = Record::read(root)?;
    println!(
        "diff-spec's predictions for the pair beside the recorded findings:\n\n{}",
        semver::section(&report, Ok(&record.run()))
    );
    match live_check(root, timeout)? {
        Live::Same(run) => println!(
            "live check: {} says what the record says ({:.0} s)",
            run.version,
            run.elapsed.as_secs_f64()
        ),
        Live::Skipped(why) => println!("live check SKIPPED, the tool was not run: {why}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The agreement table the recorded run gives: (diff-spec kind, predicted, verdict). Every kind
/// the pair makes agrees but `required-changed` (no lint compares field types); and the tool
/// sees what diff-spec does not predict: the added operation's `authType` and `editor` enums
/// equal `platforms_list`'s, so the generator shares them (`types::AuthType`,
/// `types::Editor`) and `types::PlatformsListDataItemAuthType`/`…Editor` disappear.
#[cfg(test)]
const EXPECTED: &[(&str, usize, crate::semver::Verdict)] = {
    use crate::semver::Verdict::{Agree, Blind};
    &[
        ("enum-values-added", 2, Agree),
        ("enum-values-removed", 1, Agree),
        // The new operation's enums equal `platforms_list`'s, so the `share_identical_enums`
        // adaptation makes both one shared type: two types go, two come (diff-spec reads the
        // adapted components on both sides).
        ("generated-type-added", 2, Agree),
        ("generated-type-removed", 2, Agree),
        ("operation-added", 1, Agree),
        ("operation-removed", 1, Agree),
        ("required-changed", 2, Blind),
        ("schema-added", 1, Agree),
        ("schema-removed", 1, Agree),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semver::Verdict;

    /// diff-spec's predictions for the pair against the recorded findings of the real tool,
    /// kind by kind: fails when diff-spec's classification (or the record) changes. Costs a
    /// diff of the pair (about a second); the tool is not run.
    #[test]
    fn diff_spec_and_the_recorded_tool_agree_kind_by_kind() {
        let root = crate::util::workspace_root();
        let pair = Pair::of(&root).unwrap();
        let report = pair.report(&root).unwrap();
        let record = Record::read(&root).unwrap();
        assert!(
            record.version.starts_with("cargo-semver-checks "),
            "{}",
            record.version
        );
        let rows = semver::agreement(&report, &record.run().findings);
        let got: Vec<(&str, usize, Verdict)> = rows
            .iter()
            .map(|r| (r.kind.as_str(), r.predicted, r.verdict))
            .collect();
        assert_eq!(got, EXPECTED, "{rows:#?}");
        let unexplained: Vec<String> = semver::unexplained(&report, &record.run().findings)
            .into_iter()
            .map(|(_, place)| place)
            .collect();
        // The types the shared-enums adaptation merges away are predicted by name.
        let merged: Vec<&str> = report
            .document
            .iter()
            .filter(|c| c.kind == "generated-type-removed")
            .filter_map(|c| c.old.get("rust").and_then(|r| r.as_str()))
            .collect();
        assert_eq!(
            merged,
            [
                "types::PlatformsListDataItemAuthType",
                "types::PlatformsListDataItemEditor"
            ]
        );
        assert!(
            report
                .document
                .iter()
                .all(|c| c.kind != "generated-type-removed" || c.breaking)
        );
        // Every item the tool names follows from a prediction.
        assert_eq!(unexplained, Vec::<String>::new());
        // The one disagreement left is said in the PR body.
        let section = semver::section(&report, Ok(&record.run()));
        assert!(
            section.contains("**The tool and diff-spec disagree** on `required-changed`."),
            "{section}"
        );
        assert!(
            section.contains(
                "| `required-changed` | 2 | — | 0 | **no**: no lint of the tool compares it |"
            ),
            "{section}"
        );
    }

    /// Live: the tool on the pair, checked against the record. Two rustdoc builds of the crate:
    /// 42 s here with `target/semver-checks` warm, 3 min cold; needs cargo-semver-checks on
    /// PATH. Prints that it was skipped, and why, when the tool is not installed.
    /// `cargo xtask semver-fixture` does the same.
    #[test]
    #[ignore = "minutes: two rustdoc builds of the crate; needs cargo-semver-checks"]
    fn the_record_is_what_the_tool_says() {
        let root = crate::util::workspace_root();
        match live_check(&root, Duration::from_secs(1800)).unwrap() {
            Live::Same(run) => eprintln!("{} agrees with the record", run.version),
            Live::Skipped(why) => eprintln!("SKIPPED, the tool was not run: {why}"),
        }
    }

    #[test]
    fn a_record_is_read_back() {
        let run = Run {
            output: "--- failure struct_missing: pub struct removed or renamed ---\n\nFailed in:\n  struct aitoearn::types::X, previously in file <root>/a.rs:1\n".into(),
            findings: Vec::new(),
            elapsed: Duration::from_secs(7),
            version: "cargo-semver-checks 0.51.0".into(),
        };
        let r = Record::parse(&Record::text(&run, "abc")).unwrap();
        assert_eq!(r.version, "cargo-semver-checks 0.51.0");
        assert_eq!(r.seconds, 7);
        assert_eq!(r.run().findings[0].places, ["struct aitoearn::types::X"]);
        assert!(Record::parse("no header").is_err());
    }
}
