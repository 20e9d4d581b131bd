//! Every operation of the vendored spec, called through the SDK against the spec-driven mock
//! and decoded into its generated type. A new operation in the spec is covered without a new
//! test: the input comes from the operation's parameter and body schemas, the answer from its
//! response schema.

use aitoearn::mock::{self, MockServer};
use aitoearn::{KeyPlacement, OPERATIONS, ResponseKind};

#[tokio::test]
async fn every_operation_is_callable_and_decodes() {
    let server = MockServer::start().await;
    let client = server.client();
    let mut failures = Vec::new();
    for op in OPERATIONS.iter() {
        let input = mock::sample_input(op);
        match client.call(op.name, input.clone()).await {
            Ok(data) => {
                if op.response == ResponseKind::EventStream {
                    assert!(
                        data.as_array().is_some_and(|a| !a.is_empty()),
                        "{}: no events",
                        op.name
                    );
                }
            }
            Err(e) => failures.push(format!(
                "{} ({} {}): {e}\n  input: {input}",
                op.name, op.method, op.path
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} operations failed:\n{}",
        failures.len(),
        OPERATIONS.len(),
        failures.join("\n")
    );

    // One request per operation reached the server, each to its own method and path, with
    // the key where the operation's security scheme puts it.
    let received = server.server().received_requests().await.unwrap();
    assert_eq!(received.len(), OPERATIONS.len());
    for (op, request) in OPERATIONS.iter().zip(&received) {
        assert_eq!(request.method.as_str(), op.method, "{}", op.name);
        assert!(
            mock::path_matches(op.path, request.url.path()),
            "{}: {}",
            op.name,
            request.url
        );
        match op.api_key {
            KeyPlacement::Header { name, prefix } => {
                let value = request
                    .headers
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_string());
                assert_eq!(
                    value,
                    Some(format!("{prefix}{}", mock::MOCK_API_KEY)),
                    "{}",
                    op.name
                );
            }
            KeyPlacement::None => {
                for header in ["x-api-key", "authorization", "x-goog-api-key"] {
                    assert!(
                        request.headers.get(header).is_none(),
                        "{} sent {header}",
                        op.name
                    );
                }
            }
            KeyPlacement::Query { .. } => {}
            other => panic!(
                "{}: a key placement this test does not know: {other:?}",
                op.name
            ),
        }
    }
}

#[test]
fn the_table_lists_every_operation_of_the_spec_once() {
    let spec: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/aitoearn.openapi.json")).unwrap();
    let mut published = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            published.push((
                method.to_uppercase(),
                path.clone(),
                op["operationId"].as_str().unwrap().to_string(),
            ));
        }
    }
    let mut table: Vec<_> = OPERATIONS
        .iter()
        .map(|o| {
            (
                o.method.to_string(),
                o.path.to_string(),
                o.operation_id.to_string(),
            )
        })
        .collect();
    published.sort();
    table.sort();
    assert_eq!(table, published);
    assert_eq!(OPERATIONS.len(), 57);

    let mut names: Vec<_> = OPERATIONS.iter().map(|o| o.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), OPERATIONS.len(), "method names are unique");
    for name in names {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name}"
        );
        assert!(!name.contains("controller"), "{name}");
    }
}

#[test]
fn colliding_list_operations_get_distinct_names() {
    let accounts = aitoearn::Operation::find("AccountsController_list_v2").unwrap();
    let groups = aitoearn::Operation::find("AccountGroupsController_list_v2").unwrap();
    assert_eq!(accounts.name, "accounts_list");
    assert_eq!(groups.name, "account_groups_list");
}

#[tokio::test]
async fn answers_with_enum_values_newer_than_the_spec_still_decode() {
    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};

    let server = MockServer::start().await;
    // A valid answer, from the spec-driven mock, with values the spec does not know yet.
    let mut data = server
        .client()
        .call("publish_flow_get", json!({ "flowId": "f1" }))
        .await
        .unwrap();
    let task = &mut data["tasks"][0];
    task["platform"] = json!("mastodon");
    task["status"] = json!(42);
    task["brandNewField"] = json!([1, 2]);
    Mock::given(method("GET"))
        .and(path("/api/v2/channels/publish/flows/f1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "code": 0, "message": "ok", "data": data })),
        )
        .mount(server.server())
        .await;
    let flow = server.client().publish_flow_get("f1").send().await.unwrap();
    let task = &flow.tasks[0];
    assert_eq!(task.platform, aitoearn::Open::Unknown(json!("mastodon")));
    assert!(task.status.as_ref().is_some_and(|s| !s.is_known()));
    assert_eq!(
        serde_json::to_value(&task.status).unwrap(),
        json!(42),
        "kept as sent"
    );
    assert!(
        !serde_json::to_value(task)
            .unwrap()
            .as_object()
            .unwrap()
            .contains_key("brandNewField")
    );
}
