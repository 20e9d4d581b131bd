//! The I/O of one attempt: progenitor sends the request and hands back the raw body; this
//! module awaits it, maps progenitor's errors onto ours, reads the body (bounded) and hands it
//! to [`decode`](crate::decode), or wraps it in an [`EventStream`].

use std::future::Future;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use progenitor_client::{ByteStream, ResponseValue};
use serde::de::DeserializeOwned;

use crate::call::{Attempt, Call};
use crate::config::Shared;
use crate::decode::{Answer, decode_error, http_error};
use crate::error::{Error, Result, snippet};
use crate::sse::EventStream;

/// What progenitor's `send()` resolves to for every operation (the adapted spec gives each one
/// opaque `default` response).
pub(crate) type Sent =
    std::result::Result<ResponseValue<ByteStream>, progenitor_client::Error<ByteStream>>;

/// Status, headers of note and the unread body of an answer.
pub(crate) struct Head {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) location: Option<String>,
    pub(crate) body: ByteStream,
}

/// Awaits the request and maps progenitor's errors onto ours.
pub(crate) async fn head(call: &Call, sent: impl Future<Output = Sent>) -> Result<Head> {
    let value = match sent.await {
        Ok(v) => v,
        // Any non-2xx status, with its body still unread.
        Err(progenitor_client::Error::ErrorResponse(v)) => v,
        Err(e) => return Err(map_progenitor_error(call, e)),
    };
    let header = |name| value.headers().get(name).and_then(|v| v.to_str().ok());
    Ok(Head {
        status: value.status().as_u16(),
        content_type: header(reqwest::header::CONTENT_TYPE).map(str::to_owned),
        retry_after: header(reqwest::header::RETRY_AFTER).and_then(crate::retry::parse_retry_after),
        location: (300..400)
            .contains(&value.status().as_u16())
            .then(|| header(reqwest::header::LOCATION).map(crate::error::truncate_str))
            .flatten(),
        body: value.into_inner(),
    })
}

fn map_progenitor_error(call: &Call, e: progenitor_client::Error<ByteStream>) -> Error {
    use progenitor_client::Error as P;
    let operation = call.op.name;
    let request_id = call.request_id.to_string();
    match e {
        P::Custom(reason) if reason == crate::auth::MISSING_KEY => {
            Error::MissingApiKey { operation }
        }
        P::Custom(reason) if reason.starts_with(crate::hooks::OTHER_ORIGIN) => {
            // `<marker><status> <url>`, from the client's `post` hook.
            let rest = &reason[crate::hooks::OTHER_ORIGIN.len()..];
            let (status, url) = rest.split_once(' ').unwrap_or(("0", rest));
            Error::Http {
                operation,
                request_id,
                status: status.parse().unwrap_or(0),
                content_type: None,
                body: format!(
                    "the HTTP client followed a redirect to another origin ({url}): the answer is \
                     not used, and the API key may have been sent there — rotate it, and give the \
                     SDK a client that does not follow redirects (`aitoearn::http_client_builder`)"
                ),
                location: Some(url.to_string()),
            }
        }
        P::InvalidRequest(reason) | P::Custom(reason) => {
            Error::InvalidRequest { operation, reason }
        }
        P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
            Error::transport(operation, &request_id, e)
        }
        P::InvalidResponsePayload(body, e) => Error::Decode {
            operation,
            request_id,
            status: 200,
            reason: e.to_string(),
            body: snippet(&body),
        },
        P::UnexpectedResponse(r) => Error::Http {
            operation,
            request_id,
            status: r.status().as_u16(),
            content_type: None,
            body: String::new(),
            location: None,
        },
        P::ErrorResponse(v) => Error::Http {
            operation,
            request_id,
            status: v.status().as_u16(),
            content_type: None,
            body: String::new(),
            location: None,
        },
    }
}

/// Reads the whole body, refusing bodies larger than `limit`.
pub(crate) async fn read(call: &Call, head: Head, limit: usize) -> Result<Answer> {
    let Head {
        status,
        content_type,
        location,
        body,
        ..
    } = head;
    let mut stream = body.into_inner();
    let mut first: Option<Bytes> = None;
    let mut buf = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Error::transport(call.op.name, &call.request_id, e))?;
        let len = first.as_ref().map_or(0, Bytes::len) + buf.len() + chunk.len();
        if len > limit {
            return Err(Error::Decode {
                operation: call.op.name,
                request_id: call.request_id.to_string(),
                status,
                reason: format!("the body is larger than the {limit}-byte limit"),
                body: snippet(first.as_deref().unwrap_or(&buf)),
            });
        }
        // One chunk (the common case for small answers) is kept as is: no copy.
        match first.take() {
            None if buf.is_empty() => first = Some(chunk),
            Some(f) => {
                buf.reserve(f.len() + chunk.len());
                buf.extend_from_slice(&f);
                buf.extend_from_slice(&chunk);
            }
            None => buf.extend_from_slice(&chunk),
        }
    }
    let body = first.unwrap_or_else(|| buf.freeze());
    Ok(Answer {
        status,
        content_type,
        location,
        body,
    })
}

/// Reads an answer whole and decodes it with `decode`.
async fn read_and<T>(
    call: Call,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
    decode: impl FnOnce(&Call, &Answer) -> Result<T>,
) -> Attempt<T> {
    let head = match head(&call, sent).await {
        Ok(h) => h,
        Err(e) => return Attempt::failed(e),
    };
    let (status, retry_after) = (head.status, head.retry_after);
    let result = match read(&call, head, shared.max_body).await {
        Ok(answer) => decode(&call, &answer),
        Err(e) => Err(e),
    };
    Attempt {
        result,
        status: Some(status),
        retry_after,
    }
}

/// One attempt of an enveloped operation: `data` on `code == 0`, [`Error::Api`] otherwise.
pub(crate) async fn envelope<T: DeserializeOwned>(
    call: Call,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Attempt<T> {
    read_and(call, shared, sent, crate::decode::envelope).await
}

/// One attempt of an enveloped operation whose `data` the spec leaves out.
#[allow(dead_code)] // called by generated code only when the spec has such operations
pub(crate) async fn envelope_unit(
    call: Call,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Attempt<()> {
    read_and(call, shared, sent, |c, a| {
        crate::decode::envelope::<serde::de::IgnoredAny>(c, a).map(|_| ())
    })
    .await
}

/// One attempt of a raw JSON operation.
pub(crate) async fn json<T: DeserializeOwned>(
    call: Call,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Attempt<T> {
    read_and(call, shared, sent, crate::decode::json).await
}

/// One attempt of an operation without a body.
#[allow(dead_code)] // called by generated code only when the spec has such operations
pub(crate) async fn empty(
    call: Call,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Attempt<()> {
    read_and(call, shared, sent, |c, a| {
        if a.is_success() {
            Ok(())
        } else {
            Err(http_error(c, a))
        }
    })
    .await
}

/// One attempt of a streaming operation: the events, or the error answered instead.
pub(crate) async fn events<E: DeserializeOwned>(
    call: Call,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Attempt<EventStream<E>> {
    let head = match head(&call, sent).await {
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
        let stream = EventStream::new(call.op, call.request_id.clone(), head.body);
        return Attempt {
            result: Ok(stream),
            status: Some(status),
            retry_after,
        };
    }
    // Not a stream: an envelope error, an HTTP error page, or JSON where events were expected.
    let result = match read(&call, head, shared.max_body).await {
        Err(e) => Err(e),
        Ok(answer) => match crate::decode::json::<serde::de::IgnoredAny>(&call, &answer) {
            Err(e) => Err(e),
            Ok(_) => Err(decode_error(
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
