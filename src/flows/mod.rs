//! The flows people actually run, built from the generated operations.
//!
//! Each flow is a short sequence of calls of the generated client, with the waiting, polling
//! and bookkeeping between them done for you:
//!
//! | flow | entry point | operations |
//! | --- | --- | --- |
//! | authorize a platform account | [`Client::authorize`] | `auth_start`, then `auth_get_status` until done; `accounts_list` to name the accounts |
//! | upload an asset | [`Client::upload`] | `assets_create_upload_sign`, a `PUT` of the bytes to the signed URL, `assets_confirm_upload` |
//! | publish and track | [`Client::publish`], [`Publication`] | `publish_flow_create`, then `publish_flow_get` until every task is done; `publish_task_*` |
//! | every item of a paged list | [`VideoListTasks::items`](crate::requests::VideoListTasks::items), [`WorksList::items`](crate::requests::WorksList::items) | the list operation, page after page |
//!
//! The only request that is not an operation of the API is the upload's `PUT` to the signed
//! storage URL; it never carries the API key.
//!
//! ## Polling
//!
//! Flows that wait poll with a growing interval ([`Polling`]): the first wait is
//! [`Polling::interval`], each next one half as long again up to [`Polling::max_interval`],
//! and never shorter than [`Polling::min_interval`] (1 s by default), whatever else is
//! configured. A transient failure (no answer, HTTP 429 or 5xx) doubles the interval and is
//! tolerated [`Polling::max_consecutive_errors`] times in a row; any other error ends the flow.
//!
//! ## Cancelling
//!
//! Every flow is a plain future that does its work only while it is polled: nothing is spawned,
//! so **dropping the future cancels the flow** (an HTTP request in flight is aborted). That
//! makes flows `select!`-friendly:
//!
//! ```no_run
//! # async fn run(client: aitoearn::Client) -> Result<(), aitoearn::flows::FlowError> {
//! let pending = client.authorize("douyin").start().await?;
//! tokio::select! {
//!     outcome = pending.wait() => println!("{:?}", outcome?),
//!     _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => println!("gave up"),
//! }
//! # Ok(()) }
//! ```
//!
//! A flow can also be handed a cancellation signal, any future, with `cancel_on`: when the
//! signal completes, the flow stops and returns [`FlowError::Cancelled`]. A
//! `tokio::sync::oneshot::Receiver`, `tokio_util::sync::CancellationToken::cancelled_owned()`
//! or `tokio::signal::ctrl_c()` all work; whatever the signal's output is, it is ignored (a
//! `oneshot::Receiver` whose sender is dropped therefore cancels too).
//!
//! ```no_run
//! # async fn run(client: aitoearn::Client) -> Result<(), aitoearn::flows::FlowError> {
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let pending = client.authorize("douyin").cancel_on(stopped).start().await?;
//! // … elsewhere: `stop.send(())` ends `wait()` with `FlowError::Cancelled`.
//! # let _keep_sender = stop;
//! let outcome = pending.wait().await;
//! # let _ = outcome; Ok(()) }
//! ```
//!
//! [`Client::authorize`]: crate::Client::authorize
//! [`Client::upload`]: crate::Client::upload
//! [`Client::publish`]: crate::Client::publish

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::{Either, Shared, select};

mod authorize;
mod pages;
mod publish;
mod upload;

pub use crate::error::FlowError;
pub use authorize::{
    AuthOutcome, AuthPrompt, Authorize, ConnectedAccount, PendingAuthorization, QrImage,
    SelectableAccount,
};
pub use publish::{Publication, Publish, PublishState, PublishTask, TaskStatus};
pub use upload::{Upload, UploadProgress, UploadSource};

/// How long the body of a refused upload is kept in [`FlowError::UploadRejected`].
const BODY_SNIPPET_LIMIT: usize = 512;

/// How a flow polls: a growing interval between a floor and a cap, a tolerance for transient
/// failures, an optional overall timeout.
///
/// ```
/// use std::time::Duration;
/// use aitoearn::flows::Polling;
///
/// let polling = Polling::new(Duration::from_secs(3))
///     .max_interval(Duration::from_secs(20))
///     .timeout(Duration::from_secs(600));
/// assert_eq!(polling.interval_value(), Duration::from_secs(3));
/// // Never faster than the floor, whatever is asked:
/// let eager = Polling::new(Duration::from_millis(10));
/// assert_eq!(eager.interval_value(), Polling::MIN_INTERVAL);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Polling {
    interval: Duration,
    max_interval: Duration,
    min_interval: Duration,
    max_errors: u32,
    timeout: Option<Duration>,
}

impl Default for Polling {
    /// 2 s, growing to 10 s; at most 3 transient failures in a row; no timeout.
    fn default() -> Self {
        Self::new(Duration::from_secs(2))
    }
}

impl Polling {
    /// The default floor: no flow polls the service more often than once a second.
    pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

    /// Polls first after `interval`, then up to 1.5 times longer each time, up to 10 s (or
    /// `interval` if longer).
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            max_interval: interval.max(Duration::from_secs(10)),
            min_interval: Self::MIN_INTERVAL,
            max_errors: 3,
            timeout: None,
        }
    }

    /// The first wait.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest wait between two polls.
    pub fn max_interval(mut self, max: Duration) -> Self {
        self.max_interval = max;
        self
    }

    /// The shortest wait between two polls (default [`Polling::MIN_INTERVAL`]); every wait is
    /// at least this long. Lower it only against a local server, in tests.
    pub fn min_interval(mut self, min: Duration) -> Self {
        self.min_interval = min;
        self
    }

    /// How many transient failures in a row are tolerated before the flow gives up (default 3).
    pub fn max_consecutive_errors(mut self, n: u32) -> Self {
        self.max_errors = n;
        self
    }

    /// Gives up with [`FlowError::TimedOut`] after this long (default: never; an authorization
    /// still ends when its session expires).
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// The first wait, with the floor applied.
    pub fn interval_value(&self) -> Duration {
        self.interval.max(self.min_interval)
    }

    /// The longest wait, with the floor applied.
    pub fn max_interval_value(&self) -> Duration {
        self.max_interval.max(self.min_interval)
    }

    /// The floor.
    pub fn min_interval_value(&self) -> Duration {
        self.min_interval
    }

    /// The overall timeout, if any.
    pub fn timeout_value(&self) -> Option<Duration> {
        self.timeout
    }
}

/// The waits of one polling loop.
#[derive(Debug)]
pub(crate) struct Backoff {
    polling: Polling,
    next: Duration,
    errors: u32,
    started: tokio::time::Instant,
}

impl Backoff {
    pub(crate) fn new(polling: Polling) -> Self {
        Self {
            polling,
            next: polling.interval_value(),
            errors: 0,
            started: tokio::time::Instant::now(),
        }
    }

    /// The wait before the next poll, after an answer that says "not yet".
    pub(crate) fn after_answer(&mut self) -> Duration {
        self.errors = 0;
        let wait = self.clamp(self.next);
        self.next = self.clamp(self.next.mul_f64(1.5));
        wait
    }

    /// The wait before the next poll after a transient failure, or `None` when too many
    /// failures came in a row.
    pub(crate) fn after_error(&mut self) -> Option<Duration> {
        self.errors += 1;
        if self.errors > self.polling.max_errors {
            return None;
        }
        self.next = self.clamp(self.next.saturating_mul(2));
        Some(self.next)
    }

    /// The first wait.
    pub(crate) fn first(&self) -> Duration {
        self.clamp(self.next)
    }

    /// Sleeps `wait`, or fails with [`FlowError::TimedOut`] when the timeout comes first.
    pub(crate) async fn sleep(&self, wait: Duration) -> Result<(), FlowError> {
        let wait = wait.max(self.polling.min_interval);
        if let Some(timeout) = self.polling.timeout {
            let deadline = self.started + timeout;
            if tokio::time::Instant::now() + wait > deadline {
                tokio::time::sleep_until(deadline).await;
                return Err(FlowError::TimedOut(timeout));
            }
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    fn clamp(&self, d: Duration) -> Duration {
        d.min(self.polling.max_interval_value())
            .max(self.polling.min_interval)
    }
}

/// Whether a failed call is worth polling again: no answer, or HTTP 429 / 5xx.
pub(crate) fn is_transient(error: &crate::Error) -> bool {
    matches!(error, crate::Error::Transport { .. })
        || error
            .status()
            .is_some_and(|s| s == 429 || (500..600).contains(&s))
}

type Signal = Shared<Pin<Box<dyn Future<Output = ()> + Send>>>;

/// A caller-supplied cancellation signal (or none).
#[derive(Clone, Default)]
pub(crate) struct Cancel(Option<Signal>);

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Cancel(Some)"
        } else {
            "Cancel(None)"
        })
    }
}

impl Cancel {
    pub(crate) fn new<F>(signal: F) -> Self
    where
        F: Future + Send + 'static,
    {
        let signal: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(signal.map(|_| ()));
        Self(Some(signal.shared()))
    }

    /// Runs `work`; gives up with [`FlowError::Cancelled`] as soon as the signal fires.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, FlowError>
    where
        F: Future<Output = Result<T, FlowError>>,
    {
        let Some(signal) = &self.0 else {
            return work.await;
        };
        let work = std::pin::pin!(work);
        match select(work, signal.clone()).await {
            Either::Left((result, _)) => result,
            Either::Right(_) => Err(FlowError::Cancelled),
        }
    }
}

/// `SystemTime::now()` as a chrono time (the crate builds chrono without its `clock`).
pub(crate) fn now_utc() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
}

/// The field `field` of an answer, or [`FlowError::UnexpectedAnswer`].
pub(crate) fn required(
    operation: &'static str,
    field: &'static str,
    value: Option<String>,
) -> Result<String, FlowError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| FlowError::UnexpectedAnswer {
            operation,
            reason: format!("no `{field}`"),
        })
}

/// An RFC 3339 time, as the service writes them.
pub(crate) fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn waits_grow_to_the_cap_and_never_go_below_the_floor() {
        let polling = Polling::new(ms(100))
            .max_interval(ms(400))
            .min_interval(ms(100));
        let mut b = Backoff::new(polling);
        assert_eq!(b.first(), ms(100));
        let waits: Vec<_> = (0..6).map(|_| b.after_answer()).collect();
        let expected = [100_000, 150_000, 225_000, 337_500, 400_000, 400_000];
        assert_eq!(waits, expected.map(Duration::from_micros));
        let floor = Polling::new(ms(1)).max_interval(ms(2));
        let mut b = Backoff::new(floor);
        assert_eq!(b.first(), Polling::MIN_INTERVAL);
        assert_eq!(b.after_answer(), Polling::MIN_INTERVAL);
        assert_eq!(b.after_error(), Some(Polling::MIN_INTERVAL));
    }

    #[test]
    fn errors_double_the_wait_and_run_out() {
        let polling = Polling::new(ms(100))
            .max_interval(ms(1000))
            .min_interval(ms(10))
            .max_consecutive_errors(2);
        let mut b = Backoff::new(polling);
        assert_eq!(b.after_error(), Some(ms(200)));
        assert_eq!(b.after_error(), Some(ms(400)));
        assert_eq!(b.after_error(), None);
        // An answer resets the count.
        let mut b = Backoff::new(polling);
        b.after_error();
        b.after_error();
        b.after_answer();
        assert!(b.after_error().is_some());
    }

    #[tokio::test]
    async fn sleeping_past_the_timeout_times_out_at_the_deadline() {
        let polling = Polling::new(ms(40)).min_interval(ms(40)).timeout(ms(100));
        let b = Backoff::new(polling);
        let start = tokio::time::Instant::now();
        b.sleep(ms(40)).await.unwrap();
        b.sleep(ms(40)).await.unwrap();
        let err = b.sleep(ms(40)).await.unwrap_err();
        assert!(
            matches!(err, FlowError::TimedOut(t) if t == ms(100)),
            "{err:?}"
        );
        let elapsed = start.elapsed();
        assert!(elapsed >= ms(100) && elapsed < ms(1000), "{elapsed:?}");
    }

    #[tokio::test]
    async fn a_cancel_signal_stops_the_work() {
        let cancel = Cancel::new(tokio::time::sleep(ms(20)));
        let start = tokio::time::Instant::now();
        let work = cancel.run(async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok::<_, FlowError>(1)
        });
        assert!(matches!(work.await, Err(FlowError::Cancelled)));
        assert!(start.elapsed() < Duration::from_secs(5));
        // A signal that fired stays fired for every later run of the same flow.
        let later = cancel.run(std::future::pending::<Result<(), FlowError>>());
        let later = tokio::time::timeout(Duration::from_secs(5), later).await;
        assert!(matches!(later, Ok(Err(FlowError::Cancelled))), "{later:?}");
        // Without a signal the work runs to its end; a signal that never fires changes nothing.
        assert_eq!(Cancel::default().run(async { Ok(2) }).await.unwrap(), 2);
        let never = Cancel::new(std::future::pending::<()>());
        assert_eq!(never.run(async { Ok(3) }).await.unwrap(), 3);
    }

    #[test]
    fn times_parse_as_the_service_writes_them() {
        let t = parse_time("2026-07-02T12:00:00.000Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-07-02T12:00:00+00:00");
        assert!(parse_time("string").is_none());
    }
}
