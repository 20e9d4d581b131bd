//! Publish to several accounts at once and follow each platform's task to its end; retry the
//! ones that failed.
//!
//! ```text
//! cargo run --example publish                                    # against the embedded mock
//! AITOEARN_API_KEY=sk-… cargo run --example publish -- flow.json # against the service
//! ```
//!
//! `flow.json` is the body of `publish_flow_create` (`aitoearn::types::ops::publish_flow_create::Body`):
//!
//! ```json
//! { "publishAt": "2026-07-02T12:00:00Z",
//!   "content": { "body": "Hello", "media": [{ "url": "https://…/clip.mp4" }] },
//!   "items": [{ "platform": "douyin", "accountId": "…", "option": { "short_title": "Hello" } }] }
//! ```
//!
//! Against the service this creates real posts. Without `AITOEARN_API_KEY`, a local mock plays
//! a flow to Douyin and Bilibili in which Bilibili fails first and succeeds on retry.

use std::error::Error;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aitoearn::flows::{Polling, PublishState};
use aitoearn::types::ops::publish_flow_create::Body as PublishFlowCreateBody;
use aitoearn::{Client, ENV_API_KEY};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let (client, body, mock) = if std::env::var(ENV_API_KEY).is_ok_and(|k| !k.trim().is_empty()) {
        let Some(file) = std::env::args().nth(1) else {
            eprintln!("usage: cargo run --example publish -- flow.json  (creates real posts)");
            std::process::exit(2);
        };
        let body: PublishFlowCreateBody = serde_json::from_str(&std::fs::read_to_string(file)?)?;
        (Client::from_env()?, body, None)
    } else {
        let mock = mock_service().await;
        eprintln!(
            "{ENV_API_KEY} is not set: using the embedded mock at {}",
            mock.uri()
        );
        let body = serde_json::from_value(json!({
            "publishAt": "2026-07-02T12:00:00Z",
            "content": { "body": "Hello from Rust", "media": [{ "url": "https://cdn.example.com/clip.mp4" }] },
            // Each platform has options of its own: a type per platform, sent as given.
            "items": [
                { "platform": "douyin", "accountId": "acc-douyin",
                  "option": { "short_title": "Hello", "private_status": 0 } },
                { "platform": "bilibili", "accountId": "acc-bilibili",
                  "option": { "tid": 21, "copyright": 2, "source": "https://example.com/original" } }
            ]
        }))?;
        (mock.client(), body, Some(mock))
    };

    let publication = client
        .publish(body)
        .polling(Polling::new(Duration::from_secs(2)))
        .send()
        .await?;
    println!("flow {}", publication.flow_id());
    if let Some(mock) = &mock {
        // What went on the wire: every platform's options, as given.
        let requests = mock.server().received_requests().await.unwrap_or_default();
        if let Some(create) = requests.iter().find(|r| r.method.as_str() == "POST") {
            let sent: Value = serde_json::from_slice(&create.body)?;
            for item in sent["items"].as_array().into_iter().flatten() {
                println!(
                    "sent {:<9} option {}",
                    item["platform"].as_str().unwrap_or(""),
                    item["option"]
                );
            }
        }
    }

    // Watch each change until every task is done.
    let mut updates = std::pin::pin!(publication.updates());
    let mut last = None;
    while let Some(state) = updates.try_next().await? {
        print_state(&state);
        last = Some(state);
    }
    let Some(state) = last else { return Ok(()) };

    let failed: Vec<String> = state.failed().map(|t| t.id.clone()).collect();
    if failed.is_empty() {
        return Ok(());
    }
    for id in &failed {
        println!("retrying {id}");
        publication.retry(id).await?;
    }
    let state = publication.wait().await?;
    print_state(&state);
    Ok(())
}

fn print_state(state: &PublishState) {
    println!("--");
    for t in &state.tasks {
        let detail = t.work_link.as_deref().or(t.error.as_deref()).unwrap_or("");
        println!(
            "  {:<10} {:<20} {detail}",
            t.platform,
            format!("{:?}", t.status)
        );
    }
}

/// The mock: Douyin publishes, Bilibili fails, then succeeds when retried.
async fn mock_service() -> aitoearn::mock::MockServer {
    let mock = aitoearn::mock::MockServer::start().await;
    let ok = |data: Value| {
        ResponseTemplate::new(200)
            .set_body_json(json!({ "code": 0, "message": "ok", "data": data }))
    };
    let flow = |douyin: Value, bilibili: Value| {
        ok(json!({ "flowId": "mock-flow", "tasks": [
            { "id": "task-douyin", "accountId": "acc-douyin", "platform": "douyin", "status": douyin[0], "workLink": douyin[1], "errorMsg": douyin[2] },
            { "id": "task-bilibili", "accountId": "acc-bilibili", "platform": "bilibili", "status": bilibili[0], "workLink": bilibili[1], "errorMsg": bilibili[2] }
        ] }))
    };
    let queued = json!([6, null, null]);
    let publishing = json!([2, null, null]);
    let published = |link: &str| json!([1, link, null]);
    let failed = json!([-1, null, "分区 tid 无效 (invalid category)"]);
    Mock::given(method("POST"))
        .and(path("/api/v2/channels/publish/flows"))
        .respond_with(flow(queued.clone(), queued.clone()))
        .mount(mock.server())
        .await;
    let get = "/api/v2/channels/publish/flows/mock-flow";
    let states = [
        flow(publishing.clone(), queued),
        flow(published("https://v.douyin.com/mock"), publishing),
        flow(published("https://v.douyin.com/mock"), failed),
    ];
    for (i, answer) in states.into_iter().enumerate() {
        let m = Mock::given(method("GET"))
            .and(path(get))
            .respond_with(answer)
            .with_priority(i as u8 + 2);
        let m = if i < 2 { m.up_to_n_times(1) } else { m };
        m.mount(mock.server()).await;
    }
    // Once retried, Bilibili publishes.
    let server = mock.server();
    let retried = ok(json!({ "taskId": "task-bilibili" }));
    Mock::given(method("POST"))
        .and(path("/api/v2/channels/publish/tasks/task-bilibili/retry"))
        .respond_with(move |_: &wiremock::Request| {
            RETRIED.store(true, Ordering::SeqCst);
            retried.clone()
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(get))
        .and(|_: &wiremock::Request| RETRIED.load(Ordering::SeqCst))
        .respond_with(flow(
            published("https://v.douyin.com/mock"),
            published("https://b23.tv/mock"),
        ))
        .with_priority(1)
        .mount(server)
        .await;
    mock
}

/// Whether the mock received the retry.
static RETRIED: AtomicBool = AtomicBool::new(false);
