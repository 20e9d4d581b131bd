//! Support for the generic call path ([`Client::call`](crate::Client::call)): reading typed
//! arguments out of one JSON input object.

use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::sse::EventStream;

/// The input field `name`, which must be present.
pub(crate) fn required<T: DeserializeOwned>(
    operation: &'static str,
    input: &Map<String, Value>,
    name: &str,
) -> Result<T> {
    match input.get(name) {
        Some(v) if !v.is_null() => convert(operation, name, v),
        _ => Err(Error::InvalidRequest {
            operation,
            reason: format!("missing required input `{name}`"),
        }),
    }
}

/// The input field `name`, if present and not null.
pub(crate) fn optional<T: DeserializeOwned>(
    operation: &'static str,
    input: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>> {
    match input.get(name) {
        Some(v) if !v.is_null() => convert(operation, name, v).map(Some),
        _ => Ok(None),
    }
}

fn convert<T: DeserializeOwned>(operation: &'static str, name: &str, v: &Value) -> Result<T> {
    // Path and query values are strings on the wire; accept numbers and booleans for them too.
    from_value::<T>(v)
        .or_else(|first| match v {
            Value::Number(_) | Value::Bool(_) => {
                serde_json::from_value::<T>(Value::String(v.to_string())).map_err(|_| first)
            }
            _ => Err(first),
        })
        .map_err(|reason| Error::InvalidRequest {
            operation,
            reason: format!("input `{name}` {reason}"),
        })
}

/// Decodes `v` in place (no print-and-parse round trip); on failure, decodes again while
/// tracking the path, so the error names the field.
fn from_value<T: DeserializeOwned>(v: &Value) -> std::result::Result<T, String> {
    T::deserialize(v).map_err(|_| match serde_path_to_error::deserialize::<_, T>(v) {
        Err(e) if e.path().to_string() != "." => format!("at `{}`: {}", e.path(), e.inner()),
        Err(e) => e.inner().to_string(),
        Ok(_) => "inconsistent decoder".to_string(),
    })
}

pub(crate) fn to_value<T: Serialize>(operation: &'static str, value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::InvalidRequest {
        operation,
        reason: format!("the answer could not be turned into JSON: {e}"),
    })
}

/// Whether the input's body asks the service to stream (`"stream": true`).
pub(crate) fn asks_to_stream(input: &Map<String, Value>) -> bool {
    input
        .get("body")
        .and_then(|b| b.get("stream"))
        .and_then(Value::as_bool)
        == Some(true)
}

/// Reads a whole event stream into a JSON array of the events' data.
pub(crate) async fn collect_events<E: DeserializeOwned + Serialize>(
    operation: &'static str,
    mut stream: EventStream<E>,
) -> Result<Value> {
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(to_value(operation, &event?.data)?);
    }
    Ok(Value::Array(events))
}
