//! Generates the client, the models and the SDK facade from the vendored spec into `OUT_DIR`.
//! The generator itself lives in `codegen/` (shared with `xtask`); this file only does I/O.

#[allow(dead_code)]
#[path = "codegen/mod.rs"]
mod codegen;

use std::path::PathBuf;

const SPEC: &str = "openapi/aitoearn.openapi.json";
/// The English edition: its texts go first in the docs; structure comes from `SPEC` alone.
const SPEC_EN: &str = "openapi/aitoearn.openapi.en.json";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed={SPEC_EN}");
    println!("cargo:rerun-if-changed=codegen");
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("reading {SPEC}: {e}"));
    let options = codegen::Options {
        schemas: std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some(),
    };
    let english = std::fs::read_to_string(SPEC_EN).ok();
    let out = codegen::generate_with(&text, english.as_deref(), options)
        .unwrap_or_else(|e| panic!("generating from {SPEC}: {e}"));
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let write = |name: &str, contents: &[u8]| {
        std::fs::write(dir.join(name), contents).unwrap_or_else(|e| panic!("writing {name}: {e}"))
    };
    write("client.rs", out.client.as_bytes());
    write("api.rs", out.facade.as_bytes());
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
    );
    // The adapted spec, for the spec-driven mock (feature `mock`).
    write("adapted.json", out.adapted.to_string().as_bytes());
}
