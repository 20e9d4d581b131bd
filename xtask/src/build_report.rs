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
usage: cargo xtask build-report [--quick] [--no-floor] [--baseline REV] [--rounds N]
                                [--features LIST] [--no-default-features]

Clean `cargo build` and `cargo build --release` of the aitoearn crate (all dependencies), the
crate alone (its library recompiled with dependencies built, build.rs not rerun) with rustc's
peak memory, the time its build.rs spends per phase, lines of generated code, and an
incremental rebuild after touching a hand-written file (build.rs must not run). The floor is a
crate whose build.rs only runs progenitor on the adapted spec, built the same way. Prints
Markdown.

  --quick                 debug builds only
  --no-floor              skip the floor crate
  --baseline REV          also build git revision REV (extracted with `git archive`) the same
                          way in the same run, and give each figure's ratio to it
  --rounds N              clean debug builds of aitoearn and the floor, and the crate alone
                          (debug) of aitoearn and the baseline, N times each, alternating
                          (default 1); the figures are medians: one build on a shared machine
                          varies by ±15 % and more
  --features LIST         features of the aitoearn crate to build with
  --no-default-features   build without default features";

/// The floor crate's clean debug builds, and the SDK's they alternated with.
struct Floor {
    dir: PathBuf,
    tls: Tls,
    rounds: Vec<Duration>,
    sdk_rounds: Vec<Duration>,
    generated: Generated,
}

/// What building one revision of the crate cost.
#[derive(Default)]
struct Measured {
    /// The target directory of the debug builds (kept built, for further rounds).
    debug_target: PathBuf,
    clean_debug: Duration,
    alone_debug: Alone,
    incremental: Option<(Duration, bool)>,
    clean_release: Option<Duration>,
    alone_release: Option<Alone>,
    generated: Option<Generated>,
}

pub fn run(args: &[String], root: &Path) -> Result<std::process::ExitCode, Failure> {
    let args = Args::parse(
        args,
        &["quick", "no-floor", "no-default-features"],
        &["features", "baseline", "rounds"],
    )?;
    args.max_positionals(0)?;
    let quick = args.flag("quick");
    let rounds = match args.option("rounds") {
        None => 1,
        Some(n) => match n.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(Failure::Usage(format!(
                    "--rounds takes a whole number of at least 1, not `{n}`"
                )));
            }
        },
    };
    let mut feature_args = Vec::new();
    if args.flag("no-default-features") {
        feature_args.push("--no-default-features".to_string());
    }
    if let Some(f) = args.option("features") {
        feature_args.push("--features".into());
        feature_args.push(f.into());
    }
    let base = root.join("target/build-report");
    std::fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
    let baseline = match args.option("baseline") {
        Some(rev) => Some((
            rev.to_string(),
            extract(root, rev, &base.join("baseline-src"))?,
        )),
        None => None,
    };
    let mut this = measure(root, &base.join("sdk"), &feature_args, quick, true)?;
    let mut before = match &baseline {
        Some((_, dir)) => Some(measure(
            dir,
            &base.join("baseline"),
            &feature_args,
            quick,
            false,
        )?),
        None => None,
    };

    // Further rounds of the crate alone (debug), alternating with the baseline's.
    if rounds > 1 {
        let lib = ["-p", "aitoearn", "--lib"];
        let mut ours = vec![this.alone_debug];
        let mut theirs: Vec<Alone> = before.iter().map(|b| b.alone_debug).collect();
        for _ in 1..rounds {
            ours.push(alone(root, &this.debug_target, &lib, &feature_args)?);
            if let (Some((_, dir)), Some(b)) = (&baseline, &before) {
                theirs.push(alone(dir, &b.debug_target, &lib, &feature_args)?);
            }
        }
        this.alone_debug = median_alone(&ours);
        if let Some(b) = &mut before {
            b.alone_debug = median_alone(&theirs);
        }
    }

    // The floor's clean builds, alternating with further rounds of the SDK's.
    let floor = if args.flag("no-floor") {
        None
    } else {
        let floor_dir = base.join("floor-crate");
        let tls = Tls::of(
            args.flag("no-default-features"),
            args.option("features").unwrap_or_default(),
        );
        write_floor_crate(root, &floor_dir, tls)?;
        let floor_target = base.join("floor-debug");
        let mut floor_rounds = vec![clean_build(&floor_dir, &floor_target, &[], &[])?];
        let floor_gen = generated(&floor_target.join("debug"))?;
        // Further rounds alternate the two builds, so both see the same machine.
        let mut sdk_rounds = vec![this.clean_debug];
        for _ in 1..rounds {
            sdk_rounds.push(clean_build(
                root,
                &this.debug_target,
                &["-p", "aitoearn"],
                &feature_args,
            )?);
            floor_rounds.push(clean_build(&floor_dir, &floor_target, &[], &[])?);
        }
        this.clean_debug = median(&sdk_rounds);
        Some(Floor {
            dir: floor_dir,
            tls,
            rounds: floor_rounds,
            sdk_rounds,
            generated: floor_gen,
        })
    };

    let mut report = String::new();
    let _ = writeln!(report, "## Build cost\n\n{}\n", machine());
    match (&baseline, &before) {
        (Some((rev, _)), Some(b)) => {
            let _ = writeln!(
                report,
                "| build | this revision | baseline `{rev}` | ratio |\n| --- | --- | --- | --- |"
            );
            for (name, now, then) in rows(&this, b) {
                let _ = writeln!(
                    report,
                    "| {name} | {now} | {then} | {} |",
                    ratio(&now, &then)
                );
            }
        }
        _ => {
            let _ = writeln!(report, "| build | this revision |\n| --- | --- |");
            for (name, now, _) in rows(&this, &Measured::default()) {
                let _ = writeln!(report, "| {name} | {now} |");
            }
        }
    }
    if let Some((t, ran)) = this.incremental {
        let _ = writeln!(
            report,
            "\nIncremental, after touching `src/region.rs`: {} (build.rs ran: {}).",
            secs(t),
            if ran { "yes — a bug" } else { "no" }
        );
    }
    if let Some(g) = &this.generated {
        let _ = writeln!(report, "\n{}", g.markdown("build.rs of aitoearn"));
    }
    if let Some(g) = before.as_ref().and_then(|b| b.generated.as_ref()) {
        let _ = writeln!(report, "{}", g.markdown("build.rs of the baseline"));
    }

    if let Some(floor) = &floor {
        let _ = writeln!(
            report,
            "### Floor: progenitor's plain generation of the adapted spec\n\n\
             TLS as the SDK build above: {}.\n",
            floor.tls.describe()
        );
        let _ = writeln!(
            report,
            "| build | wall time | aitoearn / floor |\n| --- | --- | --- |"
        );
        let (sdk_clean, floor_clean) = (this.clean_debug, median(&floor.rounds));
        let _ = writeln!(
            report,
            "| `cargo build` (clean{}) | {} | {} |",
            if floor.rounds.len() > 1 {
                ", median"
            } else {
                ""
            },
            secs(floor_clean),
            ratio(&secs(sdk_clean), &secs(floor_clean))
        );
        if floor.rounds.len() > 1 {
            let list = |r: &[Duration]| r.iter().map(|d| secs(*d)).collect::<Vec<_>>().join(", ");
            let _ = writeln!(
                report,
                "\nClean debug builds, {} rounds alternating (aitoearn first): aitoearn {}; \
                 floor {}; medians {} and {}.\n",
                floor.rounds.len(),
                list(&floor.sdk_rounds),
                list(&floor.rounds),
                secs(sdk_clean),
                secs(floor_clean)
            );
        }
        if !quick {
            let t = clean_build(&floor.dir, &base.join("floor-release"), &["--release"], &[])?;
            let _ = writeln!(
                report,
                "| `cargo build --release` (clean) | {} | {} |",
                secs(t),
                this.clean_release
                    .map(|r| ratio(&secs(r), &secs(t)))
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(
            report,
            "\n{}",
            floor.generated.markdown("build.rs of the floor")
        );
    }
    println!("{report}");
    Ok(std::process::ExitCode::SUCCESS)
}

/// `(row, this, baseline)` figures, formatted.
fn rows(this: &Measured, before: &Measured) -> Vec<(&'static str, String, String)> {
    let opt = |d: Option<Duration>| d.map(secs).unwrap_or_default();
    let mib = |k: Option<u64>| k.map(|k| format!("{} MiB", k / 1024)).unwrap_or_default();
    let lines = |m: &Measured| {
        m.generated
            .as_ref()
            .map(|g| g.lines.iter().map(|l| l.1).sum::<usize>().to_string())
            .unwrap_or_default()
    };
    let build_rs = |m: &Measured| {
        m.generated
            .as_ref()
            .map(|g| format!("{:.2} s", g.timings.iter().map(|t| t.1).sum::<f64>()))
            .unwrap_or_default()
    };
    vec![
        (
            "`cargo build` (clean, all dependencies)",
            secs(this.clean_debug),
            opt(Some(before.clean_debug).filter(|d| !d.is_zero())),
        ),
        (
            "the crate alone, debug: wall",
            secs(this.alone_debug.wall),
            opt(Some(before.alone_debug.wall).filter(|d| !d.is_zero())),
        ),
        (
            "the crate alone, debug: CPU (user + system)",
            opt(this.alone_debug.cpu),
            opt(before.alone_debug.cpu),
        ),
        (
            "rustc peak memory, the crate alone, debug",
            mib(this.alone_debug.peak_kib),
            mib(before.alone_debug.peak_kib),
        ),
        (
            "`cargo build --release` (clean)",
            opt(this.clean_release),
            opt(before.clean_release),
        ),
        (
            "the crate alone, release: wall",
            opt(this.alone_release.map(|a| a.wall)),
            opt(before.alone_release.map(|a| a.wall)),
        ),
        (
            "the crate alone, release: CPU (user + system)",
            opt(this.alone_release.and_then(|a| a.cpu)),
            opt(before.alone_release.and_then(|a| a.cpu)),
        ),
        (
            "rustc peak memory, the crate alone, release",
            mib(this.alone_release.and_then(|a| a.peak_kib)),
            mib(before.alone_release.and_then(|a| a.peak_kib)),
        ),
        ("generated lines", lines(this), lines(before)),
        ("build.rs run time", build_rs(this), build_rs(before)),
    ]
}

/// `now / then` of two figures formatted alike (`12.3 s`, `512 MiB`, `1234`).
fn ratio(now: &str, then: &str) -> String {
    let num = |s: &str| s.split(' ').next().and_then(|n| n.parse::<f64>().ok());
    match (num(now), num(then)) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => String::new(),
    }
}

/// Extracts revision `rev` of the repository at `root` into `dir` (replaced if present).
fn extract(root: &Path, rev: &str, dir: &Path) -> Result<PathBuf, Failure> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let status = Command::new("sh")
        .arg("-c")
        .arg("git -C \"$1\" archive --format=tar \"$2\" | tar -x -C \"$3\"")
        .arg("sh")
        .arg(root)
        .arg(rev)
        .arg(dir)
        .status()
        .map_err(|e| format!("running git archive: {e}"))?;
    if !status.success() {
        return Err(Failure::Failed(format!(
            "could not extract revision `{rev}` (git archive | tar failed)"
        )));
    }
    Ok(dir.to_path_buf())
}

/// Builds the crate at `dir` clean (debug, then release unless `quick`), each time followed by
/// the crate alone: `src/lib.rs` touched and the library rebuilt, non-incrementally.
fn measure(
    dir: &Path,
    target: &Path,
    features: &[String],
    quick: bool,
    incremental: bool,
) -> Result<Measured, Failure> {
    let debug = target.join("debug-target");
    let mut m = Measured {
        debug_target: debug.clone(),
        ..Measured::default()
    };
    m.clean_debug = clean_build(dir, &debug, &["-p", "aitoearn"], features)?;
    m.generated = Some(generated(&debug.join("debug"))?);
    m.alone_debug = alone(dir, &debug, &["-p", "aitoearn", "--lib"], features)?;
    if incremental {
        // Touch a hand-written file: the crate recompiles, build.rs must not run again.
        let touched = dir.join("src/region.rs");
        let text = std::fs::read(&touched).map_err(|e| format!("{}: {e}", touched.display()))?;
        std::fs::write(&touched, &text).map_err(|e| format!("{}: {e}", touched.display()))?;
        let (t, log) = build(dir, &debug, &["-p", "aitoearn", "-v"], features, &[])?;
        let ran = log.lines().any(|l| {
            l.contains("Running `") && l.contains("aitoearn") && l.contains("build-script-build")
        });
        m.incremental = Some((t, ran));
    }
    if !quick {
        let release = target.join("release-target");
        m.clean_release = Some(clean_build(
            dir,
            &release,
            &["-p", "aitoearn", "--release"],
            features,
        )?);
        m.alone_release = Some(alone(
            dir,
            &release,
            &["-p", "aitoearn", "--lib", "--release"],
            features,
        )?);
    }
    Ok(m)
}

/// The crate alone: wall time, CPU time (user + system, robust on a busy machine) and rustc's
/// peak resident memory.
#[derive(Default, Clone, Copy)]
struct Alone {
    wall: Duration,
    cpu: Option<Duration>,
    peak_kib: Option<u64>,
}

/// The library of the crate at `dir` rebuilt alone (dependencies and build.rs already built),
/// without incremental caches; with rustc's peak resident memory when `/usr/bin/time` exists.
fn alone(dir: &Path, target: &Path, args: &[&str], features: &[String]) -> Result<Alone, Failure> {
    let lib = dir.join("src/lib.rs");
    let text = std::fs::read(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    std::fs::write(&lib, &text).map_err(|e| format!("{}: {e}", lib.display()))?;
    let rss_file = target.join("rustc-peak-kib");
    let _ = std::fs::remove_file(&rss_file);
    let time = Path::new("/usr/bin/time");
    let mut env = vec![("CARGO_INCREMENTAL", "0".to_string())];
    if time.exists() {
        // The only rustc cargo runs is the crate's: cargo's peak-of-children is rustc's.
        env.push(("AITOEARN_REPORT_RSS", rss_file.display().to_string()));
    }
    let (t, _) = build(dir, target, args, features, &env)?;
    // `user system peak-KiB`: CPU seconds of cargo and its children, and the largest child's peak.
    let line = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last().map(str::to_owned));
    let fields: Vec<f64> = line
        .iter()
        .flat_map(|l| l.split_whitespace())
        .filter_map(|f| f.parse().ok())
        .collect();
    match fields[..] {
        [user, system, kib] => Ok(Alone {
            wall: t,
            cpu: Some(Duration::from_secs_f64(user + system)),
            peak_kib: Some(kib as u64),
        }),
        _ => Ok(Alone {
            wall: t,
            cpu: None,
            peak_kib: None,
        }),
    }
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

/// Each figure of the crate alone, the median of the runs'.
fn median_alone(runs: &[Alone]) -> Alone {
    let walls: Vec<Duration> = runs.iter().map(|a| a.wall).collect();
    let cpus: Vec<Duration> = runs.iter().filter_map(|a| a.cpu).collect();
    let mut peaks: Vec<u64> = runs.iter().filter_map(|a| a.peak_kib).collect();
    peaks.sort_unstable();
    let n = peaks.len();
    Alone {
        wall: median(&walls),
        cpu: (!cpus.is_empty()).then(|| median(&cpus)),
        peak_kib: (n > 0).then(|| (peaks[(n - 1) / 2] + peaks[n / 2]) / 2),
    }
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &[Duration]) -> Duration {
    let mut v = values.to_vec();
    v.sort();
    match v.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
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
    build(dir, target, args, extra, &[]).map(|(t, _)| t)
}

fn build(
    dir: &Path,
    target: &Path,
    args: &[&str],
    extra: &[String],
    env: &[(&str, String)],
) -> Result<(Duration, String), Failure> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = match env.iter().find(|(k, _)| *k == "AITOEARN_REPORT_RSS") {
        Some((_, file)) => {
            let mut c = Command::new("/usr/bin/time");
            c.args(["-f", "%U %S %M", "-o", file, &cargo]);
            c
        }
        None => Command::new(&cargo),
    };
    for (k, v) in env.iter().filter(|(k, _)| *k != "AITOEARN_REPORT_RSS") {
        command.env(k, v);
    }
    let start = Instant::now();
    let out = command
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

/// The TLS stack of the SDK build being measured, which the floor gets too: TLS is not
/// generated code, and the stacks differ by half a clean build (aws-lc-sys's build script
/// alone is ~30 s of a ~90 s debug build on 2 cores; ring's a few seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tls {
    /// reqwest's `rustls` (aws-lc-rs), the SDK's default.
    Rustls,
    /// reqwest's `native-tls` (the SDK prefers it when both are on).
    Native,
    None,
}

impl Tls {
    /// The SDK's TLS for these `--no-default-features` / `--features` arguments.
    fn of(no_default_features: bool, features: &str) -> Self {
        let listed = |name: &str| features.split([',', ' ']).any(|f| f.trim() == name);
        if listed("native-tls") {
            Tls::Native
        } else if listed("rustls") || !no_default_features {
            Tls::Rustls
        } else {
            Tls::None
        }
    }

    /// reqwest's feature for it, as a TOML array item.
    fn reqwest_feature(self) -> &'static str {
        match self {
            Tls::Rustls => r#", "rustls""#,
            Tls::Native => r#", "native-tls""#,
            Tls::None => "",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Tls::Rustls => "reqwest's `rustls` (aws-lc-rs)",
            Tls::Native => "reqwest's `native-tls`",
            Tls::None => "none",
        }
    }
}

/// A crate whose build.rs runs progenitor, with default settings, on the adapted spec, times
/// it like ours, and writes `client.rs`; its lib includes it. Dependencies match what the
/// generated code needs and what the SDK uses for HTTP (`tls`: the same TLS stack).
fn write_floor_crate(root: &Path, dir: &Path, tls: Tls) -> Result<(), Failure> {
    let spec = std::fs::read_to_string(root.join("openapi/aitoearn.openapi.json"))
        .map_err(|e| format!("reading the spec: {e}"))?;
    let en = std::fs::read_to_string(root.join("openapi/aitoearn.openapi.en.json")).ok();
    let out = crate::codegen::generate_with(
        &spec,
        en.as_deref(),
        crate::codegen::Options {
            schemas: false,
            ..Default::default()
        },
    )?;
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).map_err(|e| Failure::Failed(format!("{name}: {e}")))
    };
    write("adapted.json", &out.adapted.to_string())?;
    let manifest = FLOOR_MANIFEST.replace("{tls}", tls.reqwest_feature());
    write("Cargo.toml", &manifest)?;
    write("build.rs", FLOOR_BUILD_RS)?;
    write(
        "src/lib.rs",
        "#![allow(warnings)]\ninclude!(concat!(env!(\"OUT_DIR\"), \"/client.rs\"));\n",
    )?;
    Ok(())
}

const FLOOR_MANIFEST: &str = r#"[package]
name = "aitoearn-floor"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
progenitor-client = "0.15.1"
reqwest = { version = "0.13.4", default-features = false, features = ["json", "query", "stream", "http2"{tls}] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }
# The SDK's regress (0.11 built a second hashbrown).
regress = "0.12"
futures = "0.3"

[build-dependencies]
progenitor = { version = "0.15.1", default-features = false }
openapiv3 = "2.2.0"
serde_json = "1"
syn = { version = "3", features = ["full"] }
prettyplease = "0.3"
"#;

const FLOOR_BUILD_RS: &str = r#"fn main() {
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
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_gets_the_tls_stack_of_the_sdk_build() {
        assert_eq!(Tls::of(false, ""), Tls::Rustls, "the SDK's default");
        assert_eq!(Tls::of(false, "mock"), Tls::Rustls);
        assert_eq!(Tls::of(true, "channels"), Tls::None);
        assert_eq!(Tls::of(true, "rustls,channels"), Tls::Rustls);
        assert_eq!(Tls::of(true, "native-tls"), Tls::Native);
        assert_eq!(
            Tls::of(false, "rustls native-tls"),
            Tls::Native,
            "as the SDK prefers"
        );
        let manifest = FLOOR_MANIFEST.replace("{tls}", Tls::Rustls.reqwest_feature());
        assert!(manifest.contains(r#""http2", "rustls"] }"#), "{manifest}");
    }

    #[test]
    fn rounds_are_compared_by_their_median() {
        let s = |v: &[u64]| {
            v.iter()
                .map(|&x| Duration::from_secs(x))
                .collect::<Vec<_>>()
        };
        assert_eq!(median(&s(&[170, 120, 150])), Duration::from_secs(150));
        assert_eq!(median(&s(&[100, 160, 120, 200])), Duration::from_secs(140));
        assert_eq!(median(&s(&[90])), Duration::from_secs(90));
        let run = |wall: u64, kib: Option<u64>| Alone {
            wall: Duration::from_secs(wall),
            cpu: kib.map(|_| Duration::from_secs(wall + 1)),
            peak_kib: kib,
        };
        let m = median_alone(&[run(30, Some(900)), run(10, Some(800)), run(20, Some(700))]);
        assert_eq!(m.wall, Duration::from_secs(20));
        assert_eq!(m.cpu, Some(Duration::from_secs(21)));
        assert_eq!(m.peak_kib, Some(800));
        let m = median_alone(&[run(30, None), run(10, None)]);
        assert_eq!(
            (m.wall, m.cpu, m.peak_kib),
            (Duration::from_secs(20), None, None)
        );
    }
}
