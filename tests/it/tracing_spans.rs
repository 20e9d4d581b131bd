//! One `tracing` span per call, with the operation, its request id and the HTTP status — and
//! nothing secret in any field.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const KEY: &str = "sk-tracing-secret-42";

#[derive(Default)]
struct Captured {
    spans: Vec<(String, HashMap<String, String>)>,
    events: Vec<HashMap<String, String>>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Captured>>, Arc<AtomicU64>);

struct Fields<'a>(&'a mut HashMap<String, String>);
impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_string(),
            format!("{value:?}").trim_matches('"').to_string(),
        );
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut fields = HashMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut c = self.0.lock().unwrap();
        c.spans.push((attrs.metadata().name().to_string(), fields));
        self.1.fetch_add(1, Ordering::SeqCst);
        Id::from_u64(c.spans.len() as u64)
    }
    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut c = self.0.lock().unwrap();
        let i = id.into_u64() as usize - 1;
        values.record(&mut Fields(&mut c.spans[i].1));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = HashMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().events.push(fields);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn one_span_per_call_with_ids_and_status_and_no_secrets() {
    let capture = Capture::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let request_ids = tracing::subscriber::with_default(capture.clone(), || {
        rt.block_on(async {
            let mock = aitoearn::mock::MockServer::start().await;
            let client = aitoearn::Client::builder()
                .api_key(KEY)
                .base_url(mock.uri())
                .retry_policy(aitoearn::RetryPolicy::none())
                .build()
                .unwrap();
            client
                .auth_start("douyin")
                .request_id("trace-1")
                .send()
                .await
                .unwrap();
            // Any platform string is sent (the seed overlay made `platform` a plain string).
            client.auth_start("tiktok").send().await.unwrap();
            mock.server().received_requests().await.unwrap().len()
        })
    });
    let captured = capture.0.lock().unwrap();
    let calls: Vec<_> = captured
        .spans
        .iter()
        .filter(|(name, _)| name == "aitoearn.call")
        .collect();
    assert_eq!(calls.len(), 2, "one span per call");
    let (_, first) = calls[0];
    assert_eq!(first["operation"], "auth_start");
    assert_eq!(first["operation_id"], "AuthController_startAuth_v2");
    assert_eq!(first["method"], "GET");
    assert_eq!(first["request_id"], "trace-1");
    assert_eq!(first["status"], "200");
    assert_eq!(first["attempts"], "1");
    let (_, second) = calls[1];
    assert_eq!(second["request_id"].len(), 32, "a generated id");
    assert_eq!(request_ids, 2, "both calls were sent");
    let everything = format!("{:?} {:?}", captured.spans, captured.events);
    assert!(!everything.contains(KEY), "a secret reached tracing");
}
