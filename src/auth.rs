//! The API key, and putting it where each operation wants it.

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};

use crate::operation::{KeyPlacement, Operation};
use crate::refusal::Refusal;

/// An AiToEarn API key. Its `Debug` shows nothing of the key, and the header value built from
/// it is marked sensitive, so it stays out of logs and error texts. Private: callers hand the
/// key over as a string ([`ClientBuilder::api_key`](crate::ClientBuilder::api_key)) and never
/// get it back.
#[derive(Clone)]
pub(crate) struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; surrounding whitespace is dropped.
    pub(crate) fn new(key: impl Into<String>) -> Self {
        Self(key.into().trim().to_string())
    }

    /// The key itself (for tests).
    #[cfg(test)]
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Adds the key to `request` as `op` asks. `Err` when the operation needs a key and there is
/// none, or the key is not a valid header value.
pub(crate) fn authorize(
    request: &mut reqwest::Request,
    op: &Operation,
    key: Option<&ApiKey>,
) -> Result<(), Refusal> {
    if matches!(op.api_key, KeyPlacement::None) {
        return Ok(());
    }
    let Some(key) = key else {
        return Err(Refusal::MissingKey);
    };
    match op.api_key {
        KeyPlacement::None => {}
        KeyPlacement::Header { name, prefix } => {
            let mut value = HeaderValue::try_from(format!("{prefix}{}", key.0)).map_err(|_| {
                Refusal::UnsendableKey(
                    "the API key contains characters a header cannot carry".into(),
                )
            })?;
            value.set_sensitive(true);
            // `from_bytes` lower-cases the spec's mixed-case names (`X-Api-Key`).
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Refusal::UnsendableKey(format!("`{name}` is not a valid header name"))
            })?;
            request.headers_mut().insert(name, value);
        }
        KeyPlacement::Query { name } => {
            request
                .url_mut()
                .query_pairs_mut()
                .append_pair(name, &key.0);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key() {
        let key = ApiKey::new("  sk-secret-123 ");
        assert_eq!(key.expose(), "sk-secret-123");
        assert!(!format!("{key:?}").contains("secret"));
    }
}
