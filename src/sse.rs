//! Server-Sent Events as a typed `Stream`. Parsing follows the WHATWG event-stream rules and
//! is done by `eventsource-stream`; this module only decodes each event's `data` and ends the
//! stream at the OpenAI-style `[DONE]` sentinel.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use eventsource_stream::{EventStreamError, Eventsource};
use futures_core::Stream;
use progenitor_client::ByteStream;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::operation::Operation;

/// One event of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<T> {
    /// The `event:` field; `"message"` when the server sent none.
    pub event: String,
    /// The `id:` field, if any.
    pub id: Option<String>,
    /// The `data:` field, decoded.
    pub data: T,
}

type Inner = Pin<
    Box<
        dyn Stream<
                Item = std::result::Result<
                    eventsource_stream::Event,
                    EventStreamError<reqwest::Error>,
                >,
            > + Send
            + Sync,
    >,
>;

/// A stream of [`Event`]s. Yields each event as soon as its bytes have arrived; ends after the
/// last event or at `data: [DONE]`; yields one `Err` and ends if the connection breaks.
/// Dropping it closes the connection.
#[must_use = "streams do nothing unless polled"]
pub struct EventStream<T> {
    op: &'static Operation,
    request_id: std::sync::Arc<str>,
    inner: Option<Inner>,
    _data: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("operation", &self.op.name)
            .finish_non_exhaustive()
    }
}

impl<T> EventStream<T> {
    pub(crate) fn new(
        op: &'static Operation,
        request_id: std::sync::Arc<str>,
        body: ByteStream,
    ) -> Self {
        let bytes: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send + Sync>> =
            body.into_inner();
        Self {
            op,
            request_id,
            inner: Some(Box::pin(bytes.eventsource())),
            _data: PhantomData,
        }
    }
}

impl<T: DeserializeOwned> Stream for EventStream<T> {
    type Item = Result<Event<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let op = self.op;
        let request_id = self.request_id.clone();
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let item = match inner.as_mut().poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(item) => item,
        };
        let out = match item {
            None => None,
            Some(Ok(ev)) if ev.data.trim() == "[DONE]" => None,
            Some(Ok(ev)) => Some(
                crate::transport::from_json::<T>(&ev.data)
                    .map(|data| Event {
                        event: ev.event,
                        id: (!ev.id.is_empty()).then_some(ev.id),
                        data,
                    })
                    .map_err(|reason| Error::Stream {
                        operation: op.name,
                        request_id: request_id.to_string(),
                        reason: format!("event data {reason}"),
                    }),
            ),
            Some(Err(EventStreamError::Transport(e))) => Some(Err(Error::transport(op.name, &request_id, e))),
            Some(Err(e)) => Some(Err(Error::Stream {
                operation: op.name,
                request_id: request_id.to_string(),
                reason: e.to_string(),
            })),
        };
        // End for good after `[DONE]`, the end of the body, or a broken connection; the
        // connection is released right away.
        if !matches!(out, Some(Ok(_))) {
            self.inner = None;
        }
        Poll::Ready(out)
    }
}
