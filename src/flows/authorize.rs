//! Authorizing a platform account: start a session, show its URL or QR code, wait for the user.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;

use super::{Backoff, Cancel, FlowError, Polling, is_transient, now_utc, parse_time, required};
use crate::types::ops;
use crate::{Client, ErrorCode};
use base64::Engine as _;
use chrono::{DateTime, Utc};

/// The operation whose answer [`FlowError::UnexpectedAnswer`] names: its row of
/// [`OPERATIONS`](crate::OPERATIONS), so a renamed operation is a compile error here.
const START: &str = crate::types::ops::auth_start::OPERATION.name;

/// With no `expiresAt` from the service, an authorization is given up after this long.
const FALLBACK_SESSION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

impl Client {
    /// Authorizes an account of `platform` (`douyin`, `xhs`, `wxSph`, `KWAI`, `wxGzh`,
    /// `bilibili`; see `platforms_list` for what is available): [`start`](Authorize::start)
    /// gives what to show the user, [`wait`](PendingAuthorization::wait) waits for them.
    ///
    /// ```no_run
    /// # async fn run(client: aitoearn::Client) -> Result<(), aitoearn::flows::FlowError> {
    /// use aitoearn::flows::{AuthOutcome, AuthPrompt};
    ///
    /// let pending = client.authorize("douyin").group_id("g1").start().await?;
    /// match pending.prompt() {
    ///     AuthPrompt::Url(url) => println!("open {url}"),
    ///     AuthPrompt::QrCode(qr) => println!("scan the {} QR code ({} bytes)", qr.mime_type, qr.data.len()),
    ///     _ => {}
    /// }
    /// if let Some(text) = pending.instructions("en-US") {
    ///     println!("{text}");
    /// }
    /// match pending.wait().await? {
    ///     AuthOutcome::Connected { accounts, .. } => {
    ///         for account in accounts {
    ///             println!("connected {} ({:?})", account.id, account.name);
    ///         }
    ///     }
    ///     AuthOutcome::SelectionRequired { choices, .. } => {
    ///         println!("pick among {} accounts in the authorization page", choices.len());
    ///     }
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub fn authorize(&self, platform: impl Into<String>) -> Authorize {
        Authorize {
            client: self.clone(),
            platform: platform.into(),
            group_id: None,
            callback_url: None,
            redirect_uri: None,
            polling: Polling::new(std::time::Duration::from_secs(2))
                .max_interval(std::time::Duration::from_secs(5)),
            cancel: Cancel::default(),
        }
    }
}

/// Configures an authorization; made by [`Client::authorize`].
#[derive(Debug, Clone)]
#[must_use = "an authorization does nothing until `.start()` is awaited"]
pub struct Authorize {
    client: Client,
    platform: String,
    group_id: Option<String>,
    callback_url: Option<String>,
    redirect_uri: Option<String>,
    polling: Polling,
    cancel: Cancel,
}

impl Authorize {
    /// The account group the account joins (default: the default group).
    pub fn group_id(mut self, group_id: impl Into<String>) -> Self {
        self.group_id = Some(group_id.into());
        self
    }

    /// Where the browser POSTs the result when the user is done.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Where the browser goes when the user is done.
    pub fn redirect_uri(mut self, url: impl Into<String>) -> Self {
        self.redirect_uri = Some(url.into());
        self
    }

    /// How to poll the session (default: every 2 s, growing to 5 s).
    pub fn polling(mut self, polling: Polling) -> Self {
        self.polling = polling;
        self
    }

    /// Stops the flow with [`FlowError::Cancelled`] when `signal` completes (see the
    /// [module docs](super#cancelling)).
    pub fn cancel_on<F>(mut self, signal: F) -> Self
    where
        F: Future + Send + 'static,
    {
        self.cancel = Cancel::new(signal);
        self
    }

    /// Starts the authorization session (`auth_start`) and returns what to show the user.
    pub async fn start(self) -> Result<PendingAuthorization, FlowError> {
        let cancel = self.cancel.clone();
        cancel.run(self.start_inner()).await
    }

    async fn start_inner(self) -> Result<PendingAuthorization, FlowError> {
        let mut request = self.client.auth_start(self.platform.as_str());
        if let Some(v) = &self.group_id {
            request = request.group_id(v.as_str());
        }
        if let Some(v) = &self.callback_url {
            request = request.callback_url(v.as_str());
        }
        if let Some(v) = &self.redirect_uri {
            request = request.redirect_uri(v.as_str());
        }
        // The platform's accounts before the session, to tell which ones it connects when the
        // status answer does not say (see `connected_accounts`).
        let (answer, before) =
            futures_util::future::join(Box::pin(request.send()), list_accounts(&self.client)).await;
        // `url`, `sessionId` and `expiresAt` are required by the spec: a missing one is a
        // decode error of the call. Empty texts are still refused here.
        let answer = answer?;
        let session_id = required(START, "sessionId", Some(answer.session_id))?;
        let url = required(START, "url", Some(answer.url))?;
        let instructions = answer
            .auth_instructions
            .map(|i| {
                [("en-US", i.en_us), ("zh-CN", i.zh_cn)]
                    .into_iter()
                    .filter(|(_, text)| !text.trim().is_empty())
                    .map(|(tag, text)| (tag.to_string(), text))
                    .collect()
            })
            .unwrap_or_default();
        Ok(PendingAuthorization {
            prompt: AuthPrompt::from_url(&url),
            url,
            session_id,
            expires_at: Some(answer.expires_at),
            instructions,
            before: before.ok().map(|accounts| {
                accounts
                    .into_iter()
                    .filter(|a| a.is_on(&self.platform))
                    .map(|a| (a.account.id, a.updated_at))
                    .collect()
            }),
            client: self.client,
            platform: self.platform,
            polling: self.polling,
            cancel: self.cancel,
        })
    }
}

/// What the user is shown to authorize: a URL to open, or a QR code to scan.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthPrompt {
    /// A page to open in a browser.
    Url(String),
    /// A QR code image to show, from a `data:image/…;base64,` URL.
    QrCode(QrImage),
}

/// An image the service sent inline, decoded.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QrImage {
    /// Its MIME type, e.g. `image/png`.
    pub mime_type: String,
    /// The image file's bytes.
    pub data: Vec<u8>,
}

impl fmt::Debug for QrImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QrImage")
            .field("mime_type", &self.mime_type)
            .field("data", &format_args!("[{} bytes]", self.data.len()))
            .finish()
    }
}

impl fmt::Debug for AuthPrompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url(url) => f.debug_tuple("Url").field(url).finish(),
            Self::QrCode(qr) => f.debug_tuple("QrCode").field(qr).finish(),
        }
    }
}

impl AuthPrompt {
    /// Reads the `url` of `auth_start`: a `data:image/<type>;base64,<data>` URL is a QR code,
    /// anything else (including a `data:` URL that is not a base64 image) a URL to open.
    ///
    /// ```
    /// use aitoearn::flows::AuthPrompt;
    ///
    /// let qr = AuthPrompt::from_url("data:image/png;base64,iVBORw0KGgo=");
    /// let AuthPrompt::QrCode(image) = qr else { panic!() };
    /// assert_eq!(image.mime_type, "image/png");
    /// assert_eq!(image.data, b"\x89PNG\r\n\x1a\n");
    ///
    /// let url = AuthPrompt::from_url("https://open.douyin.com/platform/oauth/connect");
    /// assert_eq!(url, AuthPrompt::Url("https://open.douyin.com/platform/oauth/connect".into()));
    /// ```
    pub fn from_url(url: &str) -> Self {
        decode_image_data_url(url)
            .map(Self::QrCode)
            .unwrap_or_else(|| Self::Url(url.to_string()))
    }
}

fn decode_image_data_url(url: &str) -> Option<QrImage> {
    let rest = url.trim();
    let rest = rest
        .get(..5)
        .filter(|s| s.eq_ignore_ascii_case("data:"))
        .map(|_| &rest[5..])?;
    let (meta, payload) = rest.split_once(',')?;
    let mut parts = meta.split(';').map(str::trim);
    let mime_type = parts.next()?.to_ascii_lowercase();
    if !mime_type.starts_with("image/") || !parts.any(|p| p.eq_ignore_ascii_case("base64")) {
        return None;
    }
    let payload: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let data = engine.decode(payload.as_bytes()).ok()?;
    Some(QrImage { mime_type, data })
}

/// A started authorization: what to show the user, and [`wait`](Self::wait) for them.
///
/// Owns a clone of the client, so it can be moved into a task.
#[derive(Debug)]
#[must_use = "the authorization completes only if `.wait()` is awaited"]
pub struct PendingAuthorization {
    client: Client,
    platform: String,
    session_id: String,
    url: String,
    prompt: AuthPrompt,
    expires_at: Option<DateTime<Utc>>,
    instructions: BTreeMap<String, String>,
    before: Option<HashMap<String, Option<String>>>,
    polling: Polling,
    cancel: Cancel,
}

impl PendingAuthorization {
    /// The platform being authorized.
    pub fn platform(&self) -> &str {
        &self.platform
    }

    /// The authorization session.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// What to show the user: a URL, or a decoded QR code image.
    pub fn prompt(&self) -> &AuthPrompt {
        &self.prompt
    }

    /// The `url` exactly as the service sent it (for a QR code, the `data:` URL).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// When the session expires, if the service said.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }

    /// The instructions for the user in the language of `locale` (`"zh-CN"`, `"zh"`,
    /// `"en_US.UTF-8"`, …): the exact language if the service has it, else the same language
    /// in another region, else English, else whatever it has.
    pub fn instructions(&self, locale: &str) -> Option<&str> {
        pick_language(&self.instructions, locale)
    }

    /// Every language the service gave instructions in, by language tag (`en-US`, `zh-CN`).
    pub fn all_instructions(&self) -> &BTreeMap<String, String> {
        &self.instructions
    }

    /// Polls the session (`auth_get_status`) until the user connects an account, the service
    /// asks them to select sub-accounts, the authorization fails, or the session expires.
    ///
    /// Returns [`FlowError::AuthorizationFailed`] when the service reports a failure,
    /// [`FlowError::AuthorizationExpired`] when `expiresAt` passes first, and
    /// [`FlowError::Cancelled`] / [`FlowError::TimedOut`] per the flow's settings.
    pub async fn wait(self) -> Result<AuthOutcome, FlowError> {
        let cancel = self.cancel.clone();
        cancel.run(self.poll()).await
    }

    async fn poll(self) -> Result<AuthOutcome, FlowError> {
        let mut backoff = Backoff::new(self.polling);
        let fallback = tokio::time::Instant::now() + FALLBACK_SESSION_LIFETIME;
        let mut expires_at = self.expires_at;
        let mut wait = backoff.first();
        loop {
            // Do not sleep past the expiry: one last look right after it.
            if let Some(left) = expires_at.map(|t| (t - now_utc()).to_std().unwrap_or_default()) {
                wait = wait.min(left);
            }
            backoff.sleep(wait).await?;
            let request = self
                .client
                .auth_get_status(self.platform.as_str(), self.session_id.as_str());
            let answer = Box::pin(request.send()).await;
            let status = match answer {
                Ok(status) => status,
                Err(e) if e.code() == Some(ErrorCode::ChannelAuthSessionInvalid) => {
                    return Err(self.expired(expires_at));
                }
                Err(e) if is_transient(&e) => match backoff.after_error() {
                    Some(w) => {
                        wait = w;
                        continue;
                    }
                    None => return Err(e.into()),
                },
                Err(e) => return Err(e.into()),
            };
            if let Some(t) = status.expires_at.as_deref().and_then(parse_time) {
                expires_at = Some(t);
            }
            // The spec's answer (`data` of `auth_get_status`) carries the session's status and
            // expiry only: no error code, no account list, no accounts to select. Where it
            // gains them, the fields below read them.
            match state(&status) {
                State::Failed => {
                    return Err(FlowError::AuthorizationFailed {
                        platform: self.platform,
                        session_id: self.session_id,
                        code: None,
                    });
                }
                State::SelectionRequired => {
                    return Ok(AuthOutcome::SelectionRequired {
                        session_id: self.session_id,
                        choices: Vec::new(),
                    });
                }
                State::Completed => {
                    let accounts = self.connected_accounts().await?;
                    return Ok(AuthOutcome::Connected {
                        session_id: self.session_id,
                        accounts,
                    });
                }
                State::Pending => {
                    let expired = match expires_at {
                        Some(t) => now_utc() >= t,
                        None => tokio::time::Instant::now() >= fallback,
                    };
                    if expired {
                        return Err(self.expired(expires_at));
                    }
                    wait = backoff.after_answer();
                }
            }
        }
    }

    fn expired(self, expires_at: Option<DateTime<Utc>>) -> FlowError {
        FlowError::AuthorizationExpired {
            platform: self.platform,
            session_id: self.session_id,
            expires_at,
        }
    }

    /// The accounts the session connected: the platform's accounts that are new or were
    /// updated since the session started (the status answer names none).
    async fn connected_accounts(&self) -> Result<Vec<ConnectedAccount>, FlowError> {
        let Some(before) = &self.before else {
            return Ok(Vec::new());
        };
        let now = list_accounts(&self.client).await?;
        Ok(now
            .into_iter()
            .filter(|a| a.is_on(&self.platform))
            .filter(|a| before.get(&a.account.id) != Some(&a.updated_at))
            .map(|a| a.account)
            .collect())
    }
}

/// An account of `accounts_list`, with what tells whether the session changed it.
struct Listed {
    account: ConnectedAccount,
    updated_at: Option<String>,
}

impl Listed {
    fn is_on(&self, platform: &str) -> bool {
        !self.account.id.is_empty() && self.account.platform.eq_ignore_ascii_case(platform)
    }
}

async fn list_accounts(client: &Client) -> Result<Vec<Listed>, FlowError> {
    let listed: ops::accounts_list::Output = Box::pin(client.accounts_list().send()).await?;
    Ok(listed
        .list
        .into_iter()
        .map(|a| Listed {
            account: ConnectedAccount {
                id: a.id.unwrap_or_default(),
                platform: a.type_.unwrap_or_default(),
                platform_uid: a.uid,
                name: a.nickname,
                avatar_url: a.avatar,
            },
            updated_at: a.updated_at,
        })
        .collect())
}

fn pick_language<'a>(texts: &'a BTreeMap<String, String>, locale: &str) -> Option<&'a str> {
    // "zh_CN.UTF-8" → "zh-cn"
    let wanted = locale
        .split(['.', '@'])
        .next()
        .unwrap_or_default()
        .replace('_', "-")
        .to_ascii_lowercase();
    let primary = |tag: &str| {
        tag.split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let find = |pred: &dyn Fn(&str) -> bool| {
        texts
            .iter()
            .find(|(k, v)| pred(k) && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    };
    find(&|k| k.eq_ignore_ascii_case(&wanted))
        .or_else(|| find(&|k| !wanted.is_empty() && primary(k) == primary(&wanted)))
        .or_else(|| find(&|k| primary(k) == "en"))
        .or_else(|| find(&|_| true))
}

/// How an authorization ended well.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthOutcome {
    /// The user authorized; these accounts are connected.
    Connected {
        /// The authorization session.
        session_id: String,
        /// The connected accounts (empty only when the service names none and the platform's
        /// account list shows no change).
        accounts: Vec<ConnectedAccount>,
    },
    /// The user must pick which sub-accounts to connect, in the authorization page.
    SelectionRequired {
        /// The authorization session.
        session_id: String,
        /// The accounts to choose from, when the service listed them.
        choices: Vec<SelectableAccount>,
    },
}

/// An account an authorization connected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectedAccount {
    /// The account's id in AiToEarn (`accountId` in other operations).
    pub id: String,
    /// Its platform (`douyin`, `bilibili`, …).
    pub platform: String,
    /// Its id on the platform.
    pub platform_uid: Option<String>,
    /// Its display name.
    pub name: Option<String>,
    /// Its avatar.
    pub avatar_url: Option<String>,
}

/// A platform account the user may select to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SelectableAccount {
    /// Its platform.
    pub platform: String,
    /// Its id on the platform.
    pub platform_uid: String,
    /// Its display name.
    pub name: String,
    /// Its avatar.
    pub avatar_url: Option<String>,
    /// The platform id of the account it belongs to.
    pub parent_platform_uid: Option<String>,
}

enum State {
    Pending,
    Completed,
    SelectionRequired,
    Failed,
}

/// What the status answer says of the session.
fn state(status: &ops::auth_get_status::Output) -> State {
    let text = status.status.as_deref().unwrap_or_default().trim();
    if text.eq_ignore_ascii_case("failed") {
        State::Failed
    } else if status.requires_selection == Some(true) {
        State::SelectionRequired
    } else if text.eq_ignore_ascii_case("completed") {
        State::Completed
    } else {
        // `pending`, and anything newer than this crate: keep waiting until expiry.
        State::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls_of_images_are_qr_codes() {
        let png = b"\x89PNG\r\n\x1a\nrest";
        let b64 = base64::engine::general_purpose::STANDARD.encode(png);
        for url in [
            format!("data:image/png;base64,{b64}"),
            format!(
                "DATA:Image/PNG;charset=utf-8;BASE64,{}",
                b64.trim_end_matches('=')
            ),
            format!("data:image/png;base64,{}\n{}", &b64[..8], &b64[8..]),
        ] {
            match AuthPrompt::from_url(&url) {
                AuthPrompt::QrCode(qr) => {
                    assert_eq!(qr.mime_type, "image/png", "{url}");
                    assert_eq!(qr.data, png, "{url}");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        for url in [
            "https://example.com/a?b=c",
            "data:text/plain;base64,aGk=",
            "data:image/svg+xml,<svg/>",
            "data:image/png;base64,***",
            "data:",
        ] {
            assert_eq!(
                AuthPrompt::from_url(url),
                AuthPrompt::Url(url.into()),
                "{url}"
            );
        }
    }

    #[test]
    fn instructions_follow_the_locale() {
        let texts: BTreeMap<String, String> = [
            ("en-US".to_string(), "Scan".to_string()),
            ("zh-CN".to_string(), "扫码".to_string()),
        ]
        .into();
        assert_eq!(pick_language(&texts, "zh-CN"), Some("扫码"));
        assert_eq!(pick_language(&texts, "zh_TW.UTF-8"), Some("扫码"));
        assert_eq!(pick_language(&texts, "ZH"), Some("扫码"));
        assert_eq!(pick_language(&texts, "en"), Some("Scan"));
        assert_eq!(pick_language(&texts, "fr-FR"), Some("Scan"));
        assert_eq!(pick_language(&texts, ""), Some("Scan"));
        let only_zh: BTreeMap<String, String> = [("zh-CN".to_string(), "扫码".to_string())].into();
        assert_eq!(pick_language(&only_zh, "en-US"), Some("扫码"));
        assert_eq!(pick_language(&BTreeMap::new(), "en-US"), None);
    }

    #[test]
    fn the_status_answer_is_read_as_the_spec_describes_it() {
        let read = |v: serde_json::Value| -> ops::auth_get_status::Output {
            serde_json::from_value(v).unwrap()
        };
        let done = read(serde_json::json!({
            "sessionId": "s", "status": "completed", "requiresSelection": false,
            "accountIds": ["a1"]
        }));
        assert!(matches!(state(&done), State::Completed));
        let failed = read(serde_json::json!({ "status": "failed", "errorCode": 15042 }));
        assert!(matches!(state(&failed), State::Failed));
        let select = read(serde_json::json!({ "status": "pending", "requiresSelection": true }));
        assert!(matches!(state(&select), State::SelectionRequired));
        for status in ["pending", "PENDING", "something-new", ""] {
            let s = read(serde_json::json!({ "status": status }));
            assert!(matches!(state(&s), State::Pending), "{status}");
        }
    }
}
