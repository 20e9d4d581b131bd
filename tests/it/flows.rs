//! The hand-written flows (`aitoearn::flows`) against a local server that plays the whole
//! sequence: authorization, upload, publish and track, paged lists — and their failure paths.

use std::num::NonZeroU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aitoearn::flows::{
    AuthOutcome, AuthPrompt, FlowError, Polling, Publication, PublishState, TaskStatus,
    UploadProgress, UploadSource,
};
use aitoearn::mock::{MOCK_API_KEY, MockServer};
use aitoearn::types::ops::assets_create_upload_sign::body::Type as AssetKind;
use aitoearn::{Client, ErrorCode, RetryPolicy};
use base64::Engine as _;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, Request, ResponseTemplate};

const AUTH: &str = "/api/v2/channels/accounts/auth/douyin";
const STATUS: &str = "/api/v2/channels/accounts/auth/douyin/status/sess-1";
const ACCOUNTS: &str = "/api/v2/channels/accounts";
const SIGN: &str = "/api/assets/uploadSign";
const CONFIRM: &str = "/api/assets/asset-1/confirm";
const STORAGE: &str = "/storage/bucket/asset-1";
const FLOWS: &str = "/api/v2/channels/publish/flows";
const FLOW: &str = "/api/v2/channels/publish/flows/flow-1";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Polls every 20 ms: quick enough for tests, with the floor lowered to match.
fn fast() -> Polling {
    Polling::new(ms(20))
        .max_interval(ms(40))
        .min_interval(ms(20))
}

/// The mock of the whole API, and a client for it that does not retry, so every answer mounted
/// here is seen by the flow as is.
async fn setup() -> (MockServer, Client) {
    let mock = MockServer::start().await;
    let client = Client::builder()
        .api_key(MOCK_API_KEY)
        .base_url(mock.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (mock, client)
}

fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "code": 0, "message": "请求成功", "data": data, "requestId": "r"
    }))
}

fn refused(code: i64, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "code": code, "message": message, "data": {}, "requestId": "r"
    }))
}

/// Mounts `answers` for `verb path`, one per request in order; the last one answers every
/// request after that.
async fn play(mock: &MockServer, verb: &str, route: &str, answers: Vec<ResponseTemplate>) {
    let n = answers.len();
    for (i, answer) in answers.into_iter().enumerate() {
        let m = Mock::given(method(verb))
            .and(path(route))
            .respond_with(answer)
            .with_priority(i as u8 + 1);
        let m = if i + 1 < n { m.up_to_n_times(1) } else { m };
        m.mount(mock.server()).await;
    }
}

async fn requests_to(mock: &MockServer, verb: &str, route: &str) -> Vec<Request> {
    mock.server()
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == route)
        .collect()
}

fn iso_in(d: Duration) -> String {
    chrono::DateTime::<chrono::Utc>::from(SystemTime::now() + d).to_rfc3339()
}

// ---------------------------------------------------------------------------------------------
// Authorize
// ---------------------------------------------------------------------------------------------

fn started(url: &str, expires_in: Duration) -> ResponseTemplate {
    ok(json!({
        "url": url,
        "sessionId": "sess-1",
        "expiresAt": iso_in(expires_in),
        "authInstructions": { "en-US": "Scan with the Douyin app", "zh-CN": "请使用抖音 App 扫码" }
    }))
}

fn status(status: &str) -> ResponseTemplate {
    ok(json!({ "sessionId": "sess-1", "status": status, "requiresSelection": false }))
}

fn account(id: &str, platform: &str, name: &str, updated: &str) -> Value {
    json!({ "id": id, "type": platform, "uid": format!("uid-{id}"), "nickname": name,
            "avatar": format!("https://img.example/{id}.png"), "updatedAt": updated })
}

#[tokio::test]
async fn authorize_shows_the_qr_code_and_returns_the_connected_account() {
    let (mock, client) = setup().await;
    let png = b"\x89PNG\r\n\x1a\n-a-qr-code-";
    let data_url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    play(
        &mock,
        "GET",
        AUTH,
        vec![started(&data_url, Duration::from_secs(60))],
    )
    .await;
    let completed = ok(json!({
        "sessionId": "sess-1", "status": "completed", "requiresSelection": false,
        "accountIds": ["acc-new"],
        "accounts": [{ "accountId": "acc-new", "platform": "douyin", "platformUid": "uid-acc-new",
                       "displayName": "New One", "avatarUrl": "https://img.example/acc-new.png" }]
    }));
    play(
        &mock,
        "GET",
        STATUS,
        vec![status("pending"), status("pending"), completed],
    )
    .await;
    // Before the session: one old douyin account and one on another platform; after: a new one.
    let old = account("acc-old", "douyin", "Old", "2026-01-01T00:00:00Z");
    let other = account("acc-bili", "bilibili", "Bili", "2026-01-01T00:00:00Z");
    let new = account("acc-new", "douyin", "New One", "2026-07-02T12:00:00Z");
    play(
        &mock,
        "GET",
        ACCOUNTS,
        vec![
            ok(json!({ "total": 2, "list": [old.clone(), other.clone()] })),
            ok(json!({ "total": 3, "list": [old, other, new] })),
        ],
    )
    .await;

    let pending = client
        .authorize("douyin")
        .group_id("g1")
        .polling(fast())
        .start()
        .await
        .unwrap();
    assert_eq!(pending.session_id(), "sess-1");
    assert_eq!(pending.url(), data_url);
    match pending.prompt() {
        AuthPrompt::QrCode(qr) => {
            assert_eq!(qr.mime_type, "image/png");
            assert_eq!(qr.data, png);
        }
        other => panic!("expected a QR code, got {other:?}"),
    }
    assert_eq!(pending.instructions("zh-CN"), Some("请使用抖音 App 扫码"));
    assert_eq!(
        pending.instructions("en_GB.UTF-8"),
        Some("Scan with the Douyin app")
    );
    assert!(pending.expires_at().is_some());

    let started = Instant::now();
    let outcome = pending.wait().await.unwrap();
    let AuthOutcome::Connected {
        session_id,
        accounts,
    } = outcome
    else {
        panic!("expected Connected, got {outcome:?}");
    };
    assert_eq!(session_id, "sess-1");
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0].id, "acc-new");
    assert_eq!(accounts[0].platform, "douyin");
    assert_eq!(accounts[0].name.as_deref(), Some("New One"));
    assert_eq!(accounts[0].platform_uid.as_deref(), Some("uid-acc-new"));

    let polls = requests_to(&mock, "GET", STATUS).await;
    assert_eq!(polls.len(), 3, "pending, pending, completed");
    assert!(
        started.elapsed() >= ms(60),
        "three waits of at least 20 ms each"
    );
    assert!(
        polls
            .iter()
            .all(|r| r.headers.get("x-api-key").unwrap() == MOCK_API_KEY)
    );
    let start = &requests_to(&mock, "GET", AUTH).await[0];
    assert_eq!(start.url.query(), Some("groupId=g1"));
}

#[tokio::test]
async fn authorize_hands_back_a_plain_url() {
    let (mock, client) = setup().await;
    let url = "https://open.douyin.com/platform/oauth/connect?client_key=x";
    play(
        &mock,
        "GET",
        AUTH,
        vec![started(url, Duration::from_secs(60))],
    )
    .await;
    let pending = client.authorize("douyin").start().await.unwrap();
    assert_eq!(pending.prompt(), &AuthPrompt::Url(url.into()));
}

#[tokio::test]
async fn a_failed_authorization_is_a_typed_error() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![started("https://a.example", Duration::from_secs(60))],
    )
    .await;
    let failed = ok(
        json!({ "sessionId": "sess-1", "status": "failed", "requiresSelection": false, "errorCode": 15042 }),
    );
    play(&mock, "GET", STATUS, vec![status("pending"), failed]).await;
    let err = client
        .authorize("douyin")
        .polling(fast())
        .start()
        .await
        .unwrap()
        .wait()
        .await
        .unwrap_err();
    match &err {
        FlowError::AuthorizationFailed {
            platform,
            session_id,
            code,
        } => {
            assert_eq!(
                (platform.as_str(), session_id.as_str()),
                ("douyin", "sess-1")
            );
            // The code reaches the flow as far as the generated model carries `errorCode`.
            if let Some(code) = code {
                assert_eq!(*code, ErrorCode::from_code(15042));
                assert_eq!(err.code(), Some(ErrorCode::from_code(15042)));
            }
        }
        other => panic!("expected AuthorizationFailed, got {other:?}"),
    }
    assert_eq!(requests_to(&mock, "GET", STATUS).await.len(), 2);
}

#[tokio::test]
async fn an_expired_session_ends_the_wait() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![started("https://a.example", ms(300))],
    )
    .await;
    play(&mock, "GET", STATUS, vec![status("pending")]).await;
    let pending = client
        .authorize("douyin")
        .polling(fast())
        .start()
        .await
        .unwrap();
    let started = Instant::now();
    let err = pending.wait().await.unwrap_err();
    assert!(
        matches!(&err, FlowError::AuthorizationExpired { session_id, expires_at: Some(_), .. } if session_id == "sess-1"),
        "{err:?}"
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= ms(200) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    assert!(requests_to(&mock, "GET", STATUS).await.len() >= 2);
}

#[tokio::test]
async fn a_session_the_service_no_longer_knows_is_expired() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![started("https://a.example", Duration::from_secs(60))],
    )
    .await;
    play(
        &mock,
        "GET",
        STATUS,
        vec![refused(15039, "授权会话无效或已过期")],
    )
    .await;
    let err = client
        .authorize("douyin")
        .polling(fast())
        .start()
        .await
        .unwrap()
        .wait()
        .await
        .unwrap_err();
    assert!(
        matches!(err, FlowError::AuthorizationExpired { .. }),
        "{err:?}"
    );
    assert_eq!(requests_to(&mock, "GET", STATUS).await.len(), 1);
}

#[tokio::test]
async fn a_sub_account_selection_is_an_outcome() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![started("https://a.example", Duration::from_secs(60))],
    )
    .await;
    let select =
        ok(json!({ "sessionId": "sess-1", "status": "pending", "requiresSelection": true }));
    play(&mock, "GET", STATUS, vec![status("pending"), select]).await;
    let outcome = client
        .authorize("douyin")
        .polling(fast())
        .start()
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    assert!(
        matches!(&outcome, AuthOutcome::SelectionRequired { session_id, .. } if session_id == "sess-1"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn the_service_errors_of_auth_start_are_errors_of_the_flow() {
    let (mock, client) = setup().await;
    play(&mock, "GET", AUTH, vec![refused(10002, "参数验证失败")]).await;
    let err = client.authorize("douyin").start().await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ValidationFailed), "{err:?}");
    assert!(matches!(err, FlowError::Api(_)));

    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![ok(json!({ "url": "https://a.example" }))],
    )
    .await;
    let err = client.authorize("douyin").start().await.unwrap_err();
    // `sessionId` and `expiresAt` are required (the page's `AuthStartVo`, via its overlay): the
    // answer does not decode, and the error names the first field missing.
    assert!(
        matches!(&err, FlowError::Api(e) if matches!(&**e, aitoearn::Error::Decode { operation: "auth_start", reason, .. } if reason.contains("missing field `expiresAt`"))),
        "{err:?}"
    );
    assert!(
        requests_to(
            &mock,
            "GET",
            "/api/v2/channels/accounts/auth/douyin/status/sess-1"
        )
        .await
        .is_empty()
    );
}

#[tokio::test]
async fn polling_is_never_faster_than_the_floor() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![started("https://a.example", Duration::from_secs(60))],
    )
    .await;
    play(
        &mock,
        "GET",
        STATUS,
        vec![
            status("pending"),
            status("pending"),
            status("pending"),
            status("completed"),
        ],
    )
    .await;
    // Asks for 1 ms; the floor of 60 ms wins.
    let polling = Polling::new(ms(1)).max_interval(ms(1)).min_interval(ms(60));
    let pending = client
        .authorize("douyin")
        .polling(polling)
        .start()
        .await
        .unwrap();
    let started = Instant::now();
    pending.wait().await.unwrap();
    assert!(started.elapsed() >= ms(240), "{:?}", started.elapsed());
    assert_eq!(requests_to(&mock, "GET", STATUS).await.len(), 4);
}

#[tokio::test]
async fn transient_failures_are_tolerated_up_to_a_limit() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![started("https://a.example", Duration::from_secs(60))],
    )
    .await;
    let unavailable = || ResponseTemplate::new(503).set_body_string("upstream down");
    play(
        &mock,
        "GET",
        STATUS,
        vec![unavailable(), unavailable(), status("completed")],
    )
    .await;
    let outcome = client
        .authorize("douyin")
        .polling(fast())
        .start()
        .await
        .unwrap()
        .wait()
        .await;
    assert!(
        matches!(outcome, Ok(AuthOutcome::Connected { .. })),
        "{outcome:?}"
    );

    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![started("https://a.example", Duration::from_secs(60))],
    )
    .await;
    play(&mock, "GET", STATUS, vec![unavailable()]).await;
    let err = client
        .authorize("douyin")
        .polling(fast().max_consecutive_errors(2))
        .start()
        .await
        .unwrap()
        .wait()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FlowError::Api(e) if e.status() == Some(503)),
        "{err:?}"
    );
    assert_eq!(requests_to(&mock, "GET", STATUS).await.len(), 3);
}

#[tokio::test]
async fn a_cancel_signal_stops_the_wait() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![started("https://a.example", Duration::from_secs(60))],
    )
    .await;
    play(&mock, "GET", STATUS, vec![status("pending")]).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let pending = client
        .authorize("douyin")
        .polling(fast())
        .cancel_on(stopped)
        .start()
        .await
        .unwrap();
    let waiting = tokio::spawn(pending.wait());
    tokio::time::sleep(ms(100)).await;
    stop.send(()).unwrap();
    let err = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the wait ends promptly")
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, FlowError::Cancelled), "{err:?}");
    // A poll already on the wire may still land; after that, none.
    tokio::time::sleep(ms(50)).await;
    let polls = requests_to(&mock, "GET", STATUS).await.len();
    assert!(polls >= 1);
    tokio::time::sleep(ms(150)).await;
    assert_eq!(
        requests_to(&mock, "GET", STATUS).await.len(),
        polls,
        "no poll after cancelling"
    );
}

#[tokio::test]
async fn dropping_the_wait_stops_polling() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        AUTH,
        vec![started("https://a.example", Duration::from_secs(60))],
    )
    .await;
    play(&mock, "GET", STATUS, vec![status("pending")]).await;
    let pending = client
        .authorize("douyin")
        .polling(fast())
        .start()
        .await
        .unwrap();
    let gave_up = tokio::time::timeout(ms(100), pending.wait()).await;
    assert!(gave_up.is_err(), "still pending");
    tokio::time::sleep(ms(50)).await;
    let polls = requests_to(&mock, "GET", STATUS).await.len();
    assert!(polls >= 1);
    tokio::time::sleep(ms(150)).await;
    assert_eq!(requests_to(&mock, "GET", STATUS).await.len(), polls);
}

// ---------------------------------------------------------------------------------------------
// Upload
// ---------------------------------------------------------------------------------------------

/// Mounts the sign, storage and confirm answers; the signed URL carries a secret.
async fn upload_service(mock: &MockServer, put: ResponseTemplate) {
    let upload_url = format!("{}{STORAGE}?X-Signature=secret-signature", mock.uri());
    play(
        mock,
        "POST",
        SIGN,
        vec![ok(json!({
            "id": "asset-1", "path": "u/asset-1", "url": "https://cdn.example/u/asset-1",
            "uploadUrl": upload_url
        }))],
    )
    .await;
    play(mock, "PUT", STORAGE, vec![put]).await;
    play(
        mock,
        "POST",
        CONFIRM,
        vec![ok(json!({
            "id": "asset-1", "url": "https://cdn.example/u/asset-1", "status": "confirmed",
            "size": 1, "mimeType": "image/png", "filename": "pic.png"
        }))],
    )
    .await;
}

fn sample_bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

fn recorder() -> (
    Arc<Mutex<Vec<UploadProgress>>>,
    impl FnMut(UploadProgress) + Send + 'static,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (seen, move |p| sink.lock().unwrap().push(p))
}

#[tokio::test]
async fn upload_signs_puts_the_bytes_and_confirms() {
    let (mock, client) = setup().await;
    upload_service(&mock, ResponseTemplate::new(200)).await;
    let data = sample_bytes(200_000);
    let (seen, on_progress) = recorder();
    let asset = client
        .upload(UploadSource::bytes("pic.png", data.clone()))
        .kind(AssetKind::PublishMedia)
        .on_progress(on_progress)
        .send()
        .await
        .unwrap();
    assert_eq!(asset.id.as_deref(), Some("asset-1"));
    assert_eq!(asset.url.as_deref(), Some("https://cdn.example/u/asset-1"));

    let sign = &requests_to(&mock, "POST", SIGN).await[0];
    let body: Value = serde_json::from_slice(&sign.body).unwrap();
    assert_eq!(
        body,
        json!({ "filename": "pic.png", "size": 200000.0, "type": "publishMedia" })
    );

    let puts = requests_to(&mock, "PUT", STORAGE).await;
    assert_eq!(puts.len(), 1);
    let put = &puts[0];
    assert_eq!(put.body, data, "the bytes arrive whole and in order");
    assert_eq!(put.url.query(), Some("X-Signature=secret-signature"));
    assert_eq!(put.headers.get("content-type").unwrap(), "image/png");
    assert_eq!(put.headers.get("content-length").unwrap(), "200000");
    assert!(put.headers.get("transfer-encoding").is_none());
    assert!(
        put.headers.get("x-api-key").is_none(),
        "the key never goes to storage"
    );
    assert_eq!(requests_to(&mock, "POST", CONFIRM).await.len(), 1);

    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 4, "reported piece by piece: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0].sent < w[1].sent));
    assert!(seen.iter().all(|p| p.total == 200_000));
    assert_eq!(seen.last().unwrap().sent, 200_000);
}

#[tokio::test]
async fn upload_streams_a_file_under_its_own_name() {
    let (mock, client) = setup().await;
    upload_service(&mock, ResponseTemplate::new(200)).await;
    let dir = std::env::temp_dir().join(format!("aitoearn-flows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("clip.mp4");
    let data = sample_bytes(1_000_003);
    std::fs::write(&file, &data).unwrap();
    let (seen, on_progress) = recorder();
    let result = client
        .upload(UploadSource::file(&file))
        .on_progress(on_progress)
        .send()
        .await;
    std::fs::remove_dir_all(&dir).ok();
    result.unwrap();
    let sign: Value =
        serde_json::from_slice(&requests_to(&mock, "POST", SIGN).await[0].body).unwrap();
    assert_eq!(sign["filename"], "clip.mp4");
    assert_eq!(sign["size"], 1_000_003.0);
    assert_eq!(sign["type"], "temp", "the service's default kind");
    let put = &requests_to(&mock, "PUT", STORAGE).await[0];
    assert_eq!(put.headers.get("content-type").unwrap(), "video/mp4");
    assert!(put.body == data);
    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 15, "{} progress reports", seen.len());
    assert_eq!(seen.last().unwrap().sent, 1_000_003);
}

#[tokio::test]
async fn upload_streams_a_reader_and_checks_its_length() {
    let (mock, client) = setup().await;
    upload_service(&mock, ResponseTemplate::new(200)).await;
    let data = sample_bytes(70_000);
    client
        .upload(UploadSource::reader(
            "voice.mp3",
            std::io::Cursor::new(data.clone()),
            70_000,
        ))
        .content_type("audio/x-custom")
        .send()
        .await
        .unwrap();
    let put = &requests_to(&mock, "PUT", STORAGE).await[0];
    assert_eq!(put.headers.get("content-type").unwrap(), "audio/x-custom");
    assert_eq!(put.body, data);

    // A reader that ends before its declared size: an I/O error, and nothing confirmed.
    let (mock, client) = setup().await;
    upload_service(&mock, ResponseTemplate::new(200)).await;
    let err = client
        .upload(UploadSource::reader(
            "voice.mp3",
            std::io::Cursor::new(sample_bytes(10)),
            70_000,
        ))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FlowError::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof),
        "{err:?}"
    );
    assert!(requests_to(&mock, "POST", CONFIRM).await.is_empty());
}

#[tokio::test]
async fn a_refused_put_is_an_error_and_nothing_is_confirmed() {
    let (mock, client) = setup().await;
    let refusal = ResponseTemplate::new(403).set_body_raw(
        "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code></Error>",
        "application/xml",
    );
    upload_service(&mock, refusal).await;
    let err = client
        .upload(UploadSource::bytes("pic.png", sample_bytes(1000)))
        .send()
        .await
        .unwrap_err();
    match &err {
        FlowError::UploadRejected { status, body } => {
            assert_eq!(*status, 403);
            assert!(body.contains("SignatureDoesNotMatch"), "{body}");
        }
        other => panic!("expected UploadRejected, got {other:?}"),
    }
    assert!(!err.to_string().contains("secret-signature"));
    assert!(requests_to(&mock, "POST", CONFIRM).await.is_empty());
}

#[tokio::test]
async fn a_redirected_put_is_not_followed() {
    let (mock, client) = setup().await;
    let elsewhere = wiremock::MockServer::builder()
        .listener(std::net::TcpListener::bind("127.0.0.2:0").unwrap())
        .start()
        .await;
    let redirect = ResponseTemplate::new(307).insert_header(
        "location",
        format!("{}/other-bucket", elsewhere.uri()).as_str(),
    );
    upload_service(&mock, redirect).await;
    let err = client
        .upload(UploadSource::bytes("pic.png", sample_bytes(1000)))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, FlowError::UploadRejected { status: 307, .. }),
        "{err:?}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    assert!(requests_to(&mock, "POST", CONFIRM).await.is_empty());
}

#[tokio::test]
async fn an_unreachable_storage_is_a_transport_error_without_the_signed_url() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "POST",
        SIGN,
        vec![ok(json!({ "id": "asset-1", "uploadUrl": "http://127.0.0.1:9/b/a?X-Signature=secret-signature" }))],
    )
    .await;
    let err = client
        .upload(UploadSource::bytes("pic.png", sample_bytes(10)))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, FlowError::UploadTransport(_)), "{err:?}");
    assert!(!format!("{err:?}").contains("secret-signature"));
    assert!(!err.to_string().contains("secret-signature"));
    assert!(requests_to(&mock, "POST", CONFIRM).await.is_empty());
}

#[tokio::test]
async fn a_refused_signature_or_a_missing_file_uploads_nothing() {
    let (mock, client) = setup().await;
    play(&mock, "POST", SIGN, vec![refused(12752, "资源过大")]).await;
    let err = client
        .upload(UploadSource::bytes("big.mp4", sample_bytes(10)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::AssetTooLarge), "{err:?}");
    assert!(requests_to(&mock, "PUT", STORAGE).await.is_empty());

    let (mock, client) = setup().await;
    let err = client
        .upload(UploadSource::file("/definitely/not/here.mp4"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FlowError::Io(e) if e.kind() == std::io::ErrorKind::NotFound),
        "{err:?}"
    );
    assert!(
        requests_to(&mock, "POST", SIGN).await.is_empty(),
        "no asset signed for nothing"
    );
}

// ---------------------------------------------------------------------------------------------
// Publish
// ---------------------------------------------------------------------------------------------

fn task(id: &str, platform: &str, status: i64) -> Value {
    json!({ "id": id, "accountId": format!("acc-{platform}"), "platform": platform, "status": status })
}

fn flow(tasks: Vec<Value>) -> ResponseTemplate {
    ok(json!({ "flowId": "flow-1", "tasks": tasks }))
}

fn publish_body() -> aitoearn::types::ops::publish_flow_create::Body {
    serde_json::from_value(json!({
        "publishAt": "2026-07-02T12:00:00Z",
        "content": { "title": "Hello", "media": [{ "url": "https://cdn.example/u/asset-1" }] },
        "items": [
            { "platform": "douyin", "accountId": "acc-douyin" },
            { "platform": "bilibili", "accountId": "acc-bilibili", "option": { "tid": 21 } }
        ]
    }))
    .unwrap()
}

fn statuses(state: &PublishState) -> Vec<(String, TaskStatus)> {
    state
        .tasks
        .iter()
        .map(|t| (t.platform.clone(), t.status))
        .collect()
}

#[tokio::test]
async fn publish_follows_every_task_to_its_end() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "POST",
        FLOWS,
        vec![flow(vec![
            task("t1", "douyin", 6),
            task("t2", "bilibili", 6),
        ])],
    )
    .await;
    let mut published = task("t1", "douyin", 1);
    published["workLink"] = json!("https://v.douyin.com/abc");
    published["platformWorkId"] = json!("7300000000");
    let mut failed = task("t2", "bilibili", -1);
    failed["errorMsg"] = json!("分区 tid 无效");
    play(
        &mock,
        "GET",
        FLOW,
        vec![
            flow(vec![task("t1", "douyin", 2), task("t2", "bilibili", 6)]),
            // No change: not reported again.
            flow(vec![task("t1", "douyin", 2), task("t2", "bilibili", 6)]),
            flow(vec![published, failed]),
        ],
    )
    .await;

    let publication = client
        .publish(publish_body())
        .polling(fast())
        .send()
        .await
        .unwrap();
    assert_eq!(publication.flow_id(), "flow-1");
    assert_eq!(publication.tasks().len(), 2);
    let create: Value =
        serde_json::from_slice(&requests_to(&mock, "POST", FLOWS).await[0].body).unwrap();
    assert_eq!(create["items"][1]["option"]["tid"], 21);
    assert_eq!(
        create["content"]["media"][0]["url"],
        "https://cdn.example/u/asset-1"
    );

    let states: Vec<PublishState> = publication.updates().try_collect().await.unwrap();
    use TaskStatus::*;
    let seen: Vec<Vec<TaskStatus>> = states
        .iter()
        .map(|s| statuses(s).into_iter().map(|(_, st)| st).collect())
        .collect();
    assert_eq!(
        seen,
        [
            vec![Queued, Queued],
            vec![Publishing, Queued],
            vec![Published, Failed]
        ]
    );
    assert_eq!(requests_to(&mock, "GET", FLOW).await.len(), 3);

    let last = states.last().unwrap();
    assert!(last.is_finished());
    let douyin = last.task("t1").unwrap();
    assert_eq!(
        douyin.work_link.as_deref(),
        Some("https://v.douyin.com/abc")
    );
    assert_eq!(douyin.platform_work_id.as_deref(), Some("7300000000"));
    let failed: Vec<_> = last.failed().collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].platform, "bilibili");
    assert_eq!(failed[0].error.as_deref(), Some("分区 tid 无效"));

    // Retry the failed task, then follow the flow again to its end. The service takes the
    // retry in only a moment later: a look right after it would still see the task failed.
    let retried_at = Arc::new(Mutex::new(None::<Instant>));
    let at = retried_at.clone();
    Mock::given(method("POST"))
        .and(path("/api/v2/channels/publish/tasks/t2/retry"))
        .respond_with(move |_: &Request| {
            *at.lock().unwrap() = Some(Instant::now());
            ok(json!({ "taskId": "t2" }))
        })
        .mount(mock.server())
        .await;
    let mut retried = task("t2", "bilibili", 1);
    retried["workLink"] = json!("https://b23.tv/xyz");
    let at = retried_at.clone();
    Mock::given(method("GET"))
        .and(path(FLOW))
        .respond_with(move |_: &Request| {
            let since = at.lock().unwrap().map(|t| t.elapsed()).unwrap_or_default();
            if since < ms(15) {
                flow(vec![task("t1", "douyin", 1), task("t2", "bilibili", -1)])
            } else {
                flow(vec![task("t1", "douyin", 1), retried.clone()])
            }
        })
        .with_priority(1)
        .mount(mock.server())
        .await;
    publication.retry("t2").await.unwrap();
    let end = publication.wait().await.unwrap();
    assert_eq!(end.published().count(), 2, "{end:?}");
    assert_eq!(end.failed().count(), 0);
    assert_eq!(
        end.task("t2").unwrap().work_link.as_deref(),
        Some("https://b23.tv/xyz")
    );
}

#[tokio::test]
async fn wait_returns_per_platform_results_with_a_cancelled_task() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        FLOW,
        vec![flow(vec![task("t1", "douyin", 1), task("t2", "xhs", 9)])],
    )
    .await;
    let state = Publication::attach(&client, "flow-1")
        .polling(fast())
        .wait()
        .await
        .unwrap();
    assert_eq!(
        statuses(&state),
        [
            ("douyin".to_string(), TaskStatus::Published),
            ("xhs".to_string(), TaskStatus::Cancelled)
        ]
    );
    assert_eq!(
        requests_to(&mock, "GET", FLOW).await.len(),
        1,
        "done at the first look"
    );
}

#[tokio::test]
async fn the_actions_on_tasks_call_their_operations() {
    let (mock, client) = setup().await;
    let base = "/api/v2/channels/publish/tasks";
    play(
        &mock,
        "POST",
        &format!("{base}/t1/publish-now"),
        vec![ok(json!({ "taskId": "t1" }))],
    )
    .await;
    play(
        &mock,
        "DELETE",
        &format!("{base}/t1"),
        vec![ok(json!({ "taskId": "t1" }))],
    )
    .await;
    Mock::given(method("PATCH"))
        .and(path(format!("{base}/t2/publish-at")))
        .and(body_json(json!({ "publishAt": "2026-08-01T09:30:00Z" })))
        .respond_with(ok(json!({ "taskId": "t2" })))
        .expect(1)
        .mount(mock.server())
        .await;
    play(
        &mock,
        "POST",
        &format!("{base}/t3/retry"),
        vec![refused(15095, "当前发布任务不允许重试")],
    )
    .await;

    let publication = Publication::attach(&client, "flow-1");
    publication.publish_now("t1").await.unwrap();
    publication.cancel("t1").await.unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-08-01T09:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    publication.update_publish_at("t2", at).await.unwrap();
    let err = publication.retry("t3").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ChannelPublishRetryNotAllowed));

    assert_eq!(
        requests_to(&mock, "POST", &format!("{base}/t1/publish-now"))
            .await
            .len(),
        1
    );
    assert_eq!(
        requests_to(&mock, "DELETE", &format!("{base}/t1"))
            .await
            .len(),
        1
    );
    mock.server().verify().await;
}

#[tokio::test]
async fn publish_errors_end_the_flow() {
    // The flow cannot be created: the media is unreachable.
    let (mock, client) = setup().await;
    play(
        &mock,
        "POST",
        FLOWS,
        vec![refused(15051, "media_unreachable")],
    )
    .await;
    let err = client.publish(publish_body()).send().await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::from_code(15051)), "{err:?}");
    assert_eq!(
        requests_to(&mock, "POST", FLOWS).await.len(),
        1,
        "never sent twice"
    );

    // The flow is gone while following it.
    let (mock, client) = setup().await;
    play(&mock, "GET", FLOW, vec![refused(15050, "发布流程未找到")]).await;
    let err = Publication::attach(&client, "flow-1")
        .polling(fast())
        .wait()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::PublishFlowNotFound), "{err:?}");
}

#[tokio::test]
async fn following_a_flow_times_out_or_is_cancelled() {
    let (mock, client) = setup().await;
    play(
        &mock,
        "GET",
        FLOW,
        vec![flow(vec![task("t1", "douyin", 6)])],
    )
    .await;
    let started = Instant::now();
    let err = Publication::attach(&client, "flow-1")
        .polling(fast().timeout(ms(150)))
        .wait()
        .await
        .unwrap_err();
    assert!(
        matches!(err, FlowError::TimedOut(t) if t == ms(150)),
        "{err:?}"
    );
    assert!(started.elapsed() >= ms(150) && started.elapsed() < Duration::from_secs(5));

    let publication = Publication::attach(&client, "flow-1")
        .polling(fast())
        .cancel_on(tokio::time::sleep(ms(100)));
    let mut updates = std::pin::pin!(publication.updates());
    assert!(updates.next().await.unwrap().is_ok(), "the state as it is");
    let err = updates.next().await.unwrap().unwrap_err();
    assert!(matches!(err, FlowError::Cancelled), "{err:?}");
    assert!(updates.next().await.is_none(), "an error ends the stream");
}

// ---------------------------------------------------------------------------------------------
// Paged lists
// ---------------------------------------------------------------------------------------------

fn video_page(ids: &[&str], page: i64, total_pages: i64) -> ResponseTemplate {
    let sample =
        aitoearn::mock::sample(&json!({ "$ref": "#/components/schemas/ListVideoTasksResponseVo" }));
    let item = sample["list"][0].clone();
    let list: Vec<Value> = ids
        .iter()
        .map(|id| {
            let mut it = item.clone();
            it["id"] = json!(id);
            it
        })
        .collect();
    ok(json!({ "page": page, "pageSize": 2, "total": 5, "totalPages": total_pages, "list": list }))
}

async fn mount_page(mock: &MockServer, route: &str, page: &str, answer: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(route))
        .and(query_param("page", page))
        .respond_with(answer)
        .mount(mock.server())
        .await;
}

#[tokio::test]
async fn video_tasks_stream_every_page() {
    let route = "/api/ai/video/generations";
    let (mock, client) = setup().await;
    mount_page(&mock, route, "1", video_page(&["a", "b"], 1, 3)).await;
    mount_page(&mock, route, "2", video_page(&["c", "d"], 2, 3)).await;
    mount_page(&mock, route, "3", video_page(&["e"], 3, 3)).await;
    let ids: Vec<String> = client
        .video_list_tasks()
        .page_size(2)
        .items()
        .map_ok(|t| t.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let pages = requests_to(&mock, "GET", route).await;
    assert_eq!(pages.len(), 3);
    assert!(pages.iter().all(|r| {
        r.url
            .query_pairs()
            .any(|(k, v)| k == "pageSize" && v == "2")
    }));

    // A page that fails ends the stream with its error.
    let (mock, client) = setup().await;
    mount_page(&mock, route, "1", video_page(&["a", "b"], 1, 3)).await;
    mount_page(
        &mock,
        route,
        "2",
        ResponseTemplate::new(500).set_body_string("boom"),
    )
    .await;
    let mut items = std::pin::pin!(client.video_list_tasks().page_size(2).items());
    assert_eq!(items.next().await.unwrap().unwrap().id, "a");
    assert_eq!(items.next().await.unwrap().unwrap().id, "b");
    let err = items.next().await.unwrap().unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(items.next().await.is_none());
    assert_eq!(requests_to(&mock, "GET", route).await.len(), 2);
}

fn works_page(titles: &[&str], has_next: Option<bool>) -> ResponseTemplate {
    let items: Vec<Value> = titles.iter().map(|t| json!({ "title": t })).collect();
    let mut pagination = json!({ "mode": "page", "limit": 2 });
    if let Some(has_next) = has_next {
        pagination["hasNext"] = json!(has_next);
    }
    ok(json!({ "platform": "KWAI", "items": items, "pagination": pagination }))
}

#[tokio::test]
async fn works_stream_until_the_last_page() {
    let route = "/api/v2/channels/works/KWAI";
    let two = NonZeroU64::new(2).unwrap();
    let (mock, client) = setup().await;
    mount_page(&mock, route, "1", works_page(&["w1", "w2"], Some(true))).await;
    mount_page(&mock, route, "2", works_page(&["w3", "w4"], Some(false))).await;
    let titles: Vec<Value> = client
        .works_list("KWAI")
        .account_id("acc-1")
        .items(two)
        .map_ok(|w| w["title"].clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(titles, ["w1", "w2", "w3", "w4"]);
    let pages = requests_to(&mock, "GET", route).await;
    assert_eq!(pages.len(), 2);
    assert!(
        pages[1]
            .url
            .query_pairs()
            .any(|(k, v)| k == "pageSize" && v == "2")
    );
    assert!(
        pages[1]
            .url
            .query_pairs()
            .any(|(k, v)| k == "accountId" && v == "acc-1")
    );

    // Without `hasNext`, a short page is the last.
    let (mock, client) = setup().await;
    mount_page(&mock, route, "1", works_page(&["w1", "w2"], None)).await;
    mount_page(&mock, route, "2", works_page(&["w3"], None)).await;
    let n = client
        .works_list("KWAI")
        .account_id("acc-1")
        .items(two)
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .len();
    assert_eq!(n, 3);
    assert_eq!(requests_to(&mock, "GET", route).await.len(), 2);
}

#[test]
fn the_flows_are_send() {
    fn send<T: Send>(_: &T) {}
    let client = Client::builder()
        .api_key("k")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    send(&client.authorize("douyin").start());
    send(
        &client
            .upload(UploadSource::bytes("a.png", vec![1u8]))
            .send(),
    );
    send(&client.publish(publish_body()).send());
    let publication = Publication::attach(&client, "f");
    send(&publication.wait());
    send(&publication.updates());
    send(&client.video_list_tasks().items());
}
