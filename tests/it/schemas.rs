//! Each operation's input JSON Schema round-trips through the generic call path: a value made
//! from the schema is accepted and answered by the spec-driven mock; a value missing a
//! required field is refused before anything is sent, with an error naming the field.

use aitoearn::mock::{self, MockServer};
use aitoearn::{Error, OPERATIONS};
use serde_json::{Value, json};

#[tokio::test]
async fn inputs_made_from_each_schema_are_accepted() {
    let server = MockServer::start().await;
    let client = server.client();
    for op in OPERATIONS.iter() {
        let schema = op.input_schema();
        assert_eq!(schema["type"], "object", "{}", op.name);
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        let input = mock::sample_json_schema(&schema, &schema);
        if let Err(e) = client.call(op.name, input.clone()).await {
            panic!("{}: {e}\n  input: {input}", op.name);
        }
        // The output schema exists and its references resolve.
        let output = op.output_schema();
        for r in refs(&output) {
            assert!(
                output.pointer(r.trim_start_matches('#')).is_some(),
                "{}: dangling {r}",
                op.name
            );
        }
    }
    assert_eq!(
        server.server().received_requests().await.unwrap().len(),
        OPERATIONS.len()
    );
}

#[tokio::test]
async fn a_missing_required_field_is_refused_before_sending() {
    let server = MockServer::start().await;
    let client = server.client();
    let mut checked = 0;
    for op in OPERATIONS.iter() {
        let schema = op.input_schema();
        let full = mock::sample_json_schema(&schema, &schema);
        // Top-level required inputs (path/query parameters, the body).
        for field in schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let mut input = full.clone();
            input.as_object_mut().unwrap().remove(field);
            let err = client.call(op.name, input).await.unwrap_err();
            assert!(
                matches!(err, Error::InvalidRequest { .. }),
                "{}: {err:?}",
                op.name
            );
            assert!(err.to_string().contains(field), "{}: {err}", op.name);
            checked += 1;
        }
        // Required fields inside the body.
        let body_schema = resolve(&schema["properties"]["body"], &schema);
        for field in body_schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let mut input = full.clone();
            input["body"].as_object_mut().unwrap().remove(field);
            let err = client.call(op.name, input).await.unwrap_err();
            assert!(
                matches!(err, Error::InvalidRequest { .. }),
                "{}.body.{field}: {err:?}",
                op.name
            );
            assert!(err.to_string().contains(field), "{}: {err}", op.name);
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} required fields checked");
    assert!(
        server
            .server()
            .received_requests()
            .await
            .unwrap()
            .is_empty(),
        "nothing was sent"
    );
}

#[test]
fn the_seed_operation_schema_carries_the_spec() {
    let op = aitoearn::Operation::find("AuthController_startAuth_v2").unwrap();
    let schema = op.input_schema();
    assert_eq!(schema["required"], serde_json::json!(["platform"]));
    // The effective spec (its overlay): `platform` is a plain string, as the docs page says.
    let platform = &schema["properties"]["platform"];
    assert_eq!(platform["type"], "string", "{schema}");
    assert!(platform.get("enum").is_none(), "{schema}");
    assert_eq!(schema["properties"]["callbackUrl"]["format"], "uri");
    let output = op.output_schema();
    let data = resolve(&output, &output);
    assert!(data["properties"]["sessionId"].is_object(), "{output}");
    assert_eq!(
        data["properties"]["expiresAt"]["format"], "date-time",
        "{output}"
    );
    let required: Vec<&str> = data["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for field in ["url", "sessionId", "expiresAt"] {
        assert!(required.contains(&field), "{output}");
    }
}

#[test]
fn models_implement_json_schema() {
    let schema = serde_json::to_value(schemars::schema_for!(
        aitoearn::types::ops::publish_flow_get::Output
    ))
    .unwrap();
    assert!(schema["properties"]["tasks"].is_object(), "{schema}");
    let schema = serde_json::to_value(schemars::schema_for!(
        aitoearn::types::ops::relay_chat_completions::Body
    ))
    .unwrap();
    assert!(
        schema["required"].as_array().is_some_and(|r| !r.is_empty()),
        "{schema}"
    );
}

fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => root.pointer(r.trim_start_matches('#')).unwrap_or(schema),
        None => schema,
    }
}

fn refs(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    out.push(r.to_string());
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

#[tokio::test]
async fn inputs_the_operation_does_not_take_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = server.client();
    let mut checked = 0;
    for op in OPERATIONS.iter() {
        let schema = op.input_schema();
        let full = mock::sample_json_schema(&schema, &schema);
        let refuse = |input: Value, needle: String| {
            let client = client.clone();
            async move {
                let err = client.call(op.name, input.clone()).await.unwrap_err();
                assert!(
                    matches!(err, Error::InvalidRequest { .. }),
                    "{}: {err:?}\n  input: {input}",
                    op.name
                );
                assert!(err.to_string().contains(&needle), "{}: {err}", op.name);
            }
        };
        // A key that is none of the inputs: named, with the known inputs.
        let mut input = full.clone();
        input["notAnInput"] = json!("x");
        refuse(input, "`notAnInput`".into()).await;
        checked += 1;
        // A misspelt input: the nearest known name is suggested.
        if let Some(first) = schema["properties"]
            .as_object()
            .and_then(|p| p.keys().find(|k| *k != "body" && k.len() > 3))
        {
            let mut input = full.clone();
            let wrong = first.to_uppercase();
            input[&wrong] = json!("x");
            refuse(input, format!("did you mean `{first}`")).await;
            checked += 1;
        }
        // A body given to an operation that takes none.
        if schema["properties"].get("body").is_none() {
            let mut input = full.clone();
            input["body"] = json!({ "a": 1 });
            refuse(input, "`body`".into()).await;
            checked += 1;
        } else if full["body"].is_object()
            && resolve(&schema["properties"]["body"], &schema)["properties"].is_object()
        {
            // A field the body's model does not have.
            let mut input = full.clone();
            input["body"]["notAField"] = json!("x");
            refuse(input, "notAField".into()).await;
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} cases");
    assert!(
        server
            .server()
            .received_requests()
            .await
            .unwrap()
            .is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn a_misspelt_filter_is_not_dropped() {
    let server = MockServer::start().await;
    let err = server
        .client()
        .call(
            "auth_start",
            json!({ "platform": "douyin", "groupID": "g1" }),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`groupID`") && text.contains("did you mean `groupId`"),
        "{text}"
    );
    assert!(
        server
            .server()
            .received_requests()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_misspelt_platform_option_is_not_dropped() {
    let server = MockServer::start().await;
    let input = json!({ "body": {
        "publishAt": "2026-07-02T12:00:00Z",
        "content": { "body": "hi" },
        "items": [{ "platform": "douyin", "accountId": "a1", "option": { "short_titel": "Hi" } }]
    } });
    let err = server
        .client()
        .call("publish_flow_create", input)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("items[0].option.short_titel"), "{text}");
    assert!(
        server
            .server()
            .received_requests()
            .await
            .unwrap()
            .is_empty()
    );
}

/// The same set of values is one type: a platform read from one operation's answer is passed
/// to another operation's filter as it is.
#[tokio::test]
async fn a_value_from_one_operation_goes_to_another() {
    let server = MockServer::start().await;
    let client = server.client();
    let records = client.publish_record_list().send().await.unwrap();
    let from_answer: aitoearn::types::Platform = records
        .iter()
        .find_map(|r| r.account_type.known().copied())
        .unwrap_or(aitoearn::types::Platform::Douyin);
    client
        .publish_record_list_queued()
        .account_type(from_answer)
        .send()
        .await
        .unwrap();
    client
        .publish_record_list_published()
        .account_type(from_answer)
        .send()
        .await
        .unwrap();
    let requests = server.server().received_requests().await.unwrap();
    let wire = serde_json::to_value(from_answer).unwrap();
    for r in &requests[1..] {
        let sent: Vec<_> = r
            .url
            .query_pairs()
            .filter(|(k, _)| k == "accountType")
            .collect();
        assert_eq!(sent.len(), 1, "{}", r.url);
        assert_eq!(sent[0].1, wire.as_str().unwrap(), "{}", r.url);
    }
}

/// List parameters take any iterable of plain strings; a value that does not fit is refused
/// before sending, with the parameter, the value's position and what the spec allows.
#[tokio::test]
async fn list_parameters_take_plain_strings_and_say_what_does_not_fit() {
    let server = MockServer::start().await;
    let client = server.client();
    client
        .accounts_list()
        .ids(["a1", "b2"])
        .send()
        .await
        .unwrap();
    client
        .accounts_list()
        .ids(vec![String::from("c3")])
        .send()
        .await
        .unwrap();
    let err = client
        .accounts_list()
        .ids(["ok", ""])
        .send()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(
        text.contains("`ids`[1]") && text.contains("at least 1"),
        "{text}"
    );
    // An enum value that does not exist names the value and the values that do.
    let err = client
        .publish_record_list()
        .account_type("myspace")
        .send()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`accountType` = \"myspace\"")
            && err.contains("allowed: ")
            && err.contains("douyin"),
        "{err}"
    );
    let requests = server.server().received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "the refused calls sent nothing");
    let query = requests[0].url.query().unwrap_or_default().to_string();
    assert!(query.contains("a1") && query.contains("b2"), "{query}");
}
