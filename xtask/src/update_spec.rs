//! `cargo xtask update-spec --out DIR`: a spec update as the pull request a maintainer reviews.
//! Refreshes both editions, re-applies the overlays and reports their state, checks that the
//! crate regenerates and compiles (`check-spec`), then vendors the new pair, bumps the crate's
//! version (the spec's identity as build metadata), adds a CHANGELOG.md entry, rewrites
//! OPERATIONS.md, and writes `DIR/title.txt`, `DIR/body.md` and `DIR/level.txt` — all derived
//! from the diff. With no change it says so, writes nothing and exits 0; a second run on the
//! same input changes nothing.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::check_spec::OperationChanges;
use crate::cli::{Args, Failure};
use crate::codegen;
use crate::diff::model::{Change, Counts, Report};
use crate::fetch::Source;
use crate::refresh::{DEFAULT_SOURCE, DEFAULT_SOURCE_EN};
use crate::util::{SPEC, SPEC_EN};

pub const USAGE: &str = "\
cargo xtask update-spec [--from SRC] [--from-en SRC] --out DIR [--no-compile] [--semver-checks]
                        [--timeout SECS]

  SRC        a path, file:// or http(s):// URL, as refresh-spec takes them (defaults: the
             published editions)
  --out      where to write title.txt, body.md (the pull request's body) and level.txt
             (major, minor or patch)
  --no-compile  skip the `cargo check` of the crate against the new spec (scratch copy)
  --semver-checks  compare the public API of the crate built from the vendored spec and from
             the new one with `cargo semver-checks` (cargo install --locked
             cargo-semver-checks@0.51.0) and put its findings beside diff-spec's predictions,
             kind by kind, in the body; not installed: the body says the check was skipped

  In the work tree: vendors both editions, bumps the version in Cargo.toml and Cargo.lock
  (build metadata: spec.<content hash>), adds a CHANGELOG.md entry, rewrites OPERATIONS.md.
  With no change: says so, writes nothing, exits 0.";

/// The semver level a change implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Patch,
    Minor,
    Major,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        }
    }
}

/// The level for `report` on a crate at `major.minor`: a breaking or Rust-API change (or a
/// failed check of cargo-semver-checks, `tool_breaks`, which diff-spec may not have predicted)
/// is `major` from 1.0 (`minor` for 0.x); anything else `patch` (0.x) — from 1.0 added
/// operations are `minor`.
pub fn level(report: &Report, ops: &OperationChanges, major: u64, tool_breaks: bool) -> Level {
    let c = Counts::of(report.all_changes());
    let api = c.breaking > 0
        || c.rust_api > 0
        || !ops.removed.is_empty()
        || !ops.renamed.is_empty()
        || tool_breaks;
    match (major, api) {
        (0, true) => Level::Minor,
        (0, false) => Level::Patch,
        (_, true) => Level::Major,
        (_, false) if !ops.added.is_empty() => Level::Minor,
        _ => Level::Patch,
    }
}

/// `0.1.0+spec.x` bumped by `level`, with `+spec.<id>`.
pub fn bump(version: &str, level: Level, id: &str) -> Result<String, String> {
    let base = version.split('+').next().unwrap_or(version);
    let base = base.split('-').next().unwrap_or(base);
    let parts: Vec<u64> = base
        .split('.')
        .map(|p| {
            p.parse()
                .map_err(|_| format!("version `{version}` is not x.y.z"))
        })
        .collect::<Result<_, _>>()?;
    let [major, minor, patch] =
        <[u64; 3]>::try_from(parts).map_err(|_| format!("version `{version}` is not x.y.z"))?;
    let (major, minor, patch) = match (level, major) {
        (Level::Major, 0) | (Level::Minor, _) => (major, minor + 1, 0),
        (Level::Major, _) => (major + 1, 0, 0),
        (Level::Patch, _) => (major, minor, patch + 1),
    };
    Ok(format!("{major}.{minor}.{patch}+spec.{id}"))
}

/// A short content hash of the spec (FNV-1a, 64 bits, first 10 hex digits): its identity in
/// the version's build metadata.
pub fn spec_id(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")[..10].to_string()
}

/// Today's date (UTC), `YYYY-MM-DD`.
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The `version = "…"` of `[package]` in a Cargo.toml.
pub fn package_version(manifest: &str) -> Option<String> {
    let start = manifest.find("[package]")?;
    manifest[start..]
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
}

fn set_package_version(manifest: &str, old: &str, new: &str) -> Result<String, String> {
    let start = manifest
        .find("[package]")
        .ok_or("Cargo.toml has no [package]")?;
    let needle = format!("version = \"{old}\"");
    let at = manifest[start..]
        .find(&needle)
        .ok_or("Cargo.toml: no package version")?
        + start;
    Ok(format!(
        "{}version = \"{new}\"{}",
        &manifest[..at],
        &manifest[at + needle.len()..]
    ))
}

fn set_lock_version(lock: &str, old: &str, new: &str) -> Result<String, String> {
    let needle = format!("name = \"aitoearn\"\nversion = \"{old}\"");
    if !lock.contains(&needle) {
        return Err("Cargo.lock has no entry for aitoearn at the manifest's version".into());
    }
    Ok(lock.replacen(
        &needle,
        &format!("name = \"aitoearn\"\nversion = \"{new}\""),
        1,
    ))
}

/// One change as a Markdown list line.
fn change_line(op: Option<(&str, &str, Option<&str>)>, c: &Change) -> String {
    let what = if c.path.is_empty() {
        c.place.describe()
    } else {
        format!("{} · `{}`", c.place.describe(), c.path)
    };
    let prefix = match op {
        Some((method, path, Some(name))) => format!("`{method} {path}` `{name}()`: "),
        Some((method, path, None)) => format!("`{method} {path}`: "),
        None => String::new(),
    };
    format!("- {prefix}{what}: {} — {}", c.change, c.reason)
}

/// (breaking, rust-api, compatible, text-only) lines of a report.
fn sections(report: &Report) -> [Vec<String>; 4] {
    let mut out: [Vec<String>; 4] = Default::default();
    let mut push = |line: String, c: &Change| {
        let i = if c.breaking {
            0
        } else if c.rust_api {
            1
        } else if c.docs {
            3
        } else {
            2
        };
        out[i].push(line);
    };
    for op in &report.operations {
        let name = op.rust_method.1.as_deref().or(op.rust_method.0.as_deref());
        for c in &op.changes {
            push(change_line(Some((&op.method, &op.path, name)), c), c);
        }
    }
    for s in &report.schemas {
        for c in &s.changes {
            let line = change_line(None, c).replacen("- ", &format!("- schema `{}`: ", s.name), 1);
            push(line, c);
        }
    }
    for c in &report.document {
        push(change_line(None, c), c);
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The Rust API as the compiler sees it: the body's section, and whether the tool found a
/// change that needs a semver-breaking bump.
pub struct Truth {
    pub section: String,
    pub breaking: bool,
}

/// Everything the pull request says.
pub struct Pr {
    pub title: String,
    pub body: String,
    pub level: Level,
    pub version: String,
    pub changelog: String,
}

/// The PR for `report` (the diff of the effective specs), `ops` (methods), the overlay report
/// and the checks' costs.
#[allow(clippy::too_many_arguments)]
pub fn pr(
    report: &Report,
    ops: &OperationChanges,
    overlays: &str,
    old_version: &str,
    spec_id: &str,
    checks: &str,
    api_truth: &Truth,
    date: &str,
) -> Result<Pr, String> {
    let major: u64 = old_version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let level = level(report, ops, major, api_truth.breaking);
    let version = bump(old_version, level, spec_id)?;
    let [breaking, rust_api, compatible, text] = sections(report);
    let counts = Counts::of(report.all_changes());
    let mut title = format!("Spec update {spec_id}: ");
    let mut parts = Vec::new();
    if !breaking.is_empty() {
        parts.push(format!("{} breaking", breaking.len()));
    }
    if !ops.added.is_empty() {
        parts.push(plural(
            ops.added.len(),
            "operation added",
            "operations added",
        ));
    }
    if !ops.removed.is_empty() {
        parts.push(plural(
            ops.removed.len(),
            "operation removed",
            "operations removed",
        ));
    }
    parts.push(plural(
        counts.breaking + counts.compatible,
        "change",
        "changes",
    ));
    title.push_str(&parts.join(", "));
    let _ = write!(title, " ({} → {version})", old_version);

    let mut b = String::new();
    let _ = writeln!(
        b,
        "## Spec update `{spec_id}`: {old_version} → {version} ({})\n",
        level.as_str()
    );
    b.push_str("| | count |\n|---|---|\n");
    for (k, v) in [
        ("breaking changes", breaking.len()),
        (
            "Rust-API changes (not breaking on the wire)",
            rust_api.len(),
        ),
        ("compatible changes", compatible.len()),
        ("text-only changes", text.len()),
        ("methods added", ops.added.len()),
        ("methods removed", ops.removed.len()),
        ("methods renamed", ops.renamed.len()),
    ] {
        let _ = writeln!(b, "| {k} | {v} |");
    }
    let _ = writeln!(b, "| semver level | **{}** |\n", level.as_str());
    for (heading, lines) in [
        ("Breaking changes", &breaking),
        ("Rust-API changes", &rust_api),
        ("Compatible changes", &compatible),
    ] {
        if !lines.is_empty() {
            let _ = writeln!(b, "### {heading} ({})\n", lines.len());
            for l in lines {
                let _ = writeln!(b, "{l}");
            }
            b.push('\n');
        }
    }
    if !text.is_empty() {
        let _ = writeln!(
            b,
            "<details><summary>Text-only changes ({})</summary>\n",
            text.len()
        );
        for l in &text {
            let _ = writeln!(b, "{l}");
        }
        b.push_str("\n</details>\n\n");
    }
    b.push_str("### Methods\n\n");
    let lines = ops.lines();
    if lines.is_empty() {
        b.push_str("No method added, removed or renamed.\n\n");
    } else {
        for l in lines {
            let _ = writeln!(b, "{l}");
        }
        b.push('\n');
    }
    b.push_str("### Rust API, as the compiler sees it\n\n");
    b.push_str(&api_truth.section);
    b.push('\n');
    b.push_str("### Overlays\n\n");
    if overlays.trim().is_empty() {
        b.push_str("No overlays.\n\n");
    } else {
        let _ = writeln!(b, "```text\n{}```\n", overlays);
    }
    if !report.notes.is_empty() {
        b.push_str("### Notes\n\n");
        for n in &report.notes {
            let _ = writeln!(b, "- {n}");
        }
        b.push('\n');
    }
    b.push_str("### Checks\n\n");
    b.push_str(checks);
    b.push('\n');

    // Keep a Changelog.
    let mut cl = format!("## [{version}] - {date}\n\n");
    let mut section = |name: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            let _ = writeln!(cl, "### {name}\n");
            for l in lines {
                let _ = writeln!(cl, "{l}");
            }
            cl.push('\n');
        }
    };
    section(
        "Added",
        ops.added
            .iter()
            .map(|(k, n)| format!("- `Client::{n}` (`{k}`)"))
            .collect(),
    );
    let mut changed: Vec<String> = breaking
        .iter()
        .map(|l| l.replacen("- ", "- **breaking**: ", 1))
        .collect();
    changed.extend(rust_api.iter().cloned());
    changed.extend(compatible.iter().cloned());
    changed.extend(
        ops.renamed
            .iter()
            .map(|(k, o, n)| format!("- `Client::{o}` is now `Client::{n}` (`{k}`)")),
    );
    if !text.is_empty() {
        changed.push(format!(
            "- {} documentation texts from the spec",
            text.len()
        ));
    }
    section("Changed", changed);
    section(
        "Removed",
        ops.removed
            .iter()
            .map(|(k, n)| format!("- `Client::{n}` (`{k}`)"))
            .collect(),
    );
    Ok(Pr {
        title,
        body: b,
        level,
        version,
        changelog: cl,
    })
}

const CHANGELOG_HEAD: &str = "# Changelog\n\nAll notable changes to this crate. The format follows \
[Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and the crate follows \
[Semantic Versioning](https://semver.org/); the build metadata (`+spec.…`) names the vendored \
spec's content.\n\n";

/// `changelog` with `entry` as its newest entry.
pub fn add_entry(changelog: &str, entry: &str) -> String {
    let changelog = if changelog.trim().is_empty() {
        CHANGELOG_HEAD.to_string()
    } else {
        changelog.to_string()
    };
    match changelog.find("\n## [") {
        Some(i) => format!("{}\n{entry}{}", &changelog[..i], &changelog[i + 1..]),
        None => format!("{}\n{entry}", changelog.trim_end()),
    }
}

/// The diff of two specs as `diff-spec` shows it by default (overlays applied to both sides).
pub fn diff(
    old: &str,
    new: &str,
    overlays: &[codegen::overlay::Overlay],
) -> Result<Report, String> {
    let side = |t: &str| -> Result<serde_json::Value, String> {
        match codegen::effective(t, overlays) {
            Ok((_, e, _)) => Ok(e),
            Err(_) => serde_json::from_str(t).map_err(|e| e.to_string()),
        }
    };
    Ok(crate::diff::compare_with(
        &side(old)?,
        &side(new)?,
        &format!("{SPEC} (vendored)"),
        &format!("{SPEC} (published)"),
        crate::diff::Options::default(),
    ))
}

/// What [`update`] did.
pub enum Outcome {
    Unchanged,
    Updated(Box<Pr>),
}

/// Runs the update under `root`; writes the PR files to `out`.
pub fn update(
    root: &Path,
    zh_src: &str,
    en_src: &str,
    out: &Path,
    compile: Option<Duration>,
    semver: Option<Duration>,
) -> Result<Outcome, String> {
    let read = |src: &str| -> Result<Vec<u8>, String> {
        let s = Source::parse(src, root)?;
        let bytes = s.read()?;
        crate::refresh::check_document(&bytes).map_err(|e| format!("`{s}`: {e}"))?;
        Ok(bytes)
    };
    let (zh, en) = (read(zh_src)?, read(en_src)?);
    let old_zh = std::fs::read(root.join(SPEC)).unwrap_or_default();
    let old_en = std::fs::read(root.join(SPEC_EN)).unwrap_or_default();
    if zh == old_zh && en == old_en {
        return Ok(Outcome::Unchanged);
    }
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (zh_text, en_text, old_text) = (text(&zh), text(&en), text(&old_zh));
    let overlays = crate::util::overlays(root)?;
    let overlay_report = crate::refresh::overlay_report(&zh_text, &overlays)?
        .replace(&format!("{}/", root.display()), "");
    // check-spec: generate, and compile in a scratch copy.
    let checked = crate::check_spec::check(root, &zh_text, Some(&en_text), compile)
        .map_err(|e| format!("the new spec would not regenerate, nothing was changed: {e}"))?;
    let t = Instant::now();
    let report = diff(&old_text, &zh_text, &overlays)?;
    let diff_time = t.elapsed();
    let new_ops = codegen::generate_full(
        &zh_text,
        Some(&en_text),
        &overlays,
        codegen::Options::default(),
    )?
    .operations;
    let manifest_path = root.join("Cargo.toml");
    let manifest =
        std::fs::read_to_string(&manifest_path).map_err(|e| format!("Cargo.toml: {e}"))?;
    let old_version = package_version(&manifest).ok_or("Cargo.toml has no package version")?;
    let id = spec_id(&zh);
    let checks = format!(
        "- generated: {} operations in {:.1} s\n- compiled: {}\n- diffed in {:.1} s\n",
        checked.operations,
        checked.generate.as_secs_f64(),
        checked
            .compile
            .map(|d| format!(
                "the crate and its examples build against it ({:.0} s)",
                d.as_secs_f64()
            ))
            .unwrap_or_else(|| "skipped (--no-compile)".into()),
        diff_time.as_secs_f64()
    );
    // The ground truth for the Rust-API predictions, or why there is none: said, not silent.
    // A tool that cannot compare the crates does not hold the update back (check-spec has
    // already built the crate against the new spec).
    let skipped = |why: &str| {
        eprintln!("warning: the Rust API ground truth is skipped: {why}");
        Truth {
            section: crate::semver::section(&report, Err(why)),
            breaking: false,
        }
    };
    let truth = match semver {
        Some(timeout) => match crate::semver::installed() {
            Ok(_) => match crate::semver::run(
                root,
                (&old_text, &text(&old_en)),
                (&zh_text, &en_text),
                timeout,
            ) {
                Ok(run) => Truth {
                    section: crate::semver::section(&report, Ok(&run)),
                    breaking: crate::semver::breaks(&run),
                },
                Err(why) => skipped(&format!(
                    "cargo semver-checks could not compare the crates: {why}"
                )),
            },
            Err(why) => skipped(&why),
        },
        None => Truth {
            section: crate::semver::section(
                &report,
                Err("`cargo semver-checks` was not run (`update-spec --semver-checks` runs it)"),
            ),
            breaking: false,
        },
    };
    let pr = pr(
        &report,
        &checked.changes,
        &overlay_report,
        &old_version,
        &id,
        &checks,
        &truth,
        &today(),
    )?;
    // The work tree: the spec pair, the version, the changelog, the operations table.
    let lock_path = root.join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).map_err(|e| format!("Cargo.lock: {e}"))?;
    let new_manifest = set_package_version(&manifest, &old_version, &pr.version)?;
    let new_lock = set_lock_version(&lock, &old_version, &pr.version)?;
    let changelog_path = root.join("CHANGELOG.md");
    let changelog = std::fs::read_to_string(&changelog_path).unwrap_or_default();
    let new_changelog = add_entry(&changelog, &pr.changelog);
    let operations_md = crate::operations::markdown(&new_ops);
    let (zh_path, en_path) = (root.join(SPEC), root.join(SPEC_EN));
    let ops_path = root.join(crate::operations::OPERATIONS_MD);
    crate::refresh::replace_all(&[
        (zh_path.as_path(), zh.as_slice()),
        (en_path.as_path(), en.as_slice()),
        (manifest_path.as_path(), new_manifest.as_bytes()),
        (lock_path.as_path(), new_lock.as_bytes()),
        (changelog_path.as_path(), new_changelog.as_bytes()),
        (ops_path.as_path(), operations_md.as_bytes()),
    ])
    .map_err(|e| format!("cannot write the update: {e}"))?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    for (name, text) in [
        ("title.txt", format!("{}\n", pr.title)),
        ("body.md", pr.body.clone()),
        ("level.txt", format!("{}\n", pr.level.as_str())),
    ] {
        std::fs::write(out.join(name), text).map_err(|e| format!("writing {name}: {e}"))?;
    }
    Ok(Outcome::Updated(Box::new(pr)))
}

pub fn run(args: &[String], root: &Path) -> Result<ExitCode, Failure> {
    let args = Args::parse(
        args,
        &["no-compile", "semver-checks"],
        &["from", "from-en", "out", "timeout"],
    )?;
    args.max_positionals(0)?;
    let out = args
        .option("out")
        .ok_or_else(|| Failure::Usage("`--out DIR` is required".into()))?;
    let timeout = match args.option("timeout") {
        Some(t) => Duration::from_secs(
            t.parse()
                .map_err(|_| Failure::Usage(format!("`--timeout {t}`: seconds, a number")))?,
        ),
        None => Duration::from_secs(1200),
    };
    let compile = (!args.flag("no-compile")).then_some(timeout);
    let zh = args.option("from").unwrap_or(DEFAULT_SOURCE);
    let en = args.option("from-en").unwrap_or(DEFAULT_SOURCE_EN);
    let semver = args.flag("semver-checks").then_some(timeout);
    match update(root, zh, en, Path::new(out), compile, semver)? {
        Outcome::Unchanged => {
            println!("no change: the published spec is the vendored one; nothing written");
        }
        Outcome::Updated(pr) => {
            println!("{}", pr.title);
            println!("level: {}; version {}", pr.level.as_str(), pr.version);
            println!(
                "wrote {out}/title.txt, {out}/body.md, {out}/level.txt; updated {SPEC}, {SPEC_EN}, Cargo.toml, Cargo.lock, CHANGELOG.md, OPERATIONS.md"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_bump_by_level_with_the_spec_as_build_metadata() {
        assert_eq!(
            bump("0.1.0", Level::Minor, "abc").unwrap(),
            "0.2.0+spec.abc"
        );
        assert_eq!(
            bump("0.1.0+spec.x", Level::Patch, "abc").unwrap(),
            "0.1.1+spec.abc"
        );
        assert_eq!(bump("1.2.3", Level::Major, "a").unwrap(), "2.0.0+spec.a");
        assert_eq!(bump("0.3.1", Level::Major, "a").unwrap(), "0.4.0+spec.a");
        assert!(bump("1.2", Level::Patch, "a").is_err());
        assert_eq!(spec_id(b"x").len(), 10);
        assert_ne!(spec_id(b"x"), spec_id(b"y"));
        assert_eq!(today().len(), 10);
    }

    /// A failed check of cargo-semver-checks is a Rust-API change even when diff-spec
    /// predicted none (it sees renames the generator makes, such as shared enums).
    #[test]
    fn the_tool_breaking_what_diff_spec_did_not_predict_bumps_the_level() {
        let (report, ops) = (Report::default(), OperationChanges::default());
        assert_eq!(level(&report, &ops, 0, false), Level::Patch);
        assert_eq!(level(&report, &ops, 0, true), Level::Minor);
        assert_eq!(level(&report, &ops, 1, true), Level::Major);
    }

    #[test]
    fn manifest_and_lock_versions() {
        let m = "[workspace]\nmembers = []\n\n[package]\nname = \"aitoearn\"\nversion = \"0.1.0\"\n[dependencies]\nx = { version = \"0.1.0\" }\n";
        assert_eq!(package_version(m).as_deref(), Some("0.1.0"));
        let n = set_package_version(m, "0.1.0", "0.2.0+spec.a").unwrap();
        assert!(n.contains("version = \"0.2.0+spec.a\"\n[dependencies]"));
        assert!(n.contains("x = { version = \"0.1.0\" }"));
        let lock = "[[package]]\nname = \"aitoearn\"\nversion = \"0.1.0\"\n";
        assert!(
            set_lock_version(lock, "0.1.0", "0.2.0")
                .unwrap()
                .contains("\"0.2.0\"")
        );
        assert!(set_lock_version(lock, "9.9.9", "1.0.0").is_err());
    }

    #[test]
    fn changelog_entries_go_on_top() {
        let first = add_entry("", "## [0.1.1] - 2026-01-01\n\n### Changed\n\n- a\n");
        assert!(first.starts_with("# Changelog\n"));
        assert!(first.contains("Keep a Changelog"));
        let second = add_entry(&first, "## [0.2.0] - 2026-01-02\n\n- b\n");
        let (a, b) = (
            second.find("[0.2.0]").unwrap(),
            second.find("[0.1.1]").unwrap(),
        );
        assert!(a < b, "{second}");
        assert_eq!(second.matches("# Changelog").count(), 1);
    }

    /// End to end, in a scratch git repository holding the crate's spec, manifest, lock and
    /// operations table: an update with operations added, a field made required and a text
    /// changed; then the same update again, which changes nothing.
    #[test]
    fn an_update_in_a_scratch_repository_and_again() {
        use std::process::Command;
        let root = crate::util::workspace_root();
        let dir = std::env::temp_dir().join(format!("xtask-update-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in [SPEC, SPEC_EN, "Cargo.toml", "Cargo.lock", "OPERATIONS.md"] {
            let to = dir.join(f);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::write(&to, std::fs::read(root.join(f)).unwrap()).unwrap();
        }
        let overlays = dir.join(crate::util::OVERLAYS);
        std::fs::create_dir_all(&overlays).unwrap();
        for e in std::fs::read_dir(root.join(crate::util::OVERLAYS)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), overlays.join(e.file_name())).unwrap();
        }
        let git = |args: &[&str]| {
            let out = Command::new("git")
                .args([
                    "-c",
                    "user.name=t",
                    "-c",
                    "user.email=t@t",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        git(&["init", "-q"]);
        git(&["add", "-A"]);
        git(&["commit", "-qm", "the crate"]);

        // The published spec moved on.
        let mut spec: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(SPEC)).unwrap()).unwrap();
        let status = "/api/v2/channels/accounts/{accountId}/auth-status";
        let mut copy = spec["paths"][status].clone();
        copy["get"]["operationId"] = "AccountsController_authStatusV3_v2".into();
        spec["paths"]["/api/v2/channels/accounts/{accountId}/auth-status-v3"] = copy;
        let data = "/paths/~1api~1v2~1channels~1accounts~1{accountId}~1auth-status/get/responses/200/content/application~1json/schema/properties/data";
        let data = spec.pointer_mut(data).unwrap();
        let required = data["required"].as_array().cloned().unwrap_or_default();
        let mut required: Vec<serde_json::Value> = required;
        required.push("status".into());
        data["required"] = required.into();
        spec["paths"]["/api/v2/channels/accounts"]["get"]["summary"] = "列出账号（新）".into();
        let published = dir.with_extension("published.json");
        std::fs::write(&published, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
        let (zh, en) = (
            published.display().to_string(),
            dir.join(SPEC_EN).display().to_string(),
        );
        let out = dir.with_extension("pr");

        let Outcome::Updated(pr) = update(&dir, &zh, &en, &out, None, None).unwrap() else {
            panic!("a changed spec is an update");
        };
        let id = spec_id(&std::fs::read(&published).unwrap());
        // A field made required is `Option<T>` → `T` (Rust API), added methods: minor in 0.x.
        assert_eq!(pr.level, Level::Minor);
        assert_eq!(pr.version, format!("0.2.0+spec.{id}"));
        assert_eq!(
            std::fs::read_to_string(out.join("level.txt")).unwrap(),
            "minor\n"
        );
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert_eq!(package_version(&manifest).unwrap(), pr.version);
        let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
        assert!(lock.contains(&format!(
            "name = \"aitoearn\"\nversion = \"{}\"",
            pr.version
        )));
        let changelog = std::fs::read_to_string(dir.join("CHANGELOG.md")).unwrap();
        assert!(changelog.starts_with("# Changelog"), "{changelog}");
        assert!(
            changelog.contains(&format!("## [{}] - ", pr.version)),
            "{changelog}"
        );
        assert!(
            changelog.contains("### Added\n\n- `Client::accounts_auth_status_v3`"),
            "{changelog}"
        );
        assert!(changelog.contains("### Changed"), "{changelog}");
        let body = std::fs::read_to_string(out.join("body.md")).unwrap();
        let title = std::fs::read_to_string(out.join("title.txt")).unwrap();
        assert!(
            title.contains("1 breaking, 1 operation added, 3 changes"),
            "{title}"
        );
        for row in [
            "| breaking changes | 1 |",
            "| Rust-API changes (not breaking on the wire) | 1 |",
            "| compatible changes | 0 |",
            "| text-only changes | 1 |",
            "| methods added | 1 |",
            "| methods removed | 0 |",
        ] {
            assert!(body.contains(row), "{row}: {body}");
        }
        // Summary table first; breaking, then Rust-API changes; texts folded; overlays.
        let table_at = body.find("| semver level | **minor** |").unwrap();
        let breaking_at = body.find("### Breaking changes (1)").unwrap();
        let api_at = body.find("### Rust-API changes (1)").unwrap();
        let details_at = body
            .find("<details><summary>Text-only changes (1)")
            .unwrap();
        let overlays_at = body.find("### Overlays").unwrap();
        assert!(table_at < breaking_at && breaking_at < api_at && api_at < details_at);
        assert!(details_at < overlays_at, "{body}");
        assert!(!body.contains("### Compatible changes"), "{body}");
        // No ground truth asked for: the body says it was skipped.
        assert!(
            body.contains("### Rust API, as the compiler sees it\n\n**Skipped**: `cargo semver-checks` was not run"),
            "{body}"
        );
        assert!(
            body[breaking_at..api_at].contains("`data.status`: made required"),
            "{body}"
        );
        assert!(body[details_at..].contains("列出账号（新）"), "{body}");
        assert!(
            body.contains("overlay openapi/overlays/0001-auth-start.yaml:"),
            "{body}"
        );
        assert!(
            changelog.contains(
                "- **breaking**: `GET /api/v2/channels/accounts/{accountId}/auth-status`"
            ),
            "{changelog}"
        );
        assert!(body.contains("- added: `GET /api/v2/channels/accounts/{accountId}/auth-status-v3` → `Client::accounts_auth_status_v3`"), "{body}");
        let ops = std::fs::read_to_string(dir.join("OPERATIONS.md")).unwrap();
        assert!(ops.contains("accounts_auth_status_v3"));
        let changed = git(&["status", "--porcelain"]);
        for f in [
            SPEC,
            "Cargo.toml",
            "Cargo.lock",
            "CHANGELOG.md",
            "OPERATIONS.md",
        ] {
            assert!(changed.contains(f), "{f} not changed: {changed}");
        }

        // Again: nothing changes, nothing is written.
        git(&["add", "-A"]);
        git(&["commit", "-qm", "the update"]);
        std::fs::remove_dir_all(&out).unwrap();
        assert!(matches!(
            update(&dir, &zh, &en, &out, None, None).unwrap(),
            Outcome::Unchanged
        ));
        assert_eq!(git(&["status", "--porcelain"]), "");
        assert!(!out.exists());
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(&published);
    }
}
