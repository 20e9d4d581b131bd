//! Support for the generic call path ([`Client::call`](crate::Client::call)): reading typed
//! arguments out of one JSON input object.

use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::sse::EventStream;

/// The input field `name`, which must be present.
pub(crate) fn required<T: DeserializeOwned + Serialize>(
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
pub(crate) fn optional<T: DeserializeOwned + Serialize>(
    operation: &'static str,
    input: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>> {
    match input.get(name) {
        Some(v) if !v.is_null() => convert(operation, name, v).map(Some),
        _ => Ok(None),
    }
}

/// Refuses input keys that are none of the operation's inputs (`known`: parameters by wire
/// name, and `body` where the operation has one): an unknown key would silently do nothing.
pub(crate) fn known_keys(
    operation: &'static str,
    input: &Map<String, Value>,
    known: &[&str],
) -> Result<()> {
    let Some(unknown) = input.keys().find(|k| !known.contains(&k.as_str())) else {
        return Ok(());
    };
    let reason = if known.is_empty() {
        format!("unknown input `{unknown}`: the operation takes no input")
    } else {
        let nearest = known
            .iter()
            .min_by_key(|k| edit_distance(&k.to_lowercase(), &unknown.to_lowercase()))
            .expect("known is not empty");
        let list = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>();
        format!(
            "unknown input `{unknown}` (did you mean `{nearest}`? inputs: {})",
            list.join(", ")
        )
    };
    Err(Error::InvalidRequest { operation, reason })
}

/// Levenshtein distance, for suggesting the input a caller meant.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn convert<T: DeserializeOwned + Serialize>(
    operation: &'static str,
    name: &str,
    v: &Value,
) -> Result<T> {
    let value = decode::<T>(operation, name, v)?;
    // What the typed value would send must hold everything that was given: a field the model
    // does not know (a misspelling, a field of another variant) is refused, not dropped.
    if v.is_object() || v.is_array() {
        let sent = serde_json::to_value(&value).map_err(|e| Error::InvalidRequest {
            operation,
            reason: format!("input `{name}` cannot be encoded: {e}"),
        })?;
        if let Some(path) = dropped(v, &sent, String::new()) {
            return Err(Error::InvalidRequest {
                operation,
                reason: format!(
                    "input `{name}` at `{path}`: not a field the operation knows there (a \
                     misspelling, or a field of another variant?); it would not be sent"
                ),
            });
        }
    }
    Ok(value)
}

/// The path of the first value in `given` that `sent` does not carry (an empty value, `null`
/// or an equal number spelled otherwise is no loss).
fn dropped(given: &Value, sent: &Value, at: String) -> Option<String> {
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    match (given, sent) {
        (Value::Object(g), Value::Object(s)) => g.iter().find_map(|(k, v)| {
            let here = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            match s.get(k) {
                None if empty(v) => None,
                None => Some(here),
                Some(sv) => dropped(v, sv, here),
            }
        }),
        (Value::Array(g), Value::Array(s)) => g
            .iter()
            .zip(s)
            .enumerate()
            .find_map(|(i, (gv, sv))| dropped(gv, sv, format!("{at}[{i}]"))),
        _ => None,
    }
}

fn decode<T: DeserializeOwned>(operation: &'static str, name: &str, v: &Value) -> Result<T> {
    // Path and query values are strings on the wire; accept numbers and booleans for them too.
    crate::decode::from_value::<T>(v)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn suggestions_follow_the_nearest_name() {
        assert_eq!(edit_distance("groupid", "groupid"), 0);
        assert_eq!(edit_distance("groupid", "groupidd"), 1);
        let input = json!({ "platform": "douyin", "groupID": "g1" });
        let err = known_keys(
            "auth_start",
            input.as_object().unwrap(),
            &["platform", "groupId", "callbackUrl"],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`groupID`") && err.contains("did you mean `groupId`"),
            "{err}"
        );
        assert!(known_keys("x", json!({}).as_object().unwrap(), &[]).is_ok());
    }

    #[test]
    fn dropped_values_are_found_and_empty_ones_forgiven() {
        let given = json!({ "a": 1, "b": { "c": [1, { "d": "x" }] }, "e": [], "f": null });
        let same = json!({ "a": 1.0, "b": { "c": [1, { "d": "x" }] } });
        assert_eq!(dropped(&given, &same, String::new()), None);
        let lost = json!({ "a": 1, "b": { "c": [1, {}] } });
        assert_eq!(
            dropped(&given, &lost, String::new()).as_deref(),
            Some("b.c[1].d")
        );
    }
}
