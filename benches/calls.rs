//! What the SDK costs per call, each figure beside its floor in the same run:
//!
//! - `call/seed`: `client.auth_start("douyin").send()` against a loopback HTTP/1.1 server that
//!   answers a fixed envelope, versus the same request made with a bare `reqwest::Client` and
//!   `serde_json::from_slice` into the same type.
//! - `decode/accounts_10k`: decoding an enveloped list of 10 000 accounts through the SDK's
//!   decoder versus plain serde into the same type.
//!
//! Before the timings it prints heap per call each way (allocations, bytes, peak), from a
//! counting global allocator.
//!
//! ```text
//! cargo bench --bench calls
//! ```

#[path = "support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::Duration;

use aitoearn::{Client, RetryPolicy, types};
use bytes::Bytes;
use criterion::{Criterion, Throughput};
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

#[global_allocator]
static ALLOCATOR: support::Counting = support::Counting;

/// The floor's envelope: what a hand-written client would decode into.
#[derive(Deserialize)]
struct Envelope<T> {
    code: i64,
    #[allow(dead_code)]
    message: String,
    data: Option<T>,
}

fn seed_body() -> Vec<u8> {
    json!({
        "code": 0,
        "message": "请求成功",
        "data": {
            "url": "https://open.douyin.com/platform/oauth/connect?client_key=x&state=abc",
            "sessionId": "sess-0123456789",
            "expiresAt": "2026-07-02T12:00:00.000Z",
            "authInstructions": { "en-US": "Scan the QR code", "zh-CN": "扫码授权" }
        },
        "requestId": "req-1",
        "timestamp": 1_772_099_056_662_i64
    })
    .to_string()
    .into_bytes()
}

/// A keep-alive HTTP/1.1 server on loopback that answers every request with `body`.
async fn fixed_server(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    let response: &'static [u8] = Box::leak(response.into_boxed_slice());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut pending = Vec::new();
                loop {
                    let n = match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    pending.extend_from_slice(&buf[..n]);
                    // GETs have no body: one answer per header block.
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        if socket.write_all(response).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn accounts_body(n: usize) -> Vec<u8> {
    // A valid account from the spec-driven mock, repeated.
    let op = aitoearn::Operation::find("accounts_list").unwrap();
    let (_, sample) = aitoearn::mock::sample_answer(op);
    let mut envelope: serde_json::Value = serde_json::from_slice(&sample).unwrap();
    let list = envelope["data"]["list"]
        .as_array_mut()
        .expect("accounts_list data has a list");
    let item = list[0].clone();
    *list = (0..n)
        .map(|i| {
            let mut a = item.clone();
            a["id"] = json!(format!("acc-{i}"));
            a
        })
        .collect();
    envelope.to_string().into_bytes()
}

fn report(label: &str, sdk: support::Heap, floor: support::Heap) {
    println!(
        "{label}: heap per call — SDK {} allocations / {} B (peak {} B); floor {} / {} B (peak {} B)",
        sdk.allocations, sdk.bytes, sdk.peak, floor.allocations, floor.bytes, floor.peak
    );
}

fn main() {
    let rt = Runtime::new().unwrap();
    let base = rt.block_on(fixed_server(seed_body()));
    let key = "sk-bench";
    let client = Client::builder()
        .api_key(key)
        .base_url(&base)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    // The floor uses the same HTTP stack and TLS setup, minus everything the SDK adds.
    let bare = aitoearn::http_client_builder().build().unwrap();
    let url = format!("{base}/api/v2/channels/accounts/auth/douyin");

    let sdk_call = || async {
        let auth = client.auth_start("douyin").send().await.unwrap();
        black_box(auth)
    };
    let floor_call = || async {
        let bytes = bare
            .get(&url)
            .header("x-api-key", key)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let env: Envelope<types::ops::auth_start::Output> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(env.code, 0);
        black_box(env.data)
    };

    // Heap per call, after a warm-up that opens the connections.
    rt.block_on(async {
        sdk_call().await;
        floor_call().await;
    });
    let (_, sdk) = support::measure(|| rt.block_on(sdk_call()));
    let (_, floor) = support::measure(|| rt.block_on(floor_call()));
    report("call/seed", sdk, floor);

    let accounts = Bytes::from(accounts_body(10_000));
    let (_, sdk) = support::measure(|| {
        aitoearn::__private::decode_envelope::<types::ops::accounts_list::Output>(accounts.clone())
            .unwrap()
    });
    let (_, floor) = support::measure(|| {
        serde_json::from_slice::<Envelope<types::ops::accounts_list::Output>>(&accounts).unwrap()
    });
    report("decode/accounts_10k", sdk, floor);
    println!("decode/accounts_10k: body {} bytes", accounts.len());

    let mut c = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    let mut g = c.benchmark_group("call/seed");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sdk", |b| b.to_async(&rt).iter(sdk_call));
    g.bench_function("floor", |b| b.to_async(&rt).iter(floor_call));
    g.finish();

    let mut g = c.benchmark_group("decode/accounts_10k");
    g.throughput(Throughput::Bytes(accounts.len() as u64));
    g.sample_size(20);
    g.bench_function("sdk", |b| {
        b.iter(|| {
            aitoearn::__private::decode_envelope::<types::ops::accounts_list::Output>(
                accounts.clone(),
            )
            .unwrap()
        })
    });
    g.bench_function("floor", |b| {
        b.iter(|| {
            serde_json::from_slice::<Envelope<types::ops::accounts_list::Output>>(&accounts)
                .unwrap()
        })
    });
    g.finish();

    c.final_summary();
}
