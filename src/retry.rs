//! When a failed call may be repeated, and how long to wait first.
//!
//! A retry must never turn into a duplicated post: by default only operations that are safe to
//! repeat (`GET`, `HEAD`, `DELETE`, `OPTIONS`) are retried; a `POST`/`PATCH`/`PUT` is retried
//! only when the caller opts in for that call (`.retry(true)` on the request builder).

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

use crate::error::{Error, TransportKind};

/// Retry settings of a [`Client`](crate::Client).
///
/// ```
/// use std::time::Duration;
/// let policy = aitoearn::RetryPolicy::default()
///     .max_retries(5)
///     .initial_delay(Duration::from_millis(200))
///     .retry_codes([429, 503]);
/// let client = aitoearn::Client::builder().api_key("k").retry_policy(policy).build().unwrap();
/// # let _ = client;
/// let _off = aitoearn::RetryPolicy::none();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_retries: usize,
    initial_delay: Duration,
    max_delay: Duration,
    jitter: bool,
    retry_after_cap: Duration,
    statuses: Vec<u16>,
    codes: Vec<i64>,
}

impl Default for RetryPolicy {
    /// 3 retries, 250 ms doubling up to 8 s with jitter; HTTP 429/502/503/504 and envelope
    /// codes 429/503/504; `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            jitter: true,
            retry_after_cap: Duration::from_secs(60),
            statuses: vec![429, 502, 503, 504],
            codes: vec![429, 503, 504],
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a call may be repeated after the first attempt.
    pub fn max_retries(mut self, n: usize) -> Self {
        self.max_retries = n;
        self
    }

    /// The first wait; each next one doubles.
    pub fn initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }

    /// The longest wait between attempts (a `Retry-After` may ask for more, up to 60 s).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Randomize waits (on by default), so many clients do not retry in step.
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// HTTP statuses worth another attempt.
    pub fn retry_statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Envelope `code`s that mean "try again later".
    pub fn retry_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.codes = codes.into_iter().collect();
        self
    }

    /// The waits before each retry.
    pub(crate) fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        let mut builder = ExponentialBuilder::default()
            .with_min_delay(self.initial_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_max_times(self.max_retries);
        if self.jitter {
            builder = builder.with_jitter();
        }
        builder.build()
    }

    /// The wait a `Retry-After` asks for, within bounds.
    pub(crate) fn honour_retry_after(
        &self,
        backoff: Duration,
        retry_after: Option<Duration>,
    ) -> Duration {
        match retry_after {
            Some(ra) => ra.min(self.retry_after_cap).max(backoff),
            None => backoff,
        }
    }

    /// Whether `error` is worth another attempt of a call that is safe to repeat.
    pub(crate) fn is_retryable(&self, error: &Error) -> bool {
        match error {
            Error::Transport { kind, .. } => {
                matches!(
                    kind,
                    TransportKind::Connect | TransportKind::Timeout | TransportKind::Io
                )
            }
            Error::Http { status, .. } => self.statuses.contains(status),
            Error::Api { code, status, .. } => {
                self.codes.contains(code) || self.statuses.contains(status)
            }
            _ => false,
        }
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    let secs = (when.timestamp() - now).max(0);
    Some(Duration::from_secs(secs as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stop() {
        let p = RetryPolicy::default()
            .jitter(false)
            .initial_delay(Duration::from_millis(100))
            .max_retries(4);
        let d: Vec<_> = p.delays().collect();
        assert_eq!(d.len(), 4);
        assert_eq!(d[0], Duration::from_millis(100));
        assert_eq!(d[1].as_millis(), 200);
        assert!(d[3] <= Duration::from_secs(8));
        assert_eq!(RetryPolicy::none().delays().count(), 0);
    }

    #[test]
    fn retry_after_is_honoured_within_bounds() {
        let p = RetryPolicy::default();
        let b = Duration::from_millis(250);
        assert_eq!(
            p.honour_retry_after(b, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            p.honour_retry_after(b, Some(Duration::from_secs(3600))),
            Duration::from_secs(60)
        );
        assert_eq!(p.honour_retry_after(b, Some(Duration::ZERO)), b);
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
