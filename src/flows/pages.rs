//! Every item of a paged list, as a `Stream`.

use std::num::NonZeroU64;

use futures_util::{Stream, TryStreamExt};
use serde_json::{Map, Value};

#[cfg(feature = "ai")]
use crate::requests::VideoListTasks;
use crate::requests::WorksList;
#[cfg(feature = "ai")]
use crate::types::ops::video_list_tasks;
use crate::types::ops::works_list;

/// Pages one after the other from `fetch(page)`, until `fetch` says there are no more.
fn paged<'a, T, F, Fut>(fetch: F) -> impl Stream<Item = crate::Result<T>> + Send + 'a
where
    T: Send + 'a,
    F: Fn(NonZeroU64) -> Fut + Send + 'a,
    Fut: std::future::Future<Output = crate::Result<(Vec<T>, bool)>> + Send + 'a,
{
    futures_util::stream::try_unfold((fetch, Some(NonZeroU64::MIN)), |(fetch, page)| async move {
        let Some(page) = page else {
            return Ok::<_, crate::Error>(None);
        };
        let (items, more) = fetch(page).await?;
        // An empty page ends the list whatever else the answer says: no endless loop on a
        // service that keeps saying "more".
        let next = if more && !items.is_empty() {
            page.checked_add(1)
        } else {
            None
        };
        Ok(Some((items, (fetch, next))))
    })
    .map_ok(|items| futures_util::stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

// An `AI 服务` operation: only with the `ai` feature.
#[cfg(feature = "ai")]
#[cfg_attr(docsrs, doc(cfg(feature = "ai")))]
impl<'a> VideoListTasks<'a> {
    /// Every video task, page after page (`page` 1, 2, … with this request's `page_size`),
    /// until `totalPages`. A page that fails ends the stream with its error. Each item is an
    /// element of the answer's `list`
    /// ([`types::ops::video_list_tasks::output::ListItem`](crate::types::ops::video_list_tasks::output::ListItem)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> aitoearn::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mock = aitoearn::mock::MockServer::start().await;
    /// let client = mock.client();
    /// let tasks: Vec<_> = client.video_list_tasks().page_size(50).items().try_collect().await?;
    /// for task in &tasks {
    ///     println!("{} {}", task.id, task.status);
    /// }
    /// # assert!(!tasks.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn items(
        self,
    ) -> impl Stream<Item = crate::Result<video_list_tasks::output::ListItem>> + Send + 'a {
        paged(move |page| {
            let request = self.clone().page(page);
            async move {
                let answer = Box::pin(request.send()).await?;
                let more = i64::try_from(page.get()).is_ok_and(|p| p < answer.total_pages);
                Ok((answer.list, more))
            }
        })
    }
}

/// The `pagination` parameter by page number: `{page, pageSize}`, one member of the parameter's
/// `anyOf`. Made from that wire form with the generated type's own `Deserialize`, not by naming
/// the member: typify calls it `Variant0` after its position, which a spec that reorders or adds
/// members changes (and the member has no constructor or `From` of its own). Fails only if a new
/// spec drops page-number pagination, with `InvalidRequest`, nothing sent.
fn by_page(
    page: NonZeroU64,
    page_size: NonZeroU64,
) -> crate::Result<works_list::params::Pagination> {
    serde_json::from_value(serde_json::json!({ "page": page, "pageSize": page_size })).map_err(
        |e| crate::Error::InvalidRequest {
            operation: works_list::OPERATION.name,
            reason: format!("`pagination` by page: {e}"),
        },
    )
}

impl<'a> WorksList<'a> {
    /// Every work, page after page (`page` 1, 2, … of `page_size` works each), until the
    /// answer's `pagination.hasNext` is false — or, when it does not say, a page comes back
    /// short. This replaces any `pagination` set on the request: a cursor cannot be followed,
    /// as the answer does not carry the next one.
    ///
    /// ```no_run
    /// # async fn run(client: aitoearn::Client) -> aitoearn::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use std::num::NonZeroU64;
    ///
    /// let mut works = std::pin::pin!(client
    ///     .works_list("KWAI")
    ///     .account_id("acc-1")
    ///     .items(NonZeroU64::new(20).unwrap()));
    /// while let Some(work) = works.try_next().await? {
    ///     println!("{:?}", work.get("title"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn items(
        self,
        page_size: NonZeroU64,
    ) -> impl Stream<Item = crate::Result<Map<String, Value>>> + Send + 'a {
        paged(move |page| {
            let request = by_page(page, page_size).map(|p| self.clone().pagination(p));
            async move {
                let request = request?;
                let answer = Box::pin(request.send()).await?;
                let has_next = answer.pagination.as_ref().and_then(|p| p.has_next);
                let more = has_next.unwrap_or(answer.items.len() as u64 >= page_size.get());
                Ok((answer.items, more))
            }
        })
    }
}
