//! Reading answers: progenitor sends the request and hands back the raw body; this module turns
//! one attempt's answer into `data`, a raw JSON body, an event stream, or a typed [`Error`].

use std::future::Future;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use progenitor_client::{ByteStream, ResponseValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::call::Call;
use crate::error::{Error, Result, snippet};

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

/// A fully read answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    /// `Location` of a redirect (kept for the error: redirects are not followed).
    pub(crate) location: Option<String>,
    pub(crate) body: Bytes,
}

impl Answer {
    fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
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
        P::Custom(reason) if reason.starts_with(crate::client::OTHER_ORIGIN) => {
            // `<marker><status> <url>`, from the client's `post` hook.
            let rest = &reason[crate::client::OTHER_ORIGIN.len()..];
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

/// The envelope with `data` left undecoded. Only `code` is checked strictly.
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
fn api_error(call: &Call, answer: &Answer, env: &RawEnvelope<'_>) -> Option<Error> {
    let code = env.code?;
    if code == 0 {
        return None;
    }
    let data = env
        .data
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d.get()).ok())
        .filter(|d| !d.is_null() && d.as_object().is_none_or(|o| !o.is_empty()))
        .map(Box::new);
    Some(Error::Api {
        operation: call.op.name,
        request_id: call.request_id.to_string(),
        status: answer.status,
        code,
        message: env.message.clone().unwrap_or_default(),
        service_request_id: env.request_id.clone(),
        data,
    })
}

pub(crate) fn http_error(call: &Call, answer: &Answer) -> Error {
    Error::Http {
        operation: call.op.name,
        request_id: call.request_id.to_string(),
        status: answer.status,
        content_type: answer.content_type.clone(),
        body: snippet(&answer.body),
        location: answer.location.clone(),
    }
}

pub(crate) fn decode_error(call: &Call, answer: &Answer, reason: impl Into<String>) -> Error {
    Error::Decode {
        operation: call.op.name,
        request_id: call.request_id.to_string(),
        status: answer.status,
        // serde quotes offending values; keep a huge one from flooding logs.
        reason: crate::error::truncate(reason.into()),
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
///
/// The fast path reads the body once: the service sends `code` before `data`, so `data` is
/// decoded straight into `T` when `code` is already known to be 0. Anything else — `data`
/// first, an error code, a body that does not decode — takes the careful path below, which
/// also builds the precise error.
pub(crate) fn decode_envelope<T: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<T> {
    // JSON is UTF-8: checked once up front (fields skipped below are not checked by serde).
    if let (true, Ok(text)) = (answer.is_success(), std::str::from_utf8(&answer.body)) {
        if let Ok(OnePass {
            code: Some(0),
            data: Some(data),
        }) = serde_json::from_str::<OnePass<T>>(text)
        {
            return Ok(data);
        }
    }
    decode_envelope_carefully(call, answer)
}

fn decode_envelope_carefully<T: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<T> {
    let env: RawEnvelope<'_> = match serde_json::from_slice(&answer.body) {
        Ok(env) => env,
        Err(_) if !answer.is_success() => return Err(http_error(call, answer)),
        Err(e) => {
            return Err(decode_error(
                call,
                answer,
                format!("not a JSON envelope: {e}"),
            ));
        }
    };
    if let Some(err) = api_error(call, answer, &env) {
        return Err(err);
    }
    if !answer.is_success() {
        return Err(http_error(call, answer));
    }
    if env.code.is_none() {
        return Err(decode_error(call, answer, "the envelope has no `code`"));
    }
    let data = env.data.map_or("null", RawValue::get);
    from_json(data).map_err(|e| decode_error(call, answer, format!("`data` {e}")))
}

/// The envelope read in one pass: `data` is decoded as `T` only once `code == 0` has been
/// seen; `data` before `code`, or a non-zero code, leaves it `None` (the careful path runs).
struct OnePass<T> {
    code: Option<i64>,
    data: Option<T>,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for OnePass<T> {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: DeserializeOwned> serde::de::Visitor<'de> for Visit<T> {
            type Value = OnePass<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an envelope object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<OnePass<T>, A::Error> {
                let mut out = OnePass {
                    code: None,
                    data: None,
                };
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*key {
                        "code" => out.code = Some(map.next_value()?),
                        "data" if out.code == Some(0) => out.data = Some(map.next_value()?),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// Decodes a raw (not enveloped) JSON answer.
pub(crate) fn decode_json<T: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<T> {
    // The service answers some failures of raw endpoints with its envelope, even with HTTP 200.
    let envelope = serde_json::from_slice::<RawEnvelope<'_>>(&answer.body).ok();
    if let Some(err) = envelope
        .filter(|env| env.message.is_some())
        .and_then(|env| api_error(call, answer, &env))
    {
        return Err(err);
    }
    if !answer.is_success() {
        return Err(http_error(call, answer));
    }
    let is_stream = answer
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.starts_with("text/event-stream"));
    if is_stream {
        return Err(decode_error(
            call,
            answer,
            "the service answered with an event stream (the request asked to stream): use `.stream()`",
        ));
    }
    let text = std::str::from_utf8(&answer.body)
        .map_err(|e| decode_error(call, answer, format!("the body is not UTF-8: {e}")))?;
    from_json(text).map_err(|e| decode_error(call, answer, format!("body {e}")))
}
