//! The `xtask` binary end to end: exit codes, output formats, and that failures leave the
//! vendored spec alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["nope"][..],
        &["diff-spec", "--bogus"][..],
        &["diff-spec", "--ignore-text=yes"][..],
        &["refresh-spec", "--from-en"][..],
        &["operations", "--write", "--check"][..],
    ] {
        let out = xtask(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stderr).contains("error:"), "{args:?}");
    }
    let help = xtask(&["diff-spec", "--help"]);
    assert!(help.status.success());
    assert!(text(&help.stdout).contains("--fail-on"));
    assert!(text(&help.stdout).contains("--ignore-text"));
    let help = xtask(&["refresh-spec", "--help"]);
    assert!(text(&help.stdout).contains("--from-en"));
}

#[test]
fn diff_of_identical_specs_says_no_changes() {
    let spec = root()
        .join("openapi/aitoearn.openapi.json")
        .display()
        .to_string();
    let out = xtask(&["diff-spec", &spec, &spec, "--fail-on", "breaking"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("No changes."));
}

#[test]
fn fail_on_breaking_sets_the_exit_code() {
    let (v1, v2) = (fixture("things_v1.json"), fixture("things_v2.json"));
    let report = xtask(&["diff-spec", &v1, &v2]);
    assert!(report.status.success(), "a diff alone is not a failure");
    let md = text(&report.stdout);
    assert!(
        md.contains("### Breaking changes (1 in operations, 1 in component schemas)"),
        "{md}"
    );
    assert!(md.contains("`data.note` | field removed"), "{md}");

    let failing = xtask(&["diff-spec", &v1, &v2, "--fail-on", "breaking"]);
    assert_eq!(failing.status.code(), Some(1));
    assert_eq!(
        text(&failing.stdout),
        md,
        "the report is printed either way"
    );
    assert!(
        text(&failing.stderr)
            .contains("breaking changes (1 in operations, 1 in component schemas)"),
        "{}",
        text(&failing.stderr)
    );

    // Going back, only the enum value removal breaks.
    let json = xtask(&[
        "diff-spec",
        &v2,
        &format!("file://{v1}"),
        "--format",
        "json",
    ]);
    assert!(json.status.success());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert_eq!(v["breaking"], true);
    let op = &v["operations"][0];
    assert_eq!(op["rust_method"]["new"], "things_get");
    let kinds: Vec<&str> = op["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["summary-changed", "field-added", "enum-values-removed"]
    );
}

#[test]
fn unreadable_sides_fail_clearly() {
    let out = xtask(&["diff-spec", "no-such-spec.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("neither a file nor a git revision"),
        "{}",
        text(&out.stderr)
    );
    let out = xtask(&[
        "diff-spec",
        &fixture("seed_auth_start.md"),
        &fixture("things_v1.json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is not JSON"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn default_sides_are_head_and_the_working_tree() {
    let out = xtask(&["diff-spec"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("`HEAD:openapi/aitoearn.openapi.json` → `openapi/aitoearn.openapi.json`")
    );
}

#[test]
fn operations_table_json_and_check() {
    let spec: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("openapi/aitoearn.openapi.json")).unwrap(),
    )
    .unwrap();
    let count: usize = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();

    let out = xtask(&["operations", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ops: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ops.as_array().unwrap().len(), count);
    let auth = ops
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation_id"] == "AuthController_startAuth_v2")
        .unwrap();
    assert_eq!(auth["rust_method"], "auth_start");
    assert_eq!(auth["requires_api_key"], true);

    let md = xtask(&["operations"]);
    let md = text(&md.stdout);
    assert!(md.contains("| `AuthController_startAuth_v2` | GET | `/api/v2/channels/accounts/auth/{platform}` | `auth_start()` |"), "{md}");
    assert_eq!(md.lines().filter(|l| l.starts_with("| `")).count(), count);

    let check = xtask(&["operations", "--check"]);
    assert!(
        check.status.success(),
        "OPERATIONS.md is stale: {}",
        text(&check.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(root().join("OPERATIONS.md")).unwrap(),
        md
    );

    let adaptations = xtask(&["operations", "--adaptations"]);
    assert!(text(&adaptations.stdout).contains("hoist_pointer_refs: "));
}

#[test]
fn refresh_from_the_vendored_files_changes_nothing_and_bad_input_is_refused() {
    let (zh, en) = (
        root().join("openapi/aitoearn.openapi.json"),
        root().join("openapi/aitoearn.openapi.en.json"),
    );
    let (zh_arg, en_arg) = (zh.to_str().unwrap(), en.to_str().unwrap());
    let before = (std::fs::read(&zh).unwrap(), std::fs::read(&en).unwrap());
    let same = xtask(&["refresh-spec", "--from", zh_arg, "--from-en", en_arg]);
    assert!(same.status.success(), "{}", text(&same.stderr));
    let out = text(&same.stdout);
    assert!(
        out.contains(
            "openapi/aitoearn.openapi.json: 57 operations, 51 component schemas; unchanged\n"
        ) && out.contains(
            "openapi/aitoearn.openapi.en.json: 57 operations, 51 component schemas; unchanged\n"
        ),
        "{out}"
    );
    // Where the editions differ is reported, not a failure.
    assert!(
        out.contains("    - GET /api/v2/channels/works/{platform} (")
            && out.contains("    - ClaudeChatProxyDto ("),
        "{out}"
    );

    // A bad document in either place: exit 1, both files untouched.
    let bad = fixture("seed_auth_start.md");
    for (args, which) in [
        (
            ["refresh-spec", "--from", &bad, "--from-en", en_arg],
            "(the Chinese edition)",
        ),
        (
            ["refresh-spec", "--from", zh_arg, "--from-en", &bad],
            "(the English edition)",
        ),
    ] {
        let out = xtask(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(which)
                && err.contains(
                    "openapi/aitoearn.openapi.json and openapi/aitoearn.openapi.en.json are unchanged"
                ),
            "{err}"
        );
        assert_eq!(
            (std::fs::read(&zh).unwrap(), std::fs::read(&en).unwrap()),
            before
        );
    }
}

/// The command CI runs: the English edition against the Chinese one, structure only. It prints
/// where they differ (today two operations and two component schemas) and exits 0.
#[test]
fn the_editions_differ_in_two_operations_and_two_schemas() {
    let args = [
        "diff-spec",
        "openapi/aitoearn.openapi.json",
        "openapi/aitoearn.openapi.en.json",
        "--ignore-text",
    ];
    let out = xtask(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("#### ")).collect();
    assert_eq!(
        headings,
        [
            "#### `GET /api/v2/channels/works/{platform}` `works_list()` (changed)",
            "#### `GET /api/v2/channels/works/{platform}/{platformWorkId}` `works_get_detail()` (changed)",
            "#### `ChannelWorkDataVo` (changed)",
            "#### `ClaudeChatProxyDto` (changed)",
        ],
        "{md}"
    );
    assert!(md.contains("| Operations | 2 | 0 | 0 |"), "{md}");
    assert!(md.contains("| Component schemas | 2 | 0 | 0 |"), "{md}");
    assert!(md.contains("Used by `POST /api/ai/v1/messages`"), "{md}");
    // Tag names differ between the editions (Chinese and English); they are texts.
    for text in ["渠道管理", "Channel Management", "AI Services"] {
        assert!(!md.contains(text), "{text} in {md}");
    }

    // The same as JSON; and --fail-on breaking still turns breaking differences into exit 1.
    let json = xtask(&[&args[..], &["--format", "json"]].concat());
    assert!(json.status.success());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["ignore_text"], true);
    assert_eq!(v["summary"]["operations"]["changed"], 2);
    assert_eq!(v["summary"]["schemas"]["changed"], 2);
    let kinds: Vec<&str> = ["operations", "schemas"]
        .iter()
        .flat_map(|k| v[k].as_array().unwrap())
        .flat_map(|o| o["changes"].as_array().unwrap())
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 7 + 28);
    for k in kinds {
        assert!(
            ![
                "summary-changed",
                "description-changed",
                "title-changed",
                "tags-changed"
            ]
            .contains(&k),
            "{k}"
        );
    }
    let failing = xtask(&[&args[..], &["--fail-on", "breaking"]].concat());
    assert_eq!(failing.status.code(), Some(1));
    assert_eq!(text(&failing.stdout), md);
}
