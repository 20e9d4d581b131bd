//! Reading answers: progenitor sends the request and hands back the raw body; this module turns
//! it into `data`, a raw JSON body, an event stream, or a typed [`Error`].

use std::future::Future;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use progenitor_client::{ByteStream, ResponseValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::client::Shared;
use crate::error::{Error, Result, snippet};
use crate::operation::Operation;
use crate::sse::EventStream;

/// What progenitor's `send()` resolves to for every operation (the adapted spec gives each one
/// opaque `default` response).
pub(crate) type Sent =
    std::result::Result<ResponseValue<ByteStream>, progenitor_client::Error<ByteStream>>;

/// Status, content type and the unread body of an answer.
pub(crate) struct Head {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: ByteStream,
}

/// A fully read answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Bytes,
}

impl Answer {
    fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Awaits the request and maps progenitor's errors onto ours.
pub(crate) async fn head(op: &'static Operation, sent: impl Future<Output = Sent>) -> Result<Head> {
    let value = match sent.await {
        Ok(v) => v,
        // Any non-2xx status, with its body still unread.
        Err(progenitor_client::Error::ErrorResponse(v)) => v,
        Err(e) => return Err(map_progenitor_error(op, e)),
    };
    let status = value.status().as_u16();
    let content_type = value
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok(Head {
        status,
        content_type,
        body: value.into_inner(),
    })
}

fn map_progenitor_error(op: &'static Operation, e: progenitor_client::Error<ByteStream>) -> Error {
    use progenitor_client::Error as P;
    let operation = op.name;
    match e {
        P::Custom(reason) if reason == crate::auth::MISSING_KEY => {
            Error::MissingApiKey { operation }
        }
        P::InvalidRequest(reason) | P::Custom(reason) => {
            Error::InvalidRequest { operation, reason }
        }
        P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
            Error::transport(operation, e)
        }
        P::InvalidResponsePayload(body, e) => Error::Decode {
            operation,
            status: 200,
            reason: e.to_string(),
            body: snippet(&body),
        },
        P::UnexpectedResponse(r) => Error::Http {
            operation,
            status: r.status().as_u16(),
            content_type: None,
            body: String::new(),
        },
        P::ErrorResponse(_) => unreachable!("handled by the caller"),
    }
}

/// Reads the whole body, refusing bodies larger than `limit`.
pub(crate) async fn read(op: &'static Operation, head: Head, limit: usize) -> Result<Answer> {
    let Head {
        status,
        content_type,
        body,
    } = head;
    let mut stream = body.into_inner();
    let mut first: Option<Bytes> = None;
    let mut buf = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Error::transport(op.name, e))?;
        let len = first.as_ref().map_or(0, Bytes::len) + buf.len() + chunk.len();
        if len > limit {
            return Err(Error::Decode {
                operation: op.name,
                status,
                reason: format!("the body is larger than the {limit}-byte limit"),
                body: snippet(first.as_deref().unwrap_or(&buf)),
            });
        }
        // One chunk (the common case for small answers) is kept as is: no copy.
        match first.take() {
            None if buf.is_empty() => first = Some(chunk),
            Some(f) => {
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
        body,
    })
}

/// The envelope with `data` left undecoded. Field types are loose on purpose: a wrong type is
/// reported as such below, not as a parse failure of the whole body.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(rename = "requestId", default)]
    request_id: Option<String>,
}

/// An envelope error (`code != 0`), if the body is one.
fn api_error(op: &'static Operation, answer: &Answer, env: &RawEnvelope<'_>) -> Option<Error> {
    let code = env.code?;
    if code == 0 {
        return None;
    }
    let data = env
        .data
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d.get()).ok())
        .filter(|d| !d.is_null() && d.as_object().is_none_or(|o| !o.is_empty()));
    Some(Error::Api {
        operation: op.name,
        status: answer.status,
        code,
        message: env.message.clone().unwrap_or_default(),
        request_id: env.request_id.clone(),
        data,
    })
}

fn http_error(op: &'static Operation, answer: &Answer) -> Error {
    Error::Http {
        operation: op.name,
        status: answer.status,
        content_type: answer.content_type.clone(),
        body: snippet(&answer.body),
    }
}

fn decode_error(op: &'static Operation, answer: &Answer, reason: impl Into<String>) -> Error {
    Error::Decode {
        operation: op.name,
        status: answer.status,
        reason: reason.into(),
        body: snippet(&answer.body),
    }
}

/// Decodes `json` into `T`; on failure, decodes again while tracking the path, so the error
/// names the field (the slow path runs only when decoding already failed).
pub(crate) fn from_json<T: DeserializeOwned>(json: &str) -> std::result::Result<T, String> {
    serde_json::from_str(json).map_err(|_| {
        let de = &mut serde_json::Deserializer::from_str(json);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Err(e) if e.path().to_string() != "." => format!("at `{}`: {}", e.path(), e.inner()),
            Err(e) => e.inner().to_string(),
            Ok(_) => "inconsistent decoder".to_string(),
        }
    })
}

/// Checks the envelope of a read answer and decodes its `data`.
pub(crate) fn decode_envelope<T: DeserializeOwned>(
    op: &'static Operation,
    answer: &Answer,
) -> Result<T> {
    let env: RawEnvelope<'_> = match serde_json::from_slice(&answer.body) {
        Ok(env) => env,
        Err(_) if !answer.is_success() => return Err(http_error(op, answer)),
        Err(e) => {
            return Err(decode_error(
                op,
                answer,
                format!("not a JSON envelope: {e}"),
            ));
        }
    };
    if let Some(err) = api_error(op, answer, &env) {
        return Err(err);
    }
    if !answer.is_success() {
        return Err(http_error(op, answer));
    }
    if env.code.is_none() {
        return Err(decode_error(op, answer, "the envelope has no `code`"));
    }
    let data = env.data.map_or("null", RawValue::get);
    from_json(data).map_err(|e| decode_error(op, answer, format!("`data` {e}")))
}

/// An enveloped operation: `data` on `code == 0`, [`Error::Api`] otherwise.
pub(crate) async fn envelope<T: DeserializeOwned>(
    op: &'static Operation,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Result<T> {
    let answer = read(op, head(op, sent).await?, shared.max_body).await?;
    decode_envelope(op, &answer)
}

/// An enveloped operation whose `data` the spec leaves out.
#[allow(dead_code)] // called by generated code only when the spec has such operations
pub(crate) async fn envelope_unit(
    op: &'static Operation,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Result<()> {
    envelope::<serde::de::IgnoredAny>(op, shared, sent)
        .await
        .map(|_| ())
}

/// Decodes a raw (not enveloped) JSON answer.
pub(crate) fn decode_json<T: DeserializeOwned>(
    op: &'static Operation,
    answer: &Answer,
) -> Result<T> {
    // The service answers some failures of raw endpoints with its envelope, even with HTTP 200.
    if let Ok(env) = serde_json::from_slice::<RawEnvelope<'_>>(&answer.body)
        && env.message.is_some()
        && let Some(err) = api_error(op, answer, &env)
    {
        return Err(err);
    }
    if !answer.is_success() {
        return Err(http_error(op, answer));
    }
    let text = std::str::from_utf8(&answer.body)
        .map_err(|e| decode_error(op, answer, format!("the body is not UTF-8: {e}")))?;
    from_json(text).map_err(|e| decode_error(op, answer, format!("body {e}")))
}

/// A raw JSON operation.
pub(crate) async fn json<T: DeserializeOwned>(
    op: &'static Operation,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Result<T> {
    let answer = read(op, head(op, sent).await?, shared.max_body).await?;
    decode_json(op, &answer)
}

/// An operation without a body.
#[allow(dead_code)] // called by generated code only when the spec has such operations
pub(crate) async fn empty(
    op: &'static Operation,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Result<()> {
    let answer = read(op, head(op, sent).await?, shared.max_body).await?;
    if answer.is_success() {
        Ok(())
    } else {
        Err(http_error(op, &answer))
    }
}

/// A streaming operation: the events, or the error the service answered instead.
pub(crate) async fn events<E: DeserializeOwned>(
    op: &'static Operation,
    shared: &Shared,
    sent: impl Future<Output = Sent>,
) -> Result<EventStream<E>> {
    let head = head(op, sent).await?;
    let is_sse = head.content_type.as_deref().is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
    });
    if (200..300).contains(&head.status) && is_sse {
        return Ok(EventStream::new(op, head.body));
    }
    // Not a stream: an envelope error, an HTTP error page, or JSON where events were expected.
    let answer = read(op, head, shared.max_body).await?;
    match decode_json::<serde::de::IgnoredAny>(op, &answer) {
        Err(e) => Err(e),
        Ok(_) => Err(decode_error(
            op,
            &answer,
            format!(
                "expected `text/event-stream`, got `{}`",
                answer.content_type.as_deref().unwrap_or("no content type")
            ),
        )),
    }
}
