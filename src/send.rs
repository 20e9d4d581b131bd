//! What every generated `send()` calls: one function per kind of answer, generic only in the
//! type the answer decodes into. The call itself — request id, span, retries, awaiting the
//! answer, reading the body — runs in one non-generic function for all operations, so the
//! compiler builds it once instead of once per operation; per type only the decoding is
//! instantiated.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;

use progenitor_client::ByteStream;
use serde::de::DeserializeOwned;

use crate::call::{Attempt, Call, CallOptions};
use crate::config::Shared;
use crate::decode::{self, Answer};
use crate::error::{Error, Result};
use crate::operation::Operation;
use crate::sse::EventStream;
use crate::transport::{self, Sent};

/// One attempt's request, as progenitor sends it.
pub(crate) type Sending<'a> = Pin<Box<dyn Future<Output = Sent> + Send + 'a>>;

/// Makes a fresh request for each attempt.
pub(crate) type Request<'a> = &'a (dyn Fn() -> Sending<'a> + Send + Sync + 'a);

/// A decoded answer of some operation's type.
type Decoded = Box<dyn Any + Send>;

/// Boxes the request future of one attempt (called from the generated stubs).
pub(crate) fn boxed<'a>(sent: impl Future<Output = Sent> + Send + 'a) -> Sending<'a> {
    Box::pin(sent)
}

/// An attempt that fails before anything is sent: a value the request needs is missing, or the
/// body did not convert (`Error::InvalidRequest` with `reason`, as progenitor's builders said).
pub(crate) fn invalid(reason: &str) -> Sending<'static> {
    Box::pin(std::future::ready(Err(
        progenitor_client::Error::InvalidRequest(reason.to_string()),
    )))
}

/// Answers a decoder leaves as bytes: read whole, or kept as a stream of events.
enum Reading<'a> {
    Whole(&'a (dyn Fn(&Call, &Answer) -> Result<Decoded> + Send + Sync)),
    Events(&'a (dyn Fn(&Call, ByteStream) -> Decoded + Send + Sync)),
}

/// The call: every attempt sends `request` and reads its answer as `reading` says.
async fn call(
    op: &'static Operation,
    shared: &Shared,
    options: CallOptions,
    request: Request<'_>,
    reading: Reading<'_>,
) -> Result<Decoded> {
    let reading = &reading;
    crate::call::run(op, shared, options, |call| async move {
        match reading {
            Reading::Whole(decode) => read(call, shared, request(), *decode).await,
            Reading::Events(open) => events_attempt(call, shared, request(), *open).await,
        }
    })
    .await
}

/// One attempt of an answer read whole.
async fn read(
    call: Call,
    shared: &Shared,
    sent: Sending<'_>,
    decode: &(dyn Fn(&Call, &Answer) -> Result<Decoded> + Send + Sync),
) -> Attempt<Decoded> {
    let head = match transport::head(&call, sent).await {
        Ok(h) => h,
        Err(e) => return Attempt::failed(e),
    };
    let (status, retry_after) = (head.status, head.retry_after);
    let result = match transport::read(&call, head, shared.max_body).await {
        Ok(answer) => decode(&call, &answer),
        Err(e) => Err(e),
    };
    Attempt {
        result,
        status: Some(status),
        retry_after,
    }
}

/// One attempt of a streaming answer: the events (opened by `open`), or the error answered
/// instead.
async fn events_attempt(
    call: Call,
    shared: &Shared,
    sent: Sending<'_>,
    open: &(dyn Fn(&Call, ByteStream) -> Decoded + Send + Sync),
) -> Attempt<Decoded> {
    let head = match transport::head(&call, sent).await {
        Ok(h) => h,
        Err(e) => return Attempt::failed(e),
    };
    let is_sse = head.content_type.as_deref().is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
    });
    let (status, retry_after) = (head.status, head.retry_after);
    if (200..300).contains(&status) && is_sse {
        return Attempt {
            result: Ok(open(&call, head.body)),
            status: Some(status),
            retry_after,
        };
    }
    // Not a stream: an envelope error, an HTTP error page, or JSON where events were expected.
    let result = match transport::read(&call, head, shared.max_body).await {
        Err(e) => Err(e),
        Ok(answer) => match decode::json::<serde::de::IgnoredAny>(&call, &answer) {
            Err(e) => Err(e),
            Ok(_) => Err(decode::decode_error(
                &call,
                &answer,
                format!(
                    "expected `text/event-stream`, got `{}`",
                    answer.content_type.as_deref().unwrap_or("no content type")
                ),
            )),
        },
    };
    Attempt {
        result,
        status: Some(status),
        retry_after,
    }
}

/// The decoded value as `T` (it always is: the decoder that made it was `T`'s).
fn take<T: 'static>(op: &'static Operation, value: Decoded) -> Result<T> {
    value
        .downcast::<T>()
        .map(|v| *v)
        .map_err(|_| Error::InvalidRequest {
            operation: op.name,
            reason: "internal: the answer was decoded into another type".into(),
        })
}

/// The call, its answer read whole and made into a `T` by `decode`.
async fn whole<T: 'static>(
    op: &'static Operation,
    shared: &Shared,
    options: CallOptions,
    request: Request<'_>,
    decode: &(dyn Fn(&Call, &Answer) -> Result<Decoded> + Send + Sync),
) -> Result<T> {
    take(
        op,
        call(op, shared, options, request, Reading::Whole(decode)).await?,
    )
}

/// An enveloped operation: `data` on `code == 0`, [`Error::Api`] otherwise.
pub(crate) async fn envelope<T: DeserializeOwned + Send + 'static>(
    op: &'static Operation,
    shared: &Shared,
    options: CallOptions,
    request: Request<'_>,
) -> Result<T> {
    let decode = |c: &Call, a: &Answer| decode::envelope::<T>(c, a).map(|v| Box::new(v) as Decoded);
    whole(op, shared, options, request, &decode).await
}

/// An enveloped operation whose `data` the spec leaves out: only `code` is checked.
#[allow(dead_code)] // called by generated code only when the spec has such operations
pub(crate) async fn envelope_unit(
    op: &'static Operation,
    shared: &Shared,
    options: CallOptions,
    request: Request<'_>,
) -> Result<()> {
    let decode = |c: &Call, a: &Answer| {
        decode::envelope::<serde::de::IgnoredAny>(c, a).map(|_| Box::new(()) as Decoded)
    };
    whole(op, shared, options, request, &decode).await
}

/// A raw (not enveloped) JSON operation.
pub(crate) async fn json<T: DeserializeOwned + Send + 'static>(
    op: &'static Operation,
    shared: &Shared,
    options: CallOptions,
    request: Request<'_>,
) -> Result<T> {
    let decode = |c: &Call, a: &Answer| decode::json::<T>(c, a).map(|v| Box::new(v) as Decoded);
    whole(op, shared, options, request, &decode).await
}

/// An operation whose answer has no body.
#[allow(dead_code)] // called by generated code only when the spec has such operations
pub(crate) async fn empty(
    op: &'static Operation,
    shared: &Shared,
    options: CallOptions,
    request: Request<'_>,
) -> Result<()> {
    let decode = |c: &Call, a: &Answer| {
        if a.is_success() {
            Ok(Box::new(()) as Decoded)
        } else {
            Err(decode::http_error(c, a))
        }
    };
    whole(op, shared, options, request, &decode).await
}

/// A streaming operation: its events, or the error answered instead.
pub(crate) async fn events<E: DeserializeOwned + Send + 'static>(
    op: &'static Operation,
    shared: &Shared,
    options: CallOptions,
    request: Request<'_>,
) -> Result<EventStream<E>> {
    let open = |c: &Call, body: ByteStream| {
        Box::new(EventStream::<E>::new(c.op, c.request_id.clone(), body)) as Decoded
    };
    take(
        op,
        call(op, shared, options, request, Reading::Events(&open)).await?,
    )
}
