//! Upload a file as an asset (sign, `PUT` to the signed URL with progress, confirm) and print
//! its URL, ready for a publish flow's `content.media[n].url`.
//!
//! ```text
//! cargo run --example upload                       # a generated image, against the embedded mock
//! cargo run --example upload -- clip.mp4           # a file of yours, against the embedded mock
//! AITOEARN_API_KEY=sk-… cargo run --example upload -- clip.mp4   # against the service
//! ```
//!
//! Without `AITOEARN_API_KEY`, a local mock plays the service and its storage.

use std::error::Error;
use std::io::Write as _;

use aitoearn::flows::UploadSource;
// The asset kinds, named through the operation (its body's `type` field), not by component.
use aitoearn::types::ops::assets_create_upload_sign::body::Type as AssetKind;
use aitoearn::{Client, ENV_API_KEY};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let file = std::env::args().nth(1);

    let (client, _mock) = if std::env::var(ENV_API_KEY).is_ok_and(|k| !k.trim().is_empty()) {
        (Client::from_env()?, None)
    } else {
        let mock = mock_service().await;
        eprintln!(
            "{ENV_API_KEY} is not set: using the embedded mock at {}",
            mock.uri()
        );
        (mock.client(), Some(mock))
    };

    let source = match &file {
        Some(path) => UploadSource::file(path),
        // 1 MiB of a grey gradient, as raw bytes in memory.
        None => UploadSource::bytes(
            "gradient.bin",
            (0..1 << 20).map(|i| (i % 256) as u8).collect::<Vec<u8>>(),
        ),
    };
    let asset = client
        .upload(source)
        .kind(AssetKind::PublishMedia)
        .on_progress(|p| {
            let pct = (p.sent * 100).checked_div(p.total).unwrap_or(100);
            eprint!("\ruploading: {pct:>3}% ({} / {} bytes)", p.sent, p.total);
            std::io::stderr().flush().ok();
        })
        .send()
        .await?;
    eprintln!();
    println!("asset {}", asset.id.as_deref().unwrap_or("?"));
    println!("url   {}", asset.url.as_deref().unwrap_or("?"));
    if let Some(status) = &asset.status {
        println!("status {status}");
    }
    Ok(())
}

/// The mock, with a storage that takes the `PUT`.
async fn mock_service() -> aitoearn::mock::MockServer {
    let mock = aitoearn::mock::MockServer::start().await;
    let ok = |data: Value| {
        ResponseTemplate::new(200)
            .set_body_json(json!({ "code": 0, "message": "ok", "data": data }))
    };
    Mock::given(method("POST"))
        .and(path("/api/assets/uploadSign"))
        .respond_with(ok(json!({
            "id": "mock-asset-1",
            "path": "user/mock-asset-1",
            "url": "https://cdn.example.com/user/mock-asset-1",
            "uploadUrl": format!("{}/mock-storage/mock-asset-1?X-Signature=mock", mock.uri()),
        })))
        .mount(mock.server())
        .await;
    Mock::given(method("PUT"))
        .and(path("/mock-storage/mock-asset-1"))
        .respond_with(ResponseTemplate::new(200))
        .mount(mock.server())
        .await;
    Mock::given(method("POST"))
        .and(path("/api/assets/mock-asset-1/confirm"))
        .respond_with(ok(json!({
            "id": "mock-asset-1",
            "url": "https://cdn.example.com/user/mock-asset-1",
            "status": "confirmed",
            "type": "publishMedia"
        })))
        .mount(mock.server())
        .await;
    mock
}
