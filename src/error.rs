//! The one error type of the crate.

use std::fmt;

use crate::ErrorCode;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How much of an unexpected body an error keeps, so it can be shown without flooding logs.
pub(crate) const BODY_SNIPPET_LIMIT: usize = 512;

/// Everything that can go wrong in a call. No variant ever holds the API key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an envelope whose `code` is not 0. The service answers
    /// business errors with HTTP 200, so `status` is usually 200.
    #[error("{operation}: the API answered code {code} ({message}) [x-request-id {request_id}{}]", service_id_suffix(.service_request_id))]
    Api {
        /// Operation (Rust method name) that failed.
        operation: &'static str,
        /// HTTP status of the answer.
        status: u16,
        /// Envelope `code`.
        code: i64,
        /// Envelope `message`.
        message: String,
        /// The `x-request-id` the SDK sent.
        request_id: String,
        /// Envelope `requestId`, when the service sent one.
        service_request_id: Option<String>,
        /// The envelope's `data`, when not empty: some errors detail the failure there.
        /// (Boxed: it is rare, and keeps every `Result` of the crate small.)
        data: Option<Box<serde_json::Value>>,
    },

    /// The service answered with an HTTP error status and no envelope (a proxy's 502 page,
    /// a 404 for an unknown path).
    #[error("{operation}: HTTP {status}{} [x-request-id {request_id}]: {body}", content_type_suffix(.content_type))]
    Http {
        /// Operation (Rust method name) that failed.
        operation: &'static str,
        /// The `x-request-id` the SDK sent.
        request_id: String,
        /// HTTP status.
        status: u16,
        /// `Content-Type` of the answer.
        content_type: Option<String>,
        /// The start of the body (at most 512 bytes, lossily decoded as UTF-8).
        body: String,
    },

    /// The answer could not be decoded: not JSON, truncated JSON, an envelope without `code`,
    /// or `data` that does not match the spec.
    #[error(
        "{operation}: could not decode the answer (HTTP {status}) [x-request-id {request_id}]: {reason}; body starts: {body}"
    )]
    Decode {
        /// Operation (Rust method name) that failed.
        operation: &'static str,
        /// The `x-request-id` the SDK sent.
        request_id: String,
        /// HTTP status.
        status: u16,
        /// What went wrong, with the JSON path where it did.
        reason: String,
        /// The start of the body (at most 512 bytes, lossily decoded as UTF-8).
        body: String,
    },

    /// The request never got an answer: connection refused or reset, DNS, TLS, timeout.
    #[error("{operation}: {kind} [x-request-id {request_id}]: {source}")]
    Transport {
        /// Operation (Rust method name) that failed.
        operation: &'static str,
        /// The `x-request-id` the SDK sent.
        request_id: String,
        /// What kind of failure.
        kind: TransportKind,
        /// The underlying error (never holds request headers, so never the key).
        #[source]
        source: reqwest::Error,
    },

    /// The request was not sent: a parameter could not be converted or is missing.
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        /// Operation (Rust method name).
        operation: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The operation needs an API key and the client has none.
    #[error(
        "{operation}: this operation needs an API key (set AITOEARN_API_KEY or use ClientBuilder::api_key)"
    )]
    MissingApiKey {
        /// Operation (Rust method name).
        operation: &'static str,
    },

    /// The client could not be built (bad base URL, bad region, TLS setup).
    #[error("invalid configuration: {0}")]
    Config(String),

    /// [`Client::call`](crate::Client::call) was given a name that is no operation.
    #[error("no operation is named `{0}`")]
    UnknownOperation(String),

    /// A streamed answer broke off or carried an event that could not be decoded.
    #[error("{operation}: event stream [x-request-id {request_id}]: {reason}")]
    Stream {
        /// Operation (Rust method name).
        operation: &'static str,
        /// The `x-request-id` the SDK sent.
        request_id: String,
        /// What went wrong.
        reason: String,
    },

    /// A [flow](crate::flows) failed other than by a failed operation (which converts back
    /// into that operation's own error): lets `?` on a
    /// [`FlowError`](crate::flows::FlowError) work in a function returning [`Result`].
    #[error(transparent)]
    Flow(Box<crate::flows::FlowError>),
}

impl From<crate::flows::FlowError> for Error {
    /// A failed operation gives back its own [`Error`]; any other flow failure is
    /// [`Error::Flow`].
    fn from(error: crate::flows::FlowError) -> Self {
        match error {
            crate::flows::FlowError::Api(e) => *e,
            other => Self::Flow(Box::new(other)),
        }
    }
}

/// Kinds of [`Error::Transport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// Could not connect (refused, DNS, TLS handshake).
    Connect,
    /// A timeout elapsed.
    Timeout,
    /// The connection broke while sending or receiving.
    Io,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect",
            Self::Timeout => "timed out",
            Self::Io => "connection failed",
        })
    }
}

fn service_id_suffix(id: &Option<String>) -> String {
    id.as_deref()
        .map(|id| format!(", requestId {id}"))
        .unwrap_or_default()
}

fn content_type_suffix(ct: &Option<String>) -> String {
    ct.as_deref()
        .map(|ct| format!(" ({ct})"))
        .unwrap_or_default()
}

impl Error {
    /// The service's error code as an [`ErrorCode`]: the envelope `code` of an
    /// [`Error::Api`], the HTTP status of an [`Error::Http`] that is 401
    /// ([`ErrorCode::Unauthorized`]), 403 ([`ErrorCode::Forbidden`]) or 429
    /// ([`ErrorCode::TooManyRequests`]) without an envelope, or the code of a failed flow.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { code, .. } => Some(ErrorCode::from_code(*code)),
            Self::Http {
                status: status @ (401 | 403 | 429),
                ..
            } => Some(ErrorCode::from_code(i64::from(*status))),
            Self::Flow(e) => e.code(),
            _ => None,
        }
    }

    /// HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Http { status, .. } | Self::Decode { status, .. } => {
                Some(*status)
            }
            Self::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The `x-request-id` of the failed call, when a request was made.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. }
            | Self::Http { request_id, .. }
            | Self::Decode { request_id, .. }
            | Self::Transport { request_id, .. }
            | Self::Stream { request_id, .. } => Some(request_id),
            _ => None,
        }
    }

    /// The published operationId of the operation the error belongs to.
    pub fn operation_id(&self) -> Option<&'static str> {
        self.operation()
            .and_then(crate::Operation::find)
            .map(|o| o.operation_id)
    }

    /// The operation (Rust method name) the error belongs to.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Self::Api { operation, .. }
            | Self::Http { operation, .. }
            | Self::Decode { operation, .. }
            | Self::Transport { operation, .. }
            | Self::InvalidRequest { operation, .. }
            | Self::MissingApiKey { operation }
            | Self::Stream { operation, .. } => Some(operation),
            _ => None,
        }
    }

    pub(crate) fn transport(
        operation: &'static str,
        request_id: &str,
        source: reqwest::Error,
    ) -> Self {
        let kind = if source.is_timeout() {
            TransportKind::Timeout
        } else if source.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Io
        };
        // Strip the URL: it is harmless today, but a self-hosted base URL may carry credentials.
        Self::Transport {
            operation,
            request_id: request_id.to_string(),
            kind,
            source: source.without_url(),
        }
    }
}

/// Cuts a message to the snippet limit (on a character boundary).
pub(crate) fn truncate(mut s: String) -> String {
    if s.len() > BODY_SNIPPET_LIMIT {
        let mut end = BODY_SNIPPET_LIMIT;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// The start of a body, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let end = body.len().min(BODY_SNIPPET_LIMIT);
    let mut s = String::from_utf8_lossy(&body[..end]).into_owned();
    if body.len() > end {
        s.push('…');
    }
    s
}
