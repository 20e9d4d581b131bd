//! Issue 20: every failure says whether the request may have taken effect. Misbehaving raw-TCP
//! servers, a GET and a POST each: the error kind, whether the request was sent,
//! `outcome_unknown()`, and how many requests the server saw (retries included).

use std::time::Duration;

use aitoearn::flows::FlowError;
use aitoearn::mock::{self, MockServer};
use aitoearn::{Client, Error, Operation, RetryPolicy};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::support::{Read, Seen, raw_server_reading};

const KEY: &str = "sk-outcome-secret-5";

fn client(base: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(2)
                .initial_delay(Duration::from_millis(10))
                .max_delay(Duration::from_millis(20)),
        )
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    Refused,
    DropBeforeReading,
    DropAfterReading,
    HalfAnswer,
    IdleAfterRequest,
    Gateway502,
}

const FAULTS: [Fault; 6] = [
    Fault::Refused,
    Fault::DropBeforeReading,
    Fault::DropAfterReading,
    Fault::HalfAnswer,
    Fault::IdleAfterRequest,
    Fault::Gateway502,
];

async fn closed_port() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

async fn server(fault: Fault) -> (String, Option<Seen>) {
    let read = match fault {
        Fault::Refused => return (closed_port().await, None),
        Fault::DropBeforeReading => Read::Nothing,
        _ => Read::Whole,
    };
    let (base, seen) = raw_server_reading(read, move |s| script(fault, s)).await;
    (base, Some(seen))
}

/// What the server does once it has read what it reads.
async fn script(fault: Fault, mut s: TcpStream) {
    match fault {
        Fault::Refused | Fault::DropBeforeReading | Fault::DropAfterReading => drop(s),
        Fault::HalfAnswer => {
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"code\":0,\"data\":{")
                .await;
            let _ = s.flush().await;
        }
        Fault::IdleAfterRequest => {
            tokio::time::sleep(Duration::from_secs(10)).await;
            drop(s);
        }
        Fault::Gateway502 => {
            let _ = s
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 11\r\n\r\nbad gateway")
                .await;
            let _ = s.flush().await;
        }
    }
}

/// One row of the closing note's table.
#[derive(Debug)]
struct Row {
    fault: Fault,
    method: &'static str,
    kind: String,
    sent: Option<bool>,
    unknown: bool,
    connections: usize,
    requests: usize,
    text: String,
}

async fn run(fault: Fault, method: &'static str) -> Row {
    let (base, seen) = server(fault).await;
    let c = client(&base);
    let result = tokio::time::timeout(Duration::from_secs(20), async {
        match method {
            "GET" => c.account_groups_list().send().await.map(|_| ()),
            _ => c
                .account_groups_create()
                .body_map(|b| b.name("team"))
                .send()
                .await
                .map(|_| ()),
        }
    })
    .await
    .expect("the call hung");
    let err = result.unwrap_err();
    let kind = match &err {
        Error::Transport { kind, .. } => format!("Transport::{kind:?}"),
        Error::Http { status, .. } => format!("Http {status}"),
        other => format!("{other:?}"),
    };
    assert!(!err.to_string().contains(KEY));
    Row {
        fault,
        method,
        kind,
        sent: err.request_sent(),
        unknown: err.outcome_unknown(),
        connections: seen.as_ref().map_or(0, Seen::connections),
        requests: seen.as_ref().map_or(0, Seen::requests),
        text: err.to_string(),
    }
}

#[tokio::test]
async fn every_failure_says_whether_the_request_may_have_taken_effect() {
    let mut rows = Vec::new();
    for fault in FAULTS {
        for method in ["GET", "POST"] {
            rows.push(run(fault, method).await);
        }
    }
    let mut table = String::from(
        "| failure | method | error | sent? | outcome_unknown | retried? | connections / requests seen |\n|---|---|---|---|---|---|---|\n",
    );
    for r in &rows {
        // Refused attempts reach no server; `a_post_is_retried_automatically_when_nothing_was_sent`
        // shows they are repeated.
        let retried = r.connections > 1 || r.fault == Fault::Refused;
        table.push_str(&format!(
            "| {:?} | {} | {} | {:?} | {} | {} | {} / {} |\n",
            r.fault, r.method, r.kind, r.sent, r.unknown, retried, r.connections, r.requests
        ));
    }
    eprintln!("{table}");

    for r in &rows {
        let get = r.method == "GET";
        let ctx = format!("{:?} {}: {}", r.fault, r.method, r.text);
        match r.fault {
            Fault::Refused => {
                assert_eq!(r.kind, "Transport::Connect", "{ctx}");
                assert_eq!(r.sent, Some(false), "{ctx}");
                assert!(!r.unknown, "{ctx}");
                assert!(r.text.contains("not sent"), "{ctx}");
            }
            Fault::Gateway502 => {
                assert_eq!(r.kind, "Http 502", "{ctx}");
                assert_eq!(r.sent, Some(true), "{ctx}");
                assert_eq!(r.unknown, !get, "{ctx}");
                // A GET is retried on 502; a POST is not.
                assert_eq!(r.requests, if get { 3 } else { 1 }, "{ctx}");
            }
            Fault::DropBeforeReading => {
                assert_eq!(r.kind, "Transport::Io", "{ctx}");
                assert_eq!(r.requests, 0, "{ctx}");
                // hyper tells which: when the close reached the client before it began writing,
                // the request was "canceled" (never started) and is safe to repeat, also as a
                // POST; when the client had begun writing, it may have been read.
                match r.sent {
                    Some(false) => {
                        assert!(!r.unknown, "{ctx}");
                        assert_eq!(r.connections, 3, "{ctx}: retried, a POST too");
                    }
                    _ => {
                        assert_eq!(r.unknown, !get, "{ctx}");
                        assert_eq!(r.connections, if get { 3 } else { 1 }, "{ctx}");
                    }
                }
            }
            Fault::DropAfterReading | Fault::HalfAnswer | Fault::IdleAfterRequest => {
                let kind = if r.fault == Fault::IdleAfterRequest {
                    "Transport::Timeout"
                } else {
                    "Transport::Io"
                };
                assert_eq!(r.kind, kind, "{ctx}");
                // The connection was open and the request written: the client cannot know
                // whether the service read it.
                assert_eq!(r.sent, Some(true), "{ctx}");
                assert_eq!(r.unknown, !get, "{ctx}");
                assert_eq!(r.connections, if get { 3 } else { 1 }, "{ctx}");
                assert_eq!(r.requests, r.connections, "{ctx}");
            }
        }
        if r.unknown {
            assert!(
                r.text.contains(
                    "the request was sent; the service may have acted on it — check before repeating"
                ),
                "{ctx}"
            );
            assert!(r.text.contains("`account_groups_list`"), "{ctx}");
        } else {
            assert!(!r.text.contains("may have acted"), "{ctx}");
        }
    }
}

#[tokio::test]
async fn a_post_is_retried_automatically_when_nothing_was_sent() {
    // The first attempt finds the port closed; the server opens it before the retry.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let opened = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let listener = std::net::TcpListener::bind(addr).unwrap();
        let server = wiremock::MockServer::builder()
            .listener(listener)
            .start()
            .await;
        let op = Operation::find("account_groups_create").unwrap();
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(mock::sample_response(op))
            .mount(&server)
            .await;
        server
    });
    let c = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://{addr}"))
        .retry_policy(
            RetryPolicy::default()
                .max_retries(3)
                .jitter(false)
                .initial_delay(Duration::from_millis(200)),
        )
        .build()
        .unwrap();
    let created = c
        .account_groups_create()
        .body_map(|b| b.name("team"))
        .send()
        .await;
    let server = opened.await.unwrap();
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // Opted out: not even then.
    let port = closed_port().await;
    let err = client(&port)
        .account_groups_create()
        .body_map(|b| b.name("team"))
        .retry(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.request_sent(), Some(false));
}

#[test]
fn the_operations_to_check_with_come_from_the_spec() {
    let create = Operation::find("publish_flow_create").unwrap();
    let names: Vec<_> = create.check_with().map(|o| o.name).collect();
    for expected in [
        "publish_flow_get",
        "publish_record_list",
        "publish_record_list_queued",
        "publish_record_list_published",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    assert!(
        names
            .iter()
            .all(|n| Operation::find(n).unwrap().method == "GET")
    );
    // Reading operations have nothing to check.
    assert_eq!(
        Operation::find("publish_flow_get")
            .unwrap()
            .check_with()
            .count(),
        0
    );
    // Every operation that changes something and has a reading sibling names it.
    let with_checks = aitoearn::OPERATIONS
        .iter()
        .filter(|o| o.method != "GET" && o.check_with().next().is_some())
        .count();
    assert!(with_checks >= 15, "{with_checks}");
}

fn publish_body(flow_id: Option<&str>) -> aitoearn::types::ops::publish_flow_create::Body {
    let op = Operation::find("publish_flow_create").unwrap();
    let mut body = mock::sample_input(op)["body"].take();
    match flow_id {
        Some(id) => body["flowId"] = json!(id),
        None => {
            body.as_object_mut().unwrap().remove("flowId");
        }
    }
    serde_json::from_value(body).unwrap()
}

fn sent_flow_id(seen: &Seen) -> String {
    let bodies = seen.bodies();
    assert_eq!(bodies.len(), 1, "the create was sent once");
    let body: Value = serde_json::from_slice(&bodies[0]).unwrap();
    body["flowId"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn publish_after_a_lost_answer_returns_the_flow_id_it_sent_and_does_not_repeat() {
    for fault in [
        Fault::DropAfterReading,
        Fault::HalfAnswer,
        Fault::IdleAfterRequest,
        Fault::Gateway502,
    ] {
        for given in [None, Some("caller-flow-7")] {
            let (base, seen) = server(fault).await;
            let seen = seen.unwrap();
            let err = client(&base)
                .publish(publish_body(given))
                .send()
                .await
                .unwrap_err();
            let FlowError::PublishOutcomeUnknown { flow_id, source } = &err else {
                panic!("{fault:?}: {err:?}")
            };
            assert!(source.outcome_unknown());
            assert_eq!(*flow_id, sent_flow_id(&seen), "{fault:?}");
            match given {
                Some(id) => assert_eq!(flow_id, id),
                None => assert!(flow_id.starts_with("aitoearn-") && flow_id.len() > 20),
            }
            assert_eq!(seen.requests(), 1, "{fault:?}: never repeated");
            assert!(err.to_string().contains(flow_id.as_str()));
        }
    }
}

#[tokio::test]
async fn publish_retries_only_what_was_not_sent() {
    let (base, seen) = server(Fault::DropBeforeReading).await;
    let err = client(&base)
        .publish(publish_body(None))
        .send()
        .await
        .unwrap_err();
    // Dropped before the server read anything: either hyper saw the close before writing
    // (not sent: the create is retried, and fails for good as an API error), or it had begun
    // writing (the outcome is unknown, nothing is repeated).
    let seen = seen.unwrap();
    assert_eq!(seen.requests(), 0);
    match &err {
        FlowError::Api(e) if e.request_sent() == Some(false) => {
            assert_eq!(seen.connections(), 3, "retried: nothing was sent")
        }
        FlowError::PublishOutcomeUnknown { .. } => assert_eq!(seen.connections(), 1),
        other => panic!("{other:?}"),
    }

    let refused = closed_port().await;
    let err = client(&refused)
        .publish(publish_body(None))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FlowError::Api(e) if e.request_sent() == Some(false)),
        "{err:?}"
    );

    // A successful create carries the SDK's flowId.
    let server = MockServer::start().await;
    server
        .client()
        .publish(publish_body(None))
        .send()
        .await
        .unwrap();
    let received = server.server().received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert!(body["flowId"].as_str().unwrap().starts_with("aitoearn-"));
}
