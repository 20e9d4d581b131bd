//! Start authorizing a platform account, then check on the authorization session.
//!
//! ```text
//! cargo run --example quickstart              # against the embedded mock of the API
//! AITOEARN_API_KEY=sk-… cargo run --example quickstart -- douyin g1   # against the real service
//! ```
//!
//! With `AITOEARN_API_KEY` set, the client comes from the environment (`AITOEARN_REGION` =
//! `global` | `china`, or `AITOEARN_BASE_URL`); without it, a local mock generated from the
//! vendored spec answers instead, so the example runs on any machine, offline.

use aitoearn::{Client, ENV_API_KEY, Error};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let platform = args.next().unwrap_or_else(|| "douyin".into());
    let group = args.next();

    // Keep the mock alive for as long as the client talks to it.
    let (client, _mock) = if std::env::var_os(ENV_API_KEY).is_some() {
        (Client::from_env()?, None)
    } else {
        let mock = aitoearn::mock::MockServer::start().await;
        eprintln!(
            "{ENV_API_KEY} is not set: using the embedded mock at {}",
            mock.uri()
        );
        (mock.client(), Some(mock))
    };

    let mut request = client.auth_start(platform.as_str());
    if let Some(group) = &group {
        request = request.group_id(group.as_str());
    }
    let auth = match request.send().await {
        Ok(auth) => auth,
        Err(e @ Error::Api { .. }) => {
            eprintln!("the service refused: {e}");
            return Err(e);
        }
        Err(e) => return Err(e),
    };

    println!("authorize {platform} at: {}", auth.url);
    println!("session:  {}", auth.session_id);
    println!("expires:  {}", auth.expires_at.to_rfc3339());
    if let Some(how) = &auth.auth_instructions {
        println!("how:      {}", how.en_us);
    }

    let status = client
        .auth_get_status(platform.as_str(), auth.session_id.as_str())
        .send()
        .await?;
    println!("status:   {}", status.status.as_deref().unwrap_or("?"));
    Ok(())
}
