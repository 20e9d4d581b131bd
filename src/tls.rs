//! TLS for the default HTTP client, chosen by feature: `native-tls` (the platform's library and
//! CA store) when it is on, otherwise `rustls` (reqwest's own: the aws-lc-rs provider and the
//! platform's verifier). Nothing process-wide is installed, and reqwest's `rustls` carries its
//! provider, so other `reqwest::Client`s in the same binary work whatever they enable.

/// `native-tls` wins when both TLS features are on: it is never a default, so it was asked for.
#[cfg(feature = "native-tls")]
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder.tls_backend_native()
}

/// reqwest's rustls backend, with its built-in provider and the platform verifier.
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder.tls_backend_rustls()
}

/// Without a TLS feature only plain-HTTP base URLs work (tests, loopback); bring your own
/// client with [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) otherwise.
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder
}
