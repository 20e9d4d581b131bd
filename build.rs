//! Generates the client, the models and the SDK facade from the vendored spec into `OUT_DIR`.
//! The generator itself is the `aitoearn-codegen` crate (`codegen/`, shared with `xtask`), run
//! with progenitor as its backend (`build/progenitor.rs`); this file only does I/O.
//!
//! Never panics: every failure (an unreadable file, an overlay that does not parse or no longer
//! fits, a spec the generator cannot take) is printed as one clear `error:` and the build
//! script exits with status 1.

#[path = "build/progenitor.rs"]
mod backend;

use aitoearn_codegen as codegen;

use std::path::PathBuf;

const SPEC: &str = "openapi/aitoearn.openapi.json";
/// The English edition: its texts go first in the docs; structure comes from `SPEC` alone.
const SPEC_EN: &str = "openapi/aitoearn.openapi.en.json";
/// Overlays (OAI Overlay 1.0.0) applied to `SPEC` in file-name order before anything else.
const OVERLAYS: &str = "openapi/overlays";

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed={SPEC_EN}");
    println!("cargo:rerun-if-changed={OVERLAYS}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    let text = std::fs::read_to_string(SPEC).map_err(|e| format!("reading {SPEC}: {e}"))?;
    let overlays = codegen::overlay::load_dir(std::path::Path::new(OVERLAYS))?;
    let feature = |name: &str| {
        let var = format!("CARGO_FEATURE_{}", name.to_uppercase().replace('-', "_"));
        std::env::var_os(var).is_some()
    };
    let groups = codegen::groups::Group::ALL
        .into_iter()
        .filter(|g| feature(g.feature()));
    let options = codegen::Options {
        schemas: feature("schemars"),
        groups: codegen::groups::Groups::of(groups),
    };
    let english = std::fs::read_to_string(SPEC_EN).ok();
    let backend = backend::Progenitor::sdk();
    let out = codegen::generate_full(&text, english.as_deref(), &overlays, options, &backend)
        .map_err(|e| format!("generating from {SPEC}: {e}"))?;
    for (operation, group) in &out.unknown_groups {
        println!(
            "cargo:warning=operation `{operation}` is tagged with group `{group}`, which \
             codegen/groups.rs does not map to a feature: it is always generated"
        );
    }
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("cargo did not set OUT_DIR")?);
    let write = |name: &str, contents: &[u8]| {
        std::fs::write(dir.join(name), contents).map_err(|e| format!("writing {name}: {e}"))
    };
    write("client.rs", out.client.as_bytes())?;
    write("api.rs", out.facade.as_bytes())?;
    // Where build.rs spends its time, for `cargo xtask build-report`.
    let timings: Vec<String> = out
        .timings
        .iter()
        .map(|(phase, d)| format!("[\"{phase}\", {}]", d.as_secs_f64()))
        .collect();
    // `[[phase, seconds], …]`, in run order.
    write(
        "timings.json",
        format!("[{}]", timings.join(", ")).as_bytes(),
    )?;
    // The adapted spec, for the spec-driven mock (feature `mock`).
    write("adapted.json", out.adapted.to_string().as_bytes())?;
    Ok(())
}
