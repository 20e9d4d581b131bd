//! Small helpers shared by the subcommands.

use std::path::PathBuf;

use serde_json::{Map, Value};

/// The vendored spec (the Chinese edition, the structural source of truth), relative to the
/// workspace root.
pub const SPEC: &str = "openapi/aitoearn.openapi.json";
/// The vendored English edition, whose texts lead the generated docs (see build.rs).
pub const SPEC_EN: &str = "openapi/aitoearn.openapi.en.json";

/// The overlays applied to the vendored spec (see codegen/overlay.rs), relative to the
/// workspace root.
pub const OVERLAYS: &str = "openapi/overlays";

/// The overlays under `root`, parsed, in the order build.rs applies them.
pub fn overlays(root: &std::path::Path) -> Result<Vec<crate::codegen::overlay::Overlay>, String> {
    crate::codegen::overlay::load_dir(&root.join(OVERLAYS))
}

/// The workspace root (xtask lives in `<root>/xtask`), so commands work from any directory.
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// `value` with every object's keys in sorted order, whatever map serde_json was built with
/// (`preserve_order` keeps insertion order), so JSON output is stable.
pub fn sorted_json(value: Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted_json(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted_json).collect()),
        other => other,
    }
}

/// Pretty JSON with a final newline.
pub fn pretty(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("a Value always serialises");
    s.push('\n');
    s
}

/// Waits for `child`, killing it once `timeout` has passed since `started`: its exit status,
/// or why there is none (`what` names the command in the message: "`cargo check`").
pub fn wait_bounded(
    child: &mut std::process::Child,
    started: std::time::Instant,
    timeout: std::time::Duration,
    what: &str,
) -> Result<std::process::ExitStatus, String> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{what} took longer than {} s; stopped",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(200)),
            Err(e) => return Err(format!("waiting for {what}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bounded_wait_stops_what_overruns_and_returns_what_ends() {
        use std::process::Command;
        use std::time::{Duration, Instant};
        let started = Instant::now();
        let mut slow = Command::new("sleep").arg("30").spawn().unwrap();
        let err =
            wait_bounded(&mut slow, started, Duration::from_millis(300), "`sleep`").unwrap_err();
        assert_eq!(err, "`sleep` took longer than 0 s; stopped");
        assert!(started.elapsed() < Duration::from_secs(10));
        // Killed and reaped: nothing left to wait for.
        assert!(slow.try_wait().unwrap().is_some());
        let mut quick = Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
        let status = wait_bounded(&mut quick, Instant::now(), Duration::from_secs(30), "sh");
        assert_eq!(status.unwrap().code(), Some(3));
    }

    #[test]
    fn keys_are_sorted_recursively() {
        let v = sorted_json(json!({ "b": [{ "z": 1, "a": 2 }], "a": null }));
        assert_eq!(v.to_string(), r#"{"a":null,"b":[{"a":2,"z":1}]}"#);
    }

    #[test]
    fn root_holds_the_spec() {
        assert!(workspace_root().join(SPEC).is_file());
        assert!(workspace_root().join(SPEC_EN).is_file());
    }
}
