//! The generator: spec → adaptations → progenitor → SDK facade. Shared by `build.rs`, which
//! writes its output to `OUT_DIR`, and by `xtask`, which checks and reports on it.

pub mod adapt;
pub mod bilingual;
pub mod emit;
pub mod model;
pub mod naming;
pub mod schema;

use serde_json::Value;

/// What one generation run produces.
pub struct Output {
    /// progenitor's client and models.
    pub client: String,
    /// The SDK facade (`crate::api`): methods, request builders, tables.
    pub facade: String,
    /// The adapted spec, as handed to progenitor.
    pub adapted: Value,
    /// The operations, as the SDK sees them.
    pub operations: Vec<model::Operation>,
    /// (adaptation, places changed).
    pub adaptations: Vec<(&'static str, usize)>,
    /// Wall time of each phase, in run order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// What to generate besides the client.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Derive `schemars::JsonSchema` on every model and emit each operation's input and output
    /// JSON Schema (the crate's `schemars` feature).
    pub schemas: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { schemas: true }
    }
}

/// Runs the whole generator on the text of a spec.
pub fn generate(spec_text: &str) -> Result<Output, String> {
    generate_with(spec_text, None, Options::default())
}

/// Runs the whole generator on the text of a spec (the Chinese edition), with the English
/// edition's texts when given, and `options`.
pub fn generate_with(
    spec_text: &str,
    english: Option<&str>,
    options: Options,
) -> Result<Output, String> {
    let mut clock = Clock::start();
    let published: Value =
        serde_json::from_str(spec_text).map_err(|e| format!("the spec is not JSON: {e}"))?;
    check_version(&published)?;
    let mut spec = published.clone();
    let mut adaptations = Vec::new();
    if let Some(english) = english {
        let en: Value = serde_json::from_str(english)
            .map_err(|e| format!("the English edition is not JSON: {e}"))?;
        adaptations.push(("english_texts", bilingual::merge(&mut spec, &en)));
    }
    adaptations.push(("absolute_doc_links", bilingual::absolute_links(&mut spec)));
    adaptations.push((
        "describe_inline_schemas",
        bilingual::describe_inline_schemas(&mut spec),
    ));
    clock.lap("parse");
    adaptations.extend(adapt::adapt(&mut spec)?);
    let openapi: openapiv3::OpenAPI = serde_json::from_value(spec.clone())
        .map_err(|e| format!("the adapted spec is not OpenAPI 3.0: {e}"))?;
    clock.lap("adapt");
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(quote::quote!(crate::client::Shared))
        .with_hooks(progenitor::HooksMode::Expected)
        // `x-rust-type` paths into this crate (see `adapt::open_response_enums`).
        .with_crate("aitoearn", progenitor::CrateVers::Any, None);
    if options.schemas {
        settings.with_derive("::schemars::JsonSchema");
    }
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(&openapi)
    }))
    .map_err(|p| format!("progenitor panicked: {}", panic_text(&*p)))?
    .map_err(|e| format!("progenitor rejected the adapted spec: {e}"))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor emitted invalid Rust: {e}"))?;
    clock.lap("progenitor");
    let operations = model::operations(&spec)?;
    let facade = emit::facade(&file, &operations, &spec, &published, options)?;
    let facade: syn::File =
        syn::parse2(facade).map_err(|e| format!("the facade is invalid Rust: {e}"))?;
    clock.lap("facade");
    let client = prettyplease::unparse(&file);
    let facade = prettyplease::unparse(&facade);
    clock.lap("format");
    Ok(Output {
        client,
        facade,
        adapted: spec,
        operations,
        adaptations,
        timings: clock.laps,
    })
}

/// Times the generator's phases.
struct Clock {
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Clock {
    fn start() -> Self {
        Self {
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((name, now - self.last));
        self.last = now;
    }
}

fn check_version(spec: &Value) -> Result<(), String> {
    match spec.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => Ok(()),
        Some(v) => Err(format!(
            "OpenAPI {v} is not supported; the generator takes 3.0.x"
        )),
        None => Err("the document has no `openapi` version field".into()),
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}
