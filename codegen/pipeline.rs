//! The whole run: spec text → overlays → English texts → adaptations → the backend
//! (progenitor) → our passes over its output → the SDK facade, each phase timed.

use serde_json::Value;

use crate::isolate::Backend;
use crate::{
    adapt, bilingual, builders, conversions, deserialize, emit, groups, isolate, lean, model,
    overlay,
};

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
    /// What each overlay did, in the order applied.
    pub overlays: Vec<overlay::Applied>,
    /// (adaptation, places changed).
    pub adaptations: Vec<(&'static str, usize)>,
    /// Kept operations of a group `groups::TABLE` does not know: (operationId, group).
    pub unknown_groups: Vec<(String, String)>,
    /// Wall time of each phase, in run order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// What to generate besides the client.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Derive `schemars::JsonSchema` on every model and emit each operation's input and output
    /// JSON Schema (the crate's `schemars` feature).
    pub schemas: bool,
    /// The API groups to generate (the crate's `ai`, `channels`, `assets` features); the
    /// operations of the others, and the models only they reach, are left out
    /// (`groups.rs`).
    pub groups: groups::Groups,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            schemas: true,
            groups: groups::Groups::all(),
        }
    }
}

/// Runs the whole generator on the text of a spec.
pub fn generate(spec_text: &str, backend: &dyn Backend) -> Result<Output, String> {
    generate_with(spec_text, None, Options::default(), backend)
}

/// Runs the whole generator on the text of a spec (the Chinese edition), with the English
/// edition's texts when given, and `options`.
pub fn generate_with(
    spec_text: &str,
    english: Option<&str>,
    options: Options,
    backend: &dyn Backend,
) -> Result<Output, String> {
    generate_full(spec_text, english, &[], options, backend)
}

/// The published spec and the effective one: `overlays` applied in order.
pub fn effective(
    spec_text: &str,
    overlays: &[overlay::Overlay],
) -> Result<(Value, Value, Vec<overlay::Applied>), String> {
    let published: Value =
        serde_json::from_str(spec_text).map_err(|e| format!("the spec is not JSON: {e}"))?;
    check_version(&published)?;
    let mut spec = published.clone();
    let applied = overlay::apply_all(&mut spec, overlays)?;
    Ok((published, spec, applied))
}

/// [`generate_with`], with `overlays` applied to the spec first (before the English texts,
/// which are then kept only where an overlay did not change the Chinese text they translate,
/// and before the adaptations).
pub fn generate_full(
    spec_text: &str,
    english: Option<&str>,
    overlays: &[overlay::Overlay],
    options: Options,
    backend: &dyn Backend,
) -> Result<Output, String> {
    let mut clock = Clock::start();
    let published: Value =
        serde_json::from_str(spec_text).map_err(|e| format!("the spec is not JSON: {e}"))?;
    check_version(&published)?;
    clock.lap("parse");
    let mut spec = published.clone();
    let applied = overlay::apply_all(&mut spec, overlays)?;
    clock.lap("overlays");
    // What the overlays made of the published spec: error codes are read from it.
    let effective = spec.clone();
    let mut adaptations = Vec::new();
    if let Some(english) = english {
        let en: Value = serde_json::from_str(english)
            .map_err(|e| format!("the English edition is not JSON: {e}"))?;
        let original = (!overlays.is_empty()).then_some(&published);
        adaptations.push((
            "english_texts",
            bilingual::merge_unless_changed(&mut spec, &en, original),
        ));
    }
    adaptations.push(("absolute_doc_links", bilingual::absolute_links(&mut spec)));
    adaptations.push((
        "describe_inline_schemas",
        bilingual::describe_inline_schemas(&mut spec),
    ));
    clock.lap("english");
    adaptations.extend(adapt::adapt(&mut spec)?);
    // After the adaptations, so names (shared enums, hoisted components) are the same whatever
    // the feature set; before progenitor, so left-out operations cost nothing.
    let selection = groups::select(&mut spec, options.groups);
    clock.lap("adapt");
    // Isolated: a panic or an error names the operation and the construct (isolate.rs); a
    // spec the backend cannot read at all is reported as is.
    let tokens = isolate::generate(&spec, backend)?;
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("{} emitted invalid Rust: {e}", backend.name()))?;
    clock.lap("progenitor");
    // Builders only for what requests reach (codegen/lean.rs), emitted by us
    // (codegen/builders.rs): typify makes its own only in a second, builder-interface run.
    let keep = lean::request_models(&file);
    builders::emit(&mut file, &keep);
    clock.lap("builders");
    // Small `Deserialize` impls instead of serde's derive (codegen/deserialize.rs).
    deserialize::replace_derives(&mut file);
    clock.lap("deserialize");
    // typify's string conversions as one macro invocation per type (codegen/conversions.rs).
    conversions::compact(&mut file);
    clock.lap("conversions");
    let operations = model::operations(&spec)?;
    let facade = emit::facade(&file, &operations, &spec, &effective, options)?;
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
        overlays: applied,
        adaptations,
        unknown_groups: selection.unknown,
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
