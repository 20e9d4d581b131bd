//! Authorize a platform account: show the QR code (or the URL) in the terminal, then wait for
//! the user to scan it and print the connected accounts.
//!
//! ```text
//! cargo run --example authorize -- douyin                               # against the embedded mock
//! AITOEARN_API_KEY=sk-… cargo run --example authorize -- douyin [groupId]   # against the service
//! ```
//!
//! Without `AITOEARN_API_KEY`, a local mock plays the service: it answers with a real QR code
//! (made here), says "pending" twice, then connects a made-up account. The instructions are
//! printed in the language of `LC_ALL` / `LANG` (English or Chinese).

use std::error::Error;
use std::io::Cursor;
use std::time::{Duration, SystemTime};

use aitoearn::flows::{AuthOutcome, AuthPrompt, QrImage};
use aitoearn::{Client, ENV_API_KEY};
use base64::Engine as _;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, ResponseTemplate};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let platform = args.next().unwrap_or_else(|| "douyin".into());
    let group = args.next();

    // Keep the mock alive for as long as the client talks to it.
    let (client, _mock) = if std::env::var(ENV_API_KEY).is_ok_and(|k| !k.trim().is_empty()) {
        (Client::from_env()?, None)
    } else {
        let mock = mock_service(&platform).await?;
        eprintln!(
            "{ENV_API_KEY} is not set: using the embedded mock at {}",
            mock.uri()
        );
        (mock.client(), Some(mock))
    };

    let mut authorize = client.authorize(platform.as_str());
    if let Some(group) = group {
        authorize = authorize.group_id(group);
    }
    let pending = authorize.start().await?;

    match pending.prompt() {
        AuthPrompt::QrCode(qr) => match render_qr(qr) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                let file = std::env::temp_dir().join("aitoearn-authorize-qr.img");
                std::fs::write(&file, &qr.data)?;
                println!(
                    "(cannot draw the {} here: {e}; saved it to {})",
                    qr.mime_type,
                    file.display()
                );
            }
        },
        AuthPrompt::Url(url) => println!("Open this page to authorize:\n  {url}"),
        other => println!("{other:?}"),
    }
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "en-US".into());
    if let Some(text) = pending.instructions(&locale) {
        println!("{text}");
    }
    if let Some(at) = pending.expires_at() {
        println!("(session {} expires at {at})", pending.session_id());
    }

    println!("waiting for the authorization…");
    match pending.wait().await? {
        AuthOutcome::Connected { accounts, .. } if accounts.is_empty() => {
            println!("authorized (see `accounts_list` for the account)");
        }
        AuthOutcome::Connected { accounts, .. } => {
            for a in accounts {
                println!(
                    "connected {} account {} ({})",
                    a.platform,
                    a.id,
                    a.name.as_deref().unwrap_or("no name")
                );
            }
        }
        AuthOutcome::SelectionRequired { choices, .. } => {
            println!("select the accounts to connect in the authorization page:");
            for c in choices {
                println!("  {} ({})", c.name, c.platform_uid);
            }
        }
        other => println!("{other:?}"),
    }
    Ok(())
}

/// Draws a QR code PNG with Unicode half blocks, two modules a character, light modules lit
/// (for the usual dark terminal background).
fn render_qr(qr: &QrImage) -> Result<String, Box<dyn Error>> {
    if qr.mime_type != "image/png" {
        return Err(format!("only PNG is drawn, not {}", qr.mime_type).into());
    }
    let (width, height, dark) = decode_png(&qr.data)?;
    let modules = modules(width, height, &dark).ok_or("no QR code found in the image")?;
    let n = modules.len();
    let quiet = 2;
    let is_dark = |x: isize, y: isize| {
        x >= 0 && y >= 0 && (x as usize) < n && (y as usize) < n && modules[y as usize][x as usize]
    };
    let mut out = String::new();
    let lo = -(quiet as isize);
    let hi = (n + quiet) as isize;
    let mut y = lo;
    while y < hi {
        for x in lo..hi {
            let top_light = !is_dark(x, y);
            let bottom_light = y + 1 < hi && !is_dark(x, y + 1);
            out.push(match (top_light, bottom_light) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
        y += 2;
    }
    Ok(out)
}

/// Width, height and darkness of every pixel.
fn decode_png(data: &[u8]) -> Result<(usize, usize, Vec<bool>), Box<dyn Error>> {
    let mut decoder = png::Decoder::new(Cursor::new(data));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("image too large")?];
    let info = reader.next_frame(&mut buf)?;
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut dark = Vec::with_capacity(w * h);
    for y in 0..h {
        let line = &buf[y * info.line_size..][..w * channels];
        for px in line.chunks(channels) {
            let (luma, alpha) = match px {
                [g] => (*g as f32, 255.0),
                [g, a] => (*g as f32, *a as f32),
                [r, g, b] => (
                    0.299 * *r as f32 + 0.587 * *g as f32 + 0.114 * *b as f32,
                    255.0,
                ),
                [r, g, b, a] => (
                    0.299 * *r as f32 + 0.587 * *g as f32 + 0.114 * *b as f32,
                    *a as f32,
                ),
                _ => (255.0, 255.0),
            };
            // Transparent pixels are background (light).
            let luma = luma * alpha / 255.0 + 255.0 * (1.0 - alpha / 255.0);
            dark.push(luma < 128.0);
        }
    }
    Ok((w, h, dark))
}

/// The QR code's modules: its size from the top-left finder pattern (7 modules wide), each
/// module read at its centre.
fn modules(w: usize, h: usize, dark: &[bool]) -> Option<Vec<Vec<bool>>> {
    let at = |x: usize, y: usize| dark[y * w + x];
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..h {
        for x in 0..w {
            if at(x, y) {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
    }
    if x0 > x1 || y0 > y1 {
        return None;
    }
    let run = (x0..=x1).take_while(|&x| at(x, y0)).count();
    let module = run as f32 / 7.0;
    if module < 1.0 {
        return None;
    }
    let n = ((x1 - x0 + 1) as f32 / module).round() as usize;
    if !(21..=177).contains(&n) {
        return None;
    }
    let sample = |i: usize, origin: usize, limit: usize| {
        ((origin as f32 + (i as f32 + 0.5) * module) as usize).min(limit - 1)
    };
    Some(
        (0..n)
            .map(|r| {
                (0..n)
                    .map(|c| at(sample(c, x0, w), sample(r, y0, h)))
                    .collect()
            })
            .collect(),
    )
}

/// The mock, answering the authorization as the service does, with a real QR code.
async fn mock_service(platform: &str) -> Result<aitoearn::mock::MockServer, Box<dyn Error>> {
    let mock = aitoearn::mock::MockServer::start().await;
    let qr = qr_png(&format!("https://aitoearn.ai/mock-authorize/{platform}"))?;
    let data_url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(qr)
    );
    let expires =
        chrono::DateTime::<chrono::Utc>::from(SystemTime::now() + Duration::from_secs(300));
    let ok = |data: Value| {
        ResponseTemplate::new(200)
            .set_body_json(json!({ "code": 0, "message": "ok", "data": data }))
    };
    let auth = format!("/api/v2/channels/accounts/auth/{platform}");
    Mock::given(method("GET"))
        .and(path(auth.as_str()))
        .respond_with(ok(json!({
            "url": data_url,
            "sessionId": "mock-session",
            "expiresAt": expires.to_rfc3339(),
            "authInstructions": {
                "en-US": "Scan the QR code with the app to authorize (the mock connects an account after two polls).",
                "zh-CN": "请使用 App 扫描二维码完成授权（模拟服务两次轮询后连接账号）。"
            }
        })))
        .mount(mock.server())
        .await;
    let status = format!("^{auth}/status/mock-session$");
    let pending =
        ok(json!({ "sessionId": "mock-session", "status": "pending", "requiresSelection": false }));
    Mock::given(method("GET"))
        .and(path_regex(status.as_str()))
        .respond_with(pending)
        .up_to_n_times(2)
        .with_priority(1)
        .mount(mock.server())
        .await;
    Mock::given(method("GET"))
        .and(path_regex(status.as_str()))
        .respond_with(ok(json!({ "sessionId": "mock-session", "status": "completed", "requiresSelection": false })))
        .with_priority(2)
        .mount(mock.server())
        .await;
    // The account list before the session, and after it.
    let accounts = "/api/v2/channels/accounts";
    Mock::given(method("GET"))
        .and(path(accounts))
        .respond_with(ok(json!({ "total": 0, "list": [] })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(mock.server())
        .await;
    Mock::given(method("GET"))
        .and(path(accounts))
        .respond_with(ok(json!({ "total": 1, "list": [{
            "id": "mock-account-1", "type": platform, "uid": "10001", "nickname": "Mock Creator",
            "updatedAt": expires.to_rfc3339()
        }] })))
        .with_priority(2)
        .mount(mock.server())
        .await;
    Ok(mock)
}

/// A QR code for `text` as a grayscale PNG, 4 pixels a module, with a quiet zone.
fn qr_png(text: &str) -> Result<Vec<u8>, Box<dyn Error>> {
    let code = qrcode::QrCode::new(text.as_bytes())?;
    let n = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (4, 4);
    let side = (n + 2 * quiet) * scale;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (mx, my) = (i % n + quiet, i / n + quiet);
            for dy in 0..scale {
                let row = (my * scale + dy) * side;
                pixels[row + mx * scale..row + (mx + 1) * scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}
