//! Focused fixtures for each kind of change, and the real pair built from the documentation
//! seed for `GET /api/v2/channels/accounts/auth/{platform}`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::model::{Change, Report, Status};
use super::{Options, compare, compare_with, render};
use crate::util::{SPEC, SPEC_EN, workspace_root};

const GET_ONE: &str = "/paths/~1things~1{id}/get";
const CREATE: &str = "/paths/~1things/post";
const LIST: &str = "/paths/~1things/get";

fn envelope(data: Value) -> Value {
    json!({ "200": { "description": "ok", "content": { "application/json": { "schema": {
        "type": "object", "required": ["code", "message"],
        "properties": { "code": { "type": "integer" }, "message": { "type": "string" }, "data": data }
    } } } } })
}

/// Three operations sharing two component schemas; `Thing` contains itself (`parent`).
fn base() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "title": "t", "version": "1" },
        "servers": [{ "url": "https://aitoearn.ai" }],
        "paths": {
            "/things/{id}": { "get": {
                "operationId": "ThingsController_get", "summary": "Get a thing", "tags": ["Things"],
                "security": [{ "key": [] }],
                "parameters": [
                    { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "kind", "in": "query", "schema": { "type": "string", "enum": ["a", "b"] } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 0 } }
                ],
                "responses": envelope(json!({ "$ref": "#/components/schemas/Thing" }))
            } },
            "/things": {
                "post": {
                    "operationId": "ThingsController_create", "security": [{ "key": [] }],
                    "requestBody": { "required": true, "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/NewThing" } } } },
                    "responses": envelope(json!({ "$ref": "#/components/schemas/Thing" }))
                },
                "get": {
                    "operationId": "ThingsController_list",
                    "responses": envelope(json!({ "type": "array", "items": { "$ref": "#/components/schemas/Thing" } }))
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": { "type": "object", "required": ["id", "status"], "properties": {
                    "id": { "type": "string" },
                    "status": { "type": "string", "enum": ["new", "done"] },
                    "note": { "type": "string" },
                    "tags": { "type": "array", "items": { "type": "string" } },
                    "created": { "type": "string" },
                    "shape": { "oneOf": [{ "type": "string" }, { "type": "integer" }] },
                    "parent": { "$ref": "#/components/schemas/Thing" }
                } },
                "NewThing": { "type": "object", "required": ["name"], "properties": {
                    "name": { "type": "string", "maxLength": 100 },
                    "size": { "type": "integer", "default": 1 }
                } },
                "Unused": { "type": "object", "properties": { "x": { "type": "string" } } }
            },
            "securitySchemes": {
                "key": { "type": "apiKey", "in": "header", "name": "X-Api-Key" },
                "bearer": { "type": "apiKey", "in": "header", "name": "Authorization" }
            }
        }
    })
}

/// The report of `base()` against `base()` changed by `f`.
fn after(f: impl FnOnce(&mut Value)) -> Report {
    let old = base();
    let mut new = old.clone();
    f(&mut new);
    compare(&old, &new, "old", "new")
}

fn at<'v>(v: &'v mut Value, pointer: &str) -> &'v mut Value {
    v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("fixture has no {pointer}"))
}

fn listing(r: &Report) -> String {
    let mut s = String::new();
    for o in &r.operations {
        for c in &o.changes {
            s.push_str(&format!(
                "{} {} | {} | {} | {}\n",
                o.method,
                o.path,
                c.place.describe(),
                c.path,
                c.kind
            ));
        }
    }
    for sc in &r.schemas {
        for c in &sc.changes {
            s.push_str(&format!("schema {} | {} | {}\n", sc.name, c.path, c.kind));
        }
    }
    s
}

/// The change of `kind` at `path` under operation `op` ("GET /things/{id}").
fn change<'r>(r: &'r Report, op: &str, kind: &str, path: &str) -> &'r Change {
    r.operations
        .iter()
        .filter(|o| format!("{} {}", o.method, o.path) == op)
        .flat_map(|o| &o.changes)
        .find(|c| c.kind == kind && c.path == path)
        .unwrap_or_else(|| {
            panic!(
                "no {kind} at `{path}` under {op}; the report has:\n{}",
                listing(r)
            )
        })
}

fn schema_change<'r>(r: &'r Report, name: &str, kind: &str, path: &str) -> &'r Change {
    r.schemas
        .iter()
        .filter(|s| s.name == name)
        .flat_map(|s| &s.changes)
        .find(|c| c.kind == kind && c.path == path)
        .unwrap_or_else(|| {
            panic!(
                "no {kind} at `{path}` in schema {name}; the report has:\n{}",
                listing(r)
            )
        })
}

#[track_caller]
fn assert_class(c: &Change, breaking: bool, rust_api: bool) {
    assert_eq!((c.breaking, c.rust_api), (breaking, rust_api), "{c:#?}");
    assert!(!c.reason.is_empty());
}

#[test]
fn identical_documents_have_no_changes() {
    let r = compare(&base(), &base(), "a", "b");
    assert!(r.is_empty() && !r.has_breaking());
    assert!(render::markdown(&r).contains("No changes."));
    let j = render::json(&r);
    assert_eq!(j["breaking"], false);
    assert_eq!(j["operations"], json!([]));
}

#[test]
fn operations_added_removed_deprecated_renamed() {
    let r = after(|s| {
        at(s, "/paths/~1things")
            .as_object_mut()
            .unwrap()
            .remove("post");
        at(s, "/paths").as_object_mut().unwrap().insert(
            "/widgets".into(),
            json!({ "get": { "operationId": "WidgetsController_list", "responses": envelope(json!({ "type": "string" })) } }),
        );
        at(s, GET_ONE)["deprecated"] = json!(true);
        at(s, LIST)["operationId"] = json!("ThingsController_list_v2");
    });
    let removed = change(&r, "POST /things", "operation-removed", "");
    assert_class(removed, true, true);
    assert!(
        removed.reason.contains("`things_create()`"),
        "{}",
        removed.reason
    );
    let added = change(&r, "GET /widgets", "operation-added", "");
    assert_class(added, false, true);
    assert!(added.reason.contains("`widgets_list()`"));
    assert_class(
        change(&r, "GET /things/{id}", "deprecated-changed", ""),
        false,
        false,
    );
    // `_v2` is dropped by the naming rule: the Rust method keeps its name.
    let same_name = change(&r, "GET /things", "operation-id-changed", "");
    assert_class(same_name, false, false);
    assert!(same_name.reason.contains("`things_list()`"));
    let statuses: Vec<Status> = r.operations.iter().map(|o| o.status).collect();
    assert_eq!(
        statuses,
        [
            Status::Changed,
            Status::Removed,
            Status::Changed,
            Status::Added
        ]
    );

    let r = after(|s| at(s, GET_ONE)["operationId"] = json!("ThingsController_fetch"));
    let renamed = change(&r, "GET /things/{id}", "operation-id-changed", "");
    assert_class(renamed, true, true);
    assert!(
        renamed
            .reason
            .contains("from `things_get()` to `things_fetch()`"),
        "{}",
        renamed.reason
    );
    assert_eq!(
        r.operations[0].rust_method,
        (Some("things_get".into()), Some("things_fetch".into()))
    );
}

#[test]
fn summaries_descriptions_and_tags_are_docs() {
    let r = after(|s| {
        let op = at(s, GET_ONE);
        op["summary"] = json!("Fetch | one thing");
        op["description"] = json!("Long\ntext");
        op["tags"] = json!(["Things", "Extra"]);
        op["parameters"][0]["description"] = json!("The id");
        at(s, "/components/schemas/Thing/properties/note")["description"] = json!("A note");
    });
    for (kind, path) in [
        ("summary-changed", ""),
        ("description-changed", ""),
        ("tags-changed", ""),
    ] {
        let c = change(&r, "GET /things/{id}", kind, path);
        assert!(c.docs && !c.breaking && !c.rust_api, "{c:#?}");
    }
    let c = change(&r, "GET /things/{id}", "description-changed", "data.note");
    assert!(c.docs && c.change.contains("A note"));
    let param = change(&r, "GET /things/{id}", "description-changed", "");
    let params: Vec<&Change> = r
        .operations
        .iter()
        .flat_map(|o| &o.changes)
        .filter(|c| c.place.describe() == "path parameter `id`")
        .collect();
    assert!(
        param.docs && params.len() == 1 && params[0].docs,
        "{params:#?}"
    );
    // Pipes and newlines cannot break the Markdown table.
    let md = render::markdown(&r);
    assert!(
        md.contains("Fetch \\| one thing") && !md.contains("Long\ntext"),
        "{md}"
    );
}

#[test]
fn parameters_added_removed_moved_and_required() {
    let r = after(|s| {
        let params = at(s, &format!("{GET_ONE}/parameters"))
            .as_array_mut()
            .unwrap();
        params.retain(|p| p["name"] != "limit");
        params[1]["in"] = json!("header");
        params.push(
            json!({ "name": "q", "in": "query", "required": true, "schema": { "type": "string" } }),
        );
        params.push(json!({ "name": "page", "in": "query", "schema": { "type": "integer" } }));
    });
    let op = "GET /things/{id}";
    let added: Vec<&Change> = r.operations[0]
        .changes
        .iter()
        .filter(|c| c.kind == "parameter-added")
        .collect();
    let by_name = |n: &str| {
        added
            .iter()
            .find(|c| c.place.describe().contains(&format!("`{n}`")))
            .unwrap()
    };
    assert_class(by_name("q"), true, true);
    assert_class(by_name("page"), false, true);
    assert_class(change(&r, op, "parameter-removed", ""), true, true);
    let moved = change(&r, op, "parameter-moved", "");
    assert_class(moved, true, false);
    assert_eq!(
        (moved.old.clone(), moved.new.clone()),
        (json!("query"), json!("header"))
    );

    let r = after(|s| at(s, &format!("{GET_ONE}/parameters/2"))["required"] = json!(true));
    assert_class(
        change(&r, op, "parameter-required-changed", ""),
        true,
        false,
    );
    let r = compare(
        &r_new(|s| at(s, &format!("{GET_ONE}/parameters/2"))["required"] = json!(true)),
        &base(),
        "a",
        "b",
    );
    assert_class(
        change(&r, op, "parameter-required-changed", ""),
        false,
        false,
    );
}

fn r_new(f: impl FnOnce(&mut Value)) -> Value {
    let mut v = base();
    f(&mut v);
    v
}

#[test]
fn parameter_types_and_enums() {
    let op = "GET /things/{id}";
    let r = after(|s| {
        at(s, &format!("{GET_ONE}/parameters/1/schema"))["enum"] = json!(["a", "c"]);
        at(s, &format!("{GET_ONE}/parameters/2/schema"))["type"] = json!("string");
        at(s, &format!("{GET_ONE}/parameters/0/schema"))["enum"] = json!(["x", "y"]);
    });
    let removed = change(&r, op, "enum-values-removed", "");
    assert_class(removed, true, true);
    assert_eq!(removed.old, json!(["b"]));
    let added = change(&r, op, "enum-values-added", "");
    assert_class(added, false, true); // a request accepts more values
    assert_eq!(added.new, json!(["c"]));
    let retyped = change(&r, op, "type-changed", "");
    assert_class(retyped, true, true);
    assert!(
        retyped.reason.contains("`u64` to `String`"),
        "{}",
        retyped.reason
    );
    let narrowed = change(&r, op, "enum-added", "");
    assert_class(narrowed, true, true);
    assert!(
        narrowed
            .reason
            .contains("`String` to the generated enum `types::ThingsGetId`"),
        "{}",
        narrowed.reason
    );

    let r = after(|s| {
        at(s, &format!("{GET_ONE}/parameters/1/schema"))
            .as_object_mut()
            .unwrap()
            .remove("enum");
    });
    let dropped = change(&r, op, "enum-removed", "");
    assert_class(dropped, true, true);
    assert!(
        dropped
            .reason
            .contains("`types::ThingsGetKind` to `String`"),
        "{}",
        dropped.reason
    );
}

#[test]
fn request_bodies_down_to_fields() {
    let op = "POST /things";
    let r = after(|s| {
        let nt = at(s, "/components/schemas/NewThing");
        nt["required"] = json!(["name", "color"]);
        let props = nt["properties"].as_object_mut().unwrap();
        props.insert("color".into(), json!({ "type": "string" }));
        props.insert("weight".into(), json!({ "type": "number" }));
        props.remove("size");
        props.get_mut("name").unwrap()["maxLength"] = json!(50);
        at(s, &format!("{CREATE}/requestBody"))["required"] = json!(false);
    });
    assert_class(change(&r, op, "field-added", "color"), true, true);
    assert_class(change(&r, op, "field-added", "weight"), false, true);
    let removed = change(&r, op, "field-removed", "size");
    assert_class(removed, true, true);
    assert!(
        removed.change.contains("`Option<i64>`"),
        "{}",
        removed.change
    );
    assert_class(change(&r, op, "constraint-changed", "name"), true, false);
    assert_class(
        change(&r, op, "request-body-required-changed", ""),
        false,
        false,
    );
    // The component is used by requests only: its own section classifies the same way.
    assert_class(
        schema_change(&r, "NewThing", "field-added", "weight"),
        false,
        true,
    );
    assert_class(
        schema_change(&r, "NewThing", "field-added", "color"),
        true,
        true,
    );

    let r = after(|s| {
        at(s, CREATE).as_object_mut().unwrap().remove("requestBody");
    });
    assert_class(change(&r, op, "request-body-removed", ""), true, true);
    let r = compare(
        &r_new(|s| {
            at(s, CREATE).as_object_mut().unwrap().remove("requestBody");
        }),
        &base(),
        "a",
        "b",
    );
    assert_class(change(&r, op, "request-body-added", ""), true, true);
}

#[test]
fn response_fields_show_under_every_operation_using_the_schema() {
    let r = after(|s| {
        let thing = at(s, "/components/schemas/Thing");
        thing["required"] = json!(["status", "tags"]);
        let props = thing["properties"].as_object_mut().unwrap();
        props.remove("note");
        props.insert("color".into(), json!({ "type": "string" }));
        props.get_mut("status").unwrap()["enum"] = json!(["new", "done", "archived"]);
        props.get_mut("created").unwrap()["format"] = json!("date-time");
    });
    for (op, prefix) in [
        ("GET /things/{id}", "data."),
        ("POST /things", "data."),
        ("GET /things", "data[]."),
    ] {
        let p = |f: &str| format!("{prefix}{f}");
        assert_class(change(&r, op, "field-removed", &p("note")), true, true);
        let added = change(&r, op, "field-added", &p("color"));
        assert_class(added, false, true);
        assert!(added.reason.contains("tolerated"));
        // Enums in response bodies decode as `aitoearn::Open<E>`: a new value is tolerated.
        let value = change(&r, op, "enum-values-added", &p("status"));
        assert_class(value, false, true);
        assert!(
            value.reason.contains("decoding tolerates it") && value.reason.contains("`archived`"),
            "{}",
            value.reason
        );
        let optional = change(&r, op, "required-changed", &p("id"));
        assert_class(optional, true, true);
        assert!(
            optional.reason.contains("`String` to `Option<String>`"),
            "{}",
            optional.reason
        );
        // Optional lists default to empty: making one required keeps its Rust type.
        let list = change(&r, op, "required-changed", &p("tags"));
        assert_class(list, false, false);
        let format = change(&r, op, "format-changed", &p("created"));
        assert_class(format, true, true);
        assert!(
            format.reason.contains("`Option<String>`")
                || format
                    .reason
                    .contains("`String` becomes `chrono::DateTime<Utc>`"),
            "{}",
            format.reason
        );
    }
    // The self-reference (`parent`) is walked once: nothing is reported inside it.
    assert!(!listing(&r).contains("parent."), "{}", listing(&r));
    // The component's own section, used by responses only.
    assert_class(
        schema_change(&r, "Thing", "enum-values-added", "status"),
        false,
        true,
    );
    let id = change(&r, "GET /things/{id}", "required-changed", "data.id");
    assert!(id.new["rust"] == "Option<String>", "{id:#?}");
    let status = change(&r, "GET /things/{id}", "enum-values-added", "data.status");
    assert_eq!(status.new, json!(["archived"]));

    let r = after(|s| {
        at(s, "/components/schemas/Thing/properties/status/enum")
            .as_array_mut()
            .unwrap()
            .pop();
    });
    let gone = change(&r, "GET /things/{id}", "enum-values-removed", "data.status");
    assert_class(gone, true, true);
    assert!(gone.reason.contains("decoding still works"));
    let r = after(|s| at(s, "/components/schemas/Thing/properties/note")["format"] = json!("uri"));
    let c = change(&r, "GET /things/{id}", "format-changed", "data.note");
    assert_class(c, false, false);
}

#[test]
fn response_enums_outside_open_wrappers_stay_strict() {
    // The body itself is an enum: it is the descriptor's root, which the generator does not wrap.
    let status = json!({ "type": "string", "enum": ["new", "done"] });
    let old = r_new(|s| {
        at(
            s,
            &format!("{LIST}/responses/200/content/application~1json/schema/properties"),
        )["data"] = status.clone()
    });
    let mut new = old.clone();
    at(
        &mut new,
        &format!("{LIST}/responses/200/content/application~1json/schema/properties/data/enum"),
    )
    .as_array_mut()
    .unwrap()
    .push(json!("archived"));
    let strict = compare(&old, &new, "a", "b");
    let c = change(&strict, "GET /things", "enum-values-added", "data");
    assert_class(c, true, true);
    assert!(c.reason.contains("typify enums are strict"), "{}", c.reason);

    // A request enum is not opened: dropping it changes the parameter type, and a response enum
    // that is opened says decoding was tolerant already.
    let r = after(|s| {
        at(s, "/components/schemas/Thing/properties/status")
            .as_object_mut()
            .unwrap()
            .remove("enum");
    });
    let dropped = change(&r, "GET /things/{id}", "enum-removed", "data.status");
    assert_class(dropped, true, true);
    assert!(
        dropped
            .reason
            .contains("`Open<types::ThingStatus>` to `String`"),
        "{}",
        dropped.reason
    );
    assert!(
        dropped.reason.contains("still decode"),
        "{}",
        dropped.reason
    );
}

#[test]
fn nullable_follows_the_rust_option() {
    let r = after(|s| {
        at(s, "/components/schemas/Thing/properties/note")["nullable"] = json!(true);
        at(s, "/components/schemas/Thing/properties/id")["nullable"] = json!(true);
    });
    // `note` is optional, already `Option<String>`: `null` decodes as `None`.
    assert_class(
        change(&r, "GET /things/{id}", "nullable-changed", "data.note"),
        false,
        false,
    );
    let id = change(&r, "GET /things/{id}", "nullable-changed", "data.id");
    assert_class(id, true, true);
    assert!(id.reason.contains("`String` to `Option<String>`"));
}

#[test]
fn mutual_recursion_terminates() {
    let r = after(|s| {
        let schemas = at(s, "/components/schemas").as_object_mut().unwrap();
        schemas.insert("A".into(), json!({ "type": "object", "properties": { "b": { "$ref": "#/components/schemas/B" } } }));
        schemas.insert(
            "B".into(),
            json!({ "type": "object", "properties": {
            "a": { "$ref": "#/components/schemas/A" }, "n": { "type": "string" } } }),
        );
        at(s, "/components/schemas/Thing/properties")["a"] =
            json!({ "$ref": "#/components/schemas/A" });
    });
    assert_class(
        change(&r, "GET /things/{id}", "field-added", "data.a"),
        false,
        true,
    );
    let old = r_new(|s| {
        let schemas = at(s, "/components/schemas").as_object_mut().unwrap();
        schemas.insert("A".into(), json!({ "type": "object", "properties": { "b": { "$ref": "#/components/schemas/B" } } }));
        schemas.insert("B".into(), json!({ "type": "object", "properties": { "a": { "$ref": "#/components/schemas/A" } } }));
        at(s, "/components/schemas/Thing/properties")["a"] =
            json!({ "$ref": "#/components/schemas/A" });
    });
    let mut new = old.clone();
    at(&mut new, "/components/schemas/B/properties")["n"] = json!({ "type": "string" });
    let r = compare(&old, &new, "a", "b");
    assert_class(
        change(&r, "GET /things/{id}", "field-added", "data.a.b.n"),
        false,
        true,
    );
    assert!(!listing(&r).contains("data.a.b.a.b"), "{}", listing(&r));
}

#[test]
fn inline_to_ref_renames_the_return_type() {
    let r = after(|s| {
        let thing = base()["components"]["schemas"]["Thing"].clone();
        at(
            s,
            &format!("{GET_ONE}/responses/200/content/application~1json/schema/properties"),
        )["data"] = thing;
    });
    let c = change(&r, "GET /things/{id}", "ref-changed", "data");
    assert_class(c, true, true);
    assert!(
        c.reason
            .contains("from `types::Thing` to `types::ThingsGetData`"),
        "{}",
        c.reason
    );
    assert!(
        !listing(&r).contains("return-type-changed"),
        "explained by the ref change:\n{}",
        listing(&r)
    );
}

#[test]
fn response_kind_changes() {
    let r = after(|s| {
        at(
            s,
            &format!("{LIST}/responses/200/content/application~1json"),
        )["schema"] = json!({ "type": "array", "items": { "$ref": "#/components/schemas/Thing" } });
    });
    let c = change(&r, "GET /things", "response-kind-changed", "");
    assert_class(c, true, true);
    assert_eq!(
        (c.old["kind"].clone(), c.new["kind"].clone()),
        (json!("envelope"), json!("json"))
    );
}

#[test]
fn security_requirements() {
    let r = after(|s| {
        at(s, LIST)["security"] = json!([{ "key": [] }]);
        at(s, GET_ONE)["security"] = json!([]);
        at(s, CREATE)["security"] = json!([{ "bearer": [] }]);
    });
    let now_needed = change(&r, "GET /things", "security-changed", "");
    assert_class(now_needed, true, false);
    assert!(now_needed.reason.contains("now needs an API key"));
    assert_class(
        change(&r, "GET /things/{id}", "security-changed", ""),
        false,
        false,
    );
    let moved = change(&r, "POST /things", "security-changed", "");
    assert_class(moved, true, false);
    assert!(
        moved.reason.contains("`Authorization: Bearer <key>`")
            && moved.reason.contains("`X-Api-Key`"),
        "{}",
        moved.reason
    );
}

#[test]
fn component_schemas_added_and_removed() {
    let r = after(|s| {
        let schemas = at(s, "/components/schemas").as_object_mut().unwrap();
        schemas.remove("Unused");
        schemas.insert("Fresh".into(), json!({ "type": "string" }));
    });
    assert!(r.operations.is_empty(), "{}", listing(&r));
    assert_class(schema_change(&r, "Fresh", "schema-added", ""), false, true);
    let gone = schema_change(&r, "Unused", "schema-removed", "");
    assert_class(gone, true, true);
    assert!(gone.reason.contains("`types::Unused`"));
}

#[test]
fn constraints_defaults_and_integer_types() {
    let r = after(|s| {
        at(s, &format!("{GET_ONE}/parameters/2/schema"))["minimum"] = json!(1);
        at(s, "/components/schemas/NewThing/properties/name")["maxLength"] = json!(200);
        at(s, "/components/schemas/NewThing/properties/size")["default"] = json!(2);
        at(s, "/components/schemas/Thing/properties/note")["maxLength"] = json!(10);
    });
    let nonzero = change(&r, "GET /things/{id}", "constraint-changed", "");
    assert_class(nonzero, true, true);
    assert!(
        nonzero
            .reason
            .contains("`u64` becomes `std::num::NonZeroU64`"),
        "{}",
        nonzero.reason
    );
    assert_class(
        change(&r, "POST /things", "constraint-changed", "name"),
        false,
        false,
    );
    assert_class(
        change(&r, "POST /things", "default-changed", "size"),
        false,
        false,
    );
    // A length bound turns typify's `String` into a validating newtype.
    let newtype = change(&r, "GET /things/{id}", "constraint-changed", "data.note");
    assert_class(newtype, true, true);
    assert!(
        newtype.reason.contains("`types::ThingNote`"),
        "{}",
        newtype.reason
    );
}

#[test]
fn variants_all_of_media_types_statuses_servers() {
    let r = after(|s| {
        at(s, "/components/schemas/Thing/properties/shape/oneOf")
            .as_array_mut()
            .unwrap()
            .push(json!({ "type": "boolean" }));
        at(s, "/components/schemas/NewThing/properties")["extra"] = json!({ "allOf": [{ "$ref": "#/components/schemas/Unused" }, { "properties": { "y": { "type": "string" } } }] });
        let content = at(s, &format!("{CREATE}/requestBody/content"))
            .as_object_mut()
            .unwrap();
        let json_media = content.remove("application/json").unwrap();
        content.insert("multipart/form-data".into(), json_media);
        at(s, &format!("{GET_ONE}/responses"))["404"] = json!({ "description": "missing" });
        at(s, "/servers")
            .as_array_mut()
            .unwrap()
            .push(json!({ "url": "https://aitoearn.cn" }));
    });
    assert_class(
        change(&r, "GET /things/{id}", "variants-changed", "data.shape"),
        true,
        true,
    );
    assert_class(
        change(&r, "POST /things", "media-type-removed", ""),
        true,
        false,
    );
    assert_class(
        change(&r, "POST /things", "media-type-added", ""),
        false,
        false,
    );
    assert_class(
        change(&r, "GET /things/{id}", "response-added", ""),
        false,
        false,
    );
    assert_eq!(r.document.len(), 1);
    assert_eq!(r.document[0].kind, "servers-changed");

    // allOf members are merged: a field added to a member shows on the merged object.
    let old = r_new(|s| {
        at(s, "/components/schemas/NewThing/properties")["extra"] = json!({ "allOf": [{ "$ref": "#/components/schemas/Unused" }, { "properties": { "y": { "type": "string" } } }] });
    });
    let mut new = old.clone();
    at(&mut new, "/components/schemas/Unused/properties")["z"] = json!({ "type": "integer" });
    let r = compare(&old, &new, "a", "b");
    assert_class(
        change(&r, "POST /things", "field-added", "extra.z"),
        false,
        true,
    );
}

#[test]
fn dangling_refs_are_noted_not_fatal() {
    let r = after(|s| {
        at(s, "/components/schemas/Thing/properties")["ghost"] =
            json!({ "$ref": "#/components/schemas/Nope" })
    });
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("`#/components/schemas/Nope` points at nothing")),
        "{:?}",
        r.notes
    );
    assert_class(
        change(&r, "GET /things/{id}", "field-added", "data.ghost"),
        false,
        true,
    );
}

#[test]
fn json_is_sorted_and_stable() {
    let r = after(|s| at(s, GET_ONE)["summary"] = json!("x"));
    let a = crate::util::pretty(&render::json(&r));
    let b = crate::util::pretty(&render::json(&after(|s| {
        at(s, GET_ONE)["summary"] = json!("x")
    })));
    assert_eq!(a, b);
    let v: Value = serde_json::from_str(&a).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "breaking",
            "document",
            "ignore_text",
            "new",
            "notes",
            "old",
            "operations",
            "schemas",
            "summary"
        ]
    );
    let c = &v["operations"][0]["changes"][0];
    let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "breaking", "change", "docs", "kind", "new", "old", "path", "reason", "rust_api",
            "where"
        ]
    );
    assert_eq!(c["where"], json!({ "section": "operation" }));
    assert_eq!(v["summary"]["operations"]["docs"], 1);
    assert!(a.find("\"breaking\"").unwrap() < a.find("\"summary\"").unwrap());
}

// ---------------------------------------------------------------------------------------------
// The real pair: the vendored `GET /api/v2/channels/accounts/auth/{platform}` against the
// version in the documentation seed.

const SEED: &str = include_str!("../../tests/fixtures/seed_auth_start.md");
const AUTH_PATH: &str = "/api/v2/channels/accounts/auth/{platform}";

/// The YAML between the ````yaml fence lines, as JSON.
fn seed_spec() -> Value {
    let start = SEED.find("````yaml").expect("the seed has a yaml fence");
    let body = &SEED[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let end = body.find("\n````").expect("the yaml fence is closed");
    serde_yaml::from_str(&body[..end]).expect("the seed's YAML parses")
}

fn vendored() -> Value {
    let text = std::fs::read_to_string(workspace_root().join(SPEC)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The seed document with its path and components replaced by the vendored spec's version of
/// that operation (and the component schemas it uses): only the operation differs.
fn vendored_auth_start(seed: &Value) -> Value {
    let v = vendored();
    let item = v["paths"][AUTH_PATH].clone();
    let mut refs = BTreeSet::new();
    collect_schema_refs(&v, &item, &mut refs);
    let schemas: serde_json::Map<String, Value> = refs
        .into_iter()
        .map(|n| {
            let s = v["components"]["schemas"][&n].clone();
            (n, s)
        })
        .collect();
    let mut old = seed.clone();
    old["paths"] = json!({ AUTH_PATH: item });
    old["components"] =
        json!({ "schemas": schemas, "securitySchemes": v["components"]["securitySchemes"] });
    old
}

fn collect_schema_refs(spec: &Value, v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(name) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                let name = name.split('/').next().unwrap().to_string();
                if out.insert(name.clone()) {
                    collect_schema_refs(spec, &spec["components"]["schemas"][&name], out);
                }
            }
            m.values().for_each(|v| collect_schema_refs(spec, v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| collect_schema_refs(spec, v, out)),
        _ => {}
    }
}

#[test]
fn seed_auth_start_against_the_vendored_operation() {
    let new = seed_spec();
    let old = vendored_auth_start(&new);
    let r = compare(&old, &new, "vendored", "seed");
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.operations.len(), 1);
    let op = &r.operations[0];
    assert_eq!(
        (op.method.as_str(), op.path.as_str(), op.status),
        ("GET", AUTH_PATH, Status::Changed)
    );
    assert_eq!(
        op.operation_id.1.as_deref(),
        Some("AuthController_startAuth_v2")
    );
    assert_eq!(op.rust_method.1.as_deref(), Some("auth_start"));

    // Exactly these changes, in this order: (where, path, kind, breaking, rust-api, docs).
    let resp = "response `200` (application/json)";
    let param = "path parameter `platform`";
    let expected: Vec<(&str, &str, &str, bool, bool, bool)> = vec![
        ("operation", "", "summary-changed", false, false, true),
        ("operation", "", "description-changed", false, false, true),
        (param, "", "description-changed", false, false, true),
        (param, "", "enum-removed", true, true, false),
        (resp, "data", "ref-changed", true, true, false),
        (
            resp,
            "data.authInstructions",
            "description-changed",
            false,
            false,
            true,
        ),
        (
            resp,
            "data.authInstructions.en-US",
            "required-changed",
            true,
            true,
            false,
        ),
        (
            resp,
            "data.authInstructions.en-US",
            "description-changed",
            false,
            false,
            true,
        ),
        (
            resp,
            "data.authInstructions.zh-CN",
            "required-changed",
            true,
            true,
            false,
        ),
        (
            resp,
            "data.authInstructions.zh-CN",
            "description-changed",
            false,
            false,
            true,
        ),
        (
            resp,
            "data.expiresAt",
            "required-changed",
            true,
            true,
            false,
        ),
        (
            resp,
            "data.expiresAt",
            "description-changed",
            false,
            false,
            true,
        ),
        (resp, "data.expiresAt", "format-changed", true, true, false),
        (
            resp,
            "data.sessionId",
            "required-changed",
            true,
            true,
            false,
        ),
        (
            resp,
            "data.sessionId",
            "description-changed",
            false,
            false,
            true,
        ),
        (resp, "data.url", "required-changed", true, true, false),
        (resp, "data.url", "description-changed", false, false, true),
    ];
    let actual: Vec<(String, &str, &str, bool, bool, bool)> = op
        .changes
        .iter()
        .map(|c| {
            (
                c.place.describe(),
                c.path.as_str(),
                c.kind,
                c.breaking,
                c.rust_api,
                c.docs,
            )
        })
        .collect();
    let expected: Vec<(String, &str, &str, bool, bool, bool)> = expected
        .into_iter()
        .map(|(w, p, k, b, r, d)| (w.to_string(), p, k, b, r, d))
        .collect();
    assert_eq!(actual, expected);

    // The platform enum is dropped: the parameter type goes from the generated enum to String.
    let find = |path: &str, kind: &str| {
        op.changes
            .iter()
            .find(|c| c.path == path && c.kind == kind)
            .unwrap()
    };
    let platform = op
        .changes
        .iter()
        .find(|c| c.kind == "enum-removed")
        .unwrap();
    assert_eq!(
        platform.old,
        json!(["douyin", "xhs", "wxSph", "KWAI", "wxGzh", "bilibili"])
    );
    assert!(
        platform
            .reason
            .contains("`types::AuthStartPlatform` to `String`"),
        "{}",
        platform.reason
    );
    // `data` is now a `$ref` to AuthStartVo, which requires url, sessionId and expiresAt.
    let data = find("data", "ref-changed");
    assert_eq!(data.new["ref"], "AuthStartVo");
    assert_eq!(
        data.new["required"],
        json!(["url", "sessionId", "expiresAt"])
    );
    assert!(
        data.reason
            .contains("from `types::AuthStartData` to `types::AuthStartVo`"),
        "{}",
        data.reason
    );
    for field in ["url", "sessionId"] {
        let c = find(&format!("data.{field}"), "required-changed");
        assert!(
            c.reason.contains("`Option<String>` to `String`"),
            "{}",
            c.reason
        );
    }
    // expiresAt is now a date-time: String becomes chrono::DateTime<Utc>.
    let expires = find("data.expiresAt", "format-changed");
    assert_eq!(expires.new["format"], "date-time");
    assert!(
        expires
            .reason
            .contains("`String` becomes `chrono::DateTime<Utc>`"),
        "{}",
        expires.reason
    );
    assert!(expires.reason.contains("RFC 3339"));
    // Summary and description text.
    assert_eq!(find("", "summary-changed").old, json!("发起平台授权"));
    assert_eq!(find("", "summary-changed").new, json!("开始平台授权"));
    assert_eq!(
        find("", "description-changed").new,
        json!("接口说明：生成平台 OAuth 授权 URL")
    );

    // The new component, in its own section.
    assert_eq!(r.schemas.len(), 1);
    assert_eq!(
        (r.schemas[0].name.as_str(), r.schemas[0].status),
        ("AuthStartVo", Status::Added)
    );
    assert!(r.document.is_empty());

    let md = render::markdown(&r);
    for needle in [
        "### Breaking changes (8 in operations)",
        "#### `GET /api/v2/channels/accounts/auth/{platform}` `auth_start()` (changed)",
        "| **breaking** · `rust-api` | path parameter `platform` | enum removed, any value allowed (was `douyin`, `xhs`, `wxSph`, `KWAI`, `wxGzh`, `bilibili`) |",
        "| response `200` (application/json) · `data` | now `$ref: AuthStartVo` (was an inline schema), which requires `url`, `sessionId`, `expiresAt` |",
        "| response `200` (application/json) · `data.expiresAt` | format `date-time` added |",
        "| compatible · docs | operation | summary: “发起平台授权” → “开始平台授权” |",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in\n{md}");
    }
    let j = render::json(&r);
    assert_eq!(j["summary"]["operations"]["breaking"], 8);
    assert_eq!(j["summary"]["operations"]["docs"], 9);
}

#[test]
fn vendored_spec_against_itself_and_a_touched_copy() {
    let v = vendored();
    let t = std::time::Instant::now();
    let r = compare(&v, &v, "a", "b");
    assert!(r.is_empty());
    assert!(render::markdown(&r).contains("No changes."));
    // A full walk over every operation of the real spec (debug build): no blow-up.
    let mut touched = v.clone();
    at(&mut touched, "/components/schemas/AuthSessionStatusVo")["description"] = json!("touched");
    let r = compare(&v, &touched, "a", "b");
    assert!(
        t.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        t.elapsed()
    );
    assert!(
        r.notes.is_empty(),
        "the generator adapts the real spec: {:?}",
        r.notes
    );
    assert!(!r.has_breaking());
    assert!(
        r.all_changes()
            .all(|c| c.docs && c.kind == "description-changed")
    );
    assert_eq!(r.schemas.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// `--ignore-text`: the two editions (translations) of one spec.

const IGNORE_TEXT: Options = Options { ignore_text: true };

/// `base()` translated (every text changed, tag names too) and changed structurally in one
/// parameter and inside the shared `Thing` component.
fn translated() -> Value {
    let mut new = base();
    *at(&mut new, &format!("{GET_ONE}/summary")) = json!("取一个东西");
    *at(&mut new, &format!("{GET_ONE}/tags")) = json!(["东西"]);
    at(&mut new, GET_ONE)["description"] = json!("说明");
    at(&mut new, &format!("{CREATE}/requestBody"))["description"] = json!("新东西");
    at(&mut new, "/paths/~1things/post/responses/200")["description"] = json!("好");
    at(&mut new, &format!("{GET_ONE}/parameters/0"))["description"] = json!("编号");
    at(&mut new, "/components/schemas/Thing")["title"] = json!("东西");
    at(&mut new, "/components/schemas/Thing/properties/note")["description"] = json!("备注");
    new["tags"] = json!([{ "name": "东西", "description": "东西的接口" }]);
    // Structure: an inline constraint of one operation, a required field of a component.
    at(&mut new, &format!("{GET_ONE}/parameters/2/schema"))["minimum"] = json!(1);
    *at(&mut new, "/components/schemas/Thing/required") = json!(["id"]);
    new
}

#[test]
fn ignore_text_leaves_out_texts_and_tag_names() {
    let (old, new) = (base(), translated());
    // Without it, every text shows, each component change under every operation using it.
    let all = compare(&old, &new, "zh", "en");
    let kinds: BTreeSet<&str> = all.all_changes().map(|c| c.kind).collect();
    for k in [
        "summary-changed",
        "description-changed",
        "title-changed",
        "tags-changed",
    ] {
        assert!(kinds.contains(k), "{k}: {}", listing(&all));
    }
    assert_eq!(all.operations.len(), 3, "{}", listing(&all));

    let r = compare_with(&old, &new, "zh", "en", IGNORE_TEXT);
    assert!(r.ignore_text && r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(
        listing(&r),
        "GET /things/{id} | query parameter `limit` |  | constraint-changed\n\
         schema Thing | status | required-changed\n",
        "each difference once, where it is written"
    );
    assert_eq!(
        r.schemas[0].used_by,
        ["GET /things", "POST /things", "GET /things/{id}"],
        "report order: by path, then method"
    );
    let md = render::markdown(&r);
    assert!(md.contains("Structure only (`--ignore-text`)"), "{md}");
    assert!(
        md.contains("Used by `GET /things`, `POST /things`, `GET /things/{id}`"),
        "{md}"
    );
    assert!(!md.contains("东西"), "no text of either side: {md}");
    let j = render::json(&r);
    assert_eq!(j["ignore_text"], true);
    assert_eq!(j["schemas"][0]["used_by"][2], "GET /things/{id}");
    let summary = render::summary(&r);
    assert_eq!(
        summary,
        "  operations: 1 changed, 0 added, 0 removed\n    - GET /things/{id} (1 difference)\n  \
         component schemas: 1 changed, 0 added, 0 removed\n    - Thing (1 difference)\n"
    );

    // Texts alone: no difference at all.
    let mut texts_only = translated();
    at(&mut texts_only, &format!("{GET_ONE}/parameters/2/schema"))["minimum"] = json!(0);
    *at(&mut texts_only, "/components/schemas/Thing/required") = json!(["id", "status"]);
    let none = compare_with(&old, &texts_only, "zh", "en", IGNORE_TEXT);
    assert!(none.is_empty(), "{}", listing(&none));
    assert!(render::markdown(&none).contains("No changes."));
}

#[test]
fn ignore_text_keeps_operations_by_method_and_path() {
    // An operation that moved to another path is another operation, whatever its texts.
    let new = {
        let mut s = translated();
        let paths = s["paths"].as_object_mut().unwrap();
        let item = paths.remove("/things/{id}").unwrap();
        paths.insert("/things/{id}/v2".into(), item);
        s
    };
    let r = compare_with(&base(), &new, "zh", "en", IGNORE_TEXT);
    let ops: Vec<(String, Status)> = r
        .operations
        .iter()
        .map(|o| (format!("{} {}", o.method, o.path), o.status))
        .collect();
    assert_eq!(
        ops,
        [
            ("GET /things/{id}".to_string(), Status::Removed),
            ("GET /things/{id}/v2".to_string(), Status::Added)
        ]
    );
}

fn vendored_edition(file: &str) -> Value {
    let text = std::fs::read_to_string(workspace_root().join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The published editions differ in two operations and two component schemas (see the spec's
/// README): `required` lists, a `minimum`, a default, a field type. Tag names, summaries and
/// descriptions differ everywhere and must not show.
#[test]
fn the_vendored_editions_differ_in_two_operations_and_two_schemas() {
    let (zh, en) = (vendored_edition(SPEC), vendored_edition(SPEC_EN));
    let r = compare_with(&zh, &en, SPEC, SPEC_EN, IGNORE_TEXT);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    let ops: Vec<(String, Status)> = r
        .operations
        .iter()
        .map(|o| (format!("{} {}", o.method, o.path), o.status))
        .collect();
    assert_eq!(
        ops,
        [
            (
                "GET /api/v2/channels/works/{platform}".to_string(),
                Status::Changed
            ),
            (
                "GET /api/v2/channels/works/{platform}/{platformWorkId}".to_string(),
                Status::Changed
            ),
        ],
        "{}",
        listing(&r)
    );
    let schemas: Vec<(&str, Status)> = r
        .schemas
        .iter()
        .map(|s| (s.name.as_str(), s.status))
        .collect();
    assert_eq!(
        schemas,
        [
            ("ChannelWorkDataVo", Status::Changed),
            ("ClaudeChatProxyDto", Status::Changed)
        ],
        "{}",
        listing(&r)
    );
    assert!(r.document.is_empty());
    let kinds =
        |i: usize| -> Vec<&str> { r.operations[i].changes.iter().map(|c| c.kind).collect() };
    assert_eq!(
        kinds(0),
        [
            "required-changed",
            "required-changed",
            "required-changed",
            "required-changed",
            "constraint-changed",
            "required-changed"
        ]
    );
    assert_eq!(kinds(1), ["default-changed"]);
    let limit = change(
        &r,
        "GET /api/v2/channels/works/{platform}",
        "constraint-changed",
        "<anyOf 2><anyOf 2>.limit",
    );
    assert_eq!((&limit.old, &limit.new), (&json!(0), &Value::Null));
    assert_eq!(
        r.schemas[1].used_by,
        ["POST /api/ai/v1/messages"],
        "listed under the schema, with its user"
    );
    assert!(r.schemas[0].used_by.is_empty());
    for c in r.all_changes() {
        assert!(!c.docs, "a text slipped through: {c:#?}");
    }

    // The texts are there to ignore: every operation's tags and summary differ.
    let all = compare(&zh, &en, SPEC, SPEC_EN);
    let count = |kind: &str| all.all_changes().filter(|c| c.kind == kind).count();
    assert_eq!((count("tags-changed"), count("summary-changed")), (57, 57));
}
