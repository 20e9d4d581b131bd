//! When a failed call may be repeated, and how long to wait first.
//!
//! A retry must never turn into a duplicated post: by default only operations that are safe to
//! repeat (`GET`, `HEAD`, `DELETE`, `OPTIONS`) are retried; a `POST`/`PATCH`/`PUT` is retried
//! only when the caller opts in for that call (`.retry(true)` on the request builder).

use std::time::Duration;

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

    /// Randomize waits (on by default), so many clients do not retry in step: each wait is
    /// drawn from the upper half of its step (a 400 ms step waits 200–400 ms).
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

    /// The waits before each retry: `initial_delay`, doubling, at most `max_delay`; with jitter
    /// each wait is drawn uniformly from its upper half, so it never exceeds `max_delay`.
    pub(crate) fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        let (max, jitter) = (self.max_delay, self.jitter);
        let mut rng = Jitter::seeded();
        let mut next = self.initial_delay.min(max);
        (0..self.max_retries).map(move |_| {
            let full = next;
            next = next.saturating_mul(2).min(max);
            if jitter {
                full / 2 + (full / 2).mul_f64(rng.unit())
            } else {
                full
            }
        })
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

/// A small pseudo-random sequence for jitter (splitmix64), seeded from std's per-process
/// random hash keys: jitter only has to keep clients out of step, not be unpredictable.
struct Jitter(u64);

impl Jitter {
    fn seeded() -> Self {
        use std::hash::BuildHasher as _;
        Self(std::collections::hash_map::RandomState::new().hash_one(std::time::Instant::now()))
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        (crate::mix::splitmix64(self.0) >> 11) as f64 / (1u64 << 53) as f64
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
        let capped: Vec<_> = p
            .clone()
            .max_delay(Duration::from_millis(300))
            .delays()
            .collect();
        assert_eq!(
            capped.iter().map(Duration::as_millis).collect::<Vec<_>>(),
            [100, 200, 300, 300]
        );
    }

    #[test]
    fn jittered_delays_stay_in_the_upper_half_of_their_step() {
        let p = RetryPolicy::default()
            .initial_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(800))
            .max_retries(6);
        let steps = [100u128, 200, 400, 800, 800, 800];
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..50 {
            let d: Vec<_> = p.delays().collect();
            assert_eq!(d.len(), steps.len());
            for (d, step) in d.iter().zip(steps) {
                let us = d.as_micros();
                assert!(
                    us >= step * 500 && us <= step * 1000,
                    "{d:?} for a {step} ms step"
                );
                seen.insert(us);
            }
        }
        assert!(
            seen.len() > 100,
            "jitter varies: {} distinct waits",
            seen.len()
        );
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
