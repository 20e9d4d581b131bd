//! The seed operation, start platform authorization (`GET /api/v2/channels/accounts/auth/{platform}`),
//! end to end against a local HTTP server: request shape, typed success, every error path.

use aitoearn::{Client, Error, ErrorCode, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-test-0123456789";
const AUTH_PATH: &str = "/api/v2/channels/accounts/auth/douyin";

async fn setup(answer: ResponseTemplate) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(AUTH_PATH))
        .respond_with(answer)
        .mount(&server)
        .await;
    // Retries are tested on their own (tests/it/faults.rs): here one answer is one outcome.
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("{}/", server.uri()))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (server, client)
}

fn success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "code": 0,
        "message": "请求成功",
        "data": {
            "url": "https://open.douyin.com/platform/oauth/connect?client_key=x",
            "sessionId": "sess-42",
            "expiresAt": "2026-07-02T12:00:00.000Z",
            "authInstructions": { "en-US": "Scan the code", "zh-CN": "扫码授权" },
            "someFieldFromTheFuture": true
        },
        "requestId": "req-1"
    }))
}

#[tokio::test]
async fn sends_path_query_and_key_and_decodes_data() {
    let (server, client) = setup(success()).await;
    let callback = "https://cb.example/relay?a=1&b=two words";
    let auth = client
        .auth_start("douyin")
        .callback_url(callback)
        .redirect_uri("https://app.example/done#x")
        .group_id("g 1/北京")
        .send()
        .await
        .unwrap();
    // The page's `AuthStartVo`: three required fields, `expiresAt` a date-time.
    let url: &String = &auth.url;
    assert_eq!(
        url,
        "https://open.douyin.com/platform/oauth/connect?client_key=x"
    );
    let session_id: &String = &auth.session_id;
    assert_eq!(session_id, "sess-42");
    let expires_at: chrono::DateTime<chrono::Utc> = auth.expires_at;
    assert_eq!(expires_at.to_rfc3339(), "2026-07-02T12:00:00+00:00");
    let instructions = auth.auth_instructions.unwrap();
    let (en, zh): (&String, &String) = (&instructions.en_us, &instructions.zh_cn);
    assert_eq!((en.as_str(), zh.as_str()), ("Scan the code", "扫码授权"));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        request.url.path(),
        AUTH_PATH,
        "no double slash from the base URL's trailing one"
    );
    assert_eq!(request.headers.get("x-api-key").unwrap(), KEY);
    assert_eq!(request.headers.get("accept").unwrap(), "application/json");
    // Percent-encoded on the wire, decoded back to the same values.
    let query = request.url.query().unwrap();
    assert!(
        query.contains("callbackUrl=https%3A%2F%2Fcb.example%2Frelay%3Fa%3D1%26b%3Dtwo"),
        "{query}"
    );
    let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("callbackUrl".into(), callback.into())));
    assert!(pairs.contains(&("redirectUri".into(), "https://app.example/done#x".into())));
    assert!(pairs.contains(&("groupId".into(), "g 1/北京".into())));
}

#[tokio::test]
async fn optional_query_parameters_are_left_out_when_unset() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(AUTH_PATH))
        .and(query_param("groupId", "g1"))
        .and(header("x-api-key", KEY))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    client
        .auth_start("douyin")
        .group_id("g1")
        .send()
        .await
        .unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.url.query(), Some("groupId=g1"));
}

#[tokio::test]
async fn any_platform_string_is_sent() {
    // The page makes `platform` a plain string: platforms the vendored spec did not list
    // (`tiktok`) go out as they are, in one path segment.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/channels/accounts/auth/tiktok"))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    let auth = client.auth_start("tiktok").send().await.unwrap();
    assert_eq!(auth.session_id, "sess-42");
    let owned: String = "google_business".to_string();
    let _ = client.auth_start(owned).send().await.unwrap_err();
    let _ = client.auth_start("a b/c").send().await.unwrap_err();
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/v2/channels/accounts/auth/tiktok",
            "/api/v2/channels/accounts/auth/google_business",
            "/api/v2/channels/accounts/auth/a%20b%2Fc",
        ]
    );
}

/// The page's own examples (`success`, `validationFailed10002`, `unauthorized401`), read from
/// the docs page the overlay was generated from, served as answers.
#[tokio::test]
async fn the_pages_examples_as_answers() {
    let page = include_str!("../../xtask/tests/fixtures/seed_auth_start.md");
    let start = page.find("````yaml").unwrap();
    let body = &page[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let fragment: serde_json::Value =
        serde_yaml::from_str(&body[..body.find("\n````").unwrap()]).unwrap();
    let examples = &fragment["paths"]["/api/v2/channels/accounts/auth/{platform}"]["get"]["responses"]
        ["200"]["content"]["application/json"]["examples"];
    let names: Vec<&String> = examples.as_object().unwrap().keys().collect();
    assert_eq!(
        names.len(),
        3,
        "success, validationFailed10002, unauthorized401: {names:?}"
    );
    for (name, example) in examples.as_object().unwrap() {
        let value = &example["value"];
        let (_server, client) = setup(ResponseTemplate::new(200).set_body_json(value)).await;
        let result = client.auth_start("douyin").send().await;
        let code = value["code"].as_i64().unwrap();
        match (code, result) {
            (0, Ok(auth)) => {
                let data = &value["data"];
                assert_eq!(auth.url, data["url"].as_str().unwrap(), "{name}");
                assert_eq!(auth.session_id, data["sessionId"].as_str().unwrap());
                let expected =
                    chrono::DateTime::parse_from_rfc3339(data["expiresAt"].as_str().unwrap())
                        .unwrap();
                assert_eq!(auth.expires_at, expected, "{name}");
                let how = auth
                    .auth_instructions
                    .expect("the example has instructions");
                assert_eq!(
                    how.en_us,
                    data["authInstructions"]["en-US"].as_str().unwrap()
                );
                assert_eq!(
                    how.zh_cn,
                    data["authInstructions"]["zh-CN"].as_str().unwrap()
                );
            }
            (code, Err(err)) if code != 0 => {
                assert!(
                    matches!(&err, Error::Api { code: c, message, .. } if *c == code && message == value["message"].as_str().unwrap()),
                    "{name}: {err:?}"
                );
                assert_eq!(err.code().map(ErrorCode::code), Some(code), "{name}");
                assert!(
                    !matches!(err.code(), Some(ErrorCode::Unknown(_))),
                    "{name}: the spec names code {code}"
                );
            }
            (code, other) => panic!("{name} (code {code}): {other:?}"),
        }
    }
}

#[tokio::test]
async fn validation_failed_is_an_api_error() {
    let (server, client) = setup(ResponseTemplate::new(200).set_body_json(json!({
        "code": 10002, "message": "参数验证失败", "data": {}, "timestamp": 1772099056662_i64, "requestId": "r-10002"
    })))
    .await;
    let err = client.auth_start("douyin").send().await.unwrap_err();
    let sent_id = server.received_requests().await.unwrap()[0]
        .headers
        .get("x-request-id")
        .expect("every request carries an x-request-id")
        .to_str()
        .unwrap()
        .to_string();
    match &err {
        Error::Api {
            operation,
            status,
            code,
            message,
            request_id,
            service_request_id,
            data,
        } => {
            assert_eq!((*operation, *status, *code), ("auth_start", 200, 10002));
            assert_eq!(message, "参数验证失败");
            assert_eq!(request_id, &sent_id);
            assert_eq!(service_request_id.as_deref(), Some("r-10002"));
            assert_eq!(data, &None, "an empty `data: {{}}` carries nothing");
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert_eq!(err.code(), Some(ErrorCode::ValidationFailed));
    assert_eq!(err.operation_id(), Some("AuthController_startAuth_v2"));
    assert!(err.to_string().contains(&sent_id), "{err}");
    assert_eq!(ErrorCode::ValidationFailed.code(), 10002);
    assert_eq!(ErrorCode::ValidationFailed.name(), Some("ValidationFailed"));
}

#[tokio::test]
async fn a_caller_supplied_request_id_is_sent() {
    let (server, client) = setup(success()).await;
    client
        .auth_start("douyin")
        .request_id("trace-abc-123")
        .send()
        .await
        .unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        request.headers.get("x-request-id").unwrap(),
        "trace-abc-123"
    );
}

#[tokio::test]
async fn unauthorized_is_an_api_error() {
    let (_server, client) = setup(ResponseTemplate::new(200).set_body_json(json!({
        "code": 401, "message": "Unauthorized", "data": {}, "timestamp": 1772099056662_i64
    })))
    .await;
    let err = client.auth_start("douyin").send().await.unwrap_err();
    assert!(
        matches!(err, Error::Api { code: 401, ref message, .. } if message == "Unauthorized"),
        "{err:?}"
    );
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    assert_eq!(ErrorCode::from_code(99_999), ErrorCode::Unknown(99_999));
}

#[tokio::test]
async fn an_envelope_with_an_http_error_status_is_still_an_api_error() {
    let (_server, client) = setup(ResponseTemplate::new(401).set_body_json(json!({
        "code": 401, "message": "Unauthorized", "data": {}
    })))
    .await;
    let err = client.auth_start("douyin").send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                code: 401,
                status: 401,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn html_error_page_is_an_http_error_with_the_start_of_the_body() {
    let page = format!(
        "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
        "x".repeat(4000)
    );
    let (_server, client) = setup(ResponseTemplate::new(502).set_body_raw(page, "text/html")).await;
    let err = client.auth_start("douyin").send().await.unwrap_err();
    match &err {
        Error::Http {
            status,
            content_type,
            body,
            ..
        } => {
            assert_eq!(*status, 502);
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert!(body.starts_with("<html><body><h1>502 Bad Gateway</h1>"));
            assert!(body.len() < 600, "only the start of the body is kept");
        }
        other => panic!("expected Error::Http, got {other:?}"),
    }
    assert_eq!(err.status(), Some(502));
}

#[tokio::test]
async fn truncated_and_non_json_bodies_are_decode_errors() {
    for body in [r#"{"code":0,"message":"ok","data":{"url":"htt"#, "OK", ""] {
        let (_server, client) =
            setup(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
        let err = client.auth_start("douyin").send().await.unwrap_err();
        match &err {
            Error::Decode {
                status: 200,
                body: start,
                ..
            } => assert_eq!(start, body),
            other => panic!("{body:?}: expected Error::Decode, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn wrong_data_type_names_the_field() {
    let (_server, client) = setup(ResponseTemplate::new(200).set_body_json(json!({
        "code": 0, "message": "ok", "data": { "url": "u", "authInstructions": { "en-US": 5 } }
    })))
    .await;
    let err = client.auth_start("douyin").send().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("authInstructions.en-US"), "{err}");
}

#[tokio::test]
async fn a_missing_key_fails_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    let err = client.auth_start("douyin").send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingApiKey {
                operation: "auth_start"
            }
        ),
        "{err:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_key_never_shows_in_debug_or_errors() {
    let (_server, client) = setup(ResponseTemplate::new(502).set_body_string("bad gateway")).await;
    assert!(!format!("{client:?}").contains(KEY));
    let err = client.auth_start("douyin").send().await.unwrap_err();
    assert!(!format!("{err:?}").contains(KEY));
    assert!(!err.to_string().contains(KEY));
    // A refused connection, too.
    let dead = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = dead.auth_start("douyin").send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: aitoearn::TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains(KEY) && !err.to_string().contains(KEY));
}

#[test]
fn regions_and_base_urls() {
    let global = Client::new(KEY).unwrap();
    assert_eq!(global.base_url(), "https://aitoearn.ai");
    let china = Client::builder()
        .api_key(KEY)
        .region(aitoearn::Region::China)
        .build()
        .unwrap();
    assert_eq!(china.base_url(), "https://aitoearn.cn");
    let own = Client::builder()
        .api_key(KEY)
        .base_url("https://api.example.com/aitoearn///")
        .build()
        .unwrap();
    assert_eq!(own.base_url(), "https://api.example.com/aitoearn");
    let err = Client::builder()
        .api_key(KEY)
        .base_url("http://api.example.com")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[tokio::test]
async fn data_before_code_and_missing_data_decode_too() {
    let body = r#"{"data":{"url":"u","sessionId":"s","expiresAt":"2026-07-02T12:00:00Z"},"message":"ok","code":0}"#;
    let (_server, client) =
        setup(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let auth = client.auth_start("douyin").send().await.unwrap();
    assert_eq!(auth.session_id, "s");

    // `expiresAt` is required and a date-time: missing or not RFC 3339, the answer does not
    // decode, and the error names the field.
    for data in [
        r#"{"url":"u","sessionId":"s"}"#,
        r#"{"url":"u","sessionId":"s","expiresAt":"tomorrow"}"#,
    ] {
        let body = format!(r#"{{"code":0,"message":"ok","data":{data}}}"#);
        let (_server, client) =
            setup(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
        let err = client.auth_start("douyin").send().await.unwrap_err();
        assert!(
            matches!(&err, Error::Decode { reason, .. } if reason.contains("expiresAt")),
            "{data}: {err:?}"
        );
    }

    let body = r#"{"code":0,"message":"ok"}"#;
    let (_server, client) =
        setup(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let err = client.auth_start("douyin").send().await.unwrap_err();
    assert!(
        matches!(err, Error::Decode { .. }),
        "a struct `data` cannot be absent: {err:?}"
    );
}
