//! TLS for the default HTTP client: rustls with the `ring` provider and the platform's
//! certificate verifier, set on this client only (no process-wide provider is installed).

/// When the platform verifier cannot be set up (no usable trust store), the builder is left
/// as is and reqwest's own error surfaces from `build()`.
#[cfg(feature = "rustls")]
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    use std::sync::Arc;

    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier());
    match config {
        Ok(config) => builder.tls_backend_preconfigured(config.with_no_client_auth()),
        Err(_) => builder,
    }
}

/// Without a TLS feature only plain-HTTP base URLs work (tests, loopback); bring your own
/// client with [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) otherwise.
#[cfg(not(feature = "rustls"))]
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder
}
