//! Stream a chat completion and print its tokens as they arrive.
//!
//! ```text
//! cargo run --example chat_stream                                  # against the embedded mock
//! AITOEARN_API_KEY=sk-… cargo run --example chat_stream -- "Say hi" gpt-5.6-terra   # for real
//! ```
//!
//! Arguments: the prompt, then the model (a `data[n].name` of `client.chat_get_models()`).
//! Without `AITOEARN_API_KEY`, a local mock of the API answers; its default answer for chat
//! completions is not streamed, so the example mounts a streamed one over it.

use std::io::Write;

use aitoearn::{Client, ENV_API_KEY, Error, types};
use futures_util::StreamExt;
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let prompt = args
        .next()
        .unwrap_or_else(|| "用一句话介绍 AiToEarn。".into());
    let model = args.next().unwrap_or_else(|| "gpt-5.6-terra".into());

    // Keep the mock alive for as long as the client talks to it.
    let (client, _mock) = if std::env::var_os(ENV_API_KEY).is_some() {
        (Client::from_env()?, None)
    } else {
        let mock = aitoearn::mock::MockServer::start().await;
        mount_streamed_answer(&mock).await;
        eprintln!(
            "{ENV_API_KEY} is not set: using the embedded mock at {}",
            mock.uri()
        );
        (mock.client(), Some(mock))
    };

    // The body by its operation's name (`types::ops::…::Body`), which a new spec keeps.
    let body: types::ops::relay_chat_completions::Body = serde_json::from_value(json!({
        "model": model,
        "messages": [{ "role": "user", "content": prompt }],
        "stream": true,
    }))
    .map_err(|e| Error::Config(format!("the request body: {e}")))?;
    let mut events = client.relay_chat_completions().body(body).stream().await?;

    // Each item is one OpenAI `chat.completion.chunk`; the stream ends at `data: [DONE]`.
    let mut stdout = std::io::stdout();
    while let Some(event) = events.next().await {
        let chunk = event?.data;
        let choice = &chunk["choices"][0];
        if let Some(token) = choice["delta"]["content"].as_str() {
            print!("{token}");
            // Show each token now, not when a line is complete.
            let _ = stdout.flush();
        }
        if let Some(reason) = choice["finish_reason"].as_str() {
            eprintln!("\n[finish_reason: {reason}]");
        }
    }
    println!();
    Ok(())
}

/// Makes the mock answer chat completions the way the service does when `stream` is true:
/// `text/event-stream`, one `chat.completion.chunk` per token, then `[DONE]`.
async fn mount_streamed_answer(mock: &aitoearn::mock::MockServer) {
    use wiremock::matchers::{body_partial_json, method, path};
    use wiremock::{Mock, ResponseTemplate};

    let tokens = [
        "AiToEarn",
        " is",
        " an",
        " AI",
        " content",
        " platform",
        ".",
    ];
    let mut sse = String::new();
    for (i, token) in tokens.iter().enumerate() {
        let last = i + 1 == tokens.len();
        let chunk = json!({
            "id": "chatcmpl-mock",
            "object": "chat.completion.chunk",
            "created": 1_772_099_056,
            "model": "gpt-5.6-terra",
            "choices": [{
                "index": 0,
                "delta": { "role": "assistant", "content": token },
                "finish_reason": if last { json!("stop") } else { json!(null) },
            }],
        });
        sse.push_str(&format!("data: {chunk}\n\n"));
    }
    sse.push_str("data: [DONE]\n\n");

    Mock::given(method("POST"))
        .and(path("/api/ai/chat/completions"))
        .and(body_partial_json(json!({ "stream": true })))
        .respond_with(ResponseTemplate::new(200).set_body_raw(sse, "text/event-stream"))
        .mount(mock.server())
        .await;
}
