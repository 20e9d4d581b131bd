//! The hooks progenitor runs around every request: the API key where the operation wants it,
//! the call's `x-request-id`, the media type asked for and the timeout (before); the origin of
//! the answer (after).

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{ACCEPT, HeaderName, HeaderValue};

use crate::config::Shared;
use crate::generated;
use crate::operation::{Operation, ResponseKind};

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

impl ClientHooks<Shared> for generated::Client {
    /// Puts the key where the operation wants it, tags the request with the call's
    /// `x-request-id`, asks for the media type the SDK reads, and bounds calls that do not
    /// stream.
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        // Every call runs inside `call::run`, which scopes the operation; the lookup by name
        // only covers a request made outside it.
        let scope = crate::call::scope();
        let Some(op) = scope
            .as_ref()
            .map(|s| s.op)
            .or_else(|| Operation::find(info.operation_id))
        else {
            return Ok(());
        };
        let shared = self.inner();
        crate::auth::authorize(request, op, shared.api_key.as_ref())
            .map_err(|r| progenitor_client::Error::Custom(crate::call::refuse(r)))?;
        let accept = match op.response {
            ResponseKind::EventStream => "text/event-stream",
            ResponseKind::JsonOrEventStream => "application/json, text/event-stream",
            _ => "application/json",
        };
        request
            .headers_mut()
            .entry(ACCEPT)
            .or_insert(HeaderValue::from_static(accept));
        if let Some(id) = scope
            .as_ref()
            .and_then(|s| HeaderValue::from_str(&s.request_id).ok())
        {
            request.headers_mut().insert(X_REQUEST_ID, id);
        }
        // A call's own timeout applies to any operation; the client's default only to calls
        // that do not stream (a stream is bounded by the idle read timeout instead).
        if request.timeout().is_none() {
            match scope.and_then(|s| s.timeout) {
                Some(explicit) => *request.timeout_mut() = explicit,
                None if !op.can_stream() => *request.timeout_mut() = shared.timeout,
                None => {}
            }
        }
        Ok(())
    }

    /// Refuses an answer from another origin than the base URL's: a user-supplied client
    /// followed a redirect (the SDK's own client does not).
    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        let Ok(response) = result else {
            return Ok(());
        };
        let answered = response.url();
        if same_origin(self.baseurl(), answered) {
            return Ok(());
        }
        let mut shown = answered.clone();
        shown.set_query(None);
        shown.set_fragment(None);
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        Err(progenitor_client::Error::Custom(crate::call::refuse(
            crate::refusal::Refusal::OtherOrigin {
                status: response.status().as_u16(),
                url: shown.to_string(),
            },
        )))
    }
}

/// Whether `answered` has the origin (scheme, host, port) of `base`. An `https` base answered
/// over `http` on the same host is another origin.
fn same_origin(base: &str, answered: &reqwest::Url) -> bool {
    reqwest::Url::parse(base).is_ok_and(|base| base.origin() == answered.origin())
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn origins_differ_by_scheme_host_or_port() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        let base = "https://aitoearn.ai";
        assert!(same_origin(base, &url("https://aitoearn.ai/api/x?y=1")));
        assert!(same_origin(base, &url("https://aitoearn.ai:443/api/x")));
        assert!(
            !same_origin(base, &url("http://aitoearn.ai/api/x")),
            "https → http"
        );
        assert!(!same_origin(base, &url("https://aitoearn.ai:8443/api/x")));
        assert!(!same_origin(base, &url("https://evil.example/api/x")));
        assert!(!same_origin(
            base,
            &url("https://aitoearn.ai.evil.example/")
        ));
        assert!(!same_origin("not a url", &url("https://aitoearn.ai/")));
    }
}
