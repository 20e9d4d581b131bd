//! Repository automation for the aitoearn SDK: `cargo xtask <command>` (see [`USAGE`]).

mod build_report;
mod check_spec;
mod cli;
mod codegen;
mod diff;
mod evolution;
mod fetch;
mod operations;
mod overlay;
mod refresh;
mod semver;
mod semver_fixture;
mod update_spec;
mod util;

use std::path::Path;
use std::process::ExitCode;

use cli::Failure;

/// A subcommand: its arguments and the workspace root in, an exit code out.
type Command = fn(&[String], &Path) -> Result<ExitCode, Failure>;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  refresh-spec  fetch both published editions of the spec (Chinese, English), check them,
                vendor both or neither, report what changed
  check-spec    would this spec regenerate? generate, `cargo check` the crate against it in a
                scratch copy, list the operations added / removed / renamed; --mutate: the
                evolution run over transformed versions of the vendored spec
  update-spec   refresh, check, diff and version a spec update: the vendored pair, Cargo.toml,
                CHANGELOG.md, OPERATIONS.md in the work tree; title.txt, body.md, level.txt
                (the pull request) in --out DIR
  semver-fixture  diff-spec's Rust-API predictions for the fixture pair beside the recorded
                findings of cargo-semver-checks, kind by kind; the tool run live when
                installed (--record: record them)
  operations    the operations table (Markdown, --json), --adaptations, OPERATIONS.md
  diff-spec     what changes between two versions of the spec, for SDK users; with
                --ignore-text, where the two editions differ structurally
  overlay       from-page PAGE: the overlay (openapi/overlays/) that brings the vendored spec
                to the version of the operation documented on a docs page
  build-report  clean and incremental build times, build.rs phases, generated lines, beside
                progenitor's plain generation of the same spec (Markdown)
  help          this text

exit status: 0 success; 1 failure (including a stale OPERATIONS.md and breaking changes with
--fail-on breaking); 2 usage error.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = util::workspace_root();
    let Some((command, rest)) = args.split_first() else {
        return fail(Failure::Usage("no command given".into()), USAGE);
    };
    let (run, usage): (Command, &str) = match command.as_str() {
        "refresh-spec" => (refresh::run, refresh::USAGE),
        "check-spec" => (check_spec::run, check_spec::USAGE),
        "update-spec" => (update_spec::run, update_spec::USAGE),
        "semver-fixture" => (semver_fixture::run, semver_fixture::USAGE),
        "operations" => (operations::run, operations::USAGE),
        "diff-spec" => (diff::run, diff::USAGE),
        "build-report" => (build_report::run, build_report::USAGE),
        "overlay" => (overlay::run, overlay::USAGE),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => return fail(Failure::Usage(format!("unknown command `{other}`")), USAGE),
    };
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        println!("{usage}");
        return ExitCode::SUCCESS;
    }
    match run(rest, &root) {
        Ok(code) => code,
        Err(f) => fail(f, usage),
    }
}

fn fail(failure: Failure, usage: &str) -> ExitCode {
    match failure {
        Failure::Usage(msg) => {
            eprintln!("error: {msg}\n\n{usage}");
            ExitCode::from(2)
        }
        Failure::Failed(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}
