//! Issue 12: the API key goes only to the base URL's origin, and every call reaches the endpoint
//! it names. Driven from `OPERATIONS` and the spec-driven mock, so new operations are covered.

use std::collections::BTreeSet;

use aitoearn::mock::{self, MockServer};
use aitoearn::{Client, Error, KeyPlacement, OPERATIONS, Operation};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

const SCHEMES: [&str; 3] = ["X-Api-Key", "Authorization", "x-goog-api-key"];

/// One operation per credential header, picked from the table by its scheme.
fn one_operation_per_scheme() -> Vec<(&'static str, &'static Operation)> {
    let picked: Vec<_> = SCHEMES
        .iter()
        .map(|scheme| {
            let op = OPERATIONS
                .iter()
                .find(|o| matches!(o.api_key, KeyPlacement::Header { name, .. } if name.eq_ignore_ascii_case(scheme)))
                .unwrap_or_else(|| panic!("no operation sends the key in `{scheme}`"));
            (*scheme, op)
        })
        .collect();
    assert_eq!(picked.len(), 3);
    picked
}

/// A server on another loopback address (127.0.0.2): another origin than the mock's 127.0.0.1.
async fn other_origin() -> wiremock::MockServer {
    let listener = std::net::TcpListener::bind("127.0.0.2:0").expect("127.0.0.2 is loopback");
    let server = wiremock::MockServer::builder()
        .listener(listener)
        .start()
        .await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "code": 0, "message": "ok", "data": {} })),
        )
        .mount(&server)
        .await;
    server
}

/// The mock answers every request of the operation with a redirect to `target`.
async fn redirecting(target: &str, status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).insert_header("location", target))
        .mount(server.server())
        .await;
    server
}

#[tokio::test]
async fn redirects_are_not_followed_and_the_key_stays_home_for_every_scheme() {
    let thief = other_origin().await;
    let target = format!("{}/collect", thief.uri());
    for (scheme, op) in one_operation_per_scheme() {
        for status in [301, 302, 303, 307, 308] {
            let server = redirecting(&target, status).await;
            let err = server
                .client()
                .call(op.name, mock::sample_input(op))
                .await
                .unwrap_err();
            match &err {
                Error::Http {
                    status: got,
                    location,
                    ..
                } => {
                    assert_eq!(*got, status, "{scheme} {}", op.name);
                    assert_eq!(location.as_deref(), Some(target.as_str()));
                }
                other => panic!("{scheme} {}: {other:?}", op.name),
            }
            assert!(err.to_string().contains("not followed"), "{err}");
            // The API was asked once, with the key where the scheme puts it; nothing went on.
            let home = server.server().received_requests().await.unwrap();
            assert_eq!(home.len(), 1, "{scheme}");
            assert!(home[0].headers.get(scheme).is_some(), "{scheme}");
            assert!(home[0].headers.get("referer").is_none());
        }
    }
    assert_eq!(
        thief.received_requests().await.unwrap().len(),
        0,
        "no request reached the other origin"
    );
}

#[tokio::test]
async fn a_user_client_that_follows_redirects_is_caught_and_named() {
    let thief = other_origin().await;
    let target = format!("{}/collect", thief.uri());
    // Against the advice: a client that follows redirects.
    let http = aitoearn::http_client_builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap();
    for (scheme, op) in one_operation_per_scheme() {
        let server = redirecting(&target, 307).await;
        let client = Client::builder()
            .api_key(mock::MOCK_API_KEY)
            .base_url(server.uri())
            .http_client(http.clone())
            .build()
            .unwrap();
        let err = client
            .call(op.name, mock::sample_input(op))
            .await
            .unwrap_err();
        let Error::Http {
            status, location, ..
        } = &err
        else {
            panic!("{scheme}: {err:?}")
        };
        assert_eq!(*status, 200, "the other origin's answer is not used");
        assert_eq!(location.as_deref(), Some(target.as_str()));
        let text = err.to_string();
        assert!(
            text.contains("another origin") && text.contains("rotate"),
            "{text}"
        );
        assert!(!text.contains(mock::MOCK_API_KEY));
    }
    // What the SDK cannot prevent with such a client (documented at `http_client`): reqwest
    // strips `Authorization` on a cross-origin redirect, not the other two headers. The
    // builder's `referer(false)` holds.
    let stolen = thief.received_requests().await.unwrap();
    assert_eq!(stolen.len(), 3);
    let carried: BTreeSet<_> = SCHEMES
        .iter()
        .filter(|s| stolen.iter().any(|r| r.headers.get(**s).is_some()))
        .collect();
    assert_eq!(
        carried,
        [&"X-Api-Key", &"x-goog-api-key"].into_iter().collect()
    );
    assert!(stolen.iter().all(|r| r.headers.get("referer").is_none()));
}

/// Values that would be resolved or collapsed as a path segment.
const DOT_SEGMENTS: [&str; 10] = [
    "",
    ".",
    "..",
    "%2e",
    "%2E%2e",
    ".%2E",
    "%2e.",
    "%252e%252e",
    "..\\",
    "a\\..\\b",
];

fn path_params(op: &Operation) -> Vec<&'static str> {
    op.path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
        .collect()
}

#[tokio::test]
async fn dot_segments_are_refused_for_every_path_parameter_before_sending() {
    let server = MockServer::start().await;
    let client = server.client();
    let mut cases = 0;
    for op in OPERATIONS.iter() {
        for param in path_params(op) {
            for bad in DOT_SEGMENTS {
                let mut input = mock::sample_input(op);
                input[param] = json!(bad);
                let err = client.call(op.name, input).await.unwrap_err();
                match &err {
                    Error::InvalidRequest { operation, reason } => {
                        assert_eq!(*operation, op.name);
                        assert!(reason.contains(&format!("`{param}`")), "{reason}");
                    }
                    other => panic!("{} {param}={bad:?}: {other:?}", op.name),
                }
                cases += 1;
            }
        }
    }
    assert!(cases >= 20 * DOT_SEGMENTS.len(), "{cases}");
    assert_eq!(
        server.server().received_requests().await.unwrap().len(),
        0,
        "nothing was sent"
    );
}

#[tokio::test]
async fn typed_methods_refuse_dot_segments_too() {
    let server = MockServer::start().await;
    let client = server.client();
    for bad in DOT_SEGMENTS {
        let err = client
            .auth_get_status("douyin", bad)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { operation: "auth_get_status", reason } if reason.contains("`sessionId`")),
            "{bad:?}: {err:?}"
        );
        let err = client.accounts_delete(bad).send().await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    }
    assert_eq!(server.server().received_requests().await.unwrap().len(), 0);
}

/// Percent-decodes one path segment.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn any_other_value_reaches_the_server_as_one_segment() {
    const ODD: [&str; 9] = [
        "a/b",
        "a?b=c",
        "a#b",
        "100%",
        "%2F",
        "with space",
        "ünïcödé-抖音",
        "...",
        ".hidden",
    ];
    let server = MockServer::start().await;
    let client = server.client();
    let mut sent = Vec::new();
    let mut refused_by_type = 0;
    for op in OPERATIONS.iter() {
        for param in path_params(op) {
            for value in ODD {
                let mut input = mock::sample_input(op);
                input[param] = json!(value);
                match client.call(op.name, input.clone()).await {
                    // An enum-typed parameter (`platform`) refuses what is not one of its values.
                    Err(Error::InvalidRequest { reason, .. })
                        if reason.contains("unknown variant") || reason.contains("convert") =>
                    {
                        refused_by_type += 1;
                    }
                    Err(Error::InvalidRequest { reason, .. }) => {
                        panic!("{} {param}={value:?}: {reason}", op.name)
                    }
                    _ => sent.push((op, param, value, input)),
                }
            }
        }
    }
    let received = server.server().received_requests().await.unwrap();
    assert_eq!(received.len(), sent.len(), "one request per accepted value");
    assert!(sent.len() >= 15 * ODD.len(), "{} sent", sent.len());
    for ((op, param, value, input), request) in sent.iter().zip(&received) {
        // The raw path has the template's segment count; the parameter's segment decodes to
        // the value, and every other segment is the template's.
        let template: Vec<&str> = op.path.split('/').collect();
        let actual: Vec<&str> = request.url.path().split('/').collect();
        assert_eq!(
            template.len(),
            actual.len(),
            "{} {value:?}: {}",
            op.name,
            request.url
        );
        for (t, a) in template.iter().zip(&actual) {
            let mut expected = t.to_string();
            for p in path_params(op) {
                let v: String = if p == *param {
                    value.to_string()
                } else {
                    match &input[p] {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    }
                };
                expected = expected.replace(&format!("{{{p}}}"), &v);
            }
            assert_eq!(
                decode(a),
                expected,
                "{} {param}={value:?}: {}",
                op.name,
                request.url
            );
        }
        assert!(request.url.fragment().is_none());
    }
    assert!(refused_by_type > 0);
}

#[tokio::test]
async fn header_values_with_control_bytes_are_refused_not_sent() {
    let server = MockServer::start().await;
    let client = server.client();
    for bad in ["id\r\nx-evil: 1", "id\nx", "id\rx", "id\0", "ïd"] {
        let err = client
            .platforms_list()
            .request_id(bad)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { operation: "platforms_list", reason } if reason.contains("request_id")),
            "{bad:?}: {err:?}"
        );
    }
    assert_eq!(server.server().received_requests().await.unwrap().len(), 0);
    // A valid one is sent as given.
    client
        .platforms_list()
        .request_id("caller-id-1")
        .send()
        .await
        .unwrap();
    let received = server.server().received_requests().await.unwrap();
    assert_eq!(
        received[0].headers.get("x-request-id").unwrap(),
        "caller-id-1"
    );
}

#[tokio::test]
async fn query_values_are_always_encoded() {
    let server = MockServer::start().await;
    let client = server.client();
    let odd = "g1&platform=evil#frag ü+%";
    client
        .auth_start("douyin")
        .group_id(odd)
        .send()
        .await
        .unwrap();
    let received = server.server().received_requests().await.unwrap();
    let pairs: Vec<(String, String)> = received[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(pairs, vec![("groupId".to_string(), odd.to_string())]);
    assert!(received[0].url.fragment().is_none());
}
