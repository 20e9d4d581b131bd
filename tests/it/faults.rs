//! Fault injection against local misbehaving servers: each case asserts the exact error kind,
//! that nothing hangs past its timeout, and how many times the server saw the request.

use std::time::{Duration, Instant};

use aitoearn::{Client, Error, RetryPolicy, TransportKind};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::raw_server;

const KEY: &str = "sk-fault-secret-77";
/// Every case must end well within this.
const HANG_GUARD: Duration = Duration::from_secs(20);

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(2)
        .initial_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(20))
}

fn client(base: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base)
        .retry_policy(policy)
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap()
}

async fn guarded<T>(f: impl std::future::Future<Output = T>) -> (T, Duration) {
    let start = Instant::now();
    let out = tokio::time::timeout(HANG_GUARD, f)
        .await
        .expect("the call hung");
    (out, start.elapsed())
}

fn enveloped(data: serde_json::Value) -> serde_json::Value {
    json!({ "code": 0, "message": "ok", "data": data })
}

async fn wiremock_answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/channels/platforms"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn connection_refused() {
    // Bind and drop, so the port is closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = client(&format!("http://127.0.0.1:{port}"), fast_retries());
    let (res, _) = guarded(c.platforms_list().send()).await;
    let err = res.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.request_id().map(str::len), Some(32));
}

#[tokio::test]
async fn reset_mid_body_is_a_transport_error_and_get_is_retried() {
    let (base, seen) = raw_server(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"code\":0,")
            .await;
        let _ = s.flush().await;
        drop(s);
    })
    .await;
    let (res, _) = guarded(client(&base, fast_retries()).platforms_list().send()).await;
    let err = res.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Io,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(seen.requests(), 3, "a GET is tried 1 + 2 times");
}

/// A timeout error, soon after the client's 800 ms timeout — not a hang.
fn assert_timed_out<T: std::fmt::Debug>((res, elapsed): (aitoearn::Result<T>, Duration)) {
    let err = res.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        elapsed < Duration::from_secs(3),
        "timed out after {elapsed:?}"
    );
}

#[tokio::test]
async fn slow_headers_time_out() {
    let (base, seen) = raw_server(|s| async move {
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(s);
    })
    .await;
    assert_timed_out(guarded(client(&base, RetryPolicy::none()).platforms_list().send()).await);
    assert_eq!(seen.requests(), 1);
}

#[tokio::test]
async fn slow_body_times_out() {
    let (base, _) = raw_server(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{")
            .await;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if s.write_all(b" ").await.is_err() {
                return;
            }
        }
    })
    .await;
    assert_timed_out(guarded(client(&base, RetryPolicy::none()).platforms_list().send()).await);
}

#[tokio::test]
async fn post_is_sent_once_unless_the_caller_opts_in() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/channels/account-groups"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .mount(&server)
        .await;
    let c = client(&server.uri(), fast_retries());
    let (res, _) = guarded(
        c.account_groups_create()
            .body_map(|b| b.name("team"))
            .send(),
    )
    .await;
    assert!(matches!(res.unwrap_err(), Error::Http { status: 503, .. }));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "no retry of a POST by default"
    );

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/channels/account-groups"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .mount(&server)
        .await;
    let (res, _) = guarded(
        c.account_groups_create()
            .body_map(|b| b.name("team"))
            .retry(true)
            .send(),
    )
    .await;
    assert!(matches!(res.unwrap_err(), Error::Http { status: 503, .. }));
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3, "opted in: 1 + 2 retries");
    let ids: std::collections::HashSet<_> = received
        .iter()
        .map(|r| r.headers.get("x-request-id").unwrap().clone())
        .collect();
    assert_eq!(ids.len(), 1, "the retries of one call share its request id");
}

#[tokio::test]
async fn retry_after_is_honoured_and_success_after_retry_returns_data() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/channels/platforms"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/channels/platforms"))
        .respond_with(ResponseTemplate::new(200).set_body_json(enveloped(json!([]))))
        .mount(&server)
        .await;
    let (res, elapsed) = guarded(
        client(&server.uri(), fast_retries())
            .platforms_list()
            .send(),
    )
    .await;
    assert!(res.unwrap().is_empty());
    assert!(
        elapsed >= Duration::from_millis(950),
        "waited only {elapsed:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn envelope_retry_codes_are_retried_for_gets() {
    let server = wiremock_answering(
        ResponseTemplate::new(200)
            .set_body_json(json!({ "code": 503, "message": "busy", "data": {} })),
    )
    .await;
    let (res, _) = guarded(
        client(&server.uri(), fast_retries())
            .platforms_list()
            .send(),
    )
    .await;
    assert!(matches!(res.unwrap_err(), Error::Api { code: 503, .. }));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn bad_bodies_have_exact_error_kinds() {
    struct Case {
        name: &'static str,
        template: ResponseTemplate,
        check: fn(&Error) -> bool,
    }
    let cases = [
        Case {
            name: "truncated JSON",
            template: ResponseTemplate::new(200)
                .set_body_raw(r#"{"code":0,"message":"ok","data":[{"#, "application/json"),
            check: |e| matches!(e, Error::Decode { status: 200, .. }),
        },
        Case {
            name: "HTML 502 page",
            template: ResponseTemplate::new(502)
                .set_body_raw("<html>502 Bad Gateway</html>", "text/html"),
            check: |e| matches!(e, Error::Http { status: 502, body, .. } if body.contains("Bad Gateway")),
        },
        Case {
            name: "empty 200 body",
            template: ResponseTemplate::new(200),
            check: |e| matches!(e, Error::Decode { status: 200, body, .. } if body.is_empty()),
        },
        Case {
            name: "code != 0 with data {}",
            template: ResponseTemplate::new(200)
                .set_body_json(json!({ "code": 12001, "message": "用户Credits不足", "data": {} })),
            check: |e| {
                matches!(
                    e,
                    Error::Api {
                        code: 12001,
                        data: None,
                        ..
                    }
                ) && e.code() == Some(aitoearn::ErrorCode::UserCreditsInsufficient)
            },
        },
        Case {
            name: "code as a string",
            template: ResponseTemplate::new(200)
                .set_body_json(json!({ "code": "0", "message": "ok", "data": [] })),
            check: |e| matches!(e, Error::Decode { reason, .. } if reason.contains("invalid type")),
        },
        Case {
            name: "invalid UTF-8",
            template: ResponseTemplate::new(200).set_body_raw(
                b"{\"code\":0,\"message\":\"\xff\xfe\",\"data\":[]}".to_vec(),
                "application/json",
            ),
            check: |e| matches!(e, Error::Decode { .. }),
        },
        Case {
            name: "data of the wrong type",
            template: ResponseTemplate::new(200)
                .set_body_json(enveloped(json!({ "not": "a list" }))),
            check: |e| matches!(e, Error::Decode { reason, .. } if reason.contains("`data`")),
        },
    ];
    for case in cases {
        let server = wiremock_answering(case.template).await;
        let (res, _) = guarded(
            client(&server.uri(), RetryPolicy::none())
                .platforms_list()
                .send(),
        )
        .await;
        let err = res.expect_err(case.name);
        assert!((case.check)(&err), "{}: {err:?}", case.name);
        assert!(
            !err.to_string().contains(KEY) && !format!("{err:?}").contains(KEY),
            "{}",
            case.name
        );
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "{}",
            case.name
        );
    }
}

#[tokio::test]
async fn a_wrong_content_type_does_not_stop_a_valid_envelope() {
    let server = wiremock_answering(
        ResponseTemplate::new(200).set_body_raw(enveloped(json!([])).to_string(), "text/plain"),
    )
    .await;
    let (res, _) = guarded(
        client(&server.uri(), RetryPolicy::none())
            .platforms_list()
            .send(),
    )
    .await;
    assert!(res.unwrap().is_empty());
}

#[tokio::test]
async fn large_bodies_are_read_or_refused_by_the_limit() {
    // ~50 MB of valid data: a sample item from the spec-driven mock, padded with a field the
    // spec does not know.
    let mock = aitoearn::mock::MockServer::start().await;
    let mut item = mock
        .client()
        .call("platforms_list", json!({}))
        .await
        .unwrap()[0]
        .clone();
    item["padding"] = json!("x".repeat(1000));
    let n = 50_000_000 / item.to_string().len() + 1;
    let data: Vec<_> = std::iter::repeat_n(item, n).collect();
    let body = enveloped(json!(data)).to_string();
    assert!((50_000_000..60_000_000).contains(&body.len()));
    let server =
        wiremock_answering(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;

    let c = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let (res, _) = guarded(c.platforms_list().send()).await;
    assert_eq!(res.unwrap().len(), n);

    let small = Client::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .max_body_size(1 << 20)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let (res, _) = guarded(small.platforms_list().send()).await;
    let err = res.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { reason, .. } if reason.contains("limit")),
        "{err:?}"
    );
}

#[tokio::test]
async fn every_error_kind_keeps_the_key_out() {
    let server = MockServer::start().await;
    let c = client(&server.uri(), RetryPolicy::none());
    let mut errors = vec![
        Error::Config("x".into()),
        Error::UnknownOperation("nope".into()),
        c.auth_start("nowhere").send().await.unwrap_err(),
        Client::builder()
            .base_url(server.uri())
            .build()
            .unwrap()
            .accounts_list()
            .send()
            .await
            .unwrap_err(),
    ];
    for template in [
        ResponseTemplate::new(200).set_body_json(json!({ "code": 401, "message": KEY })),
        ResponseTemplate::new(500).set_body_string("oops"),
        ResponseTemplate::new(200).set_body_string("not json"),
    ] {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(template)
            .mount(&server)
            .await;
        errors.push(c.platforms_list().send().await.unwrap_err());
    }
    let refused = client("http://127.0.0.1:9", RetryPolicy::none());
    errors.push(refused.platforms_list().send().await.unwrap_err());
    for err in &errors {
        let shown = format!("{err} {err:?} {:?}", std::error::Error::source(err));
        // The key only appears where the server echoed it back as its message.
        if !matches!(err, Error::Api { .. }) {
            assert!(!shown.contains(KEY), "{shown}");
        }
    }
    assert!(!format!("{c:?}").contains(KEY));
}
