//! The generator's backend: progenitor, with the settings the SDK is generated with.
//!
//! Not part of `aitoearn-codegen`, which takes any [`Backend`]: keeping progenitor out of that
//! crate lets Cargo compile the generator while it compiles progenitor and typify. Included by
//! `build.rs` and by `xtask` (`#[path]`), so both generate with exactly these settings.

use aitoearn_codegen::isolate::{Backend, Refusal};
use aitoearn_codegen::proc_macro2::TokenStream;
use aitoearn_codegen::serde_json::{self, Value};

/// progenitor and the settings it runs with.
pub struct Progenitor {
    settings: progenitor::GenerationSettings,
}

impl Progenitor {
    /// The SDK's settings.
    pub fn sdk() -> Self {
        let mut settings = progenitor::GenerationSettings::new();
        settings
            // One method per operation taking every value by reference, which the facade's
            // request builders call (one builder layer, `codegen/emit.rs`).
            .with_interface(progenitor::InterfaceStyle::Positional)
            .with_tag(progenitor::TagStyle::Merged)
            .with_inner_type(aitoearn_codegen::quote::quote!(crate::config::Shared))
            .with_hooks(progenitor::HooksMode::Expected)
            // `x-rust-type` paths into this crate (see `adapt::open_response_enums`).
            .with_crate("aitoearn", progenitor::CrateVers::Any, None);
        // `schemars::JsonSchema` is implemented by the facade from the spec's schemas
        // (`emit::model_schemas`), not derived per model: the derives were ~40% of the crate's
        // compile time.
        Self { settings }
    }
}

impl Backend for Progenitor {
    fn name(&self) -> &str {
        "progenitor"
    }

    fn generate(&self, spec: &Value) -> Result<TokenStream, Refusal> {
        let openapi: openapiv3::OpenAPI = serde_json::from_value(spec.clone()).map_err(|e| {
            Refusal::Unreadable(format!("the adapted spec is not OpenAPI 3.0: {e}"))
        })?;
        progenitor::Generator::new(&self.settings)
            .generate_tokens(&openapi)
            .map_err(|e| Refusal::Rejected(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use aitoearn_codegen::isolate;
    use serde_json::{Value, json};

    use super::Progenitor;

    /// An optional object query parameter beside a plain one, and an operation that is fine.
    fn optional_object_query_param() -> Value {
        json!({
            "openapi": "3.0.1",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/api/v2/things": { "get": {
                    "operationId": "ThingsController_list_v2",
                    "parameters": [
                        { "name": "q", "in": "query", "required": false, "schema": { "type": "string" } },
                        { "name": "pagination", "in": "query", "required": false, "schema": {
                            "type": "object",
                            "properties": { "page": { "type": "integer" }, "pageSize": { "type": "integer" } } } }
                    ],
                    "responses": { "200": { "description": "ok" } }
                } },
                "/api/v2/ok": { "get": {
                    "operationId": "OkController_get_v2",
                    "responses": { "200": { "description": "ok" } }
                } }
            }
        })
    }

    /// progenitor's builder interface: the one whose `builder_struct` panics on the spec.
    fn builder_interface() -> Progenitor {
        let mut settings = progenitor::GenerationSettings::new();
        settings.with_interface(progenitor::InterfaceStyle::Builder);
        Progenitor { settings }
    }

    /// Unadapted, progenitor 0.15's `builder_struct` reaches `unreachable!()` on it: the panic
    /// is caught and bisected to the operation and the parameter.
    #[test]
    fn a_generator_panic_names_the_operation_and_construct() {
        let spec = optional_object_query_param();
        let result = std::panic::catch_unwind(|| isolate::generate(&spec, &builder_interface()));
        let e = result
            .expect("isolate::generate never panics")
            .expect_err("progenitor cannot take the unadapted spec");
        assert!(e.contains("progenitor panicked"), "{e}");
        assert!(e.contains("operation `GET /api/v2/things`"), "{e}");
        assert!(e.contains("ThingsController_list_v2"), "{e}");
        assert!(
            e.contains("#/paths/~1api~1v2~1things/get/parameters/1"),
            "{e}"
        );
        assert!(
            e.contains("optional query parameter `pagination` of type object"),
            "{e}"
        );
        assert!(e.contains("what to do"), "{e}");
        assert!(!e.contains("OkController"), "{e}");
    }

    /// Through the whole generator the adaptation `struct_params` makes it generate;
    /// the parameter is sent with progenitor's `QueryParam` (one pair per field).
    #[test]
    fn an_optional_object_query_param_generates() {
        let out = aitoearn_codegen::generate(
            &optional_object_query_param().to_string(),
            &Progenitor::sdk(),
        )
        .expect("struct_params makes it generate");
        assert!(
            out.client
                .contains("pub struct ThingsListPaginationParam(pub ThingsListPagination)"),
            "the newtype around the struct"
        );
        assert!(out.client.contains("pub struct ThingsListPagination {"));
        assert!(
            out.client
                .contains("QueryParam::new(\"pagination\", &pagination)"),
            "sent as a query parameter"
        );
        assert!(out.facade.contains("fn pagination"), "{}", out.facade);
    }

    /// An error (not a panic) from progenitor is explained the same way.
    #[test]
    fn a_generator_error_names_the_operation_and_construct() {
        let mut spec = optional_object_query_param();
        spec["paths"]["/api/v2/things"]["get"]["parameters"][1] = json!({
            "name": "session", "in": "cookie", "required": true, "schema": { "type": "string" } });
        let Err(e) = aitoearn_codegen::generate(&spec.to_string(), &Progenitor::sdk()) else {
            panic!("a required cookie parameter is refused by progenitor");
        };
        assert!(e.contains("progenitor rejects it"), "{e}");
        assert!(e.contains("cookie parameters are not supported"), "{e}");
        assert!(e.contains("required cookie parameter `session`"), "{e}");
        assert!(e.contains("operationId `ThingsController_list_v2`"), "{e}");
    }

    /// A spec the backend cannot read is the spec's fault: reported as is, not bisected.
    #[test]
    fn an_unreadable_spec_is_reported_as_is() {
        let mut spec = optional_object_query_param();
        spec["paths"]["/api/v2/ok"]["get"]["responses"] = json!(5);
        let e = isolate::generate(&spec, &Progenitor::sdk()).expect_err("responses must be a map");
        assert!(
            e.starts_with("the adapted spec is not OpenAPI 3.0: "),
            "{e}"
        );
        assert!(!e.contains("operation `"), "{e}");
    }
}
