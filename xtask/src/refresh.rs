//! `cargo xtask refresh-spec`: replace the two vendored editions of the spec (Chinese, the
//! structural source of truth, and English, whose texts lead the docs) with the published ones,
//! but only with a pair the crate's generator accepts. Both files are replaced or neither: a
//! failed refresh leaves both byte-identical; a successful one vendors the fetched bytes
//! unchanged.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;

use crate::cli::{Args, Failure};
use crate::codegen;
use crate::diff;
use crate::fetch::Source;
use crate::util::{SPEC, SPEC_EN};

/// Where the published Chinese edition lives.
pub const DEFAULT_SOURCE: &str = "https://docs.aitoearn.ai/openapi/zh/aitoearn.openapi.json";
/// Where the published English edition lives.
pub const DEFAULT_SOURCE_EN: &str = "https://docs.aitoearn.ai/openapi/en/aitoearn.openapi.json";

pub const USAGE: &str = "\
cargo xtask refresh-spec [--from PATH|file://URL|https://URL] [--from-en PATH|file://URL|https://URL]
                         [--no-compile] [--timeout SECS]

  Fetches both editions of the spec (http(s) through the curl binary):
    --from     the Chinese edition, the structural source of truth
               (default: https://docs.aitoearn.ai/openapi/zh/aitoearn.openapi.json)
               -> openapi/aitoearn.openapi.json
    --from-en  the English edition, whose texts lead the generated docs
               (default: https://docs.aitoearn.ai/openapi/en/aitoearn.openapi.json)
               -> openapi/aitoearn.openapi.en.json
  Re-applies every overlay (openapi/overlays) to the new Chinese edition and reports each
  action: still needed, or now a no-op (the upstream caught up: delete the overlay); an action
  whose target is gone fails the refresh.
  Checks that each is JSON and OpenAPI 3.0.x, that the generator accepts the pair and that
  the crate and its examples compile against it (`cargo xtask check-spec`: a scratch copy,
  at most --timeout seconds, default 1200; --no-compile skips it), then replaces both files with the fetched bytes, or neither (a failed refresh leaves both
  byte-identical). Prints what changed for SDK users and where the editions differ
  structurally (a report, never a failure).";

/// One edition of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    Chinese,
    English,
}

impl Edition {
    /// The vendored file, relative to the workspace root.
    pub fn file(self) -> &'static str {
        match self {
            Edition::Chinese => SPEC,
            Edition::English => SPEC_EN,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Edition::Chinese => "the Chinese edition",
            Edition::English => "the English edition",
        }
    }
}

/// What a checked edition contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub operations: usize,
    pub schemas: usize,
}

/// What every edition must be before it is vendored: UTF-8 JSON, OpenAPI 3.0.x, and an
/// OpenAPI 3.0 document as `openapiv3` reads it. Returns the text and what it contains.
pub fn check_document(bytes: &[u8]) -> Result<(&str, Checked), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("it is not UTF-8 text: {e}"))?;
    let value: Value = serde_json::from_str(text).map_err(|e| format!("it is not JSON: {e}"))?;
    match value.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => return Err(format!("it is OpenAPI {v}; the generator takes 3.0.x")),
        None => return Err("it has no `openapi` version field".into()),
    }
    serde_json::from_str::<openapiv3::OpenAPI>(text)
        .map_err(|e| format!("it is not an OpenAPI 3.0 document: {e}"))?;
    let operations = value
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(_, item)| item.as_object())
        .flat_map(|item| item.keys())
        .filter(|m| codegen::adapt::HTTP_METHODS.contains(&m.as_str()))
        .count();
    let schemas = value
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map_or(0, |s| s.len());
    Ok((
        text,
        Checked {
            operations,
            schemas,
        },
    ))
}

/// The generator (adaptations, bilingual merge, progenitor, facade) on the pair, as build.rs
/// runs it.
pub fn check_pair_with(
    zh: &str,
    en: &str,
    overlays: &[codegen::overlay::Overlay],
) -> Result<(), String> {
    codegen::generate_full(zh, Some(en), overlays, codegen::Options::default())
        .map(drop)
        .map_err(|e| format!("the generator rejects it: {e}"))
}

/// Each overlay re-applied to a new spec, per action: still needed, or a no-op (the upstream
/// caught up). An action whose target is gone is an error (the refresh fails).
pub fn overlay_report(zh: &str, overlays: &[codegen::overlay::Overlay]) -> Result<String, String> {
    use codegen::overlay::Effect;
    let (_, _, applied) = codegen::effective(zh, overlays)
        .map_err(|e| format!("an overlay no longer fits it: {e}"))?;
    let mut out = String::new();
    for (overlay, applied) in overlays.iter().zip(&applied) {
        out.push_str(&format!("overlay {}:\n", overlay.file));
        for (i, (action, effect)) in overlay.actions.iter().zip(&applied.effects).enumerate() {
            let state = match effect {
                Effect::Changed => "still needed",
                Effect::NoOp => "now a no-op (the upstream spec says it already)",
            };
            out.push_str(&format!("  action {i} ({}): {state}\n", action.target));
        }
        if applied.whole_noop {
            out.push_str(&format!(
                "  the overlay as a whole changes nothing in the new spec: the upstream caught up; \
                 delete {}\n",
                overlay.file
            ));
        } else if applied.effects.iter().all(|e| *e == Effect::NoOp) {
            out.push_str(&format!(
                "  every action is a no-op: delete {}\n",
                overlay.file
            ));
        }
    }
    Ok(out)
}

/// Where to fetch the two editions from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub zh: &'a str,
    pub en: &'a str,
}

impl Default for Sources<'_> {
    fn default() -> Self {
        Sources {
            zh: DEFAULT_SOURCE,
            en: DEFAULT_SOURCE_EN,
        }
    }
}

/// One refreshed edition.
#[derive(Debug)]
pub struct Vendored {
    pub edition: Edition,
    pub checked: Checked,
    pub changed: bool,
    /// The previous file, if there was one.
    pub previous: Option<Vec<u8>>,
    pub current: Vec<u8>,
}

/// The outcome of a successful refresh.
#[derive(Debug)]
pub struct Refreshed {
    pub zh: Vendored,
    pub en: Vendored,
    /// What each overlay does to the new spec, per action (empty without overlays).
    pub overlays: String,
}

/// "`source` (the English edition) was not vendored (both files are unchanged): why".
fn refused(source: &dyn std::fmt::Display, what: &str, why: impl std::fmt::Display) -> String {
    format!("`{source}` ({what}) was not vendored ({SPEC} and {SPEC_EN} are unchanged): {why}")
}

/// Fetches both editions, checks each and the pair, and vendors under `root` those that differ
/// from the files there: both or neither.
#[cfg(test)]
pub fn refresh(root: &Path, sources: Sources) -> Result<Refreshed, String> {
    refresh_checked(root, sources, None)
}

/// [`refresh`], and when `compile` is given, the crate must also compile against the new pair
/// (`check-spec`'s scratch copy, bounded by that time) before anything is vendored.
pub fn refresh_checked(
    root: &Path,
    sources: Sources,
    compile: Option<std::time::Duration>,
) -> Result<Refreshed, String> {
    let mut fetched = Vec::new();
    for (edition, source) in [
        (Edition::Chinese, sources.zh),
        (Edition::English, sources.en),
    ] {
        let source =
            Source::parse(source, root).map_err(|e| refused(&source, edition.name(), e))?;
        let bytes = source
            .read()
            .map_err(|e| refused(&source, edition.name(), e))?;
        let checked = check_document(&bytes)
            .map_err(|e| refused(&source, edition.name(), e))?
            .1;
        fetched.push((edition, source, bytes, checked));
    }
    let [
        (_, zh_source, zh, zh_checked),
        (_, en_source, en, en_checked),
    ] = <[_; 2]>::try_from(fetched).expect("two editions");
    let text = |b: &[u8]| {
        std::str::from_utf8(b)
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let overlays = crate::util::overlays(root)
        .map_err(|e| refused(&crate::util::OVERLAYS, "the overlays", e))?;
    let overlays_report = overlay_report(&text(&zh), &overlays)
        .map_err(|e| refused(&zh_source, Edition::Chinese.name(), e))?;
    check_pair_with(&text(&zh), &text(&en), &overlays).map_err(|e| {
        refused(
            &format!("{zh_source}` + `{en_source}"),
            "the pair of editions",
            e,
        )
    })?;
    if let Some(timeout) = compile {
        let pair = format!("{zh_source}` + `{en_source}");
        eprintln!(
            "checking that the crate compiles against it (a scratch copy; --no-compile skips)"
        );
        let scratch = crate::check_spec::Scratch::new(root, &text(&zh), Some(&text(&en)))
            .map_err(|e| refused(&pair, "the pair of editions", e))?;
        crate::check_spec::cargo_check(root, &scratch, timeout)
            .map_err(|e| refused(&pair, "the pair of editions", e))?;
    }

    let previous = |edition: Edition| -> Result<Option<Vec<u8>>, String> {
        let path = root.join(edition.file());
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!(
                "cannot read {} ({SPEC} and {SPEC_EN} are unchanged): {e}",
                path.display()
            )),
        }
    };
    let vendored = |edition, checked, previous: Option<Vec<u8>>, current: Vec<u8>| Vendored {
        edition,
        checked,
        changed: previous.as_deref() != Some(current.as_slice()),
        previous,
        current,
    };
    let zh = vendored(
        Edition::Chinese,
        zh_checked,
        previous(Edition::Chinese)?,
        zh,
    );
    let en = vendored(
        Edition::English,
        en_checked,
        previous(Edition::English)?,
        en,
    );
    let paths: Vec<PathBuf> = [&zh, &en]
        .iter()
        .map(|v| root.join(v.edition.file()))
        .collect();
    let writes: Vec<(&Path, &[u8])> = [&zh, &en]
        .iter()
        .zip(&paths)
        .filter(|(v, _)| v.changed)
        .map(|(v, p)| (p.as_path(), v.current.as_slice()))
        .collect();
    replace_all(&writes).map_err(|e| format!("cannot vendor the new spec: {e}"))?;
    Ok(Refreshed {
        zh,
        en,
        overlays: overlays_report,
    })
}

/// Writes a temporary file next to `path`, syncs it, and renames it over `path`: readers see
/// the old file or the new one, never a partial one. Keeps the old file's permissions (the
/// vendored spec is read-only, as a reminder not to edit it by hand).
#[cfg(test)]
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_all(&[(path, bytes)])
}

/// `.{name}.{pid}-{nanos}.{what}` next to `path`.
fn sibling(path: &Path, what: &str) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("spec");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    dir.join(format!(".{name}.{}-{nanos}.{what}", std::process::id()))
}

/// A new file staged next to its target.
struct Staged<'a> {
    target: &'a Path,
    tmp: PathBuf,
    /// A hard link to (or copy of) the old target, to put back if a later rename fails.
    backup: Option<PathBuf>,
}

/// Replaces every file of `files`, or none (as far as the filesystem lets anyone promise):
///
/// 1. each new content is written to a temporary file beside its target, with the target's
///    permissions, and synced;
/// 2. every target but the last is backed up (a hard link, or else a synced copy);
/// 3. the temporary files are renamed over their targets in order; if a rename fails, the
///    targets already replaced are restored from their backups (or removed, if they did not
///    exist), so the files stay a consistent set;
/// 4. the directories are synced and the backups removed.
///
/// Nothing is left behind on failure; if a restore itself fails, the error says where the
/// backup was left.
pub fn replace_all(files: &[(&Path, &[u8])]) -> std::io::Result<()> {
    let mut staged: Vec<Staged> = Vec::new();
    let cleanup = |staged: &[Staged]| {
        for s in staged {
            let _ = fs::remove_file(&s.tmp);
            if let Some(b) = &s.backup {
                let _ = fs::remove_file(b);
            }
        }
    };
    // 1. Temporary files.
    for (i, (target, bytes)) in files.iter().enumerate() {
        let tmp = sibling(target, &format!("{i}.tmp"));
        let written = (|| {
            let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            staged.push(Staged {
                target,
                tmp: tmp.clone(),
                backup: None,
            });
            file.write_all(bytes)?;
            if let Ok(meta) = fs::metadata(target) {
                file.set_permissions(meta.permissions())?;
            }
            file.sync_all()
        })();
        if let Err(e) = written {
            cleanup(&staged);
            return Err(e);
        }
    }
    // 2. Backups of the targets a later failure could leave replaced.
    let last = staged.len().saturating_sub(1);
    for i in 0..last {
        let target = staged[i].target;
        if !target.exists() {
            continue;
        }
        let backup = sibling(target, "bak");
        let made = fs::hard_link(target, &backup).or_else(|_| {
            fs::copy(target, &backup)?;
            File::open(&backup)?.sync_all()
        });
        if let Err(e) = made {
            let _ = fs::remove_file(&backup);
            cleanup(&staged);
            return Err(std::io::Error::new(
                e.kind(),
                format!("cannot back up {}: {e}", target.display()),
            ));
        }
        staged[i].backup = Some(backup);
    }
    // 3. Renames, undone on failure.
    for (i, s) in staged.iter().enumerate() {
        let Err(e) = fs::rename(&s.tmp, s.target) else {
            continue;
        };
        let mut unrestored = Vec::new();
        let mut kept = vec![false; staged.len()];
        for (j, done) in staged[..i].iter().enumerate().rev() {
            let restored = match &done.backup {
                Some(b) => fs::rename(b, done.target),
                None => fs::remove_file(done.target),
            };
            if let Err(re) = restored {
                kept[j] = true;
                unrestored.push(match &done.backup {
                    Some(b) => format!(
                        "{} could not be restored ({re}); its old content is in {}",
                        done.target.display(),
                        b.display()
                    ),
                    None => format!("{} could not be removed ({re})", done.target.display()),
                });
            }
        }
        // Nothing left behind but the backups that could not be put back.
        for (s, kept) in staged.iter().zip(kept) {
            let _ = fs::remove_file(&s.tmp);
            if let (Some(b), false) = (&s.backup, kept) {
                let _ = fs::remove_file(b);
            }
        }
        let message = if unrestored.is_empty() {
            format!(
                "cannot replace {}: {e} (the files already replaced were restored)",
                s.target.display()
            )
        } else {
            format!(
                "cannot replace {}: {e}; and {}",
                s.target.display(),
                unrestored.join("; ")
            )
        };
        return Err(std::io::Error::new(e.kind(), message));
    }
    // 4. Durable renames (directory sync is not possible everywhere), no backups left.
    let mut dirs: Vec<&Path> = staged
        .iter()
        .map(|s| s.target.parent().unwrap_or(Path::new(".")))
        .collect();
    dirs.dedup();
    for dir in dirs {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    for s in &staged {
        if let Some(b) = &s.backup {
            let _ = fs::remove_file(b);
        }
    }
    Ok(())
}

pub fn run(args: &[String], root: &Path) -> Result<ExitCode, Failure> {
    let args = Args::parse(args, &["no-compile"], &["from", "from-en", "timeout"])?;
    args.max_positionals(0)?;
    let timeout = match args.option("timeout") {
        Some(t) => std::time::Duration::from_secs(
            t.parse()
                .map_err(|_| Failure::Usage(format!("`--timeout {t}`: seconds, a number")))?,
        ),
        None => std::time::Duration::from_secs(1200),
    };
    let compile = (!args.flag("no-compile")).then_some(timeout);
    let sources = Sources {
        zh: args.option("from").unwrap_or(DEFAULT_SOURCE),
        en: args.option("from-en").unwrap_or(DEFAULT_SOURCE_EN),
    };
    eprintln!("fetching {} (Chinese edition)", sources.zh);
    eprintln!("fetching {} (English edition)", sources.en);
    let r = refresh_checked(root, sources, compile)?;
    for v in [&r.zh, &r.en] {
        println!(
            "{}: {} operations, {} component schemas; {}",
            v.edition.file(),
            v.checked.operations,
            v.checked.schemas,
            if v.changed { "updated" } else { "unchanged" }
        );
    }
    print!("{}", r.overlays);
    if r.zh.changed {
        report_changes(r.zh.previous.as_deref(), &r.zh.current);
    }
    print!("{}", editions_summary(&r.zh.current, &r.en.current));
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

/// Where the English edition differs structurally from the Chinese one (texts ignored). The
/// build follows the Chinese edition, so this is a report, never a failure.
fn editions_summary(zh: &[u8], en: &[u8]) -> String {
    let (zh, en) = (
        std::str::from_utf8(zh).unwrap_or_default(),
        std::str::from_utf8(en).unwrap_or_default(),
    );
    let options = diff::Options { ignore_text: true };
    match diff::compare_texts_with(zh, en, SPEC, SPEC_EN, options) {
        Ok(report) => format!(
            "the English edition against the Chinese one, structure only (the build follows \
             the Chinese edition):\n{}full report: cargo xtask diff-spec {SPEC} {SPEC_EN} --ignore-text\n",
            diff::render::summary(&report)
        ),
        Err(e) => format!("cannot compare the editions: {e}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    /// A throwaway workspace root holding both editions under `openapi/` (read-only, like the
    /// real ones), and a directory for sources.
    struct Root(PathBuf);

    impl Root {
        fn new(tag: &str, zh: &[u8], en: &[u8]) -> Root {
            let dir =
                std::env::temp_dir().join(format!("xtask-refresh-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(dir.join("openapi")).unwrap();
            fs::create_dir_all(dir.join("sources")).unwrap();
            for (file, bytes) in [(SPEC, zh), (SPEC_EN, en)] {
                let path = dir.join(file);
                fs::write(&path, bytes).unwrap();
                fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
            }
            Root(dir)
        }

        /// Both vendored files.
        fn files(&self) -> (Vec<u8>, Vec<u8>) {
            (
                fs::read(self.0.join(SPEC)).unwrap(),
                fs::read(self.0.join(SPEC_EN)).unwrap(),
            )
        }

        /// Writes a source document; returns its path.
        fn source(&self, name: &str, text: &str) -> String {
            let p = self.0.join("sources").join(name);
            fs::write(&p, text).unwrap();
            p.display().to_string()
        }

        /// Files in `openapi/` besides the two editions (left-over temporaries or backups).
        fn strays(&self) -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(self.0.join("openapi"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n != "aitoearn.openapi.json" && n != "aitoearn.openapi.en.json")
                .collect();
            names.sort();
            names
        }

        fn mode(&self, file: &str) -> u32 {
            fs::metadata(self.0.join(file))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        }
    }

    impl Drop for Root {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// The test spec (as "Chinese") and a translation of it: same structure, other texts, and
    /// its own odd formatting (kept byte for byte).
    fn pair() -> (String, String) {
        let zh = fs::read_to_string(fixture("things_v1.json")).unwrap();
        let en = zh
            .replace("\"Get a thing\"", "\"Fetch one thing\"")
            .replace("\"ok\"", "\"OK\"")
            .replace("{\"openapi\"", "{ \"openapi\"");
        assert_ne!(zh, en);
        (zh, en)
    }

    fn sources<'a>(zh: &'a str, en: &'a str) -> Sources<'a> {
        Sources { zh, en }
    }

    #[test]
    fn a_good_pair_is_vendored_byte_for_byte() {
        let root = Root::new("good", b"{\"old\": true}\n", b"{\"old\": \"en\"}\n");
        let (zh, en) = pair();
        let (zh_src, en_src) = (root.source("zh.json", &zh), root.source("en.json", &en));
        let r = refresh(&root.0, sources(&zh_src, &en_src)).unwrap();
        assert!(r.zh.changed && r.en.changed);
        let one = Checked {
            operations: 1,
            schemas: 1,
        };
        assert_eq!((r.zh.checked, r.en.checked), (one, one));
        // Not reformatted: the files are the fetched bytes.
        assert_eq!(
            root.files(),
            (zh.clone().into_bytes(), en.clone().into_bytes())
        );
        assert_eq!(r.zh.previous.as_deref(), Some(&b"{\"old\": true}\n"[..]));
        assert_eq!(r.en.previous.as_deref(), Some(&b"{\"old\": \"en\"}\n"[..]));
        assert_eq!(
            (root.mode(SPEC), root.mode(SPEC_EN)),
            (0o444, 0o444),
            "permissions are kept"
        );
        assert!(root.strays().is_empty(), "{:?}", root.strays());

        // Again, through file:// URLs: nothing to write.
        let (zh_url, en_url) = (format!("file://{zh_src}"), format!("file://{en_src}"));
        let again = refresh(&root.0, sources(&zh_url, &en_url)).unwrap();
        assert!(!again.zh.changed && !again.en.changed);

        // A new translation alone: only the English file is written.
        let en2 = en.replace("Fetch one thing", "Get one thing");
        let en2_src = root.source("en2.json", &en2);
        let third = refresh(&root.0, sources(&zh_src, &en2_src)).unwrap();
        assert!(!third.zh.changed && third.en.changed);
        assert_eq!(root.files(), (zh.into_bytes(), en2.into_bytes()));
        assert!(root.strays().is_empty(), "{:?}", root.strays());
    }

    #[test]
    fn a_failed_refresh_of_either_edition_leaves_both_files_untouched() {
        let (zh, en) = pair();
        let (old_zh, old_en) = (b"{\"old\": \"zh\"}\n", b"{\"old\": \"en\"}\n");
        let root = Root::new("bad", old_zh, old_en);
        let good_zh = root.source("zh.json", &zh);
        let good_en = root.source("en.json", &en);
        let v1: Value = serde_json::from_str(&zh).unwrap();
        let mut v31 = v1.clone();
        v31["openapi"] = "3.1.0".into();
        let mut clash = v1.clone();
        clash["paths"]["/api/v2/other"] = serde_json::json!({ "get": { "operationId": "ThingsController_get", "responses": {} } });
        // Documents no edition may be, and why.
        let bad = [
            (
                root.source("truncated.json", "{\"openapi\": \"3.0.1\", "),
                "not JSON",
            ),
            (root.source("yaml.json", "openapi: 3.0.1\n"), "not JSON"),
            (root.source("v31.json", &v31.to_string()), "OpenAPI 3.1.0"),
            (root.source("noversion.json", "{}"), "no `openapi` version"),
            (
                root.source("notopenapi.json", "{\"openapi\": \"3.0.1\"}"),
                "not an OpenAPI 3.0 document",
            ),
            (
                root.0.join("sources/missing.json").display().to_string(),
                "cannot read",
            ),
            ("http://127.0.0.1:9/spec.json".to_string(), "curl"),
        ];
        let mut cases = Vec::new();
        for (source, needle) in &bad {
            cases.push((
                source.clone(),
                good_en.clone(),
                "the Chinese edition",
                *needle,
            ));
            cases.push((
                good_zh.clone(),
                source.clone(),
                "the English edition",
                *needle,
            ));
        }
        // Each edition valid, but the Chinese one (the structure) is not one the generator takes.
        cases.push((
            root.source("clash.json", &clash.to_string()),
            good_en.clone(),
            "the pair of editions",
            "the generator rejects it",
        ));
        for (zh_src, en_src, which, needle) in cases {
            let err = refresh(&root.0, sources(&zh_src, &en_src)).unwrap_err();
            assert!(
                err.contains(needle) && err.contains(which),
                "{zh_src} + {en_src}: {err}"
            );
            assert!(
                err.contains(&format!("{SPEC} and {SPEC_EN} are unchanged")),
                "{err}"
            );
            assert_eq!(
                root.files(),
                (old_zh.to_vec(), old_en.to_vec()),
                "{zh_src} + {en_src} changed a vendored file"
            );
            assert!(
                root.strays().is_empty(),
                "{zh_src} + {en_src}: {:?}",
                root.strays()
            );
        }
    }

    #[test]
    fn a_vendored_file_that_cannot_be_read_stops_the_refresh_before_any_write() {
        let (zh, en) = pair();
        let root = Root::new("unreadable", b"old zh", b"old en");
        let (zh_src, en_src) = (root.source("zh.json", &zh), root.source("en.json", &en));
        // The English file's place is taken by a directory: it cannot be read, so nothing is
        // written, not even the Chinese edition.
        let en_path = root.0.join(SPEC_EN);
        fs::remove_file(&en_path).unwrap();
        fs::create_dir_all(en_path.join("child")).unwrap();
        let err = refresh(&root.0, sources(&zh_src, &en_src)).unwrap_err();
        assert!(
            err.contains("cannot read") && err.contains("are unchanged"),
            "{err}"
        );
        assert_eq!(fs::read(root.0.join(SPEC)).unwrap(), b"old zh");
        assert!(root.strays().is_empty(), "{:?}", root.strays());
    }

    #[test]
    fn a_failed_second_rename_restores_the_first_file() {
        let root = Root::new("rollback", b"old zh", b"old en");
        let zh = root.0.join(SPEC);
        // The second target is a non-empty directory: its temporary file is written, the first
        // file is replaced, then the second rename fails and the first is put back.
        let blocked = root.0.join("openapi/dir");
        fs::create_dir_all(blocked.join("child")).unwrap();
        let err = replace_all(&[(&zh, b"new zh"), (&blocked, b"new en")]).unwrap_err();
        assert!(
            err.to_string()
                .contains("the files already replaced were restored"),
            "{err}"
        );
        assert_eq!(fs::read(&zh).unwrap(), b"old zh");
        assert_eq!(root.mode(SPEC), 0o444);
        assert_eq!(
            root.strays(),
            ["dir"],
            "no temporary file or backup is left"
        );

        // A first target that did not exist is removed again.
        let fresh = root.0.join("openapi/fresh.json");
        assert!(replace_all(&[(&fresh, b"x"), (&blocked, b"y")]).is_err());
        assert!(!fresh.exists());
        assert_eq!(root.strays(), ["dir"]);

        // Without the obstacle, both are replaced and nothing is left behind.
        let en = root.0.join(SPEC_EN);
        replace_all(&[(&zh, b"new zh"), (&en, b"new en")]).unwrap();
        assert_eq!(root.files(), (b"new zh".to_vec(), b"new en".to_vec()));
        assert_eq!((root.mode(SPEC), root.mode(SPEC_EN)), (0o444, 0o444));
        assert_eq!(root.strays(), ["dir"]);
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
    fn the_editions_summary_ignores_texts() {
        let (zh, en) = pair();
        let text = editions_summary(zh.as_bytes(), en.as_bytes());
        assert!(
            text.contains("no changes to operations or schemas"),
            "{text}"
        );
        assert!(text.contains("--ignore-text"), "{text}");
        // A structural divergence is reported once, where it is written: here inside the
        // component schema the operation uses.
        let v2 = fs::read(fixture("things_v2.json")).unwrap();
        let text = editions_summary(zh.as_bytes(), &v2);
        assert!(
            text.contains(
                "  operations: 0 changed, 0 added, 0 removed\n  \
                 component schemas: 1 changed, 0 added, 0 removed\n    - Thing (2 differences)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn overlays_are_reapplied_and_retire_themselves() {
        let (zh, en) = pair();
        let root = Root::new("overlays", b"old zh", b"old en");
        let (zh_src, en_src) = (root.source("zh.json", &zh), root.source("en.json", &en));
        let dir = root.0.join(crate::util::OVERLAYS);
        fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, summary: &str, path: &str| {
            fs::write(
                dir.join(name),
                format!(
                    "overlay: 1.0.0\ninfo: {{ title: t, version: '1' }}\nactions:\n  - target: \"$.paths['{path}'].get\"\n    update: {{ summary: {summary} }}\n"
                ),
            )
            .unwrap();
        };
        // One overlay the upstream caught up with, one still needed.
        write("0001-caught-up.yaml", "Get a thing", "/api/v2/things/{id}");
        write("0002-needed.yaml", "Fetch", "/api/v2/things/{id}");
        let r = refresh(&root.0, sources(&zh_src, &en_src)).unwrap();
        assert!(
            r.overlays.contains("0001-caught-up.yaml:\n  action 0 (")
                && r.overlays.contains("now a no-op")
                && r.overlays.contains("delete "),
            "{}",
            r.overlays
        );
        let needed = &r.overlays[r.overlays.find("0002-needed.yaml:").unwrap()..];
        assert!(
            needed.contains("still needed") && !needed.contains("delete"),
            "{needed}"
        );
        // A target gone: nothing is vendored.
        let before = root.files();
        write("0003-gone.yaml", "X", "/api/v2/gone");
        let err = refresh(&root.0, sources(&zh_src, &en_src)).unwrap_err();
        assert!(
            err.contains("0003-gone.yaml: action 0") && err.contains("selects nothing"),
            "{err}"
        );
        assert!(err.contains("are unchanged"), "{err}");
        assert_eq!(root.files(), before);
    }

    #[test]
    fn atomic_writes_replace_and_clean_up() {
        let root = Root::new("atomic", b"old", b"old en");
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
