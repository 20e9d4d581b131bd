//! Classification of findings for a user of the generated SDK.
//!
//! A change is **breaking** when code written against the SDK built from OLD can fail with the
//! SDK built from NEW (it stops compiling, or a call that worked fails), or when an SDK built
//! from OLD fails against a server that follows NEW (the server rejects what it sends, or it
//! cannot decode what the server answers). Decoding is tolerant about unknown fields (the
//! `tolerate_unknown_fields` adaptation) and about unknown values of enums in response bodies
//! (`open_response_enums` makes them `aitoearn::Open<E>`); typify's plain enums are strict.
//! Both decide several cases below.
//!
//! **rust-api** marks changes to the generated Rust API: types renamed or retyped, fields,
//! variants, setters or methods added or removed. **docs** marks text-only changes.

use serde_json::{Value, json};

use super::generated::kind_words;
use super::model::{Change, Direction, Finding, Place, What};

/// Operation-level facts the reasons mention.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'c> {
    pub old_method: Option<&'c str>,
    pub new_method: Option<&'c str>,
}

struct Verdict {
    breaking: bool,
    rust_api: bool,
    docs: bool,
    reason: String,
}

fn breaking(rust_api: bool, reason: impl Into<String>) -> Verdict {
    Verdict {
        breaking: true,
        rust_api,
        docs: false,
        reason: reason.into(),
    }
}

fn compatible(rust_api: bool, reason: impl Into<String>) -> Verdict {
    Verdict {
        breaking: false,
        rust_api,
        docs: false,
        reason: reason.into(),
    }
}

fn docs(reason: impl Into<String>) -> Verdict {
    Verdict {
        breaking: false,
        rust_api: false,
        docs: true,
        reason: reason.into(),
    }
}

pub fn classify(f: &Finding, ctx: &Context) -> Change {
    let (kind, change, old, new) = describe(&f.what);
    let v = match f.dir {
        Direction::Both => combine(
            verdict(&f.what, Direction::Request, &f.place, ctx),
            verdict(&f.what, Direction::Response, &f.place, ctx),
        ),
        dir => verdict(&f.what, dir, &f.place, ctx),
    };
    Change {
        place: f.place.clone(),
        path: f.path.clone(),
        kind,
        change,
        old,
        new,
        breaking: v.breaking,
        rust_api: v.rust_api,
        docs: v.docs,
        reason: v.reason,
    }
}

/// A schema used both ways: the stricter verdict wins; both reasons are kept when they differ.
fn combine(req: Verdict, resp: Verdict) -> Verdict {
    let rust_api = req.rust_api || resp.rust_api;
    let docs = req.docs && resp.docs;
    let (breaking, reason) = match (req.breaking, resp.breaking) {
        (true, false) => (true, req.reason),
        (false, true) => (true, resp.reason),
        (b, _) if req.reason == resp.reason => (b, resp.reason),
        (b, _) => (
            b,
            format!("in requests: {}; in responses: {}", req.reason, resp.reason),
        ),
    };
    Verdict {
        breaking,
        rust_api,
        docs,
        reason,
    }
}

/// (kind, what changed in words, old value, new value).
fn describe(what: &What) -> (&'static str, String, Value, Value) {
    use What::*;
    let req_word = |r: bool| if r { "required" } else { "optional" };
    match what {
        OperationAdded => (
            "operation-added",
            "operation added".into(),
            Value::Null,
            Value::Null,
        ),
        OperationRemoved => (
            "operation-removed",
            "operation removed".into(),
            Value::Null,
            Value::Null,
        ),
        Deprecated { now } => (
            "deprecated-changed",
            if *now {
                "deprecated"
            } else {
                "no longer deprecated"
            }
            .into(),
            json!(!now),
            json!(now),
        ),
        OperationIdChanged { old, new, .. } => (
            "operation-id-changed",
            format!("operationId `{old}` → `{new}`"),
            json!(old),
            json!(new),
        ),
        Text { field, old, new } => {
            let kind = match *field {
                "summary" => "summary-changed",
                "title" => "title-changed",
                _ => "description-changed",
            };
            let change = match (old, new) {
                (None, Some(n)) => format!("{field} added: “{}”", short(n)),
                (Some(o), None) => format!("{field} removed (was “{}”)", short(o)),
                (Some(o), Some(n)) => format!("{field}: “{}” → “{}”", short(o), short(n)),
                (None, None) => format!("{field} changed"),
            };
            (kind, change, json!(old), json!(new))
        }
        TagsChanged { old, new } => (
            "tags-changed",
            format!("tags {} → {}", list(old), list(new)),
            json!(old),
            json!(new),
        ),
        ParameterAdded { required } => (
            "parameter-added",
            format!("parameter added ({})", req_word(*required)),
            Value::Null,
            json!({ "required": required }),
        ),
        ParameterRemoved => (
            "parameter-removed",
            "parameter removed".into(),
            Value::Null,
            Value::Null,
        ),
        ParameterMoved { from, to } => (
            "parameter-moved",
            format!("moved from {from} to {to}"),
            json!(from),
            json!(to),
        ),
        ParameterRequired { now } => (
            "parameter-required-changed",
            format!("made {}", req_word(*now)),
            json!(!now),
            json!(now),
        ),
        BodyAdded { required } => (
            "request-body-added",
            format!("request body added ({})", req_word(*required)),
            Value::Null,
            json!({ "required": required }),
        ),
        BodyRemoved => (
            "request-body-removed",
            "request body removed".into(),
            Value::Null,
            Value::Null,
        ),
        BodyRequired { now } => (
            "request-body-required-changed",
            format!("request body made {}", req_word(*now)),
            json!(!now),
            json!(now),
        ),
        MediaTypeAdded => (
            "media-type-added",
            "media type added".into(),
            Value::Null,
            Value::Null,
        ),
        MediaTypeRemoved => (
            "media-type-removed",
            "media type removed".into(),
            Value::Null,
            Value::Null,
        ),
        ResponseAdded => (
            "response-added",
            "response added".into(),
            Value::Null,
            Value::Null,
        ),
        ResponseRemoved => (
            "response-removed",
            "response removed".into(),
            Value::Null,
            Value::Null,
        ),
        FieldAdded { required, rust } => (
            "field-added",
            format!("field added ({}, `{rust}`)", req_word(*required)),
            Value::Null,
            json!({ "required": required, "rust": rust }),
        ),
        FieldRemoved { required, rust } => (
            "field-removed",
            format!("field removed (was {}, `{rust}`)", req_word(*required)),
            json!({ "required": required, "rust": rust }),
            Value::Null,
        ),
        TypeChanged {
            old,
            new,
            old_rust,
            new_rust,
        } => (
            "type-changed",
            format!("type `{old}` → `{new}`"),
            json!({ "type": old, "rust": old_rust }),
            json!({ "type": new, "rust": new_rust }),
        ),
        RequiredChanged {
            now,
            old_rust,
            new_rust,
        } => (
            "required-changed",
            format!("made {}", req_word(*now)),
            json!({ "required": !now, "rust": old_rust }),
            json!({ "required": now, "rust": new_rust }),
        ),
        NullableChanged {
            now,
            old_rust,
            new_rust,
        } => (
            "nullable-changed",
            if *now {
                "made nullable"
            } else {
                "no longer nullable"
            }
            .into(),
            json!({ "nullable": !now, "rust": old_rust }),
            json!({ "nullable": now, "rust": new_rust }),
        ),
        EnumValuesAdded { values, .. } => (
            "enum-values-added",
            format!("enum values added: {}", values_list(values)),
            Value::Null,
            json!(values),
        ),
        EnumValuesRemoved { values, .. } => (
            "enum-values-removed",
            format!("enum values removed: {}", values_list(values)),
            json!(values),
            Value::Null,
        ),
        EnumAdded { values, .. } => (
            "enum-added",
            format!("now an enum: {}", values_list(values)),
            Value::Null,
            json!(values),
        ),
        EnumRemoved { values, .. } => (
            "enum-removed",
            format!(
                "enum removed, any value allowed (was {})",
                values_list(values)
            ),
            json!(values),
            Value::Null,
        ),
        FormatChanged {
            old,
            new,
            old_rust,
            new_rust,
        } => {
            let change = match (old, new) {
                (None, Some(n)) => format!("format `{n}` added"),
                (Some(o), None) => format!("format `{o}` removed"),
                (o, n) => format!(
                    "format `{}` → `{}`",
                    o.as_deref().unwrap_or(""),
                    n.as_deref().unwrap_or("")
                ),
            };
            (
                "format-changed",
                change,
                json!({ "format": old, "rust": old_rust }),
                json!({ "format": new, "rust": new_rust }),
            )
        }
        ConstraintChanged {
            keyword, old, new, ..
        } => {
            let show =
                |v: &Option<Value>| v.as_ref().map_or("none".to_string(), |v| format!("`{v}`"));
            (
                "constraint-changed",
                format!("`{keyword}`: {} → {}", show(old), show(new)),
                json!(old),
                json!(new),
            )
        }
        DefaultChanged { old, new } => {
            let show =
                |v: &Option<Value>| v.as_ref().map_or("none".to_string(), |v| format!("`{v}`"));
            (
                "default-changed",
                format!("default {} → {}", show(old), show(new)),
                json!(old),
                json!(new),
            )
        }
        RefChanged {
            old,
            new,
            old_rust,
            new_rust,
            required,
        } => {
            let mut change = match (old, new) {
                (None, Some(n)) => format!("now `$ref: {n}` (was an inline schema)"),
                (Some(o), None) => format!("now an inline schema (was `$ref: {o}`)"),
                (o, n) => format!(
                    "`$ref: {}` → `$ref: {}`",
                    o.as_deref().unwrap_or(""),
                    n.as_deref().unwrap_or("")
                ),
            };
            if !required.is_empty() {
                let names: Vec<String> = required.iter().map(|r| format!("`{r}`")).collect();
                change.push_str(&format!(", which requires {}", names.join(", ")));
            }
            (
                "ref-changed",
                change,
                json!({ "ref": old, "rust": old_rust }),
                json!({ "ref": new, "rust": new_rust, "required": required }),
            )
        }
        VariantsChanged { keyword, old, new } => (
            "variants-changed",
            format!("`{keyword}` has {new} variants (was {old})"),
            json!(old),
            json!(new),
        ),
        SecurityChanged {
            old,
            new,
            old_auth,
            new_auth,
        } => {
            let show = |r: &Vec<String>| {
                if r.is_empty() {
                    "none".to_string()
                } else {
                    list(r)
                }
            };
            (
                "security-changed",
                format!("security requirements {} → {}", show(old), show(new)),
                json!({ "requirements": old, "api_key": old_auth }),
                json!({ "requirements": new, "api_key": new_auth }),
            )
        }
        ResponseKindChanged {
            old,
            new,
            old_rust,
            new_rust,
        } => (
            "response-kind-changed",
            format!(
                "the SDK reads the answer as `{}` (was `{}`)",
                new.name(),
                old.name()
            ),
            json!({ "kind": old.name(), "rust": old_rust }),
            json!({ "kind": new.name(), "rust": new_rust }),
        ),
        ReturnTypeChanged { old, new } => (
            "return-type-changed",
            format!("`send()` returns `{new}` (was `{old}`)"),
            json!(old),
            json!(new),
        ),
        SchemaAdded => (
            "schema-added",
            "schema added".into(),
            Value::Null,
            Value::Null,
        ),
        SchemaRemoved => (
            "schema-removed",
            "schema removed".into(),
            Value::Null,
            Value::Null,
        ),
        GeneratedTypeAdded { name } => (
            "generated-type-added",
            format!("the generator emits a new type `types::{name}`"),
            Value::Null,
            json!({ "rust": format!("types::{name}") }),
        ),
        GeneratedTypeRemoved { name } => (
            "generated-type-removed",
            format!("the generator no longer emits `types::{name}`"),
            json!({ "rust": format!("types::{name}") }),
            Value::Null,
        ),
        ServersChanged { old, new } => (
            "servers-changed",
            format!("servers {} → {}", list(old), list(new)),
            json!(old),
            json!(new),
        ),
    }
}

fn verdict(what: &What, dir: Direction, place: &Place, ctx: &Context) -> Verdict {
    use What::*;
    let req = dir == Direction::Request;
    let method = |m: Option<&str>| {
        m.map(|m| format!("`{m}()`"))
            .unwrap_or_else(|| "the method".into())
    };
    match what {
        OperationAdded => compatible(
            true,
            format!("new method {} on `Client`", method(ctx.new_method)),
        ),
        OperationRemoved => breaking(
            true,
            format!(
                "{} disappears from `Client`, so code calling it no longer compiles; SDKs built \
                 from OLD get an error from the server",
                method(ctx.old_method)
            ),
        ),
        Deprecated { now: true } => compatible(false, "still works; plan for its removal"),
        Deprecated { now: false } => compatible(false, "no longer scheduled for removal"),
        OperationIdChanged {
            old_method,
            new_method,
            ..
        } if old_method != new_method => breaking(
            true,
            format!(
                "the Rust method is renamed from `{old_method}()` to `{new_method}()`, and the \
                 request and response types named after it with it"
            ),
        ),
        OperationIdChanged { new_method, .. } => compatible(
            false,
            format!("the Rust method name stays `{new_method}()`"),
        ),
        Text { .. } => docs("documentation only: rustdoc text changes, types and behaviour do not"),
        TagsChanged { .. } => docs(
            "tags only group operations in the docs and OPERATIONS.md; the SDK does not use them",
        ),
        ParameterAdded { required: true } => breaking(
            true,
            "existing calls do not set it, so `send()` fails with a missing-parameter error (the \
             server would reject the request); the request builder gains a setter",
        ),
        ParameterAdded { required: false } => {
            compatible(true, "new optional setter on the request builder")
        }
        ParameterRemoved => breaking(
            true,
            "the builder setter disappears, so code calling it no longer compiles; SDKs built from \
             OLD keep sending it",
        ),
        ParameterMoved { from, to } => breaking(
            false,
            format!(
                "the setter keeps its name and a regenerated SDK sends it correctly, but SDKs built \
                 from OLD send it as a {from} parameter while the server expects it in the {to}"
            ),
        ),
        ParameterRequired { now: true } => breaking(
            false,
            "calls that leave it unset now fail (`send()` reports the missing parameter); the \
             setter itself is unchanged",
        ),
        ParameterRequired { now: false } => {
            compatible(false, "calls may leave it unset; the setter is unchanged")
        }
        BodyAdded { required: true } => breaking(
            true,
            "calls without a body are rejected; the request builder gains `body`",
        ),
        BodyAdded { required: false } => {
            compatible(true, "the request builder gains an optional `body`")
        }
        BodyRemoved => breaking(
            true,
            "the builder's `body` setters disappear, so code setting a body no longer compiles",
        ),
        BodyRequired { now: true } => breaking(false, "calls without a body now fail"),
        BodyRequired { now: false } => compatible(false, "the body may be omitted"),
        MediaTypeAdded if req => compatible(
            false,
            "the server accepts another content type; the SDK keeps sending JSON",
        ),
        MediaTypeAdded => compatible(
            false,
            "the server may answer with another content type; if that changes how the SDK reads \
             the answer, it is reported separately",
        ),
        MediaTypeRemoved if req => breaking(false, "requests with this content type are rejected"),
        MediaTypeRemoved => breaking(
            false,
            "clients that expect this content type no longer get it; if that changes how the SDK \
             reads the answer, it is reported separately",
        ),
        ResponseAdded => compatible(
            false,
            "a newly documented status; if it changes how the SDK reads the answer, that is \
             reported separately",
        ),
        ResponseRemoved => match place {
            Place::Response { status, .. } if status.starts_with('2') => breaking(
                false,
                "a success answer the SDK decoded is no longer documented",
            ),
            _ => compatible(
                false,
                "an error answer is no longer documented; the SDK reports errors from the \
                 envelope's `code` and the HTTP status either way",
            ),
        },
        FieldAdded {
            required: true,
            rust,
        } if req => breaking(
            true,
            format!(
                "requests without it are rejected, and the generated request type gains a required \
                 field (`{rust}`), so code that builds it without the field fails"
            ),
        ),
        FieldAdded { rust, .. } if req => compatible(
            true,
            format!("new optional field (`{rust}`) on the request type"),
        ),
        FieldAdded { rust, .. } => compatible(
            true,
            format!(
                "new field (`{rust}`) on the response type; SDKs built from OLD ignore it (unknown \
                 fields are tolerated)"
            ),
        ),
        FieldRemoved { rust, .. } if req => breaking(
            true,
            format!(
                "the field (`{rust}`) disappears from the request type, so code setting it no \
                 longer compiles; the server no longer reads it"
            ),
        ),
        FieldRemoved { rust, .. } => breaking(
            true,
            format!(
                "the field (`{rust}`) disappears from the response type, so code reading it no \
                 longer compiles"
            ),
        ),
        TypeChanged {
            old_rust, new_rust, ..
        } => breaking(
            true,
            format!(
                "the Rust type changes from `{old_rust}` to `{new_rust}`; {}",
                if req {
                    "code passing the old type no longer compiles, and the server rejects it"
                } else {
                    "code using the old type no longer compiles, and SDKs built from OLD fail to \
                     decode the new values"
                }
            ),
        ),
        RequiredChanged {
            now,
            old_rust,
            new_rust,
        } => required_verdict(req, *now, old_rust, new_rust),
        NullableChanged {
            now,
            old_rust,
            new_rust,
        } => nullable_verdict(req, *now, old_rust, new_rust),
        EnumValuesAdded { values, rust, .. } if req => compatible(
            true,
            format!(
                "new variants {} on `{rust}`; existing values still work",
                values_list(values)
            ),
        ),
        EnumValuesAdded {
            values,
            rust,
            open: true,
        } => compatible(
            true,
            format!(
                "decoding tolerates it: the SDK reads enums in responses as `aitoearn::Open<E>` \
                 (adaptation `open_response_enums`), so an SDK built from OLD decodes {} as \
                 `Open::Unknown`; `{}` gains variants (`match`es without a wildcard arm need \
                 new arms)",
                values_list(values),
                enum_name(rust)
            ),
        ),
        EnumValuesAdded {
            values,
            rust,
            open: false,
        } => breaking(
            true,
            format!(
                "decoding does not tolerate it: typify enums are strict and this one is not \
                 wrapped in `aitoearn::Open` (it is the response body itself), so an SDK built \
                 from OLD fails to decode an answer carrying {} (unknown variant); `match`es on \
                 `{rust}` need new arms",
                values_list(values)
            ),
        ),
        EnumValuesRemoved { values, rust } if req => breaking(
            true,
            format!(
                "the server no longer accepts {}, and the variants disappear from `{rust}`, so code \
                 naming them no longer compiles",
                values_list(values)
            ),
        ),
        EnumValuesRemoved { rust, .. } => breaking(
            true,
            format!(
                "the variants disappear from `{}`, so code naming them no longer compiles \
                 (decoding still works)",
                enum_name(rust)
            ),
        ),
        EnumRemoved {
            old_rust, new_rust, ..
        } if req => breaking(
            true,
            format!(
                "the Rust type changes from the generated enum `{old_rust}` to `{new_rust}`: code \
                 naming the enum or its variants no longer compiles (string values still convert); \
                 on the wire it is compatible, the server now accepts any value"
            ),
        ),
        EnumRemoved {
            old_rust,
            new_rust,
            open: true,
            ..
        } => breaking(
            true,
            format!(
                "the Rust type changes from the enum `{old_rust}` to `{new_rust}`, so `match`es on \
                 its variants no longer compile (SDKs built from OLD still decode new values, as \
                 `Open::Unknown`)"
            ),
        ),
        EnumRemoved {
            values,
            old_rust,
            new_rust,
            open: false,
        } => breaking(
            true,
            format!(
                "the Rust type changes from the enum `{old_rust}` to `{new_rust}`, so `match`es on \
                 its variants no longer compile, and SDKs built from OLD fail to decode values \
                 other than {}",
                values_list(values)
            ),
        ),
        EnumAdded {
            values,
            old_rust,
            new_rust,
        } if req => breaking(
            true,
            format!(
                "only {} are accepted now, and the Rust type changes from `{old_rust}` to the \
                 generated enum `{new_rust}`",
                values_list(values)
            ),
        ),
        EnumAdded {
            old_rust, new_rust, ..
        } => breaking(
            true,
            format!(
                "the Rust type changes from `{old_rust}` to the generated enum `{new_rust}`, so \
                 code using it as `{old_rust}` no longer compiles"
            ),
        ),
        FormatChanged {
            new,
            old_rust,
            new_rust,
            ..
        } if old_rust != new_rust => breaking(
            true,
            format!(
                "typify maps the format to a different type: `{old_rust}` becomes `{new_rust}`; {}",
                if req {
                    "code passing the old type no longer compiles".to_string()
                } else {
                    format!(
                        "code using the old type no longer compiles, and decoding fails when the \
                         server sends a value that is not {}",
                        format_words(new.as_deref())
                    )
                }
            ),
        ),
        FormatChanged { new_rust, .. } => compatible(
            false,
            format!("typify maps both to `{new_rust}`; the format only documents the value"),
        ),
        ConstraintChanged {
            old_rust, new_rust, ..
        } if old_rust != new_rust => breaking(
            true,
            format!("typify derives the type from the bounds: `{old_rust}` becomes `{new_rust}`"),
        ),
        ConstraintChanged { tighter: true, .. } if req => {
            breaking(false, "values the server accepted may now be rejected")
        }
        ConstraintChanged { .. } if req => compatible(false, "the server accepts more values"),
        ConstraintChanged { new_rust, .. } => compatible(
            false,
            format!("describes the server's values; the Rust type (`{new_rust}`) is unchanged"),
        ),
        DefaultChanged { .. } if req => compatible(
            false,
            "requests that omit it get the new default from the server",
        ),
        DefaultChanged { .. } => compatible(false, "documents the server's default"),
        RefChanged {
            old_rust, new_rust, ..
        } if old_rust != new_rust => breaking(
            true,
            format!(
                "the Rust type here is renamed from `{old_rust}` to `{new_rust}`: code that names \
                 `{old_rust}` no longer compiles; field-level differences are listed separately"
            ),
        ),
        RefChanged { new_rust, .. } => {
            compatible(false, format!("the Rust type stays `{new_rust}`"))
        }
        VariantsChanged { .. } if req => breaking(
            true,
            "the generated enum's variants change, so code building the old variants may no \
             longer compile",
        ),
        VariantsChanged { .. } => breaking(
            true,
            "the generated enum's variants change: `match`es need updating, and SDKs built from \
             OLD may fail to decode the new shapes",
        ),
        SecurityChanged {
            old_auth, new_auth, ..
        } => match (old_auth, new_auth) {
            (None, Some(n)) => breaking(
                false,
                format!(
                    "the operation now needs an API key (sent as {n}): clients without one get an \
                     authentication error"
                ),
            ),
            (Some(_), None) => compatible(false, "the operation no longer needs an API key"),
            (Some(o), Some(n)) if o != n => breaking(
                false,
                format!(
                    "the SDK now sends the key as {n}; SDKs built from OLD send it as {o}, which \
                     the server no longer reads (upgrading is enough, no code changes)"
                ),
            ),
            _ => compatible(false, "the SDK sends the API key the same way"),
        },
        ResponseKindChanged {
            old,
            new,
            old_rust,
            new_rust,
        } => breaking(
            true,
            format!(
                "`send()` returned {} (`{old_rust}`) and now returns {} (`{new_rust}`)",
                kind_words(*old),
                kind_words(*new)
            ),
        ),
        ReturnTypeChanged { old, new } => breaking(
            true,
            format!(
                "`send()` returns `{new}` instead of `{old}`: code naming the old type no longer compiles"
            ),
        ),
        SchemaAdded => compatible(true, format!("new type `{}`", schema_type(place))),
        SchemaRemoved => breaking(
            true,
            format!(
                "the type `{}` disappears, so code naming it no longer compiles",
                schema_type(place)
            ),
        ),
        GeneratedTypeAdded { name } => compatible(
            true,
            format!(
                "new type `types::{name}` that no added schema explains: the adaptations named \
                 or shared it (e.g. identical enums now one type)"
            ),
        ),
        GeneratedTypeRemoved { name } => breaking(
            true,
            format!(
                "`types::{name}` disappears though no schema was removed: the adaptations merged \
                 or renamed it (e.g. an identical enum elsewhere made it a shared type), so code \
                 naming it no longer compiles"
            ),
        ),
        ServersChanged { .. } => compatible(
            false,
            "the SDK's base URLs live in `src/region.rs`, not in the spec: check `Region::base_url` \
             by hand",
        ),
    }
}

fn required_verdict(req: bool, now: bool, old_rust: &str, new_rust: &str) -> Verdict {
    let retyped = old_rust != new_rust;
    let change = format!("the Rust field type changes from `{old_rust}` to `{new_rust}`");
    match (req, now) {
        (true, true) if retyped => {
            breaking(true, format!("requests without it are rejected; {change}"))
        }
        (true, true) => breaking(false, "requests without it are rejected"),
        (true, false) if retyped => compatible(
            true,
            format!(
                "the server no longer needs it; {change} (builder setters still take the plain value)"
            ),
        ),
        (true, false) => compatible(
            false,
            "the server no longer needs it; the Rust type is unchanged",
        ),
        (false, true) if retyped => breaking(
            true,
            format!(
                "{change}: code that matches on `Some(..)` or calls `Option` methods on it no longer compiles"
            ),
        ),
        (false, true) => compatible(
            false,
            format!(
                "the Rust type is unchanged (`{new_rust}`: optional lists and maps default to empty)"
            ),
        ),
        (false, false) if retyped => breaking(
            true,
            format!("{change}, and SDKs built from OLD fail to decode answers that omit it"),
        ),
        (false, false) => breaking(
            false,
            format!(
                "SDKs built from OLD fail to decode answers that omit it (the Rust type, `{new_rust}`, is unchanged)"
            ),
        ),
    }
}

fn nullable_verdict(req: bool, now: bool, old_rust: &str, new_rust: &str) -> Verdict {
    let retyped = old_rust != new_rust;
    let change = format!("the Rust type changes from `{old_rust}` to `{new_rust}`");
    match (req, now) {
        (false, true) if retyped => breaking(
            true,
            format!("{change}, and SDKs built from OLD fail to decode `null`"),
        ),
        (false, true) => compatible(
            false,
            "the field is already an `Option`: `null` decodes as `None`",
        ),
        (false, false) if retyped => breaking(
            true,
            format!("{change}: code handling the `Option` no longer compiles"),
        ),
        (false, false) => compatible(
            false,
            "the server no longer sends `null`; the Rust type is unchanged",
        ),
        (true, true) if retyped => {
            compatible(true, format!("the server accepts `null` now; {change}"))
        }
        (true, true) => compatible(false, "the server accepts `null` now"),
        (true, false) if retyped => breaking(true, change),
        (true, false) => compatible(
            false,
            "the server no longer accepts `null`; the SDK omits unset optional fields instead of \
             sending `null`",
        ),
    }
}

/// `Open<types::X>` → `types::X`: the enum whose variants change.
fn enum_name(rust: &str) -> &str {
    rust.strip_prefix("Open<")
        .and_then(|r| r.strip_suffix('>'))
        .unwrap_or(rust)
}

fn schema_type(place: &Place) -> String {
    match place {
        Place::Schema { name } => format!("types::{}", super::schema::type_name(name)),
        other => other.describe(),
    }
}

fn format_words(format: Option<&str>) -> String {
    match format {
        Some("date-time") => "an RFC 3339 date-time".into(),
        Some("date") => "an ISO 8601 date".into(),
        Some("uuid") => "a UUID".into(),
        Some("ip" | "ipv4" | "ipv6") => "an IP address".into(),
        Some(f) => format!("a valid `{f}`"),
        None => "of the new type".into(),
    }
}

/// `douyin`, `xhs`, … (at most 12 values).
pub fn values_list(values: &[Value]) -> String {
    const MAX: usize = 12;
    let mut shown: Vec<String> = values
        .iter()
        .take(MAX)
        .map(|v| match v {
            Value::String(s) => format!("`{s}`"),
            other => format!("`{other}`"),
        })
        .collect();
    if values.len() > MAX {
        shown.push(format!("and {} more", values.len() - MAX));
    }
    shown.join(", ")
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line, at most 80 characters.
pub fn short(s: &str) -> String {
    const MAX: usize = 80;
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        return flat;
    }
    let cut: String = flat.chars().take(MAX - 1).collect();
    format!("{cut}…")
}
