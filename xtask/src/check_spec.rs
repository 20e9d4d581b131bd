//! `cargo xtask check-spec [SPEC]`: would this spec regenerate? Parse it, apply the overlays,
//! adapt and generate as build.rs does, then `cargo check` the crate (library and examples)
//! against it in a scratch copy, and list the operations that would be added, removed or
//! renamed. `refresh-spec` and `update-spec` run the same check before they vendor anything.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use crate::cli::{Args, Failure};
use crate::codegen;
use crate::util::{SPEC, SPEC_EN};

pub const USAGE: &str = "\
cargo xtask check-spec [SPEC] [--en SPEC] [--no-compile] [--timeout SECS]
cargo xtask check-spec --mutate [--compile N|all] [--limit N] [--timeout SECS]

  SPEC        the Chinese edition to check: a path, file:// or http(s):// URL, or a git
              revision (REV or REV:path); default the vendored openapi/aitoearn.openapi.json
  --en        the English edition (default the vendored one)
  --no-compile  generate only; skip the `cargo check` of the crate in a scratch copy
  --print-effective  print SPEC with the overlays applied (what build.rs generates from)
  --timeout   the compile step's limit (default 1200 s); past it the check fails
  --mutate    the evolution run: the vendored spec transformed the way published specs
              change (every required list dropped or added, every enum dropped or added,
              every component $ref inlined and back, every body optional, nullable
              everywhere, allOf, parameters moved, components removed, synthetic operations
              with each construct), each generated; --compile N also compiles the first N
              (default 1; `all` compiles every one, about a minute each here); --limit N
              runs only the first N variants (CI: `--limit 1`, the synthetic operations)

  Prints each step, the operations added / removed / renamed against the vendored spec, and
  on failure the reason (the generator's error names the operation, the construct and what to
  do; the compiler's first errors). Exit status 1 when the spec would not regenerate.";

/// The operations two specs generate, compared by HTTP method and path (then by operationId,
/// so an operation that moved is a rename when its method name changed).
#[derive(Debug, Default, PartialEq)]
pub struct OperationChanges {
    /// `METHOD path` → method name.
    pub added: Vec<(String, String)>,
    pub removed: Vec<(String, String)>,
    /// (`METHOD path`, old method name, new method name).
    pub renamed: Vec<(String, String, String)>,
}

impl OperationChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.renamed.is_empty()
    }

    /// The changes as Markdown list lines (empty without changes).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (key, name) in &self.added {
            out.push(format!("- added: `{key}` → `Client::{name}`"));
        }
        for (key, name) in &self.removed {
            out.push(format!("- removed: `{key}` (was `Client::{name}`)"));
        }
        for (key, old, new) in &self.renamed {
            out.push(format!(
                "- renamed: `{key}`: `Client::{old}` → `Client::{new}`"
            ));
        }
        out
    }
}

/// Compares the operations of two generations.
pub fn operation_changes(
    old: &[codegen::model::Operation],
    new: &[codegen::model::Operation],
) -> OperationChanges {
    use std::collections::BTreeMap;
    let key = |o: &codegen::model::Operation| format!("{} {}", o.method, o.path);
    let old_by_key: BTreeMap<String, &codegen::model::Operation> =
        old.iter().map(|o| (key(o), o)).collect();
    let new_by_key: BTreeMap<String, &codegen::model::Operation> =
        new.iter().map(|o| (key(o), o)).collect();
    let mut out = OperationChanges::default();
    let mut removed: Vec<&codegen::model::Operation> = Vec::new();
    for (k, o) in &old_by_key {
        match new_by_key.get(k) {
            Some(n) if n.name != o.name => {
                out.renamed
                    .push((k.clone(), o.name.clone(), n.name.clone()))
            }
            Some(_) => {}
            None => removed.push(o),
        }
    }
    let mut added: Vec<&codegen::model::Operation> = new_by_key
        .iter()
        .filter(|(k, _)| !old_by_key.contains_key(*k))
        .map(|(_, n)| *n)
        .collect();
    // An operation that moved (same operationId, other method or path).
    removed.retain(|o| {
        let moved = added
            .iter()
            .position(|n| n.operation_id == o.operation_id && !o.operation_id.is_empty());
        match moved {
            Some(i) => {
                let n = added.remove(i);
                if n.name != o.name {
                    out.renamed.push((
                        format!("{} → {}", key(o), key(n)),
                        o.name.clone(),
                        n.name.clone(),
                    ));
                }
                false
            }
            None => true,
        }
    });
    out.added = added.iter().map(|n| (key(n), n.name.clone())).collect();
    out.removed = removed.iter().map(|o| (key(o), o.name.clone())).collect();
    out
}

/// The files of the crate a scratch copy needs to build the library and its examples.
const CRATE_FILES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "build.rs",
    "README.md",
    "LICENSE",
    "rustfmt.toml",
    "codegen",
    "build",
    "src",
    "openapi",
    "examples",
    "benches",
    "xtask/Cargo.toml",
    "xtask/src",
];

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, to)?;
        // Writable, whatever the source's mode (the vendored spec is read-only).
        let mut perms = std::fs::metadata(to)?.permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(to, perms)
    }
}

/// A scratch copy of the crate, removed on drop.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    /// Copies the crate under `root` into `root/target/check-spec/<unique>` with `zh` (and
    /// `en`, when given) as its vendored spec.
    pub fn new(root: &Path, zh: &str, en: Option<&str>) -> Result<Scratch, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = root
            .join("target/check-spec")
            .join(format!("{}-{nanos}", std::process::id()));
        let scratch = Scratch { dir };
        for file in CRATE_FILES {
            let from = root.join(file);
            if from.exists() {
                copy_tree(&from, &scratch.dir.join(file))
                    .map_err(|e| format!("copying {file} into a scratch crate: {e}"))?;
            }
        }
        let write = |name: &str, text: &str| {
            std::fs::write(scratch.dir.join(name), text)
                .map_err(|e| format!("writing {name} into the scratch crate: {e}"))
        };
        write(SPEC, zh)?;
        if let Some(en) = en {
            write(SPEC_EN, en)?;
        }
        Ok(scratch)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `cargo check` of the crate's library and examples in `scratch`, sharing `root`'s target
/// directory (so the dependencies are not built again), killed after `timeout`.
pub fn cargo_check(root: &Path, scratch: &Scratch, timeout: Duration) -> Result<Duration, String> {
    cargo(
        root,
        scratch,
        &[
            "check",
            "-p",
            "aitoearn",
            "--lib",
            "--examples",
            "--locked",
            "--message-format",
            "short",
        ],
        timeout,
    )
    .map_err(|errors| {
        format!("the crate does not compile against it (`cargo check --lib --examples`):\n{errors}")
    })
}

/// The raw-body test (`xtask/scratch-tests/raw_bodies.rs`: octet-stream, multipart and text
/// bodies reach a local server byte for byte) run in `scratch`, whose spec must have the
/// evolution run's synthetic operations.
pub fn raw_bodies_test(
    root: &Path,
    scratch: &Scratch,
    timeout: Duration,
) -> Result<Duration, String> {
    let tests = scratch.dir.join("tests");
    std::fs::create_dir_all(&tests).map_err(|e| format!("{}: {e}", tests.display()))?;
    std::fs::write(
        tests.join("raw_bodies.rs"),
        include_str!("../scratch-tests/raw_bodies.rs"),
    )
    .map_err(|e| format!("writing the raw-body test into the scratch crate: {e}"))?;
    cargo(
        root,
        scratch,
        &["test", "-p", "aitoearn", "--test", "raw_bodies", "--locked"],
        timeout,
    )
    .map_err(|errors| format!("the raw-body test fails against it:\n{errors}"))
}

/// Runs cargo with `args` in `scratch`, sharing `root`'s target directory, stopped after
/// `timeout`; on failure, the lines of its output that say why.
fn cargo(
    root: &Path,
    scratch: &Scratch,
    args: &[&str],
    timeout: Duration,
) -> Result<Duration, String> {
    let started = Instant::now();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let log = scratch.dir.join("cargo.log");
    let log_file =
        std::fs::File::create(&log).map_err(|e| format!("creating {}: {e}", log.display()))?;
    let out_file = log_file
        .try_clone()
        .map_err(|e| format!("opening {}: {e}", log.display()))?;
    let mut child = Command::new(cargo)
        .args(args)
        .current_dir(&scratch.dir)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .stdout(out_file)
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let what = format!("`cargo {}`", args.first().copied().unwrap_or_default());
    let status = crate::util::wait_bounded(&mut child, started, timeout, &what)?;
    if status.success() {
        return Ok(started.elapsed());
    }
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.contains("error")
                || l.contains("panicked")
                || l.contains("FAILED")
                || l.starts_with("  ")
        })
        .take(30)
        .collect();
    Err(errors.join("\n"))
}

/// What a successful check found.
pub struct Report {
    pub operations: usize,
    pub changes: OperationChanges,
    pub generate: Duration,
    /// `None` when not compiled.
    pub compile: Option<Duration>,
}

/// Checks that `zh` (with `en`, or the vendored English edition) regenerates: generated as
/// build.rs does, and, when `compile`, the crate checked against it in a scratch copy.
pub fn check(
    root: &Path,
    zh: &str,
    en: Option<&str>,
    compile: Option<Duration>,
) -> Result<Report, String> {
    let overlays = crate::util::overlays(root)?;
    let vendored_en = std::fs::read_to_string(root.join(SPEC_EN)).ok();
    let en_text = en.or(vendored_en.as_deref());
    let started = Instant::now();
    let new = codegen::generate_full(zh, en_text, &overlays, codegen::Options::default())
        .map_err(|e| format!("the generator rejects it: {e}"))?;
    let generate = started.elapsed();
    let old = std::fs::read_to_string(root.join(SPEC))
        .ok()
        .and_then(|t| codegen::generate_full(&t, None, &overlays, codegen::Options::default()).ok())
        .map(|o| o.operations)
        .unwrap_or_default();
    let changes = operation_changes(&old, &new.operations);
    let compile = match compile {
        Some(timeout) => {
            let scratch = Scratch::new(root, zh, en)?;
            Some(cargo_check(root, &scratch, timeout)?)
        }
        None => None,
    };
    Ok(Report {
        operations: new.operations.len(),
        changes,
        generate,
        compile,
    })
}

pub fn run(args: &[String], root: &Path) -> Result<ExitCode, Failure> {
    let args = Args::parse(
        args,
        &["no-compile", "mutate", "print-effective"],
        &["en", "timeout", "compile", "limit"],
    )?;
    args.max_positionals(1)?;
    let timeout = match args.option("timeout") {
        Some(t) => Duration::from_secs(
            t.parse()
                .map_err(|_| Failure::Usage(format!("`--timeout {t}`: seconds, a number")))?,
        ),
        None => Duration::from_secs(1200),
    };
    if args.flag("mutate") {
        let compile = match args.option("compile") {
            None => 1,
            Some("all") => usize::MAX,
            Some(n) => n
                .parse()
                .map_err(|_| Failure::Usage(format!("`--compile {n}`: a number or `all`")))?,
        };
        let limit = match args.option("limit") {
            None => usize::MAX,
            Some(n) => n
                .parse()
                .map_err(|_| Failure::Usage(format!("`--limit {n}`: a number")))?,
        };
        let summary = crate::evolution::run(root, limit, compile, timeout)?;
        println!("{summary}");
        return Ok(if summary.panicked == 0 && summary.failed_compile == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let spec_arg = args.positionals.first().map(String::as_str).unwrap_or(SPEC);
    let zh = crate::diff::load::load(spec_arg, root)?;
    if args.flag("print-effective") {
        let overlays = crate::util::overlays(root)?;
        let (_, effective, _) = codegen::effective(&zh.text, &overlays)?;
        print!("{}", crate::util::pretty(&effective));
        return Ok(ExitCode::SUCCESS);
    }
    let en = args
        .option("en")
        .map(|e| crate::diff::load::load(e, root))
        .transpose()?;
    println!("checking {}", zh.label);
    crate::refresh::check_document(zh.text.as_bytes()).map_err(|e| format!("{}: {e}", zh.label))?;
    let compile = (!args.flag("no-compile")).then_some(timeout);
    let report = check(
        root,
        &zh.text,
        en.as_ref().map(|e| e.text.as_str()),
        compile,
    )
    .map_err(|e| format!("{} would not regenerate: {e}", zh.label))?;
    println!(
        "generated: {} operations in {:.1} s",
        report.operations,
        report.generate.as_secs_f64()
    );
    match report.compile {
        Some(d) => println!(
            "compiled: the crate and its examples build against it ({:.0} s)",
            d.as_secs_f64()
        ),
        None => println!("compiled: skipped (--no-compile)"),
    }
    if report.changes.is_empty() {
        println!("operations against {SPEC}: none added, removed or renamed");
    } else {
        println!("operations against {SPEC}:");
        for line in report.changes.lines() {
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str, id: &str, name: &str) -> codegen::model::Operation {
        let spec = serde_json::json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
            "paths": { path: { method.to_lowercase(): { "operationId": name,
                "x-aitoearn-operation-id": id, "responses": {} } } } });
        let mut ops = codegen::model::operations(&spec).unwrap();
        ops.remove(0)
    }

    #[test]
    fn added_removed_renamed_and_moved_operations() {
        let old = [
            op("GET", "/a", "A_get", "a_get"),
            op("GET", "/b", "B_get", "b_get"),
            op("POST", "/c", "C_make", "c_make"),
            op("GET", "/d", "D_get", "d_get"),
        ];
        let new = [
            op("GET", "/a", "A_get", "a_get"),
            op("GET", "/b", "B_fetch", "b_fetch"),
            op("POST", "/c2", "C_make", "c_create"),
            op("GET", "/e", "E_get", "e_get"),
        ];
        let c = operation_changes(&old, &new);
        assert_eq!(c.added, [("GET /e".to_string(), "e_get".to_string())]);
        assert_eq!(c.removed, [("GET /d".to_string(), "d_get".to_string())]);
        assert_eq!(
            c.renamed,
            [
                (
                    "GET /b".to_string(),
                    "b_get".to_string(),
                    "b_fetch".to_string()
                ),
                (
                    "POST /c → POST /c2".to_string(),
                    "c_make".to_string(),
                    "c_create".to_string()
                ),
            ]
        );
        assert_eq!(c.lines().len(), 4);
        assert!(operation_changes(&old, &old).is_empty());
    }
}
