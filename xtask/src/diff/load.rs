//! Loading one side of a diff: a path, a `file://` or `http(s)://` URL, a git revision `REV`
//! (its vendored spec, `git show REV:openapi/aitoearn.openapi.json`) or `REV:path`.
//!
//! URLs first, then an existing file, then git; so `HEAD` means the revision unless a file
//! called `HEAD` exists in the current directory.

use std::path::Path;
use std::process::Command;

use crate::fetch::{self, Source};
use crate::util::SPEC;

/// A loaded document and how to call it in reports.
#[derive(Debug, Clone)]
pub struct Side {
    pub label: String,
    pub text: String,
}

pub fn load(arg: &str, root: &Path) -> Result<Side, String> {
    let lower = arg.to_ascii_lowercase();
    let is_url = ["http://", "https://", "file:"]
        .iter()
        .any(|p| lower.starts_with(p));
    if is_url || fetch::local_path(Path::new(arg), root).is_file() {
        let bytes = Source::parse(arg, root)?.read()?;
        return Ok(Side {
            label: arg.to_string(),
            text: utf8(arg, bytes)?,
        });
    }
    let spec = if arg.contains(':') {
        arg.to_string()
    } else {
        format!("{arg}:{SPEC}")
    };
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &spec])
        .output()
        .map_err(|e| {
            format!("`{arg}` is not a file, and git cannot be run to read it as a revision: {e}")
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "`{arg}` is neither a file nor a git revision with the spec (`git show {spec}`: {})",
            stderr.trim()
        ));
    }
    Ok(Side {
        label: spec.clone(),
        text: utf8(&spec, output.stdout)?,
    })
}

fn utf8(label: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| format!("`{label}` is not UTF-8 text: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::workspace_root;

    #[test]
    fn paths_and_revisions() {
        let root = workspace_root();
        let file = load(SPEC, &root).unwrap();
        assert_eq!(file.label, SPEC);
        assert!(file.text.contains("\"openapi\""));

        // The spec is committed, so `HEAD` and `HEAD:path` resolve.
        let head = load("HEAD", &root).unwrap();
        assert_eq!(head.label, format!("HEAD:{SPEC}"));
        assert!(head.text.contains("\"openapi\""));
        assert_eq!(
            load(&format!("HEAD:{SPEC}"), &root).unwrap().text,
            head.text
        );
    }

    #[test]
    fn unknown_sides_are_clear_errors() {
        let root = workspace_root();
        let err = load("no-such-file-or-rev", &root).unwrap_err();
        assert!(err.contains("neither a file nor a git revision"), "{err}");
        let err = load("HEAD:no/such/path.json", &root).unwrap_err();
        assert!(err.contains("git show HEAD:no/such/path.json"), "{err}");
    }
}
