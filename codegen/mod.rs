//! The generator of the `aitoearn` SDK: spec → overlays → adaptations → a backend
//! (progenitor) → the SDK facade. Used by the SDK's `build.rs`, which writes the output to
//! `OUT_DIR`, and by its `xtask`, which checks and reports on it.
//!
//! This crate does not depend on progenitor: the backend is passed in ([`isolate::Backend`],
//! implemented in the SDK's `build/progenitor.rs`), so Cargo compiles the generator while it
//! compiles progenitor and typify, not after them (the SDK's clean build waits for neither).
//!
//! Without the `generator` feature only [`refs`] and [`answer`] are built (they need nothing
//! but `serde_json`): the SDK's runtime mock reads the generated spec with them.

// Shared with the runtime mock (the crate without `generator`).
pub mod answer;
pub mod refs;

#[cfg(feature = "generator")]
pub mod adapt;
#[cfg(feature = "generator")]
pub mod bilingual;
#[cfg(feature = "generator")]
pub mod builders;
#[cfg(feature = "generator")]
pub mod conversions;
#[cfg(feature = "generator")]
pub mod deserialize;
#[cfg(feature = "generator")]
pub mod emit;
#[cfg(feature = "generator")]
pub mod groups;
#[cfg(feature = "generator")]
pub mod inline_names;
#[cfg(feature = "generator")]
pub mod isolate;
#[cfg(feature = "generator")]
pub mod jsonpath;
#[cfg(feature = "generator")]
pub mod lean;
#[cfg(feature = "generator")]
pub mod model;
#[cfg(feature = "generator")]
pub mod naming;
#[cfg(feature = "generator")]
pub mod op_aliases;
#[cfg(feature = "generator")]
pub mod overlay;
#[cfg(feature = "generator")]
mod pipeline;
#[cfg(feature = "generator")]
pub mod positional;
#[cfg(feature = "generator")]
pub mod robust;
#[cfg(feature = "generator")]
pub mod rust_types;
#[cfg(feature = "generator")]
pub mod schema;
#[cfg(feature = "generator")]
pub mod serde_fields;
#[cfg(feature = "generator")]
pub mod shared_enums;
#[cfg(feature = "generator")]
pub mod spec_walk;

#[cfg(feature = "generator")]
pub use pipeline::{Options, Output, effective, generate, generate_full, generate_with};

/// The token types the backend returns and [`Backend`](isolate::Backend) implementations
/// build settings with, re-exported so they are the same versions the generator reads.
#[cfg(feature = "generator")]
pub use {proc_macro2, quote, serde_json};
