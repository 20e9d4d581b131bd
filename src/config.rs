//! What every call reads: the settings a [`Client`](crate::Client) was built with, carried by
//! progenitor's client as its "inner" value.

use std::fmt;
use std::time::Duration;

use crate::auth::ApiKey;
use crate::retry::RetryPolicy;

/// Settings every call reads; progenitor's client carries them as its "inner" value.
#[derive(Clone)]
pub struct Shared {
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_body: usize,
    pub(crate) retry: RetryPolicy,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("max_body", &self.max_body)
            .field("retry", &self.retry)
            .finish()
    }
}
