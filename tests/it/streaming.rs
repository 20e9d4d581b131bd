//! Streaming operations end to end, against a local HTTP/1.1 server on a bare `TcpListener`
//! (`support`'s listener and request reader): it answers with raw bytes in chunked transfer-encoding, one HTTP chunk per
//! write, with the chunking and timing each test needs. Every test calls the SDK's real methods
//! and is bounded in time.

use std::future::Future;
use std::time::{Duration, Instant};

use aitoearn::{Client, Error, Event, EventStream, TransportKind, types};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::{sleep, timeout};

use crate::support::{self, Request};

const KEY: &str = "sk-stream-test";

/// Fails the test instead of hanging.
async fn bounded<F: Future>(f: F) -> F::Output {
    timeout(Duration::from_secs(15), f)
        .await
        .expect("the test did not finish within 15 s")
}

/// The server's side of the one connection of a test.
struct Conn {
    socket: TcpStream,
}

impl Conn {
    /// Status line and headers of a chunked answer.
    async fn head(&mut self, status: &str, content_type: &str) -> std::io::Result<()> {
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\n\
             cache-control: no-cache\r\n\r\n"
        );
        self.socket.write_all(head.as_bytes()).await?;
        self.socket.flush().await
    }

    /// One HTTP chunk, written and flushed at once.
    async fn chunk(&mut self, data: impl AsRef<[u8]>) -> std::io::Result<()> {
        let data = data.as_ref();
        assert!(!data.is_empty(), "an empty chunk would end the body");
        let mut frame = format!("{:x}\r\n", data.len()).into_bytes();
        frame.extend_from_slice(data);
        frame.extend_from_slice(b"\r\n");
        self.socket.write_all(&frame).await?;
        self.socket.flush().await
    }

    /// The last chunk: the body ends cleanly.
    async fn end(&mut self) -> std::io::Result<()> {
        self.socket.write_all(b"0\r\n\r\n").await?;
        self.socket.flush().await
    }

    /// An SSE answer: the head, each piece as its own chunk `gap` apart, the end.
    async fn sse(&mut self, pieces: &[&[u8]], gap: Duration) -> std::io::Result<()> {
        self.head("200 OK", "text/event-stream; charset=utf-8")
            .await?;
        for piece in pieces {
            self.chunk(piece).await?;
            if !gap.is_zero() {
                sleep(gap).await;
            }
        }
        self.end().await
    }

    /// Waits until the client closes the connection (the read ends or fails, or a keep-alive
    /// comment can no longer be written) and returns when that was seen.
    async fn wait_closed(&mut self) -> Instant {
        let mut buf = [0u8; 256];
        loop {
            tokio::select! {
                read = self.socket.read(&mut buf) => match read {
                    Ok(0) | Err(_) => return Instant::now(),
                    Ok(_) => {}
                },
                () = sleep(Duration::from_millis(20)) => {
                    if self.chunk(b": keep-alive\n\n").await.is_err() {
                        return Instant::now();
                    }
                }
            }
        }
    }

    async fn read_request(&mut self) -> Request {
        support::read_request(&mut self.socket, true)
            .await
            .expect("the client sent a whole request before closing")
    }
}

/// Starts a server for one connection on 127.0.0.1, and a client for it. `script` writes the
/// answer; the task resolves to the request and what the script returned.
async fn serve<F, Fut, R>(script: F) -> (Client, JoinHandle<(Request, R)>)
where
    F: FnOnce(Conn) -> Fut + Send + 'static,
    Fut: Future<Output = R> + Send,
    R: Send + 'static,
{
    serve_with(script, |b| b).await
}

async fn serve_with<F, Fut, R>(
    script: F,
    configure: impl FnOnce(aitoearn::ClientBuilder) -> aitoearn::ClientBuilder,
) -> (Client, JoinHandle<(Request, R)>)
where
    F: FnOnce(Conn) -> Fut + Send + 'static,
    Fut: Future<Output = R> + Send,
    R: Send + 'static,
{
    let (listener, url) = support::listen().await;
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        socket.set_nodelay(true).unwrap();
        let mut conn = Conn { socket };
        let request = conn.read_request().await;
        let out = script(conn).await;
        (request, out)
    });
    let client = configure(Client::builder().api_key(KEY).base_url(url))
        .build()
        .unwrap();
    (client, task)
}

fn chat_body() -> types::ops::relay_chat_completions::Body {
    serde_json::from_value(json!({
        "model": "gpt-5.6-terra",
        "messages": [{ "role": "user", "content": "hi" }],
        "stream": true
    }))
    .unwrap()
}

fn claude_body() -> types::ops::relay_claude_messages::Body {
    serde_json::from_value(json!({
        "model": "claude-sonnet",
        "max_tokens": 64,
        "messages": [{ "role": "user", "content": "hi" }]
    }))
    .unwrap()
}

/// `relay_chat_completions().stream()`, which must succeed.
async fn chat_stream(client: &Client) -> EventStream<Value> {
    client
        .relay_chat_completions()
        .body(chat_body())
        .stream()
        .await
        .expect("an event stream")
}

/// Every item of a stream, then checks that it stays ended.
async fn drain(mut events: EventStream<Value>) -> Vec<aitoearn::Result<Event<Value>>> {
    let mut out = Vec::new();
    while let Some(item) = events.next().await {
        out.push(item);
    }
    assert!(events.next().await.is_none(), "an ended stream stays ended");
    out
}

/// The data of every item; panics on an error item.
fn data(items: Vec<aitoearn::Result<Event<Value>>>) -> Vec<Value> {
    items
        .into_iter()
        .map(|item| item.expect("an event, not an error").data)
        .collect()
}

/// An OpenAI chat completion chunk carrying `token`.
fn openai_chunk(token: &str) -> String {
    let chunk = json!({
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": "gpt-5.6-terra",
        "choices": [{ "index": 0, "delta": { "content": token }, "finish_reason": null }]
    });
    format!("data: {chunk}\n\n")
}

fn token(data: &Value) -> &str {
    data["choices"][0]["delta"]["content"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn request_asks_for_events_and_events_split_across_reads_are_reassembled() {
    bounded(async {
        // Every byte its own HTTP chunk, a few milliseconds apart, so the client reads the body
        // in pieces that cut field names, the JSON, a CRLF and a multi-byte character.
        let body = format!(
            "{}event: delta\r\ndata: {{\"text\":\"日本\"}}\r\n\r\ndata: [DONE]\n\n",
            openai_chunk("Hel")
        );
        let (client, server) = serve(move |mut c| async move {
            let bytes: Vec<&[u8]> = body.as_bytes().chunks(1).collect();
            c.sse(&bytes, Duration::from_millis(1)).await.unwrap();
        })
        .await;
        let events = drain(chat_stream(&client).await).await;
        let (request, ()) = server.await.unwrap();

        assert_eq!(events.len(), 2, "{events:?}");
        let first = events[0].as_ref().unwrap();
        assert_eq!(
            (first.event.as_str(), token(&first.data)),
            ("message", "Hel")
        );
        let second = events[1].as_ref().unwrap();
        assert_eq!(second.event, "delta");
        assert_eq!(second.data, json!({ "text": "日本" }));

        assert_eq!(
            request.request_line(),
            "POST /api/ai/chat/completions HTTP/1.1"
        );
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        let accept = request.header("accept").unwrap();
        assert!(accept.contains("text/event-stream"), "{accept}");
        assert_eq!(request.json()["stream"], json!(true));
    })
    .await;
}

#[tokio::test]
async fn several_events_in_one_read() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            let one_read = format!(
                "{}{}{}data: [DONE]\n\n",
                openai_chunk("a"),
                openai_chunk("b"),
                openai_chunk("c")
            );
            c.sse(&[one_read.as_bytes()], Duration::ZERO).await.unwrap();
        })
        .await;
        let events = data(drain(chat_stream(&client).await).await);
        let tokens: Vec<&str> = events.iter().map(token).collect();
        assert_eq!(tokens, ["a", "b", "c"]);
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn anthropic_events_multi_line_data_event_and_id_fields() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            let pieces: [&[u8]; 5] = [
                b"event: message_start\nid: 1\ndata: {\"type\":\"message_start\"}\n\n",
                // Two data lines: joined with a newline, which JSON takes as whitespace.
                b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\ndata: \"delta\":{\"text\":\"Hi\"}}\n\n",
                // No `event:`: "message"; `id` with no value resets the last event id.
                b"id\ndata: {\"type\":\"ping\"}\n\n",
                b"event: message_stop\nid: 3\ndata: {\"type\":\"message_stop\"}\n\n",
                // `event:` without data dispatches nothing.
                b"event: orphan\n\n",
            ];
            c.sse(&pieces, Duration::from_millis(5)).await.unwrap();
        })
        .await;
        let events = client
            .relay_claude_messages()
            .body(claude_body())
            .send()
            .await
            .unwrap();
        let events: Vec<Event<Value>> = drain(events)
            .await
            .into_iter()
            .map(|e| e.unwrap())
            .collect();
        let (request, ()) = server.await.unwrap();

        let seen: Vec<(&str, Option<&str>, &Value)> = events
            .iter()
            .map(|e| (e.event.as_str(), e.id.as_deref(), &e.data["type"]))
            .collect();
        assert_eq!(
            seen,
            [
                ("message_start", Some("1"), &json!("message_start")),
                // The last event id carries over to later events (WHATWG).
                ("content_block_delta", Some("1"), &json!("content_block_delta")),
                ("message", None, &json!("ping")),
                ("message_stop", Some("3"), &json!("message_stop")),
            ]
        );
        assert_eq!(events[1].data["delta"]["text"], "Hi");
        assert_eq!(request.request_line(), "POST /api/ai/v1/messages HTTP/1.1");
        assert_eq!(request.header("x-api-key"), Some(KEY));
        assert_eq!(request.header("accept"), Some("text/event-stream"));
    })
    .await;
}

#[tokio::test]
async fn whatwg_field_rules_through_a_real_body() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            let pieces: [&[u8]; 4] = [
                // No space after the colon; `retry` is not an event.
                b"id: 7\nretry: 1000\nevent:first\ndata:{\"n\":1}\n\n",
                // An id containing U+0000 is ignored: 7 stays; `event` without a colon is
                // an empty type, so "message"; one leading space of the value is removed.
                b"id: 8\0\nevent\ndata:  {\"n\":2}\n\n",
                // An unknown field and a field name with a space are ignored; the data is
                // the two lines joined by a newline.
                b"event: third\nfoo: bar\ndata : {\"x\":1}\ndata: [3,\ndata: 4]\n\n",
                b"id: 9\ndata: 5",
            ];
            c.sse(&pieces, Duration::from_millis(5)).await.unwrap();
        })
        .await;
        let items = drain(chat_stream(&client).await).await;
        let seen: Vec<(String, Option<String>, Value)> = items
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                (e.event, e.id, e.data)
            })
            .collect();
        let s = |v: &str| v.to_owned();
        assert_eq!(
            seen,
            [
                (s("first"), Some(s("7")), json!({"n": 1})),
                (s("message"), Some(s("7")), json!({"n": 2})),
                (s("third"), Some(s("7")), json!([3, 4])),
                (s("message"), Some(s("9")), json!(5)),
            ]
        );
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn comments_keep_alives_and_unknown_fields_are_skipped() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            let pieces: [&[u8]; 6] = [
                b": connected\n\n",
                b":\n",
                b"\n\n\n",
                b"retry: 1000\nfoo: bar\ndata: 1\n\n",
                b": keep-alive\n\n: keep-alive\n\n",
                b"data: 2\n: a comment inside an event\ndata: \n\n",
            ];
            c.sse(&pieces, Duration::from_millis(5)).await.unwrap();
        })
        .await;
        let items = drain(chat_stream(&client).await).await;
        // "2\n" is the JSON number 2 followed by whitespace.
        assert_eq!(data(items), [json!(1), json!(2)]);
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn crlf_lf_and_cr_line_endings_also_split_between_reads() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            let pieces: [&[u8]; 7] = [
                b"data: 1\r\n\r\n",
                b"data: 2\n\n",
                b"data: 3\r\r",
                // A CRLF cut between its CR and its LF: one line end, not two; the event is
                // the two data lines [4,\n5].
                b"data: [4,\r",
                b"\ndata: 5]\r",
                b"\n\r",
                b"\ndata: 6\r\n\n",
            ];
            c.sse(&pieces, Duration::from_millis(10)).await.unwrap();
        })
        .await;
        let items = drain(chat_stream(&client).await).await;
        assert_eq!(
            data(items),
            [json!(1), json!(2), json!(3), json!([4, 5]), json!(6)]
        );
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_final_event_without_a_trailing_blank_line_is_yielded() {
    bounded(async {
        for last in [
            "data: {\"n\":2}\n",
            "data: {\"n\":2}",
            "data: {\"n\":2}\r\n",
        ] {
            let (client, server) = serve(move |mut c| async move {
                c.sse(&[b"data: {\"n\":1}\n\n", last.as_bytes()], Duration::ZERO)
                    .await
                    .unwrap();
            })
            .await;
            let items = drain(chat_stream(&client).await).await;
            assert_eq!(
                data(items),
                [json!({"n": 1}), json!({"n": 2})],
                "body ending {last:?}"
            );
            server.await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn done_ends_the_stream_and_releases_the_connection() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            c.head("200 OK", "text/event-stream").await.unwrap();
            c.chunk(openai_chunk("x")).await.unwrap();
            c.chunk("data: [DONE]\n\n").await.unwrap();
            // Anything after the sentinel is not read; the client hangs up instead.
            c.chunk(openai_chunk("after-done")).await.unwrap();
            c.wait_closed().await
        })
        .await;
        let events = drain(chat_stream(&client).await).await;
        let tokens: Vec<String> = data(events).iter().map(|d| token(d).to_owned()).collect();
        assert_eq!(tokens, ["x"]);
        // The server sees the connection closed without the client dropping anything.
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_event_is_yielded_before_the_rest_of_the_body_has_been_sent() {
    bounded(async {
        let (go_on, wait) = oneshot::channel::<()>();
        let (client, server) = serve(move |mut c| async move {
            c.head("200 OK", "text/event-stream").await.unwrap();
            c.chunk(openai_chunk("first")).await.unwrap();
            // The rest of the body only once the client has the first event.
            let released = timeout(Duration::from_secs(5), wait).await.is_ok();
            if released {
                c.chunk(openai_chunk("second")).await.unwrap();
                c.chunk("data: [DONE]\n\n").await.unwrap();
                c.end().await.unwrap();
            }
            released
        })
        .await;
        let mut events = chat_stream(&client).await;
        let first = timeout(Duration::from_secs(3), events.next())
            .await
            .expect("the first event arrives while the server still holds the rest")
            .unwrap()
            .unwrap();
        assert_eq!(token(&first.data), "first");
        go_on.send(()).unwrap();
        let rest: Vec<String> = data(drain(events).await)
            .iter()
            .map(|d| token(d).to_owned())
            .collect();
        assert_eq!(rest, ["second"]);
        let (_, released) = server.await.unwrap();
        assert!(released);
    })
    .await;
}

#[tokio::test]
async fn an_envelope_error_instead_of_events_is_error_api() {
    bounded(async {
        let envelope = json!({
            "code": 12003,
            "message": "积分不足",
            "data": {},
            "requestId": "svc-req-9",
            "timestamp": 1_772_099_056_662_i64
        })
        .to_string();
        // Chat completions `.stream()`, and the Anthropic endpoint, whose `send()` streams.
        for anthropic in [false, true] {
            let body = envelope.clone();
            let (client, server) = serve(move |mut c| async move {
                c.head("200 OK", "application/json; charset=utf-8")
                    .await
                    .unwrap();
                c.chunk(body).await.unwrap();
                c.end().await.unwrap();
            })
            .await;
            let result = if anthropic {
                client
                    .relay_claude_messages()
                    .body(claude_body())
                    .send()
                    .await
            } else {
                client
                    .relay_chat_completions()
                    .body(chat_body())
                    .stream()
                    .await
            };
            match result {
                Err(Error::Api {
                    code,
                    message,
                    status,
                    ..
                }) => {
                    assert_eq!((code, message.as_str(), status), (12003, "积分不足", 200));
                }
                other => panic!("expected Error::Api, got {other:?}"),
            }
            server.await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn an_html_502_instead_of_events_is_error_http() {
    bounded(async {
        let page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        for op in ["chat", "anthropic", "gemini"] {
            let (client, server) = serve(move |mut c| async move {
                c.head("502 Bad Gateway", "text/html").await.unwrap();
                c.chunk(page).await.unwrap();
                c.end().await.unwrap();
            })
            .await;
            let result = match op {
                "chat" => {
                    client
                        .relay_chat_completions()
                        .body(chat_body())
                        .stream()
                        .await
                }
                "anthropic" => {
                    client
                        .relay_claude_messages()
                        .body(claude_body())
                        .send()
                        .await
                }
                _ => {
                    client
                        .relay_gemini_stream_generate_content("gemini-2.5-flash")
                        .body(gemini_body())
                        .send()
                        .await
                }
            };
            match result {
                Err(Error::Http {
                    status,
                    content_type,
                    body,
                    ..
                }) => {
                    assert_eq!(status, 502, "{op}");
                    assert_eq!(content_type.as_deref(), Some("text/html"));
                    assert!(body.contains("502 Bad Gateway"), "{body}");
                }
                other => panic!("{op}: expected Error::Http, got {other:?}"),
            }
            server.await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn a_connection_dropped_mid_stream_ends_the_stream_with_an_error() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            c.head("200 OK", "text/event-stream").await.unwrap();
            c.chunk(openai_chunk("kept")).await.unwrap();
            // Half an event, then the connection goes away without the last chunk.
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"lo")
                .await
                .unwrap();
            sleep(Duration::from_millis(20)).await;
            drop(c);
        })
        .await;
        let items = drain(chat_stream(&client).await).await;
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(token(&items[0].as_ref().unwrap().data), "kept");
        match &items[1] {
            Err(Error::Transport { kind, .. }) => assert_eq!(*kind, TransportKind::Io),
            other => panic!("expected a transport error, got {other:?}"),
        }
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_stalled_stream_ends_with_a_timeout_error() {
    bounded(async {
        let (client, server) = serve_with(
            |mut c| async move {
                c.head("200 OK", "text/event-stream").await.unwrap();
                c.chunk(openai_chunk("only")).await.unwrap();
                // Silent, connection open, until the client gives up.
                let mut buf = [0u8; 16];
                let _ = c.socket.read(&mut buf).await;
            },
            |b| b.read_timeout(Duration::from_millis(300)),
        )
        .await;
        let started = Instant::now();
        let items = drain(chat_stream(&client).await).await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(items[0].is_ok());
        match &items[1] {
            Err(Error::Transport { kind, .. }) => assert_eq!(*kind, TransportKind::Timeout),
            other => panic!("expected a timeout, got {other:?}"),
        }
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    bounded(async {
        let (got_first, first_seen) = oneshot::channel::<()>();
        let (client, server) = serve(move |mut c| async move {
            c.head("200 OK", "text/event-stream").await.unwrap();
            c.chunk(openai_chunk("one")).await.unwrap();
            let _ = first_seen.await;
            // Keep the stream alive with comments until the socket is closed.
            c.wait_closed().await
        })
        .await;
        let mut events = chat_stream(&client).await;
        let first = events.next().await.unwrap().unwrap();
        assert_eq!(token(&first.data), "one");
        got_first.send(()).unwrap();
        // While the stream is held, the connection stays open (the server keeps writing).
        sleep(Duration::from_millis(150)).await;
        assert!(
            !server.is_finished(),
            "closed before the stream was dropped"
        );

        let dropped_at = Instant::now();
        drop(events);
        let (_, closed_at) = timeout(Duration::from_secs(3), server)
            .await
            .expect("the server sees the connection closed soon after the drop")
            .unwrap();
        assert!(closed_at >= dropped_at);
        assert!(closed_at - dropped_at < Duration::from_secs(2));
        // The client itself is still usable.
        assert!(client.has_api_key());
    })
    .await;
}

#[tokio::test]
async fn an_undecodable_event_is_an_error_item_and_the_stream_goes_on() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            let pieces: [&[u8]; 3] = [b"data: 1\n\n", b"data: not json\n\n", b"data: 3\n\n"];
            c.sse(&pieces, Duration::ZERO).await.unwrap();
        })
        .await;
        let items = drain(chat_stream(&client).await).await;
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(items[0].as_ref().unwrap().data, json!(1));
        match &items[1] {
            Err(Error::Stream { reason, .. }) => assert!(reason.contains("not json"), "{reason}"),
            other => panic!("expected Error::Stream, got {other:?}"),
        }
        assert_eq!(items[2].as_ref().unwrap().data, json!(3));
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_byte_order_mark_and_invalid_utf8_neither_panic_nor_stall() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            let pieces: [&[u8]; 3] = [
                b"\xEF\xBB\xBFdata: 1\n\n",
                b"data: \"\xFF\xFE\"\n\n",
                b"data: 3\n\n",
            ];
            c.sse(&pieces, Duration::from_millis(5)).await.unwrap();
        })
        .await;
        let items = drain(chat_stream(&client).await).await;
        assert_eq!(data(items), [json!(1), json!("\u{FFFD}\u{FFFD}"), json!(3)]);
        server.await.unwrap();
    })
    .await;
}

fn gemini_body() -> types::ops::relay_gemini_stream_generate_content::Body {
    serde_json::from_value(json!({
        "model": "gemini-2.5-flash",
        "contents": [{ "role": "user", "parts": [{ "text": "hi" }] }]
    }))
    .unwrap()
}

#[tokio::test]
async fn gemini_and_image_generation_streams() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            let pieces: [&[u8]; 2] = [
                b"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]}}]}\r\n\r\n",
                b"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n",
            ];
            c.sse(&pieces, Duration::from_millis(5)).await.unwrap();
        })
        .await;
        let events = client
            .relay_gemini_stream_generate_content("gemini-2.5-flash")
            .body(gemini_body())
            .send()
            .await
            .unwrap();
        let text: String = data(drain(events).await)
            .iter()
            .map(|d| {
                d["candidates"][0]["content"]["parts"][0]["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(text, "Hello");
        let (request, ()) = server.await.unwrap();
        assert_eq!(
            request.request_line(),
            "POST /api/ai/v1beta/models/gemini-2.5-flash:streamGenerateContent HTTP/1.1"
        );
        assert_eq!(request.header("x-goog-api-key"), Some(KEY));

        let (client, server) = serve(|mut c| async move {
            let pieces: [&[u8]; 2] = [
                b"event: image_generation.partial_image\ndata: {\"type\":\"image_generation.partial_image\",\"partial_image_index\":0,\"b64_json\":\"iVBOR\"}\n\n",
                b"event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\",\"b64_json\":\"iVBORw0K\"}\n\n",
            ];
            c.sse(&pieces, Duration::from_millis(5)).await.unwrap();
        })
        .await;
        let body: types::ops::relay_images_generations::Body =
            serde_json::from_value(json!({ "model": "gpt-image-2", "prompt": "a cat" })).unwrap();
        let events = client
            .relay_images_generations()
            .body(body)
            .stream()
            .await
            .unwrap();
        let kinds: Vec<String> = drain(events)
            .await
            .into_iter()
            .map(|e| e.unwrap().event)
            .collect();
        assert_eq!(
            kinds,
            [
                "image_generation.partial_image",
                "image_generation.completed"
            ]
        );
        let (request, ()) = server.await.unwrap();
        assert_eq!(
            request.request_line(),
            "POST /api/ai/images/generations HTTP/1.1"
        );
    })
    .await;
}

#[tokio::test]
async fn a_long_line_in_many_small_reads() {
    bounded(async {
        // A 2 MiB base64 partial image in one `data:` line, sent in 4 KiB chunks.
        let image = "A".repeat(2 << 20);
        let line = format!("data: {{\"b64_json\":\"{image}\"}}\n\n");
        let (client, server) = serve(move |mut c| async move {
            let pieces: Vec<&[u8]> = line.as_bytes().chunks(4096).collect();
            c.sse(&pieces, Duration::ZERO).await.unwrap();
        })
        .await;
        let started = Instant::now();
        let items = data(drain(chat_stream(&client).await).await);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["b64_json"].as_str().map(str::len), Some(2 << 20));
        // Linear work; the quadratic re-scan of eventsource-stream (the parser before ours)
        // alone takes seconds here in a debug build.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        server.await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_stream_ended_by_done_leaves_the_connection_reusable() {
    bounded(async {
        let (client, server) = serve(|mut c| async move {
            // `[DONE]` and the end of the body in one write, as servers send them.
            let mut answer = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                transfer-encoding: chunked\r\n\r\n"
                .to_vec();
            let body = format!("{}data: [DONE]\n\n", openai_chunk("x"));
            answer.extend_from_slice(format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len()).as_bytes());
            c.socket.write_all(&answer).await.unwrap();
            // The next call comes on this connection if the client kept it.
            let second = timeout(Duration::from_secs(3), c.read_request()).await.ok();
            if second.is_some() {
                c.sse(&[b"data: 2\n\n"], Duration::ZERO).await.unwrap();
            }
            second
        })
        .await;
        let first = data(drain(chat_stream(&client).await).await);
        assert_eq!(first.len(), 1);
        let second = data(drain(chat_stream(&client).await).await);
        assert_eq!(second, [json!(2)]);
        let (_, second) = server.await.unwrap();
        let second = second.expect("the second call reused the connection");
        assert_eq!(
            second.request_line(),
            "POST /api/ai/chat/completions HTTP/1.1"
        );
    })
    .await;
}
