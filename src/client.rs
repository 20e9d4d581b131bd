//! [`Client`] and its [`ClientBuilder`]: base URL, API key, HTTP client and limits.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::ClientInfo;

use crate::auth::ApiKey;
use crate::config::Shared;
use crate::error::{Error, Result};
use crate::generated;
use crate::region::{Region, normalize_base_url};
use crate::retry::RetryPolicy;

/// Environment variable holding the API key.
pub const ENV_API_KEY: &str = "AITOEARN_API_KEY";
/// Environment variable holding a base URL (wins over [`ENV_REGION`]).
pub const ENV_BASE_URL: &str = "AITOEARN_BASE_URL";
/// Environment variable holding a region: `global` or `china`.
pub const ENV_REGION: &str = "AITOEARN_REGION";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(120);
const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;

/// The AiToEarn API client. Cheap to clone; clones share one connection pool.
///
/// Every operation of the spec is a method (see [`OPERATIONS`](crate::OPERATIONS)); each returns
/// a request builder whose `send()` returns the envelope's `data` or an [`Error`].
///
/// ```no_run
/// # async fn run() -> aitoearn::Result<()> {
/// let client = aitoearn::Client::from_env()?;
/// let auth = client.auth_start("douyin").group_id("g1").send().await?;
/// println!("{:?} expires {:?}", auth.url, auth.expires_at);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<generated::Client>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("shared", self.shared())
            .finish()
    }
}

impl Client {
    /// A client for the global region with `api_key`.
    pub fn new(api_key: impl Into<String>) -> Result<Self> {
        Self::builder().api_key(api_key).build()
    }

    /// A builder with every setting at its default.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: [`ENV_API_KEY`], and [`ENV_BASE_URL`] or
    /// [`ENV_REGION`] (global by default). Fails when no API key is set.
    pub fn from_env() -> Result<Self> {
        let builder = ClientBuilder::from_env()?;
        if builder.api_key.is_none() {
            return Err(Error::Config(format!("{ENV_API_KEY} is not set")));
        }
        builder.build()
    }

    /// The base URL every request goes to (no trailing slash).
    pub fn base_url(&self) -> &str {
        self.inner.baseurl()
    }

    /// Whether the client has an API key.
    pub fn has_api_key(&self) -> bool {
        self.shared().api_key.is_some()
    }

    pub(crate) fn generated(&self) -> &generated::Client {
        &self.inner
    }

    /// The HTTP client requests go through (the user's own, when given). The API key is not
    /// part of it: the hooks add it per operation, so other requests never carry it.
    #[cfg(feature = "flows")]
    pub(crate) fn http(&self) -> &reqwest::Client {
        self.inner.client()
    }

    pub(crate) fn shared(&self) -> &Shared {
        self.inner.inner()
    }
}

/// Configures a [`Client`].
///
/// ```
/// use std::time::Duration;
/// let client = aitoearn::Client::builder()
///     .api_key("sk-…")
///     .region(aitoearn::Region::China)
///     .timeout(Duration::from_secs(30))
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "https://aitoearn.cn");
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    region: Region,
    base_url: Option<String>,
    http: Option<reqwest::Client>,
    timeout: Option<Option<Duration>>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    max_body: Option<usize>,
    retry: Option<RetryPolicy>,
    allow_insecure_http: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder from the environment (see [`Client::from_env`]); the key may be absent.
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut builder = Self::default();
        if let Some(key) = var(ENV_API_KEY) {
            builder = builder.api_key(key);
        }
        if let Some(region) = var(ENV_REGION) {
            builder = builder.region(region.parse()?);
        }
        if let Some(url) = var(ENV_BASE_URL) {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The API key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// One of AiToEarn's regions (default: [`Region::Global`]).
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// A self-hosted or test base URL, instead of a region. Trailing slashes are dropped.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Your own `reqwest::Client` (proxies, certificates, pool tuning). Its own timeouts then
    /// apply, besides the per-request [`timeout`](Self::timeout).
    ///
    /// **Redirects.** The SDK's own client never follows redirects, so the API key (sent in
    /// `X-Api-Key`, `Authorization` or `x-goog-api-key`) only ever goes to the base URL's origin.
    /// A `reqwest::Client`'s redirect policy is fixed when it is built and cannot be read or
    /// changed afterwards, so with your own client the SDK cannot stop it from following a
    /// redirect — and reqwest strips only `Authorization` and cookies on a cross-origin redirect,
    /// not `X-Api-Key` or `x-goog-api-key`. Build it from
    /// [`http_client_builder`](crate::http_client_builder), which sets
    /// `redirect::Policy::none()` and no `Referer`, and keep that setting. If your client does
    /// follow a redirect to another origin, the call fails with an [`Error::Http`] naming it
    /// (the answer is not used), but by then the key may have been sent there.
    ///
    /// [`http_client_builder`](crate::http_client_builder) also has this crate's TLS backend,
    /// user agent and timeouts set up; a plain `reqwest::Client::new()` works too (but follows
    /// redirects).
    ///
    /// ```
    /// use std::time::Duration;
    /// let http = aitoearn::http_client_builder()
    ///     .pool_idle_timeout(Duration::from_secs(30))
    ///     .build()
    ///     .unwrap();
    /// let client = aitoearn::Client::builder().api_key("k").http_client(http).build().unwrap();
    /// # let _ = client;
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Whole-request timeout for calls that do not stream (default 120 s); `None` for none.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = Some(timeout.into());
        self
    }

    /// Connect timeout (default 10 s). Ignored with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Longest wait for the next bytes of an answer, the idle timeout of streams (default
    /// 120 s). Ignored with [`http_client`](Self::http_client).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Largest body read into memory (default 64 MiB); larger answers are an error.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body = Some(bytes);
        self
    }

    /// When and how failed calls are repeated (default: [`RetryPolicy::default`]; only
    /// operations safe to repeat, unless a call opts in). [`RetryPolicy::none`] turns it off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Allows a plain-HTTP base URL on a non-loopback host (the key then travels unencrypted).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let base = self.base_url.as_deref().unwrap_or(self.region.base_url());
        let base = normalize_base_url(base, self.allow_insecure_http)?;
        let http = match self.http {
            Some(http) => http,
            None => http_client_builder()
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .read_timeout(self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT))
                .build()
                .map_err(|e| Error::Config(format!("HTTP client: {e}")))?,
        };
        let shared = Shared {
            api_key: self.api_key,
            timeout: self.timeout.unwrap_or(Some(DEFAULT_TIMEOUT)),
            max_body: self.max_body.unwrap_or(DEFAULT_MAX_BODY),
            retry: self.retry.unwrap_or_default(),
        };
        Ok(Client {
            inner: Arc::new(generated::Client::new_with_client(&base, http, shared)),
        })
    }
}

/// A `reqwest::ClientBuilder` with this crate's TLS backend (`native-tls` when that feature is
/// on, otherwise rustls with its built-in provider and the platform verifier, under the
/// default `rustls` feature), user agent and default timeouts: customize it and pass the
/// result to [`ClientBuilder::http_client`].
///
/// Redirects are not followed (`redirect::Policy::none()`) and no `Referer` is sent: an API does
/// not redirect, and a followed redirect would carry the API key to wherever it points. A `3xx`
/// answer is an [`Error::Http`] with its status and `Location`.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .user_agent(concat!("aitoearn-rust/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
        .read_timeout(DEFAULT_READ_TIMEOUT);
    crate::tls::configure(builder)
}
