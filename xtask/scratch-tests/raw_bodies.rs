//! Written into the scratch crate of the evolution run's first variant (the vendored spec plus
//! the synthetic operations) and run there by `cargo xtask check-spec --mutate --compile N`:
//! raw request bodies reach a local server byte for byte, on every attempt of a retried call.
//! (The vendored spec has no operation with a raw body, so `tests/it` cannot call one.)

use std::time::Duration;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(base: &str) -> aitoearn::Client {
    aitoearn::Client::builder()
        .api_key("sk-raw-1")
        .base_url(base)
        .retry_policy(
            aitoearn::RetryPolicy::default()
                .max_retries(1)
                .initial_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(10)),
        )
        .build()
        .unwrap()
}

/// Every byte value, and bytes that are not UTF-8.
fn bytes() -> Vec<u8> {
    (0..=255u8).chain([0xff, 0xfe, 0x00, 0xc3]).collect()
}

#[tokio::test]
async fn an_octet_stream_body_is_sent_byte_for_byte_on_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/evolution/binary"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/evolution/binary"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    client(&server.uri())
        .evolution_binary()
        .body(bytes())
        .retry(true)
        .send()
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2, "503, then the retry");
    for r in &received {
        assert_eq!(r.body, bytes());
        assert_eq!(
            r.headers.get("content-type").unwrap(),
            "application/octet-stream"
        );
    }
}

#[tokio::test]
async fn multipart_and_text_bodies_are_sent_as_given() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let form = b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\x89PNG\r\n--x--\r\n";
    let _ = c.evolution_multipart().body(form.to_vec()).send().await;
    let text = "# Überschrift\n\n- 一\n";
    let _ = c.evolution_text().body(text).send().await;
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2, "a POST is not retried by default");
    assert_eq!(received[0].body, form);
    assert_eq!(received[1].body, text.as_bytes());
    assert!(
        received[1]
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
}
