//! The row type of [`OPERATIONS`](crate::OPERATIONS): what the SDK knows of each operation.

/// One operation of the vendored spec.
///
/// Rows are made by the generated table [`OPERATIONS`](crate::OPERATIONS) only; new fields
/// may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// operationId as published (`AuthController_startAuth_v2`).
    pub operation_id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template (`/api/v2/channels/accounts/auth/{platform}`).
    pub path: &'static str,
    /// Rust method name on [`Client`](crate::Client) (`auth_start`).
    pub name: &'static str,
    /// The spec's summary (Chinese edition).
    pub summary: &'static str,
    /// The summary in the English edition (the Chinese one where it has none).
    pub summary_en: &'static str,
    /// The spec's first tag (Chinese edition, e.g. `渠道管理/授权`).
    pub tag: &'static str,
    /// The same tag in the English edition (`Channel Management/Authorization`).
    pub tag_en: &'static str,
    /// Where the API key goes (from the operation's `security`).
    pub api_key: KeyPlacement,
    /// How the answer is read.
    pub response: ResponseKind,
    /// Marked deprecated in the spec.
    pub deprecated: bool,
}

/// Where an operation wants the API key (from its `security` requirement). Not to be confused
/// with the authorize flow (`Client::authorize`), which connects a platform account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyPlacement {
    /// Public operation: no key is sent.
    None,
    /// In a header, after `prefix` (`X-Api-Key: KEY`, `Authorization: Bearer KEY`).
    Header {
        /// Header name.
        name: &'static str,
        /// Text before the key.
        prefix: &'static str,
    },
    /// In a query parameter.
    Query {
        /// Parameter name.
        name: &'static str,
    },
}

/// How an operation's answer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseKind {
    /// `{code, message, data, requestId, timestamp}`; `data` is returned.
    Envelope,
    /// JSON returned as is (relay and vendor-format endpoints).
    Json,
    /// Server-Sent Events.
    EventStream,
    /// JSON, or Server-Sent Events when the request asks to stream.
    JsonOrEventStream,
    /// No body.
    Empty,
}

impl Operation {
    /// Looks an operation up by Rust method name or by published operationId.
    ///
    /// ```
    /// let op = aitoearn::Operation::find("AuthController_startAuth_v2").unwrap();
    /// assert_eq!(op.name, "auth_start");
    /// assert_eq!(aitoearn::Operation::find("auth_start"), Some(op));
    /// ```
    pub fn find(name_or_id: &str) -> Option<&'static Operation> {
        crate::OPERATIONS
            .iter()
            .find(|o| o.name == name_or_id || o.operation_id == name_or_id)
    }

    /// Whether the operation needs an API key.
    pub fn needs_key(&self) -> bool {
        !matches!(self.api_key, KeyPlacement::None)
    }

    /// Position in [`OPERATIONS`](crate::OPERATIONS).
    pub fn index(&self) -> usize {
        crate::OPERATIONS
            .iter()
            .position(|o| o == self)
            .unwrap_or(usize::MAX)
    }

    /// JSON Schema (2020-12, self-contained) of the operation's whole input, as
    /// [`Client::call`](crate::Client::call) takes it: parameters under their wire names, the
    /// body under `"body"`, with the spec's descriptions, required lists and enums.
    ///
    /// ```
    /// let op = aitoearn::Operation::find("auth_start").unwrap();
    /// let schema = op.input_schema();
    /// assert_eq!(schema["required"][0], "platform");
    /// ```
    #[cfg(feature = "schemars")]
    #[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
    pub fn input_schema(&self) -> serde_json::Value {
        self.schema(|s| s.0)
    }

    /// JSON Schema of what the operation's `send()` returns (for a stream: one event).
    #[cfg(feature = "schemars")]
    #[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
    pub fn output_schema(&self) -> serde_json::Value {
        self.schema(|s| s.1)
    }

    #[cfg(feature = "schemars")]
    fn schema(&self, pick: fn(&(&'static str, &'static str)) -> &'static str) -> serde_json::Value {
        crate::api::SCHEMAS
            .get(self.index())
            .and_then(|s| serde_json::from_str(pick(s)).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    /// The operations that read what this one may have made or changed, from the spec: the
    /// `GET` operations of the same tag under the same resource (the path up to its first
    /// parameter, less its last segment). Empty for operations that change nothing, and where
    /// the spec has no such reading operation.
    ///
    /// After an answer was lost ([`Error::outcome_unknown`](crate::Error::outcome_unknown)),
    /// these say whether the call took effect.
    ///
    /// ```
    /// let create = aitoearn::Operation::find("publish_flow_create").unwrap();
    /// let names: Vec<_> = create.check_with().map(|o| o.name).collect();
    /// assert!(names.contains(&"publish_flow_get"));
    /// assert!(names.contains(&"publish_record_list_queued"));
    /// ```
    pub fn check_with(&self) -> impl Iterator<Item = &'static Operation> + use<> {
        let effectful = has_effect(self.method);
        let parent = resource_parent(self.path);
        let (tag, this) = (self.tag, self.operation_id);
        crate::OPERATIONS.iter().filter(move |o| {
            effectful
                && o.method == "GET"
                && o.tag == tag
                && o.operation_id != this
                && o.path.starts_with(parent)
        })
    }

    /// Whether the answer is a stream of events (always or on request).
    pub fn can_stream(&self) -> bool {
        matches!(
            self.response,
            ResponseKind::EventStream | ResponseKind::JsonOrEventStream
        )
    }
}

/// Methods that may be repeated without the caller's say-so.
pub(crate) fn is_idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "DELETE" | "OPTIONS")
}

/// Methods whose requests may change something on the service (all but the safe ones). A
/// `DELETE` may be repeated, but it still has an effect: a lost answer leaves it unknown.
pub(crate) fn has_effect(method: &str) -> bool {
    !matches!(method, "GET" | "HEAD" | "OPTIONS")
}

/// `/a/b/c/{id}/d` → `/a/b/`: the resource (up to the first parameter) less its last segment.
fn resource_parent(path: &str) -> &str {
    let collection = path.find("/{").map_or(path, |i| &path[..i]);
    collection.rfind('/').map_or("/", |i| &collection[..=i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_methods_by_default() {
        for m in ["GET", "HEAD", "DELETE"] {
            assert!(is_idempotent(m));
        }
        for m in ["POST", "PATCH", "PUT"] {
            assert!(!is_idempotent(m));
        }
    }
}
