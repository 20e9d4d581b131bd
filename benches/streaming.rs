//! Consuming a long event stream: the SDK's `EventStream` (its own parser, `src/sse.rs`) against
//! `eventsource-stream` (a dev-dependency only, as the baseline) used directly on the same bytes, with each event's data decoded to `serde_json::Value` both ways.
//!
//! - `in_memory`: 100 000 OpenAI `chat.completion.chunk` events and `[DONE]`, in 8 KiB reads
//!   (the size of hyper's first read buffer) from an in-memory stream; the SDK side goes through
//!   `EventStream::from_byte_stream`, the parser an answer's body goes through.
//! - `loopback`: the same body from a local HTTP/1.1 server (chunked, 16 KiB chunks), read by
//!   `client.relay_chat_completions().stream()` against reqwest + `eventsource-stream`.
//! - `long_line`: one 2 MiB event (a base64 image, as streamed image generation sends) in
//!   16 KiB reads.
//!
//! Before the timings it prints the peak heap each way takes while consuming (a counting global
//! allocator; the input body itself is allocated beforehand and not counted), and the
//! events/s of both ways from alternating runs, with their ratio (robust to a busy machine).
//!
//! ```text
//! cargo bench --bench streaming -- --quick
//! ```

use std::convert::Infallible;
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aitoearn::{Client, EventStream, types};
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use eventsource_stream::Eventsource;
use futures_util::{Stream, StreamExt, stream};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

// ---------------------------------------------------------------------------------------------
// Heap accounting.

#[path = "support/mod.rs"]
mod support;

#[global_allocator]
static ALLOCATOR: support::Counting = support::Counting;

/// Runs `f` and returns its output with the most heap it held above what was live before.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let (out, heap) = support::measure(f);
    (out, heap.peak)
}

// ---------------------------------------------------------------------------------------------
// Input.

const EVENTS: usize = 100_000;
const READ: usize = 8 * 1024;
const HTTP_CHUNK: usize = 16 * 1024;
const LONG_LINE: usize = 2 << 20;

/// `EVENTS` OpenAI chunks and `[DONE]`, as the service sends them.
fn chat_body() -> Vec<u8> {
    let mut body = String::with_capacity(EVENTS * 200);
    for i in 0..EVENTS {
        let chunk = json!({
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": 1_772_099_056,
            "model": "gpt-5.6-terra",
            "choices": [{ "index": 0, "delta": { "content": format!("tok{i} ") }, "finish_reason": null }],
        });
        body.push_str("data: ");
        body.push_str(&chunk.to_string());
        body.push_str("\n\n");
    }
    body.push_str("data: [DONE]\n\n");
    body.into_bytes()
}

/// One event whose data is a `LONG_LINE`-byte base64 string.
fn long_line_body() -> Vec<u8> {
    format!(
        "event: image_generation.partial_image\ndata: {{\"b64_json\":\"{}\"}}\n\n",
        "A".repeat(LONG_LINE)
    )
    .into_bytes()
}

fn reads(body: &[u8], size: usize) -> Vec<Bytes> {
    let body = Bytes::copy_from_slice(body);
    (0..body.len())
        .step_by(size)
        .map(|i| body.slice(i..(i + size).min(body.len())))
        .collect()
}

fn in_memory(
    reads: &[Bytes],
) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + Sync + use<> {
    // Owned (the stream must be `'static`); cloning a `Bytes` only counts a reference.
    let reads: Vec<Bytes> = reads.to_vec();
    stream::iter(reads.into_iter().map(Ok))
}

// ---------------------------------------------------------------------------------------------
// The two consumers. Both decode every event's data; both return the number of events and the
// length of the last one's `choices[0].delta.content` (so nothing is optimised away).

/// `eventsource-stream` directly, stopping at `[DONE]`, as one would by hand.
async fn consume_direct<S, E>(bytes: S) -> (usize, usize)
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Debug,
{
    let mut events = std::pin::pin!(bytes.eventsource());
    let (mut n, mut last) = (0, 0);
    while let Some(event) = events.next().await {
        let event = event.expect("a well-formed stream");
        if event.data == "[DONE]" {
            break;
        }
        let data: Value = serde_json::from_str(&event.data).expect("JSON data");
        last = token_len(&data);
        n += 1;
    }
    (n, last)
}

/// The SDK's `EventStream`.
async fn consume_sdk(mut events: EventStream<Value>) -> (usize, usize) {
    let (mut n, mut last) = (0, 0);
    while let Some(event) = events.next().await {
        let event = event.expect("a well-formed stream");
        last = token_len(&event.data);
        n += 1;
    }
    (n, last)
}

fn token_len(data: &Value) -> usize {
    data["choices"][0]["delta"]["content"]
        .as_str()
        .or(data["b64_json"].as_str())
        .map_or(0, str::len)
}

// ---------------------------------------------------------------------------------------------
// Loopback server.

/// Serves `response` (a whole HTTP answer) to every connection, then closes it.
async fn serve(response: Arc<Vec<u8>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let _ = socket.set_nodelay(true);
                // Read the request: head, then `content-length` bytes of body.
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut tmp).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&tmp[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break;
                    }
                }
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

/// The chunked HTTP answer carrying `body`.
fn http_response(body: &[u8]) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
        transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
        .to_vec();
    for chunk in body.chunks(HTTP_CHUNK) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn request_body() -> types::ops::relay_chat_completions::Body {
    serde_json::from_value(json!({
        "model": "gpt-5.6-terra",
        "messages": [{ "role": "user", "content": "hi" }],
        "stream": true
    }))
    .expect("a valid body")
}

struct Loopback {
    url: String,
    sdk: Client,
    http: reqwest::Client,
}

impl Loopback {
    async fn start(body: &[u8]) -> Self {
        let addr = serve(Arc::new(http_response(body))).await;
        Self {
            url: format!("http://{addr}/api/ai/chat/completions"),
            sdk: Client::builder()
                .api_key("k")
                .base_url(format!("http://{addr}"))
                .build()
                .expect("a client"),
            // The SDK's own reqwest configuration (TLS provider, timeouts, user agent).
            http: aitoearn::http_client_builder()
                .build()
                .expect("an HTTP client"),
        }
    }

    async fn sdk(&self) -> (usize, usize) {
        let events = self
            .sdk
            .relay_chat_completions()
            .body(request_body())
            .stream()
            .await
            .expect("a stream");
        consume_sdk(events).await
    }

    async fn direct(&self) -> (usize, usize) {
        let response = self
            .http
            .post(&self.url)
            .bearer_auth("k")
            .header("accept", "text/event-stream")
            .json(&request_body())
            .send()
            .await
            .expect("an answer");
        consume_direct(response.bytes_stream()).await
    }
}

// ---------------------------------------------------------------------------------------------

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn memory_report(rt: &Runtime, chat: &[Bytes], long: &[Bytes], loopback: &Loopback) {
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    let row = |name: &str, (out, peak): ((usize, usize), usize), secs: f64| {
        println!(
            "{name:<24} {:>7} events  peak heap {:>8.2} MiB  ({:>9.0} events/s, one run)",
            out.0,
            mib(peak),
            out.0 as f64 / secs
        );
    };
    let timed = |f: &mut dyn FnMut() -> (usize, usize)| {
        let t = Instant::now();
        let r = peak_heap(f);
        (r, t.elapsed().as_secs_f64())
    };
    println!("peak heap while consuming (input excluded):");
    for (name, input) in [("in_memory", chat), ("long_line", long)] {
        let (r, s) = timed(&mut || rt.block_on(consume_direct(in_memory(input))));
        row(&format!("{name}/direct"), r, s);
        let (r, s) = timed(&mut || {
            rt.block_on(consume_sdk(EventStream::from_byte_stream(
                "bench",
                in_memory(input),
            )))
        });
        row(&format!("{name}/sdk"), r, s);
    }
    let (r, s) = timed(&mut || rt.block_on(loopback.direct()));
    row("loopback/direct", r, s);
    let (r, s) = timed(&mut || rt.block_on(loopback.sdk()));
    row("loopback/sdk", r, s);
    println!();
}

/// Events per second of both ways, from runs taken in alternation (so that a change in the
/// machine's load hits both alike), and their ratio: the medians of `RUNS` runs each.
fn interleaved_report(rt: &Runtime, chat: &[Bytes], loopback: &Loopback) {
    const RUNS: usize = 11;
    let rate = |f: &mut dyn FnMut() -> (usize, usize)| {
        let t = Instant::now();
        let (n, _) = f();
        n as f64 / t.elapsed().as_secs_f64()
    };
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("events/s, median of {RUNS} alternating runs each:");
    type Run<'a> = Box<dyn FnMut() -> (usize, usize) + 'a>;
    let cases: [(&str, Run<'_>, Run<'_>); 2] = [
        (
            "in_memory",
            Box::new(|| rt.block_on(consume_direct(in_memory(chat)))),
            Box::new(|| {
                rt.block_on(consume_sdk(EventStream::from_byte_stream(
                    "bench",
                    in_memory(chat),
                )))
            }),
        ),
        (
            "loopback",
            Box::new(|| rt.block_on(loopback.direct())),
            Box::new(|| rt.block_on(loopback.sdk())),
        ),
    ];
    for (name, mut direct, mut sdk) in cases {
        let (mut d, mut s) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            d.push(rate(&mut direct));
            s.push(rate(&mut sdk));
        }
        let (d, s) = (median(d), median(s));
        println!(
            "{name:<10} direct {d:>9.0}  sdk {s:>9.0}  sdk/direct {:.3}",
            s / d
        );
    }
    println!();
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();

    let rt = runtime();
    let chat = chat_body();
    let long = long_line_body();
    let chat_reads = reads(&chat, READ);
    let long_reads = reads(&long, HTTP_CHUNK);
    let loopback = rt.block_on(Loopback::start(&chat));

    // Both sides see the same events.
    let direct = rt.block_on(consume_direct(in_memory(&chat_reads)));
    let sdk = rt.block_on(consume_sdk(EventStream::from_byte_stream(
        "bench",
        in_memory(&chat_reads),
    )));
    assert_eq!(direct, sdk);
    assert_eq!(direct.0, EVENTS);
    assert_eq!(rt.block_on(loopback.sdk()), direct);
    assert_eq!(rt.block_on(loopback.direct()), direct);

    if !std::env::args().any(|a| a == "--list") {
        memory_report(&rt, &chat_reads, &long_reads, &loopback);
        interleaved_report(&rt, &chat_reads, &loopback);
    }

    for (group, input, elements) in [
        ("in_memory", &chat_reads, EVENTS as u64),
        ("long_line", &long_reads, 1),
    ] {
        let mut g = criterion.benchmark_group(group);
        g.sampling_mode(SamplingMode::Flat);
        g.throughput(Throughput::Elements(elements));
        g.bench_function(BenchmarkId::from_parameter("direct"), |b| {
            b.iter(|| black_box(rt.block_on(consume_direct(in_memory(input)))))
        });
        g.bench_function(BenchmarkId::from_parameter("sdk"), |b| {
            b.iter(|| {
                black_box(rt.block_on(consume_sdk(EventStream::from_byte_stream(
                    "bench",
                    in_memory(input),
                ))))
            })
        });
        g.finish();
    }

    let mut g = criterion.benchmark_group("loopback");
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.bench_function(BenchmarkId::from_parameter("direct"), |b| {
        b.iter(|| black_box(rt.block_on(loopback.direct())))
    });
    g.bench_function(BenchmarkId::from_parameter("sdk"), |b| {
        b.iter(|| black_box(rt.block_on(loopback.sdk())))
    });
    g.finish();

    criterion.final_summary();
}
