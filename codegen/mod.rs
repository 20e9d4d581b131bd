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

// The module docs are a map of each module, private helpers included.
#![allow(rustdoc::private_intra_doc_links)]

// Shared with the runtime mock (the crate without `generator`).
pub mod answer;
pub mod refs;

/// The generator's own modules, built only with the `generator` feature.
macro_rules! generator_modules {
    ($($vis:vis mod $name:ident;)*) => { $( #[cfg(feature = "generator")] $vis mod $name; )* };
}

generator_modules! {
    pub mod adapt;
    pub mod bilingual;
    pub mod builders;
    pub mod conversions;
    pub mod deserialize;
    pub mod emit;
    pub mod groups;
    pub mod inline_names;
    pub mod isolate;
    pub mod jsonpath;
    pub mod lean;
    pub mod model;
    pub mod naming;
    pub mod op_aliases;
    pub mod overlay;
    mod pipeline;
    pub mod positional;
    pub mod robust;
    pub mod rust_types;
    pub mod schema;
    pub mod serde_fields;
    pub mod shared_enums;
    pub mod spec_walk;
}

#[cfg(feature = "generator")]
pub use pipeline::{Options, Output, effective, generate, generate_full, generate_with};

/// The token types the backend returns and [`Backend`](isolate::Backend) implementations
/// build settings with, re-exported so they are the same versions the generator reads.
#[cfg(feature = "generator")]
pub use {proc_macro2, quote, serde_json};
