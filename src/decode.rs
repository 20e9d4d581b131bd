//! Decoding answers: the envelope (`{code, message, data, requestId}`), raw JSON bodies and
//! JSON values, each failure an [`Error`] with the call's context. No I/O: [`transport`]
//! reads the bytes, this module gives them meaning.
//!
//! [`transport`]: crate::transport

use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::call::Call;
use crate::error::{Error, Result, snippet};

/// A fully read answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    /// `Location` of a redirect (kept for the error: redirects are not followed).
    pub(crate) location: Option<String>,
    pub(crate) body: Bytes,
}

impl Answer {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
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
        with_path(serde_path_to_error::deserialize::<_, T>(de))
    })
}

/// [`from_json`] for a JSON value, decoded in place (no print-and-parse round trip).
pub(crate) fn from_value<T: DeserializeOwned>(
    v: &serde_json::Value,
) -> std::result::Result<T, String> {
    T::deserialize(v).map_err(|_| with_path(serde_path_to_error::deserialize::<_, T>(v)))
}

/// The reason of a failed second, path-tracking decode: `at `path`: why`.
fn with_path<T, E: std::fmt::Display>(
    second: std::result::Result<T, serde_path_to_error::Error<E>>,
) -> String {
    match second {
        Err(e) if e.path().to_string() != "." => format!("at `{}`: {}", e.path(), e.inner()),
        Err(e) => e.inner().to_string(),
        Ok(_) => "inconsistent decoder".to_string(),
    }
}

/// Checks the envelope of a read answer and decodes its `data`.
///
/// The fast path reads the body once: the service sends `code` before `data`, so `data` is
/// decoded straight into `T` when `code` is already known to be 0. Anything else — `data`
/// first, an error code, a body that does not decode — takes the careful path below, which
/// also builds the precise error.
pub(crate) fn envelope<T: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<T> {
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
    envelope_carefully(call, answer)
}

fn envelope_carefully<T: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<T> {
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
pub(crate) fn json<T: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<T> {
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
