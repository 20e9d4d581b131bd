//! Publishing: create a publish flow, follow its per-platform tasks, act on them.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Backoff, Cancel, FlowError, Polling, is_transient, parse_time, required};
use crate::types::ops;
use crate::{Client, Open};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

/// The operations whose answers [`FlowError::UnexpectedAnswer`] names: their rows of
/// [`OPERATIONS`](crate::OPERATIONS), so a renamed operation is a compile error here.
const CREATE: &str = crate::types::ops::publish_flow_create::OPERATION.name;
const GET: &str = crate::types::ops::publish_flow_get::OPERATION.name;

impl Client {
    /// Publishes `flow` (`publish_flow_create`): one task per account in `flow.items`. The
    /// returned [`Publication`] follows the tasks and acts on them.
    ///
    /// This creates real posts: check the body before sending it.
    ///
    /// Each item names its platform and carries that platform's own `option` (Douyin's
    /// `short_title`, Bilibili's category `tid`, YouTube's `privacyStatus`, …): each is its own
    /// type, named through the operation by platform
    /// ([`body::items::douyin::Option`](crate::types::ops::publish_flow_create::body::items::douyin::Option),
    /// `body::items::bilibili::Option`, … under `types::ops::publish_flow_create`), sent as given.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = aitoearn::mock::MockServer::start().await;
    /// # let client = mock.client();
    /// let flow: aitoearn::types::ops::publish_flow_create::Body = serde_json::from_value(serde_json::json!({
    ///     "publishAt": "2026-07-02T12:00:00Z",
    ///     "content": { "body": "Hello", "media": [{ "url": "https://cdn.example.com/clip.mp4" }] },
    ///     "items": [
    ///         { "platform": "douyin", "accountId": "acc-douyin",
    ///           "option": { "short_title": "Hello", "private_status": 0 } },
    ///         { "platform": "bilibili", "accountId": "acc-bili",
    ///           "option": { "tid": 21, "copyright": 2, "source": "https://example.com/original" } }
    ///     ]
    /// }))?;
    /// let publication = client.publish(flow).send().await?;
    /// println!("flow {}", publication.flow_id());
    ///
    /// // What reached the (mock) service: both platforms' options, as given.
    /// # let requests = mock.server().received_requests().await.unwrap();
    /// # let sent: serde_json::Value = serde_json::from_slice(&requests[0].body)?;
    /// assert_eq!(sent["items"][0]["option"]["short_title"], "Hello");
    /// assert_eq!(sent["items"][1]["option"]["copyright"], 2);
    /// assert_eq!(sent["items"][1]["option"]["source"], "https://example.com/original");
    /// # Ok(()) }
    /// ```
    ///
    /// Then follow it to its end:
    ///
    /// ```no_run
    /// # async fn run(client: aitoearn::Client, flow: aitoearn::types::ops::publish_flow_create::Body) -> Result<(), Box<dyn std::error::Error>> {
    /// let publication = client.publish(flow).send().await?;
    /// let state = publication.wait().await?;
    /// for task in &state.tasks {
    ///     println!("{}: {:?} {}", task.platform, task.status, task.work_link.as_deref().unwrap_or(""));
    /// }
    /// for task in state.failed() {
    ///     publication.retry(&task.id).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn publish(&self, flow: ops::publish_flow_create::Body) -> Publish {
        Publish {
            client: self.clone(),
            body: flow,
            polling: default_polling(),
            cancel: Cancel::default(),
        }
    }
}

fn default_polling() -> Polling {
    Polling::new(std::time::Duration::from_secs(3)).max_interval(std::time::Duration::from_secs(30))
}

/// Configures a publication; made by [`Client::publish`].
#[derive(Debug, Clone)]
#[must_use = "nothing is published until `.send()` is awaited"]
pub struct Publish {
    client: Client,
    body: ops::publish_flow_create::Body,
    polling: Polling,
    cancel: Cancel,
}

impl Publish {
    /// How the returned [`Publication`] polls (default: every 3 s, growing to 30 s).
    pub fn polling(mut self, polling: Polling) -> Self {
        self.polling = polling;
        self
    }

    /// Stops the flow — this call, and the returned publication's
    /// [`updates`](Publication::updates) and [`wait`](Publication::wait) — with
    /// [`FlowError::Cancelled`] when `signal` completes (see the [module docs](super#cancelling)).
    pub fn cancel_on<F>(mut self, signal: F) -> Self
    where
        F: Future + Send + 'static,
    {
        self.cancel = Cancel::new(signal);
        self
    }

    /// Creates the publish flow. Repeated only when the request certainly never reached the
    /// service (no connection could be made), so a post is never created twice.
    ///
    /// The body's `flowId` ("External flow ID") is sent as given; when it is empty the SDK puts
    /// a fresh random one there, so every create carries an id of its own. When the request
    /// was sent but no answer says whether the flow was created, the result is
    /// [`FlowError::PublishOutcomeUnknown`] with that id, and nothing is repeated: the spec
    /// offers no way to find a flow by the id the caller sent (`publish_flow_get` takes the
    /// service's flow id, the record lists do not filter by `flowId`), so the SDK cannot
    /// reconcile by itself — see that variant for how to check.
    pub async fn send(self) -> Result<Publication, FlowError> {
        let Self {
            client,
            mut body,
            polling,
            cancel,
        } = self;
        let flow_id = match body.flow_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => format!("aitoearn-{}", crate::call::new_request_id()),
        };
        body.flow_id = Some(flow_id.clone());
        let created = cancel
            .run(async {
                match Box::pin(client.publish_flow_create().body(body).send()).await {
                    Ok(created) => Ok(created),
                    Err(e) if e.outcome_unknown() => Err(FlowError::PublishOutcomeUnknown {
                        flow_id,
                        source: Box::new(e),
                    }),
                    Err(e) => Err(e.into()),
                }
            })
            .await?;
        let (flow_id, created) = read_created(created);
        let flow_id = required(CREATE, "flowId", flow_id)?;
        Ok(Publication {
            client,
            flow_id,
            created,
            fresh: AtomicBool::new(true),
            acted: AtomicBool::new(false),
            polling,
            cancel,
        })
    }
}

/// A publish flow: its tasks, one per account, followed until each is done, and the actions on
/// them. Made by [`Publish::send`], or [`attach`](Self::attach)ed to an existing flow.
///
/// Owns a clone of the client, so it can be moved into a task.
#[derive(Debug)]
pub struct Publication {
    client: Client,
    flow_id: String,
    created: Vec<PublishTask>,
    /// Whether `created` is still the latest state known (no update was followed yet).
    fresh: AtomicBool,
    /// Whether a task was acted on since the flow was last followed: the next look waits for
    /// the service to take the action in.
    acted: AtomicBool,
    polling: Polling,
    cancel: Cancel,
}

impl Publication {
    /// Follows the existing flow `flow_id` (from an earlier [`Publish::send`] or from
    /// `publish_flow_create`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aitoearn::flows::FlowError> {
    /// let mock = aitoearn::mock::MockServer::start().await;
    /// let publication = aitoearn::flows::Publication::attach(&mock.client(), "flow-1");
    /// let state = publication.state().await?; // one look, no waiting
    /// assert!(!state.tasks.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn attach(client: &Client, flow_id: impl Into<String>) -> Self {
        Self {
            client: client.clone(),
            flow_id: flow_id.into(),
            created: Vec::new(),
            fresh: AtomicBool::new(false),
            acted: AtomicBool::new(false),
            polling: default_polling(),
            cancel: Cancel::default(),
        }
    }

    /// How [`updates`](Self::updates) and [`wait`](Self::wait) poll.
    pub fn polling(mut self, polling: Polling) -> Self {
        self.polling = polling;
        self
    }

    /// Stops [`updates`](Self::updates) and [`wait`](Self::wait) with
    /// [`FlowError::Cancelled`] when `signal` completes.
    pub fn cancel_on<F>(mut self, signal: F) -> Self
    where
        F: Future + Send + 'static,
    {
        self.cancel = Cancel::new(signal);
        self
    }

    /// The flow's id (`flowId`).
    pub fn flow_id(&self) -> &str {
        &self.flow_id
    }

    /// The tasks as the flow was created (empty for an [`attach`](Self::attach)ed flow).
    pub fn tasks(&self) -> &[PublishTask] {
        &self.created
    }

    /// The flow's state now (`publish_flow_get`, once).
    pub async fn state(&self) -> Result<PublishState, FlowError> {
        let flow = Box::pin(self.client.publish_flow_get(self.flow_id.as_str()).send()).await?;
        read_flow(flow)
    }

    /// Each new state of the flow, until every task is done ([`PublishState::is_finished`]):
    /// first the state as created (or, after that, as it is now), then each change the polling
    /// sees. An error ends the stream.
    pub fn updates(&self) -> impl Stream<Item = Result<PublishState, FlowError>> + Send + '_ {
        let tracker = Tracker {
            publication: self,
            backoff: Backoff::new(self.polling),
            last: None,
            phase: Phase::First,
        };
        futures_util::stream::unfold(tracker, |mut tracker| async move {
            let item = tracker.next().await?;
            Some((item, tracker))
        })
    }

    /// Follows the flow until every task is published, failed or cancelled, and returns its
    /// final state: per-platform results, failed ones included (see
    /// [`PublishState::failed`]). A task scheduled for later keeps this waiting until then;
    /// use [`updates`](Self::updates) to watch progress instead.
    pub async fn wait(&self) -> Result<PublishState, FlowError> {
        let mut updates = std::pin::pin!(self.updates());
        let mut last = None;
        while let Some(state) = updates.next().await {
            last = Some(state?);
        }
        match last {
            Some(state) => Ok(state),
            None => self.state().await,
        }
    }

    /// Retries a failed task (`publish_task_retry`); follow it again with
    /// [`wait`](Self::wait) or [`updates`](Self::updates). Only tasks the service deems
    /// retryable can be.
    ///
    /// After any action on a task, the next `wait`/`updates` looks at the flow only after one
    /// polling interval, so that it sees the task's new status rather than the old one.
    pub async fn retry(&self, task_id: &str) -> crate::Result<()> {
        Box::pin(self.client.publish_task_retry(task_id).send()).await?;
        self.acted();
        Ok(())
    }

    /// Cancels a task (`publish_task_cancel`), on the platform too where it supports it.
    pub async fn cancel(&self, task_id: &str) -> crate::Result<()> {
        Box::pin(self.client.publish_task_cancel(task_id).send()).await?;
        self.acted();
        Ok(())
    }

    /// Publishes a scheduled task now (`publish_task_publish_now`).
    pub async fn publish_now(&self, task_id: &str) -> crate::Result<()> {
        Box::pin(self.client.publish_task_publish_now(task_id).send()).await?;
        self.acted();
        Ok(())
    }

    /// Moves a pending task to `at`, which must be in the future
    /// (`publish_task_update_publish_at`).
    pub async fn update_publish_at(&self, task_id: &str, at: DateTime<Utc>) -> crate::Result<()> {
        let request = self
            .client
            .publish_task_update_publish_at(task_id)
            .body_map(|b| b.publish_at(at));
        Box::pin(request.send()).await?;
        self.acted();
        Ok(())
    }

    fn acted(&self) {
        self.acted.store(true, Ordering::Release);
    }
}

enum Phase {
    First,
    Polling,
    Done,
}

struct Tracker<'a> {
    publication: &'a Publication,
    backoff: Backoff,
    last: Option<PublishState>,
    phase: Phase,
}

impl Tracker<'_> {
    async fn next(&mut self) -> Option<Result<PublishState, FlowError>> {
        let cancel = self.publication.cancel.clone();
        match cancel.run(self.next_change()).await {
            Ok(state) => state.map(Ok),
            Err(e) => {
                self.phase = Phase::Done;
                Some(Err(e))
            }
        }
    }

    async fn next_change(&mut self) -> Result<Option<PublishState>, FlowError> {
        let mut wait = None;
        loop {
            match self.phase {
                Phase::Done => return Ok(None),
                Phase::First => {
                    self.phase = Phase::Polling;
                    let p = self.publication;
                    if p.acted.swap(false, Ordering::AcqRel) {
                        p.fresh.store(false, Ordering::Release);
                        continue; // first look after one interval
                    }
                    if p.fresh.swap(false, Ordering::AcqRel) && !p.created.is_empty() {
                        let created = PublishState {
                            flow_id: p.flow_id.clone(),
                            tasks: p.created.clone(),
                        };
                        return Ok(Some(self.emit(created)));
                    }
                }
                Phase::Polling => {
                    let w = wait.take().unwrap_or_else(|| self.backoff.after_answer());
                    self.backoff.sleep(w).await?;
                }
            }
            match self.publication.state().await {
                Ok(state) if self.last.as_ref() != Some(&state) => {
                    return Ok(Some(self.emit(state)));
                }
                Ok(_) => {}
                Err(FlowError::Api(e)) if is_transient(&e) => match self.backoff.after_error() {
                    Some(w) => wait = Some(w),
                    None => return Err(FlowError::Api(e)),
                },
                Err(e) => return Err(e),
            }
        }
    }

    fn emit(&mut self, state: PublishState) -> PublishState {
        if state.is_finished() {
            self.phase = Phase::Done;
        }
        self.last = Some(state.clone());
        state
    }
}

/// A publish flow's tasks at one moment.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PublishState {
    /// The flow's id.
    pub flow_id: String,
    /// One task per account.
    pub tasks: Vec<PublishTask>,
}

impl PublishState {
    /// Whether every task is done: published, failed or cancelled.
    pub fn is_finished(&self) -> bool {
        self.tasks.iter().all(|t| t.status.is_terminal())
    }

    /// The tasks that are published.
    pub fn published(&self) -> impl Iterator<Item = &PublishTask> {
        self.tasks.iter().filter(|t| t.status.is_published())
    }

    /// The tasks that failed.
    pub fn failed(&self) -> impl Iterator<Item = &PublishTask> {
        self.tasks.iter().filter(|t| t.status.is_failed())
    }

    /// The task `id`.
    pub fn task(&self, id: &str) -> Option<&PublishTask> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

/// One account's part of a publish flow.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PublishTask {
    /// The task's id (for [`Publication::retry`] and the other actions).
    pub id: String,
    /// The account it publishes to.
    pub account_id: String,
    /// The account's platform (`douyin`, `bilibili`, …).
    pub platform: String,
    /// Where it stands.
    pub status: TaskStatus,
    /// When it is (or was) published.
    pub publish_time: Option<DateTime<Utc>>,
    /// The published work's id on the platform.
    pub platform_work_id: Option<String>,
    /// The published work's link, once the service has it.
    pub work_link: Option<String>,
    /// Where fetching the work's link stands: `pending`, `ready` or `failed`.
    pub link_status: Option<String>,
    /// Why fetching the link failed.
    pub link_error: Option<String>,
    /// Why the task failed.
    pub error: Option<String>,
}

/// Where a publish task stands (the service's numeric `status`).
///
/// ```
/// use aitoearn::flows::TaskStatus;
///
/// assert_eq!(TaskStatus::from_code(1), TaskStatus::Published);
/// assert!(TaskStatus::from_code(-1).is_failed());
/// assert!(TaskStatus::Cancelled.is_terminal() && !TaskStatus::Queued.is_terminal());
/// assert_eq!(TaskStatus::from_code(42), TaskStatus::Unknown(42));
/// assert_eq!(TaskStatus::PlatformScheduled.code(), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskStatus {
    /// `-1`: publishing failed (see [`PublishTask::error`]).
    Failed,
    /// `0`: not published yet.
    Pending,
    /// `1`: published.
    Published,
    /// `2`: being published.
    Publishing,
    /// `3`: published, an update is waiting.
    UpdatePending,
    /// `4`: published, being updated.
    Updating,
    /// `5`: published, but updating it failed.
    UpdateFailed,
    /// `6`: queued for its publish time.
    Queued,
    /// `7`: handed to the platform's own scheduler.
    PlatformScheduled,
    /// `8`: waiting for the user to finish in the platform's app (Douyin; see
    /// `publish_record_get_user_action`).
    AwaitingUserAction,
    /// `9`: cancelled.
    Cancelled,
    /// A status newer than this crate.
    Unknown(i64),
}

impl TaskStatus {
    /// The status for the service's code.
    pub fn from_code(code: i64) -> Self {
        match code {
            -1 => Self::Failed,
            0 => Self::Pending,
            1 => Self::Published,
            2 => Self::Publishing,
            3 => Self::UpdatePending,
            4 => Self::Updating,
            5 => Self::UpdateFailed,
            6 => Self::Queued,
            7 => Self::PlatformScheduled,
            8 => Self::AwaitingUserAction,
            9 => Self::Cancelled,
            other => Self::Unknown(other),
        }
    }

    /// The service's code.
    pub fn code(self) -> i64 {
        match self {
            Self::Failed => -1,
            Self::Pending => 0,
            Self::Published => 1,
            Self::Publishing => 2,
            Self::UpdatePending => 3,
            Self::Updating => 4,
            Self::UpdateFailed => 5,
            Self::Queued => 6,
            Self::PlatformScheduled => 7,
            Self::AwaitingUserAction => 8,
            Self::Cancelled => 9,
            Self::Unknown(code) => code,
        }
    }

    /// Whether the task is done: published, failed or cancelled. (An update failure leaves a
    /// published work; it counts as done, and as failed.)
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Published | Self::Failed | Self::Cancelled | Self::UpdateFailed
        )
    }

    /// Whether the task published its work.
    pub fn is_published(self) -> bool {
        self == Self::Published
    }

    /// Whether the task failed.
    pub fn is_failed(self) -> bool {
        matches!(self, Self::Failed | Self::UpdateFailed)
    }
}

// The tasks of `publish_flow_create`'s and `publish_flow_get`'s answers: two models of one
// wire format (the create answer's is looser: every field optional, `status` a number).

/// A text the service sent, unless it is empty (an empty `errorMsg` is no error).
fn text(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// The flow id and the tasks of `publish_flow_create`'s answer.
fn read_created(created: ops::publish_flow_create::Output) -> (Option<String>, Vec<PublishTask>) {
    let tasks = created
        .tasks
        .into_iter()
        .map(|t| PublishTask {
            id: t.id.unwrap_or_default(),
            account_id: t.account_id.unwrap_or_default(),
            platform: t.platform.unwrap_or_default(),
            status: t
                .status
                .map_or(TaskStatus::Pending, |s| TaskStatus::from_code(s as i64)),
            publish_time: t.publish_time.as_deref().and_then(parse_time),
            platform_work_id: text(t.platform_work_id),
            work_link: text(t.work_link),
            link_status: text(t.link_status),
            link_error: text(t.link_error),
            error: text(t.error_msg),
        })
        .collect();
    (created.flow_id, tasks)
}

/// `publish_flow_get`'s answer.
fn read_flow(flow: ops::publish_flow_get::Output) -> Result<PublishState, FlowError> {
    let tasks = flow
        .tasks
        .into_iter()
        .map(|t| {
            Ok(PublishTask {
                status: match t.status {
                    None => TaskStatus::Pending,
                    Some(status) => TaskStatus::from_code(status_code(status)?),
                },
                id: t.id,
                account_id: t.account_id,
                platform: t.platform.to_string(),
                publish_time: t.publish_time,
                platform_work_id: text(t.platform_work_id),
                work_link: text(t.work_link),
                link_status: text(t.link_status.map(|s| s.to_string())),
                link_error: text(t.link_error),
                error: text(t.error_msg),
            })
        })
        .collect::<Result<_, FlowError>>()?;
    Ok(PublishState {
        flow_id: flow.flow_id,
        tasks,
    })
}

/// A task's numeric `status`, listed in the spec or not.
fn status_code<E: Into<i64>>(status: Open<E>) -> Result<i64, FlowError> {
    match status {
        Open::Known(code) => Ok(code.into()),
        // A number the spec does not list (or `1.0`): its code; anything else is no status.
        Open::Unknown(v) => {
            v.as_f64()
                .map(|f| f as i64)
                .ok_or_else(|| FlowError::UnexpectedAnswer {
                    operation: GET,
                    reason: format!("`tasks[].status` is not a number: {v}"),
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for code in -1..=9 {
            let status = TaskStatus::from_code(code);
            assert!(!matches!(status, TaskStatus::Unknown(_)), "{code}");
            assert_eq!(status.code(), code);
        }
        assert_eq!(TaskStatus::from_code(10).code(), 10);
        let terminal: Vec<i64> = (-1..=10)
            .filter(|c| TaskStatus::from_code(*c).is_terminal())
            .collect();
        assert_eq!(terminal, [-1, 1, 5, 9]);
    }

    #[test]
    fn tasks_read_from_either_answer() {
        let answer = serde_json::json!({
            "flowId": "f1",
            "tasks": [
                { "id": "t1", "accountId": "a1", "platform": "douyin", "status": 1,
                  "workLink": "https://v.douyin.com/x", "errorMsg": "" },
                { "id": "t2", "accountId": "a2", "platform": "bilibili", "status": -1.0,
                  "errorMsg": "tid is required", "publishTime": "2026-07-02T12:00:00.000Z" },
                { "id": "t3", "accountId": "a3", "platform": "xhs" }
            ]
        });
        let created: ops::publish_flow_create::Output =
            serde_json::from_value(answer.clone()).unwrap();
        let got: ops::publish_flow_get::Output = serde_json::from_value(answer).unwrap();
        let (flow_id, created) = read_created(created);
        assert_eq!(flow_id.as_deref(), Some("f1"));
        let got = read_flow(got).unwrap();
        assert_eq!(got.flow_id, "f1");
        let both = [created, got.tasks];
        assert_eq!(both[0], both[1], "one wire format, one reading");
        for tasks in both {
            assert_eq!(tasks[0].status, TaskStatus::Published);
            assert_eq!(tasks[0].error, None, "an empty errorMsg is no error");
            assert_eq!(tasks[1].status, TaskStatus::Failed);
            assert_eq!(tasks[1].error.as_deref(), Some("tid is required"));
            assert!(tasks[1].publish_time.is_some());
            assert_eq!(tasks[2].status, TaskStatus::Pending);
            let state = PublishState {
                flow_id: "f1".into(),
                tasks,
            };
            assert!(!state.is_finished());
            assert_eq!(state.published().count(), 1);
            assert_eq!(
                state.failed().map(|t| t.id.as_str()).collect::<Vec<_>>(),
                ["t2"]
            );
            assert_eq!(state.task("t3").unwrap().platform, "xhs");
        }
    }
}
