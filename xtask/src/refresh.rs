//! `cargo xtask refresh-spec`: replace the vendored spec with the published one, but only
//! with a document the crate's generator accepts. A failed refresh leaves the old file
//! byte-identical; a successful one vendors the fetched bytes unchanged.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;

use crate::cli::{Args, Failure};
use crate::codegen;
use crate::diff;
use crate::fetch::Source;
use crate::util::SPEC;

/// Where the published spec lives.
pub const DEFAULT_SOURCE: &str = "https://docs.aitoearn.ai/openapi/zh/aitoearn.openapi.json";

pub const USAGE: &str = "\
cargo xtask refresh-spec [--from PATH|file://URL|https://URL]

  Fetches the spec (default: https://docs.aitoearn.ai/openapi/zh/aitoearn.openapi.json; http(s)
  through the curl binary), checks that it is JSON, OpenAPI 3.0.x and accepted by the
  generator, then replaces openapi/aitoearn.openapi.json atomically with the fetched bytes and
  prints what changed for SDK users.";

/// What a checked spec contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub operations: usize,
    pub schemas: usize,
}

/// Everything a document must pass before it is vendored: JSON, OpenAPI 3.0.x (as
/// `openapiv3` reads it), and the crate's own generator (adaptations, progenitor, facade).
pub fn check(bytes: &[u8]) -> Result<Checked, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("it is not UTF-8 text: {e}"))?;
    let value: Value = serde_json::from_str(text).map_err(|e| format!("it is not JSON: {e}"))?;
    match value.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => return Err(format!("it is OpenAPI {v}; the generator takes 3.0.x")),
        None => return Err("it has no `openapi` version field".into()),
    }
    serde_json::from_str::<openapiv3::OpenAPI>(text)
        .map_err(|e| format!("it is not an OpenAPI 3.0 document: {e}"))?;
    let out = codegen::generate(text).map_err(|e| format!("the generator rejects it: {e}"))?;
    let schemas = value
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map_or(0, |s| s.len());
    Ok(Checked {
        operations: out.operations.len(),
        schemas,
    })
}

/// The outcome of a successful refresh.
#[derive(Debug)]
pub struct Refreshed {
    pub checked: Checked,
    pub changed: bool,
    /// The previous file, if there was one.
    pub previous: Option<Vec<u8>>,
    pub current: Vec<u8>,
}

/// Fetches `source`, checks it, and vendors it under `root` if it differs.
pub fn refresh(root: &Path, source: &str) -> Result<Refreshed, String> {
    let source = Source::parse(source, root)?;
    let bytes = source.read()?;
    let checked = check(&bytes)
        .map_err(|e| format!("`{source}` was not vendored ({SPEC} is unchanged): {e}"))?;
    let path = root.join(SPEC);
    let previous = match fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let changed = previous.as_deref() != Some(bytes.as_slice());
    if changed {
        write_atomic(&path, &bytes).map_err(|e| {
            format!(
                "cannot write {} (the old file is unchanged): {e}",
                path.display()
            )
        })?;
    }
    Ok(Refreshed {
        checked,
        changed,
        previous,
        current: bytes,
    })
}

/// Writes a temporary file next to `path`, syncs it, and renames it over `path`: readers see
/// the old file or the new one, never a partial one. Keeps the old file's permissions (the
/// vendored spec is read-only, as a reminder not to edit it by hand).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("spec");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(".{name}.{}-{nanos}.tmp", std::process::id()));
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        if let Ok(meta) = fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        // The rename itself is durable once the directory is synced (not possible everywhere).
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

pub fn run(args: &[String], root: &Path) -> Result<ExitCode, Failure> {
    let args = Args::parse(args, &[], &["from"])?;
    args.max_positionals(0)?;
    let source = args.option("from").unwrap_or(DEFAULT_SOURCE);
    eprintln!("fetching {source}");
    let r = refresh(root, source)?;
    println!(
        "{SPEC}: {} operations, {} component schemas; {}",
        r.checked.operations,
        r.checked.schemas,
        if r.changed { "updated" } else { "unchanged" }
    );
    if r.changed {
        report_changes(r.previous.as_deref(), &r.current);
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------------
// Hook: what changed, printed after a successful refresh.

/// Prints what changed for SDK users after a successful refresh.
fn report_changes(previous: Option<&[u8]>, current: &[u8]) {
    print!("{}", changes_summary(previous, current));
}

/// The `diff-spec` summary of the previous vendored spec against the refreshed one;
/// `cargo xtask diff-spec` (HEAD against the working tree) prints the full report.
fn changes_summary(previous: Option<&[u8]>, current: &[u8]) -> String {
    let old = previous.and_then(|b| std::str::from_utf8(b).ok());
    let Some(old) = old else {
        return "no previous spec to compare with\n".into();
    };
    let new = std::str::from_utf8(current).unwrap_or_default();
    let (label_old, label_new) = (format!("{SPEC} (before)"), format!("{SPEC} (after)"));
    match diff::compare_texts(old, new, &label_old, &label_new) {
        Ok(report) => format!(
            "changes for SDK users:\n{}full report: cargo xtask diff-spec (HEAD against the working tree)\n",
            diff::render::summary(&report)
        ),
        Err(e) => format!("cannot compare with the previous spec: {e}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    /// A throwaway workspace root holding `openapi/aitoearn.openapi.json` (read-only, like
    /// the real one) with `old` as its content.
    struct Root(PathBuf);

    impl Root {
        fn new(tag: &str, old: &[u8]) -> Root {
            let dir =
                std::env::temp_dir().join(format!("xtask-refresh-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(dir.join("openapi")).unwrap();
            let spec = dir.join(SPEC);
            fs::write(&spec, old).unwrap();
            fs::set_permissions(&spec, fs::Permissions::from_mode(0o444)).unwrap();
            Root(dir)
        }

        fn spec(&self) -> Vec<u8> {
            fs::read(self.0.join(SPEC)).unwrap()
        }

        /// Files in `openapi/` besides the spec (left-over temporary files).
        fn strays(&self) -> Vec<String> {
            fs::read_dir(self.0.join("openapi"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n != "aitoearn.openapi.json")
                .collect()
        }
    }

    impl Drop for Root {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_good_spec_is_vendored_byte_for_byte() {
        let root = Root::new("good", b"{\"old\": true}\n");
        let source = fixture("things_v1.json");
        let r = refresh(&root.0, source.to_str().unwrap()).unwrap();
        assert!(r.changed);
        assert_eq!(
            r.checked,
            Checked {
                operations: 1,
                schemas: 1
            }
        );
        // Not reformatted: the file is the fetched bytes.
        assert_eq!(root.spec(), fs::read(&source).unwrap());
        assert_eq!(r.previous.as_deref(), Some(&b"{\"old\": true}\n"[..]));
        let mode = fs::metadata(root.0.join(SPEC))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o444, "permissions are kept");
        assert!(root.strays().is_empty(), "{:?}", root.strays());

        // Again, through a file:// URL: nothing to write.
        let url = format!("file://{}", source.display());
        let again = refresh(&root.0, &url).unwrap();
        assert!(!again.changed);
    }

    #[test]
    fn a_failed_refresh_leaves_the_old_file_untouched() {
        let old = fs::read(fixture("things_v1.json")).unwrap();
        let root = Root::new("bad", &old);
        let dir =
            std::env::temp_dir().join(format!("xtask-refresh-sources-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            fs::write(&p, text).unwrap();
            p.display().to_string()
        };
        let v1: Value = serde_json::from_slice(&old).unwrap();
        let mut v31 = v1.clone();
        v31["openapi"] = "3.1.0".into();
        let mut clash = v1.clone();
        clash["paths"]["/api/v2/other"] = serde_json::json!({ "get": { "operationId": "ThingsController_get", "responses": {} } });
        let cases = [
            (
                write("truncated.json", "{\"openapi\": \"3.0.1\", "),
                "not JSON",
            ),
            (write("yaml.json", "openapi: 3.0.1\n"), "not JSON"),
            (write("v31.json", &v31.to_string()), "OpenAPI 3.1.0"),
            (write("noversion.json", "{}"), "no `openapi` version"),
            (
                write("notopenapi.json", "{\"openapi\": \"3.0.1\"}"),
                "not an OpenAPI 3.0 document",
            ),
            (
                write("clash.json", &clash.to_string()),
                "the generator rejects it",
            ),
            (
                dir.join("missing.json").display().to_string(),
                "cannot read",
            ),
            ("http://127.0.0.1:9/spec.json".to_string(), "curl"),
        ];
        for (source, needle) in cases {
            let err = refresh(&root.0, &source).unwrap_err();
            assert!(err.contains(needle), "{source}: {err}");
            assert_eq!(root.spec(), old, "{source} changed the vendored file");
            assert!(root.strays().is_empty(), "{source}: {:?}", root.strays());
        }
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_refresh_summary_lists_breaking_changes() {
        let (v1, v2) = (
            fs::read(fixture("things_v1.json")).unwrap(),
            fs::read(fixture("things_v2.json")).unwrap(),
        );
        let text = changes_summary(Some(&v1), &v2);
        assert!(
            text.contains("operations: 1 changed, 0 added, 0 removed"),
            "{text}"
        );
        assert!(
            text.contains("1 breaking, 2 compatible (1 docs only)"),
            "{text}"
        );
        assert!(text.contains("- GET /api/v2/things/{id}: response `200` (application/json) · `data.note`: field removed"), "{text}");
        assert!(text.contains("full report: cargo xtask diff-spec"));
        assert_eq!(
            changes_summary(None, &v2),
            "no previous spec to compare with\n"
        );
        assert!(changes_summary(Some(b"{"), &v2).starts_with("cannot compare"));
    }

    #[test]
    fn atomic_writes_replace_and_clean_up() {
        let root = Root::new("atomic", b"old");
        let path = root.0.join(SPEC);
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert!(root.strays().is_empty());
        // A directory in the way: the rename fails, the temporary file is removed.
        let blocked = root.0.join("openapi/dir");
        fs::create_dir_all(blocked.join("child")).unwrap();
        assert!(write_atomic(&blocked, b"x").is_err());
        assert_eq!(root.strays(), ["dir"]);
    }
}
