//! `cargo xtask build-report`: what building the SDK costs its users, measured on this machine,
//! beside the floor of progenitor's plain generation of the same (adapted) spec.
//!
//! Each build runs in a fresh target directory under `target/build-report/`, so "clean" means
//! every dependency too, as on a CI runner with a cold cache.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::cli::{Args, Failure};

pub const USAGE: &str = "\
usage: cargo xtask build-report [--quick] [--no-floor] [--features LIST] [--no-default-features]

Clean `cargo build` and `cargo build --release` of the aitoearn crate, the time its build.rs
spends per phase, lines of generated code, and an incremental rebuild after touching a
hand-written file (build.rs must not run). The floor is a crate whose build.rs only runs
progenitor on the adapted spec, built the same way. Prints Markdown.

  --quick                 debug builds only
  --no-floor              skip the floor crate
  --features LIST         features of the aitoearn crate to build with
  --no-default-features   build without default features";

pub fn run(args: &[String], root: &Path) -> Result<std::process::ExitCode, Failure> {
    let args = Args::parse(
        args,
        &["quick", "no-floor", "no-default-features"],
        &["features"],
    )?;
    args.max_positionals(0)?;
    let quick = args.flag("quick");
    let mut feature_args = Vec::new();
    if args.flag("no-default-features") {
        feature_args.push("--no-default-features".to_string());
    }
    if let Some(f) = args.option("features") {
        feature_args.push("--features".into());
        feature_args.push(f.into());
    }
    let base = root.join("target/build-report");
    let mut report = String::new();
    let _ = writeln!(report, "## Build cost\n\n{}\n", machine());
    let _ = writeln!(report, "| build | wall time |\n| --- | --- |");

    let sdk_debug = base.join("sdk-debug");
    let t = clean_build(root, &sdk_debug, &["-p", "aitoearn"], &feature_args)?;
    let _ = writeln!(report, "| `cargo build` (clean) | {} |", secs(t));
    let gen = generated(&sdk_debug.join("debug"))?;

    // Touch a hand-written file: the crate recompiles, build.rs must not run again.
    let touched = root.join("src/region.rs");
    let text = std::fs::read(&touched).map_err(|e| format!("{}: {e}", touched.display()))?;
    std::fs::write(&touched, &text).map_err(|e| format!("{}: {e}", touched.display()))?;
    let (t, log) = build(root, &sdk_debug, &["-p", "aitoearn", "-v"], &feature_args)?;
    let build_script_ran = log.lines().any(|l| {
        l.contains("Running `") && l.contains("aitoearn") && l.contains("build-script-build")
    });
    let _ = writeln!(
        report,
        "| incremental, after touching `src/region.rs` | {} (build.rs ran: {}) |",
        secs(t),
        if build_script_ran {
            "yes — a bug"
        } else {
            "no"
        }
    );
    if !quick {
        let sdk_release = base.join("sdk-release");
        let t = clean_build(
            root,
            &sdk_release,
            &["-p", "aitoearn", "--release"],
            &feature_args,
        )?;
        let _ = writeln!(report, "| `cargo build --release` (clean) | {} |", secs(t));
    }
    let _ = writeln!(report, "\n{}", gen.markdown("build.rs of aitoearn"));

    if !args.flag("no-floor") {
        let floor_dir = base.join("floor-crate");
        write_floor_crate(root, &floor_dir)?;
        let floor_target = base.join("floor-debug");
        let t = clean_build(&floor_dir, &floor_target, &[], &[])?;
        let floor_gen = generated(&floor_target.join("debug"))?;
        let _ = writeln!(
            report,
            "### Floor: progenitor's plain generation of the adapted spec\n"
        );
        let _ = writeln!(report, "| build | wall time |\n| --- | --- |");
        let _ = writeln!(report, "| `cargo build` (clean) | {} |", secs(t));
        if !quick {
            let t = clean_build(&floor_dir, &base.join("floor-release"), &["--release"], &[])?;
            let _ = writeln!(report, "| `cargo build --release` (clean) | {} |", secs(t));
        }
        let _ = writeln!(report, "\n{}", floor_gen.markdown("build.rs of the floor"));
    }
    println!("{report}");
    Ok(std::process::ExitCode::SUCCESS)
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("Machine: {cores} cores, {rustc}.")
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn clean_build(
    dir: &Path,
    target: &Path,
    args: &[&str],
    extra: &[String],
) -> Result<Duration, Failure> {
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    build(dir, target, args, extra).map(|(t, _)| t)
}

fn build(
    dir: &Path,
    target: &Path,
    args: &[&str],
    extra: &[String],
) -> Result<(Duration, String), Failure> {
    let start = Instant::now();
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .arg("build")
        .args(args)
        .args(extra)
        .output()
        .map_err(|e| format!("running cargo: {e}"))?;
    let elapsed = start.elapsed();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(Failure::Failed(format!(
            "cargo build {} failed:\n{log}",
            args.join(" ")
        )));
    }
    Ok((elapsed, log))
}

/// build.rs phases and generated lines, read from the build's `OUT_DIR`.
struct Generated {
    timings: Vec<(String, f64)>,
    lines: Vec<(String, usize)>,
}

impl Generated {
    fn markdown(&self, title: &str) -> String {
        let mut s = format!("| {title} | |\n| --- | --- |\n");
        let total: f64 = self.timings.iter().map(|t| t.1).sum();
        for (phase, t) in &self.timings {
            let _ = writeln!(s, "| {phase} | {t:.2} s |");
        }
        let _ = writeln!(s, "| **total** | **{total:.2} s** |");
        for (file, n) in &self.lines {
            let _ = writeln!(s, "| lines in `{file}` | {n} |");
        }
        s
    }
}

fn generated(profile_dir: &Path) -> Result<Generated, Failure> {
    let out = newest_out_dir(&profile_dir.join("build")).ok_or_else(|| {
        format!(
            "no OUT_DIR with generated code under {}",
            profile_dir.display()
        )
    })?;
    // `[[phase, seconds], …]`, in run order.
    let timings = std::fs::read_to_string(out.join("timings.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Vec<(String, f64)>>(&t).ok())
        .unwrap_or_default();
    let mut lines = Vec::new();
    for file in ["client.rs", "api.rs"] {
        if let Ok(text) = std::fs::read_to_string(out.join(file)) {
            lines.push((file.to_string(), text.lines().count()));
        }
    }
    Ok(Generated { timings, lines })
}

/// The `out` directory holding `client.rs`, most recently written.
fn newest_out_dir(build: &Path) -> Option<PathBuf> {
    std::fs::read_dir(build)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join("out"))
        .filter(|p| p.join("client.rs").exists())
        .max_by_key(|p| {
            p.join("client.rs")
                .metadata()
                .and_then(|m| m.modified())
                .ok()
        })
}

/// A crate whose build.rs runs progenitor, with default settings, on the adapted spec, times
/// it like ours, and writes `client.rs`; its lib includes it. Dependencies match what the
/// generated code needs and what the SDK uses for HTTP.
fn write_floor_crate(root: &Path, dir: &Path) -> Result<(), Failure> {
    let spec = std::fs::read_to_string(root.join("openapi/aitoearn.openapi.json"))
        .map_err(|e| format!("reading the spec: {e}"))?;
    let en = std::fs::read_to_string(root.join("openapi/aitoearn.openapi.en.json")).ok();
    let out = crate::codegen::generate_with(
        &spec,
        en.as_deref(),
        crate::codegen::Options { schemas: false },
    )?;
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).map_err(|e| Failure::Failed(format!("{name}: {e}")))
    };
    write("adapted.json", &out.adapted.to_string())?;
    write(
        "Cargo.toml",
        r#"[package]
name = "aitoearn-floor"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
progenitor-client = "0.15.1"
reqwest = { version = "0.13.4", default-features = false, features = ["json", "query", "stream", "http2", "rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }
regress = "0.11"
futures = "0.3"

[build-dependencies]
progenitor = { version = "0.15.1", default-features = false }
openapiv3 = "2.2.0"
serde_json = "1"
syn = { version = "3", features = ["full"] }
prettyplease = "0.3"
"#,
    )?;
    write(
        "build.rs",
        r#"fn main() {
    let start = std::time::Instant::now();
    let text = std::fs::read_to_string("adapted.json").unwrap();
    let mut spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    // x-rust-type names the SDK's own `Open`; the floor generates plain enums instead.
    strip(&mut spec);
    let spec: openapiv3::OpenAPI = serde_json::from_value(spec).unwrap();
    let parse = start.elapsed();
    let mut generator = progenitor::Generator::default();
    let tokens = generator.generate_tokens(&spec).unwrap();
    let file: syn::File = syn::parse2(tokens).unwrap();
    let progenitor = start.elapsed() - parse;
    let code = prettyplease::unparse(&file);
    let format = start.elapsed() - parse - progenitor;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("client.rs"), code).unwrap();
    std::fs::write(
        out.join("timings.json"),
        format!(
            "[[\"parse\", {}], [\"progenitor\", {}], [\"format\", {}]]",
            parse.as_secs_f64(),
            progenitor.as_secs_f64(),
            format.as_secs_f64()
        ),
    )
    .unwrap();
    println!("cargo:rerun-if-changed=adapted.json");
}

fn strip(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(inner) = m.get("x-rust-type").and_then(|x| x.pointer("/parameters/0")).cloned() {
                *v = inner;
                return;
            }
            m.values_mut().for_each(strip);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}
"#,
    )?;
    write(
        "src/lib.rs",
        "#![allow(warnings)]\ninclude!(concat!(env!(\"OUT_DIR\"), \"/client.rs\"));\n",
    )?;
    Ok(())
}
