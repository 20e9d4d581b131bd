//! Reading a spec from a local path, a `file://` URL or an `http(s)://` URL.
//!
//! http(s) goes through the `curl` binary rather than a Rust HTTP client: the command runs a
//! few times a month, and a Rust HTTP/TLS stack in `xtask` would be compiled by every
//! `cargo build --workspace` and `cargo test --workspace` for it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where to read a document from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Http(String),
}

impl Source {
    /// `http://…`/`https://…` → [`Source::Http`]; `file://…` → its path; anything else is a path.
    /// Relative paths are taken from the current directory, or else from the workspace root,
    /// so `cargo xtask` works from any subdirectory.
    pub fn parse(s: &str, root: &Path) -> Result<Source, String> {
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Ok(Source::Http(s.to_string()));
        }
        if lower.starts_with("file:") {
            return file_url_path(s).map(Source::Path);
        }
        Ok(Source::Path(local_path(Path::new(s), root)))
    }

    /// Reads the whole document, byte for byte.
    pub fn read(&self) -> Result<Vec<u8>, String> {
        match self {
            Source::Path(p) => {
                std::fs::read(p).map_err(|e| format!("cannot read `{}`: {e}", p.display()))
            }
            Source::Http(url) => curl(url),
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path(p) => write!(f, "{}", p.display()),
            Source::Http(u) => f.write_str(u),
        }
    }
}

/// A relative path that does not exist from the current directory but does from the
/// workspace root is taken from the root.
pub fn local_path(p: &Path, root: &Path) -> PathBuf {
    if p.is_relative() && !p.exists() && root.join(p).exists() {
        root.join(p)
    } else {
        p.to_path_buf()
    }
}

/// `file:///a/b%20c` → `/a/b c`; `file://localhost/a` → `/a`. Other hosts are refused.
fn file_url_path(url: &str) -> Result<PathBuf, String> {
    let rest = url
        .get("file:".len()..)
        .ok_or_else(|| format!("`{url}` is not a file URL"))?;
    let path = match rest.strip_prefix("//") {
        Some(after) => {
            let (host, path) = match after.find('/') {
                Some(i) => after.split_at(i),
                None => (after, ""),
            };
            if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
                return Err(format!(
                    "`{url}`: file URLs on another host (`{host}`) are not supported"
                ));
            }
            path
        }
        None => rest,
    };
    if path.is_empty() {
        return Err(format!("`{url}` names no file"));
    }
    let path = percent_decode(path).ok_or_else(|| format!("`{url}` has an invalid %-escape"))?;
    Ok(PathBuf::from(path))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn curl(url: &str) -> Result<Vec<u8>, String> {
    // -f: HTTP errors fail; -sS: quiet but keep errors; -L: follow redirects.
    let output = Command::new("curl")
        .args(["-fsSL", "--max-time", "120", "--retry", "2", "--", url])
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "cannot fetch `{url}`: `curl` is not installed. xtask fetches http(s) URLs \
                     with the curl binary (to keep a Rust HTTP/TLS stack out of the workspace \
                     build); install curl, or download the file yourself and pass its path"
                )
            } else {
                format!("cannot run curl for `{url}`: {e}")
            }
        })?;
    if !output.status.success() {
        // With --retry, curl repeats its error line; the last one says it.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        return Err(format!(
            "fetching `{url}` failed ({}): {}",
            output.status,
            last.trim()
        ));
    }
    Ok(output.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        let root = Path::new("/nonexistent-root");
        assert_eq!(
            Source::parse("https://x.test/a.json", root).unwrap(),
            Source::Http("https://x.test/a.json".into())
        );
        assert_eq!(
            Source::parse("file:///tmp/a%20b.json", root).unwrap(),
            Source::Path("/tmp/a b.json".into())
        );
        assert_eq!(
            Source::parse("file://localhost/tmp/a.json", root).unwrap(),
            Source::Path("/tmp/a.json".into())
        );
        assert_eq!(
            Source::parse("rel/a.json", root).unwrap(),
            Source::Path("rel/a.json".into())
        );
        assert!(
            Source::parse("file://elsewhere/a.json", root)
                .unwrap_err()
                .contains("another host")
        );
        assert!(
            Source::parse("file:///a%zz", root)
                .unwrap_err()
                .contains("%-escape")
        );
    }

    #[test]
    fn relative_paths_fall_back_to_the_root() {
        // Tests run in xtask/, where `openapi/` does not exist; the workspace root has it.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let spec = Path::new("openapi/aitoearn.openapi.json");
        assert_eq!(local_path(spec, root), root.join(spec));
        assert_eq!(local_path(Path::new("src"), root), Path::new("src"));
    }

    #[test]
    fn missing_files_are_reported() {
        let err = Source::Path("/nonexistent/spec.json".into())
            .read()
            .unwrap_err();
        assert!(err.contains("/nonexistent/spec.json"), "{err}");
    }
}
