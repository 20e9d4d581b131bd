//! What a user's program touches beyond the generated methods: the re-exported crates, errors
//! across flows and calls, and gateway refusals without an envelope.

use aitoearn::flows::FlowError;
use aitoearn::{Error, ErrorCode, RetryPolicy};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

async fn client_answering(template: ResponseTemplate) -> (MockServer, aitoearn::Client) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(template)
        .mount(&server)
        .await;
    let client = aitoearn::Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (server, client)
}

#[tokio::test]
async fn gateway_refusals_without_an_envelope_have_their_code() {
    for (status, code) in [
        (401, ErrorCode::Unauthorized),
        (403, ErrorCode::Forbidden),
        (429, ErrorCode::TooManyRequests),
    ] {
        let (_server, client) = client_answering(
            ResponseTemplate::new(status).set_body_raw("<html>refused</html>", "text/html"),
        )
        .await;
        let err = client.auth_start("douyin").send().await.unwrap_err();
        assert_eq!(err.status(), Some(status), "{err:?}");
        assert!(matches!(err, Error::Http { .. }), "{err:?}");
        assert_eq!(err.code(), Some(code), "HTTP {status}: {err:?}");
        assert_eq!(code.code(), i64::from(status));
    }
    // Other statuses without an envelope have no business code.
    let (_server, client) =
        client_answering(ResponseTemplate::new(502).set_body_raw("bad gateway", "text/plain"))
            .await;
    let err = client.auth_start("douyin").send().await.unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(502), None), "{err:?}");
}

/// `?` on a flow's error in a function returning `aitoearn::Result`, and back.
#[tokio::test]
async fn flow_errors_and_call_errors_convert_both_ways() {
    let (_server, client) = client_answering(ResponseTemplate::new(200).set_body_json(
        serde_json::json!({ "code": 15039, "message": "授权会话无效或已过期", "data": null }),
    ))
    .await;
    async fn start(client: &aitoearn::Client) -> aitoearn::Result<String> {
        let pending = client.authorize("douyin").start().await?; // a FlowError
        Ok(format!("{pending:?}"))
    }
    let err = start(&client).await.unwrap_err();
    // A failed operation comes back as that operation's own error, code and request id kept.
    assert!(matches!(err, Error::Api { code: 15039, .. }), "{err:?}");
    assert_eq!(err.code(), Some(ErrorCode::ChannelAuthSessionInvalid));
    assert_eq!(err.operation(), Some("auth_start"));

    // Other flow failures are `Error::Flow`, code kept.
    let failed = FlowError::AuthorizationFailed {
        platform: "douyin".into(),
        session_id: "s".into(),
        code: Some(ErrorCode::from_code(15040)),
    };
    let err = Error::from(failed);
    assert!(
        matches!(&err, Error::Flow(f) if matches!(**f, FlowError::AuthorizationFailed { .. })),
        "{err:?}"
    );
    assert_eq!(err.code(), Some(ErrorCode::ChannelAuthPlatformMismatch));
    assert!(
        err.to_string().contains("authorizing douyin failed"),
        "{err}"
    );
    // And an `Error` into a `FlowError`.
    let back = FlowError::from(Error::UnknownOperation("x".into()));
    assert!(matches!(back, FlowError::Api(_)), "{back:?}");
}

/// The crates of the public API, at the versions the crate uses, without adding them.
#[tokio::test]
async fn the_public_api_s_crates_are_reexported() {
    let http: aitoearn::reqwest::Client = aitoearn::http_client_builder().build().unwrap();
    let mock = aitoearn::mock::MockServer::start().await;
    aitoearn::mock::wiremock::Mock::given(aitoearn::mock::wiremock::matchers::path(
        "/api/v2/channels/accounts/auth/douyin",
    ))
    .respond_with(
        aitoearn::mock::wiremock::ResponseTemplate::new(200).set_body_json(
            aitoearn::serde_json::json!({
                "code": 0, "message": "ok",
                "data": { "url": "https://example.com/mine", "sessionId": "s1",
                          "expiresAt": "2026-07-02T12:00:00Z" }
            }),
        ),
    )
    .mount(mock.server())
    .await;
    let client = aitoearn::Client::builder()
        .api_key(aitoearn::mock::MOCK_API_KEY)
        .base_url(mock.server().uri())
        .http_client(http)
        .build()
        .unwrap();
    let out: aitoearn::serde_json::Value = client
        .call(
            "auth_start",
            aitoearn::serde_json::json!({ "platform": "douyin" }),
        )
        .await
        .unwrap();
    assert_eq!(out["url"], "https://example.com/mine");
    let at: aitoearn::chrono::DateTime<aitoearn::chrono::Utc> =
        out["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(at.timestamp(), 1_782_993_600);
}

/// A plain `reqwest::Client` elsewhere in the user's binary, with only the features this crate
/// turns on: it must not panic for want of a process-wide rustls crypto provider.
#[test]
fn users_own_reqwest_clients_do_not_panic() {
    let client = std::panic::catch_unwind(aitoearn::reqwest::Client::new);
    assert!(client.is_ok(), "reqwest::Client::new() panicked");
    assert!(aitoearn::reqwest::Client::builder().build().is_ok());
}
