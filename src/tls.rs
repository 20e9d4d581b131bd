//! TLS for the default HTTP client: rustls with the `ring` provider and the platform's
//! certificate verifier, set on this client only (no process-wide provider is installed).

use crate::error::{Error, Result};

#[cfg(feature = "rustls")]
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
    use std::sync::Arc;

    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| Error::Config(format!("TLS: {e}")))?
        .with_no_client_auth();
    Ok(builder.tls_backend_preconfigured(config))
}

/// Without a TLS feature only plain-HTTP base URLs work (tests, loopback); bring your own
/// client with [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) otherwise.
#[cfg(not(feature = "rustls"))]
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
    let _ = Error::Config;
    Ok(builder)
}
