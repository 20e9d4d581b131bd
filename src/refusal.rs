//! Why a client hook stopped an attempt, as a type: progenitor carries a hook's error only as a
//! string, so the hooks record the reason in the call's scope ([`crate::call::refuse`]) and
//! transport reads it back, instead of recognising texts.

/// Why a client hook stopped an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The operation needs a key and the client has none.
    MissingKey,
    /// The key cannot be sent where the operation wants it (e.g. not a valid header value).
    UnsendableKey(String),
    /// The answer came from another origin than the base URL's (a user-supplied client
    /// followed a redirect): its status and the URL, without query or credentials.
    OtherOrigin { status: u16, url: String },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::MissingKey => f.write_str("missing API key"),
            Refusal::UnsendableKey(reason) => f.write_str(reason),
            Refusal::OtherOrigin { status, url } => {
                write!(f, "answered from another origin: {status} {url}")
            }
        }
    }
}
