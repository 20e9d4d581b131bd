//! The generator as build.rs runs it: `aitoearn-codegen` with the SDK's progenitor backend
//! (`build/progenitor.rs`, the same file build.rs includes), so every command sees exactly what
//! build.rs generates.

pub use aitoearn_codegen::*;

#[path = "../../build/progenitor.rs"]
pub mod backend;

use backend::Progenitor;

/// [`aitoearn_codegen::generate`] with the SDK's backend (the tests' shorthand).
#[cfg(test)]
pub fn generate(spec_text: &str) -> Result<Output, String> {
    aitoearn_codegen::generate(spec_text, &Progenitor::sdk())
}

/// [`aitoearn_codegen::generate_with`] with the SDK's backend.
pub fn generate_with(
    spec_text: &str,
    english: Option<&str>,
    options: Options,
) -> Result<Output, String> {
    aitoearn_codegen::generate_with(spec_text, english, options, &Progenitor::sdk())
}

/// [`aitoearn_codegen::generate_full`] with the SDK's backend.
pub fn generate_full(
    spec_text: &str,
    english: Option<&str>,
    overlays: &[overlay::Overlay],
    options: Options,
) -> Result<Output, String> {
    aitoearn_codegen::generate_full(spec_text, english, overlays, options, &Progenitor::sdk())
}
