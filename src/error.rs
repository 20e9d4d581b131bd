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
    #[error("{operation}: HTTP {status}{}{} [x-request-id {request_id}]: {body}{}", content_type_suffix(.content_type), location_suffix(.location), outcome_note(.operation, gateway_status(*.status)))]
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
        /// The `Location` of a redirect (`3xx`). API calls never follow redirects: an API does
        /// not redirect, and following one would send the API key to wherever it points.
        location: Option<String>,
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

    /// The request never got a complete answer: connection refused or reset, DNS, TLS,
    /// timeout, a body cut off. `sent` says whether the request may have reached the service;
    /// see [`Error::outcome_unknown`].
    #[error("{operation}: {kind} [x-request-id {request_id}]: {source}{}", transport_note(.operation, *.sent))]
    Transport {
        /// Operation (Rust method name) that failed.
        operation: &'static str,
        /// The `x-request-id` the SDK sent.
        request_id: String,
        /// What kind of failure.
        kind: TransportKind,
        /// Whether the request left the client. `false` only when it certainly did not reach
        /// the service (no connection: refused, DNS, TLS handshake, connect timeout; or a pooled
        /// connection closed before the request was written): repeating it is safe whatever the
        /// method. `true` once the request was written, in part or whole (a reset, an idle
        /// timeout, a body cut off): the service may have acted on it.
        sent: bool,
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
    #[cfg(feature = "flows")]
    #[cfg_attr(docsrs, doc(cfg(feature = "flows")))]
    #[error(transparent)]
    Flow(Box<FlowError>),
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
            #[cfg(feature = "flows")]
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

    /// Whether the request left the client: `Some(false)` when it certainly never reached the
    /// service, `Some(true)` when it was sent (answered or not), `None` when no request was
    /// made ([`Error::InvalidRequest`], [`Error::MissingApiKey`], configuration errors).
    pub fn request_sent(&self) -> Option<bool> {
        match self {
            Self::Transport { sent, .. } => Some(*sent),
            Self::Api { .. } | Self::Http { .. } | Self::Decode { .. } | Self::Stream { .. } => {
                Some(true)
            }
            _ => None,
        }
    }

    /// `true` exactly when the request may have been acted on and no answer says whether it
    /// was: an operation that changes something (any method but `GET`, `HEAD`, `OPTIONS`) whose
    /// request was sent and then got no complete answer (a reset, an idle timeout, a body cut
    /// off), or an HTTP 5xx error page from a gateway instead of the service's own answer.
    ///
    /// Check before repeating such a call: [`Operation::check_with`](crate::Operation::check_with)
    /// names the operations that read what it may have made, and the error's `Display` says so
    /// in words. Automatic retries never repeat such a call unless it opted in with
    /// `.retry(true)`.
    pub fn outcome_unknown(&self) -> bool {
        let effectful = |operation: &str| {
            crate::Operation::find(operation)
                .is_none_or(|op| crate::operation::has_effect(op.method))
        };
        match self {
            Self::Transport {
                sent, operation, ..
            } => *sent && effectful(operation),
            Self::Http {
                status, operation, ..
            } => gateway_status(*status) && effectful(operation),
            _ => false,
        }
    }

    pub(crate) fn transport(
        operation: &'static str,
        request_id: &str,
        source: reqwest::Error,
    ) -> Self {
        let sent = !never_sent(&source);
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
            sent,
            source: source.without_url(),
        }
    }
}

/// Whether a transport failure certainly happened before any byte of the request was written:
/// no connection was made (reqwest marks refused, DNS, TLS handshake and connect timeouts as
/// connect errors), or hyper cancelled the request because its pooled connection closed before
/// the request was written.
fn never_sent(error: &reqwest::Error) -> bool {
    if error.is_connect() {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_canceled)
        {
            return true;
        }
        source = e.source();
    }
    false
}

/// HTTP statuses of an error page (no envelope) after which the service may have acted: a
/// gateway's or proxy's 5xx. 501 and 505 say the request was not understood, so not acted on.
fn gateway_status(status: u16) -> bool {
    (500..600).contains(&status) && status != 501 && status != 505
}

fn location_suffix(location: &Option<String>) -> String {
    location
        .as_deref()
        .map(|l| format!(", redirect to {l} not followed"))
        .unwrap_or_default()
}

fn transport_note(operation: &str, sent: bool) -> String {
    if !sent {
        return "; the request was not sent, so repeating it is safe".to_string();
    }
    outcome_note(operation, true)
}

/// The words of [`Error::outcome_unknown`]: what happened and how to check, from the spec.
fn outcome_note(operation: &str, unknown: bool) -> String {
    let Some(op) = crate::Operation::find(operation) else {
        return String::new();
    };
    if !unknown || !crate::operation::has_effect(op.method) {
        return String::new();
    }
    let mut note =
        "; the request was sent; the service may have acted on it — check before repeating"
            .to_string();
    let checks: Vec<String> = op
        .check_with()
        .map(|c| format!("`{}` ({})", c.name, c.summary_en))
        .collect();
    if !checks.is_empty() {
        note.push_str(" (with ");
        note.push_str(&checks.join(", "));
        note.push(')');
    }
    note
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

/// A header value cut to the snippet limit.
pub(crate) fn truncate_str(s: &str) -> String {
    truncate(s.to_string())
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

/// The error of [`flows`](crate::flows), here beside [`Error`]: each converts into the other.
#[cfg(feature = "flows")]
mod flow_error {
    use std::time::Duration;

    use crate::ErrorCode;

    /// What can end a flow besides success.
    #[derive(Debug, thiserror::Error)]
    #[non_exhaustive]
    pub enum FlowError {
        /// An operation of the API failed (see [`Error`](crate::Error); boxed, to keep results
        /// small).
        #[error(transparent)]
        Api(Box<crate::Error>),

        /// The service reports the authorization as failed.
        #[error("authorizing {platform} failed (session {session_id}{})", code_suffix(*.code))]
        AuthorizationFailed {
            /// The platform being authorized.
            platform: String,
            /// The authorization session.
            session_id: String,
            /// The service's error code for the failure, when it gave one (also
            /// [`FlowError::code`]).
            code: Option<ErrorCode>,
        },

        /// The authorization session expired before it completed: its `expiresAt` passed, or the
        /// service no longer knows the session (`ChannelAuthSessionInvalid`, 15039).
        #[error("the authorization session {session_id} for {platform} expired")]
        AuthorizationExpired {
            /// The platform being authorized.
            platform: String,
            /// The authorization session.
            session_id: String,
            /// When the session expired, as the service said.
            expires_at: Option<chrono::DateTime<chrono::Utc>>,
        },

        /// The storage refused the uploaded bytes (the signed URL expired, a header did not match
        /// the signature, …). The asset was not confirmed.
        #[error("the storage refused the upload: HTTP {status}: {body}")]
        UploadRejected {
            /// HTTP status of the storage's answer.
            status: u16,
            /// The start of the storage's answer (at most 512 bytes).
            body: String,
        },

        /// The bytes never reached the storage: connection refused or broken, timeout. The asset
        /// was not confirmed.
        #[error("the upload did not reach the storage: {0}")]
        UploadTransport(#[source] reqwest::Error),

        /// Reading what was to be uploaded failed, or it was not as long as declared.
        #[error("reading the upload: {0}")]
        Io(#[from] std::io::Error),

        /// An answer the flow cannot go on with: a field it needs is missing or malformed.
        #[error("{operation}: unexpected answer: {reason}")]
        UnexpectedAnswer {
            /// The operation (Rust method name) that answered.
            operation: &'static str,
            /// What is wrong with the answer.
            reason: String,
        },

        /// `publish_flow_create` was sent and no answer says whether the service created the flow
        /// ([`Error::outcome_unknown`](crate::Error::outcome_unknown): the connection broke after
        /// the request was written, an idle timeout, a gateway's 5xx). The flow does not repeat it
        /// — a second create could publish the post twice — and cannot look it up: the spec
        /// documents the body's `flowId` only as "External flow ID" and offers no operation that
        /// finds a flow or record by it (`publish_flow_get` takes the service's own flow id, and
        /// the record lists filter by account, platform, time and status only).
        ///
        /// Check before publishing again: `publish_record_list_queued`,
        /// `publish_record_list_published` and `publish_record_list` for the accounts and time of
        /// the post (their records carry a `flowId`; if the service kept `flow_id`, it shows there —
        /// the spec does not promise it, so not finding it is no proof the flow was not created).
        #[error("publishing may or may not have happened (flowId {flow_id} was sent): {source}")]
        PublishOutcomeUnknown {
            /// The `flowId` the create request carried: the caller's, or one the SDK made.
            flow_id: String,
            /// The failure of `publish_flow_create` (boxed, to keep results small).
            #[source]
            source: Box<crate::Error>,
        },

        /// The flow waited longer than its [`Polling::timeout`](crate::flows::Polling::timeout).
        #[error("gave up waiting after {0:?}")]
        TimedOut(Duration),

        /// The flow's cancellation signal fired (see the [module docs](crate::flows)).
        #[error("cancelled")]
        Cancelled,
    }

    impl From<crate::Error> for FlowError {
        fn from(error: crate::Error) -> Self {
            Self::Api(Box::new(error))
        }
    }

    impl From<FlowError> for crate::Error {
        /// A failed operation gives back its own [`Error`](crate::Error); any other flow failure
        /// is [`Error::Flow`](crate::Error::Flow).
        fn from(error: FlowError) -> Self {
            match error {
                FlowError::Api(e) => *e,
                other => Self::Flow(Box::new(other)),
            }
        }
    }

    fn code_suffix(code: Option<ErrorCode>) -> String {
        code.map(|c| format!(", code {}", c.code()))
            .unwrap_or_default()
    }

    impl FlowError {
        /// The service's error code: the envelope `code` of a failed operation, or the code of a
        /// failed authorization.
        pub fn code(&self) -> Option<ErrorCode> {
            match self {
                Self::Api(e) => e.code(),
                Self::AuthorizationFailed { code, .. } => *code,
                _ => None,
            }
        }
    }
}

#[cfg(feature = "flows")]
pub use flow_error::FlowError;
