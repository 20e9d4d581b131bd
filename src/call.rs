//! One call of an operation: its `x-request-id`, its tracing span, and its attempts — repeated
//! with backoff when the [`RetryPolicy`](crate::RetryPolicy) and the operation allow it.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracing::Instrument;

use crate::config::Shared;
use crate::error::Result;
use crate::operation::Operation;
use crate::operation::is_idempotent;
use crate::refusal::Refusal;

/// Per-call settings, set through the request builders (`.retry(..)`, `.request_id(..)`,
/// `.timeout(..)`).
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub(crate) retry: Option<bool>,
    pub(crate) request_id: Option<String>,
    pub(crate) timeout: Option<Option<Duration>>,
    /// Why the request must not be sent, found while it was built (a path parameter that would
    /// change the endpoint): the call fails with [`Error::InvalidRequest`] before sending.
    pub(crate) refused: Option<String>,
}

impl CallOptions {
    /// Checks one path parameter before the request is built, and keeps the value if it is a
    /// segment that reaches the endpoint the operation names. Refused (and remembered, so the
    /// call fails before anything is sent): a value that does not convert, `""`, `"."`, `".."`
    /// and their percent-encoded spellings (`%2e%2E`, `.%2e`), which URL parsers or servers
    /// resolve or collapse as dot-segments, and a backslash, which URL parsers read as `/` in
    /// `http(s)` URLs. Everything else is percent-encoded as one segment by the generated client.
    pub(crate) fn path_segment<T, V>(&mut self, param: &'static str, value: V) -> Option<T>
    where
        T: std::fmt::Display,
        V: TryInto<T>,
    {
        let refuse = |this: &mut Self, why: String| {
            if this.refused.is_none() {
                this.refused = Some(format!("path parameter `{param}` {why}"));
            }
            None
        };
        let Ok(value) = value.try_into() else {
            return refuse(self, "could not be converted to its type".into());
        };
        let text = value.to_string();
        if let Some(why) = unsafe_segment(&text) {
            return refuse(self, why.into());
        }
        Some(value)
    }
}

impl CallOptions {
    /// Converts a setter's value to the parameter's type; a value that does not convert is
    /// remembered (the first one), so the call fails with [`Error::InvalidRequest`] naming the
    /// parameter, the value's error and what the spec allows, before anything is sent.
    pub(crate) fn convert<T, V>(&mut self, param: &str, allowed: &str, value: V) -> Option<T>
    where
        V: TryInto<T> + std::fmt::Debug,
        V::Error: std::fmt::Display,
    {
        // The value is shown before it is consumed; values of a parameter are not secrets.
        let shown = format!("{value:?}");
        match value.try_into() {
            Ok(v) => Some(v),
            Err(e) => {
                if self.refused.is_none() {
                    let shown: String = shown.chars().take(200).collect();
                    self.refused = Some(format!("{param} = {shown}: {e}{allowed}"));
                }
                None
            }
        }
    }

    /// [`convert`](Self::convert) for each value of a list parameter.
    pub(crate) fn convert_all<T, V, I>(
        &mut self,
        param: &str,
        allowed: &str,
        values: I,
    ) -> Option<Vec<T>>
    where
        I: IntoIterator<Item = V>,
        V: TryInto<T> + std::fmt::Debug,
        V::Error: std::fmt::Display,
    {
        let mut out = Vec::new();
        for (i, v) in values.into_iter().enumerate() {
            out.push(self.convert(&format!("{param}[{i}]"), allowed, v)?);
        }
        Some(out)
    }
}

/// Why `segment` would not reach the endpoint as one path segment, if it would not.
pub(crate) fn unsafe_segment(segment: &str) -> Option<&'static str> {
    if segment.is_empty() {
        return Some("is empty (an empty segment collapses and changes the endpoint)");
    }
    // Dots, literal or percent-encoded (once or more: `%252e` decodes to `%2e`).
    let mut rest = segment;
    let mut dots = 0;
    while !rest.is_empty() && dots <= 2 {
        let lower = rest.to_ascii_lowercase();
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
        } else if lower.starts_with("%2e") {
            rest = &rest[3..];
        } else if lower.starts_with("%252e") {
            rest = &rest[5..];
        } else {
            break;
        }
        dots += 1;
    }
    if rest.is_empty() && dots <= 2 {
        return Some(
            "is a dot-segment (`.` or `..`, literal or percent-encoded), which URL parsers resolve",
        );
    }
    if segment.contains('\\') {
        return Some("contains a backslash, which URL parsers read as a path separator");
    }
    None
}

/// What errors and hooks know of the call in flight.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) op: &'static Operation,
    pub(crate) request_id: Arc<str>,
}

/// The result of one attempt, with what the retry loop needs to know of the answer.
pub(crate) struct Attempt<T> {
    pub(crate) result: Result<T>,
    pub(crate) status: Option<u16>,
    pub(crate) retry_after: Option<Duration>,
}

impl<T> Attempt<T> {
    pub(crate) fn failed(error: crate::Error) -> Self {
        Self {
            status: error.status(),
            result: Err(error),
            retry_after: None,
        }
    }
}

/// What the client hooks read while an attempt runs (progenitor builds the request; the hooks
/// are the only place to add a header to it).
#[derive(Clone)]
pub(crate) struct Scope {
    /// The operation being called: the hooks need not look it up by name.
    pub(crate) op: &'static Operation,
    pub(crate) request_id: Arc<str>,
    pub(crate) timeout: Option<Option<Duration>>,
    /// Why a hook refused the attempt: progenitor carries a hook's error only as a string, so
    /// the typed reason travels here and transport reads it back.
    pub(crate) refusal: Arc<std::sync::Mutex<Option<Refusal>>>,
}

/// Records why a hook refuses the attempt running on this task; the text is what progenitor
/// carries (for a request made outside a call, the only trace).
pub(crate) fn refuse(refusal: Refusal) -> String {
    let text = refusal.to_string();
    let _ = SCOPE.try_with(|s| {
        if let Ok(mut slot) = s.refusal.lock() {
            *slot = Some(refusal);
        }
    });
    text
}

/// Takes the refusal a hook recorded for the attempt running on this task.
pub(crate) fn take_refusal() -> Option<Refusal> {
    SCOPE
        .try_with(|s| s.refusal.lock().ok().and_then(|mut slot| slot.take()))
        .ok()
        .flatten()
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// The scope of the attempt running on this task, if any.
pub(crate) fn scope() -> Option<Scope> {
    SCOPE.try_with(Scope::clone).ok()
}

/// A fresh request id: 128 bits from the clock, a process-wide counter and the process id,
/// mixed so that ids of one process do not share prefixes.
pub(crate) fn new_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mix = crate::mix::splitmix64;
    let hi = mix(nanos ^ u64::from(std::process::id()).rotate_left(32));
    let lo = mix(n.wrapping_add(nanos.rotate_left(17)));
    format!("{hi:016x}{lo:016x}")
}

/// Runs `attempt` until it succeeds, fails for good, or the retry budget is spent.
pub(crate) async fn run<T, F, Fut>(
    op: &'static Operation,
    shared: &Shared,
    options: CallOptions,
    attempt: F,
) -> Result<T>
where
    F: Fn(Call) -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let request_id: Arc<str> = options.request_id.unwrap_or_else(new_request_id).into();
    // Refused before anything is sent (inside the call's span, like every other failure): a
    // path parameter that would change the endpoint, or a request id with CR, LF or other
    // bytes a header cannot carry.
    let refused = options.refused.or_else(|| {
        (!request_id.bytes().all(|b| (0x20..0x7f).contains(&b))).then(|| {
            "`request_id` must be visible ASCII (no CR, LF or other control bytes): it is sent as the `x-request-id` header".to_string()
        })
    });
    let span = tracing::info_span!(
        "aitoearn.call",
        operation = op.name,
        operation_id = op.operation_id,
        method = op.method,
        path = op.path,
        request_id = &*request_id,
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
    );
    // Safe methods are repeated on transient failures; others only when nothing was sent
    // (a connection that never opened), unless the call opted in or out.
    let idempotent = is_idempotent(op.method);
    let may_retry = |e: &crate::Error| match options.retry {
        Some(opted) => opted,
        None => idempotent || e.request_sent() == Some(false),
    };
    let policy = &shared.retry;
    let recorder = span.clone();
    let scope = Scope {
        op,
        request_id: request_id.clone(),
        timeout: options.timeout,
        refusal: Arc::default(),
    };
    async move {
        if let Some(reason) = refused {
            recorder.record("attempts", 0);
            tracing::debug!(reason = %reason, "call refused");
            return Err(crate::Error::InvalidRequest {
                operation: op.name,
                reason,
            });
        }
        let mut delays = policy.delays();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let call = Call { op, request_id: request_id.clone() };
            let outcome = SCOPE.scope(scope.clone(), attempt(call)).await;
            let retry_wait = match &outcome.result {
                Err(e) if may_retry(e) && policy.is_retryable(e) => delays.next(),
                _ => None,
            };
            match retry_wait {
                Some(backoff) => {
                    let wait = policy.honour_retry_after(backoff, outcome.retry_after);
                    tracing::debug!(attempt = attempts, wait_ms = wait.as_millis() as u64, error = %outcome.result.as_ref().err().map(ToString::to_string).unwrap_or_default(), "retrying");
                    tokio::time::sleep(wait).await;
                }
                None => {
                    recorder.record("attempts", attempts);
                    if let Some(status) = outcome.status {
                        recorder.record("status", status);
                    }
                    if let Err(e) = &outcome.result {
                        tracing::debug!(error = %e, "call failed");
                    }
                    return outcome.result;
                }
            }
        }
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refusal_is_read_back_once_within_its_scope_only() {
        let scope = Scope {
            op: &crate::OPERATIONS[0],
            request_id: "r".into(),
            timeout: None,
            refusal: Arc::default(),
        };
        let text = refuse(Refusal::MissingKey);
        assert_eq!(text, "missing API key");
        assert_eq!(take_refusal(), None, "outside a call nothing is recorded");
        SCOPE
            .scope(scope, async {
                let text = refuse(Refusal::OtherOrigin {
                    status: 302,
                    url: "http://other.test/x".into(),
                });
                assert_eq!(
                    text,
                    "answered from another origin: 302 http://other.test/x"
                );
                assert_eq!(
                    take_refusal(),
                    Some(Refusal::OtherOrigin {
                        status: 302,
                        url: "http://other.test/x".into()
                    })
                );
                assert_eq!(take_refusal(), None, "taken once");
            })
            .await;
    }

    #[test]
    fn request_ids_are_unique_hex() {
        let ids: std::collections::HashSet<String> =
            (0..10_000).map(|_| new_request_id()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(
            ids.iter()
                .all(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()))
        );
    }
}
