//! Where the API lives.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The AiToEarn deployment to talk to.
///
/// ```
/// use aitoearn::Region;
/// assert_eq!(Region::default().base_url(), "https://aitoearn.ai");
/// assert_eq!("china".parse::<Region>().unwrap().base_url(), "https://aitoearn.cn");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Region {
    /// The global site, `https://aitoearn.ai`.
    #[default]
    Global,
    /// The China site, `https://aitoearn.cn`.
    China,
}

impl Region {
    /// The region's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Global => "https://aitoearn.ai",
            Self::China => "https://aitoearn.cn",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Global => "global",
            Self::China => "china",
        })
    }
}

impl FromStr for Region {
    type Err = Error;

    /// `global`/`ai`/`intl` or `china`/`cn` (any case).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "global" | "ai" | "intl" | "international" => Ok(Self::Global),
            "china" | "cn" => Ok(Self::China),
            other => Err(Error::Config(format!(
                "unknown region `{other}`: use `global` or `china`, or set a base URL"
            ))),
        }
    }
}

/// Validates a base URL and drops trailing slashes.
pub(crate) fn normalize_base_url(url: &str, allow_http: bool) -> Result<String, Error> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed)
        .map_err(|e| Error::Config(format!("base URL `{trimmed}` is not a URL: {e}")))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::Config(
            "a base URL takes no query or fragment".into(),
        ));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback(&parsed) => {}
        "http" => {
            return Err(Error::Config(format!(
                "base URL `{}` is plain HTTP: the API key would travel unencrypted; use HTTPS, \
                 a loopback host, or ClientBuilder::allow_insecure_http(true)",
                parsed.host_str().unwrap_or_default()
            )));
        }
        other => {
            return Err(Error::Config(format!(
                "base URL scheme `{other}` is not HTTP(S)"
            )));
        }
    }
    Ok(trimmed.to_string())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slashes_are_dropped() {
        assert_eq!(
            normalize_base_url("https://x.example//", false).unwrap(),
            "https://x.example"
        );
        assert_eq!(
            normalize_base_url(" https://x.example/prefix/ ", false).unwrap(),
            "https://x.example/prefix"
        );
    }

    #[test]
    fn plain_http_only_for_loopback_or_when_allowed() {
        assert!(normalize_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(normalize_base_url("http://localhost:8080/", false).is_ok());
        assert!(normalize_base_url("http://[::1]:1", false).is_ok());
        let err = normalize_base_url("http://api.example", false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("plain HTTP"), "{err}");
        assert!(normalize_base_url("http://api.example", true).is_ok());
        assert!(normalize_base_url("ftp://x", true).is_err());
        assert!(normalize_base_url("not a url", true).is_err());
        assert!(normalize_base_url("https://x.example/?a=1", true).is_err());
    }

    #[test]
    fn regions_parse() {
        assert_eq!("CN".parse::<Region>().unwrap(), Region::China);
        assert_eq!("global".parse::<Region>().unwrap(), Region::Global);
        assert!("mars".parse::<Region>().is_err());
    }
}
