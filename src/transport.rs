//! The I/O of one attempt: progenitor sends the request and hands back the raw body; this
//! module awaits it, maps progenitor's errors onto ours, reads the body (bounded) and hands it
//! to [`decode`](crate::decode); [`send`](crate::send) runs the attempts.

use std::future::Future;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use progenitor_client::{ByteStream, ResponseValue};

use crate::call::Call;
use crate::decode::Answer;
use crate::error::{Error, Result, snippet};
use crate::refusal::Refusal;

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
        // A hook's refusal: its typed reason was recorded in the call's scope.
        P::Custom(reason) => match crate::call::take_refusal() {
            Some(Refusal::MissingKey) => Error::MissingApiKey { operation },
            Some(Refusal::OtherOrigin { status, url }) => Error::Http {
                operation,
                request_id,
                status,
                content_type: None,
                body: format!(
                    "the HTTP client followed a redirect to another origin ({url}): the answer is \
                     not used, and the API key may have been sent there — rotate it, and give the \
                     SDK a client that does not follow redirects (`aitoearn::http_client_builder`)"
                ),
                location: Some(url),
            },
            Some(Refusal::UnsendableKey(reason)) => Error::InvalidRequest { operation, reason },
            None => Error::InvalidRequest { operation, reason },
        },
        P::InvalidRequest(reason) => Error::InvalidRequest { operation, reason },
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
