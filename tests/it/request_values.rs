//! The request builders hold the values themselves and call the generated client's positional
//! methods once per attempt: a missing required value or a body that does not convert fails
//! with `Error::InvalidRequest` before anything is sent (as when the builders wrapped
//! progenitor's), and every attempt of a retried call sends the same request.

use std::time::Duration;

use aitoearn::{Client, Error, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(base: &str) -> Client {
    Client::builder()
        .api_key("sk-values-1")
        .base_url(base)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(2)
                .initial_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(10)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_missing_required_parameter_is_refused_before_sending() {
    let server = MockServer::start().await;
    let err = client(&server.uri())
        .works_list("douyin")
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::InvalidRequest { operation, reason } => {
            assert_eq!(*operation, "works_list");
            assert_eq!(reason, "account_id was not initialized");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_body_missing_a_required_field_is_refused_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    // Nothing set: typify's builder says which field is missing.
    let err = c.account_groups_create().send().await.unwrap_err();
    match &err {
        Error::InvalidRequest { operation, reason } => {
            assert_eq!(*operation, "account_groups_create");
            assert_eq!(reason, "no value supplied for name");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    // A field value that does not fit: the builder's conversion error, also before sending.
    let err = c
        .account_groups_create()
        .body_map(|b| b.name(""))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { operation: "account_groups_create", reason }
            if reason.contains("name") && reason.contains("shorter than 1 characters")),
        "{err:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn every_attempt_sends_the_same_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/channels/account-groups"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .account_groups_create()
        .body_map(|b| b.name("team").rank(3.0))
        .retry(true)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3, "1 + 2 retries");
    let body: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["name"], "team");
    assert_eq!(body["rank"], 3.0);
    for r in &received[1..] {
        assert_eq!(r.body, received[0].body, "the same body on every attempt");
        assert_eq!(r.url, received[0].url);
    }
}
