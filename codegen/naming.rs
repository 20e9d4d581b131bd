//! The one rule that turns an OpenAPI operation into a Rust method name.
//!
//! `<resource>_<action>`, snake_case, where
//! - *resource* is the controller part of the operationId (`AccountGroupsController` →
//!   `account_groups`), without the words `Controller` and `Http`;
//! - *action* is the handler part (`list`, `startAuth`, `getById`) with the resource's head
//!   noun removed where it repeats (`AuthController_startAuth` → `auth_start`,
//!   `PublishTaskController_retryTask` → `publish_task_retry`);
//! - the version suffix `_v2`, which marks the current generation of the channel API, is
//!   dropped; any other version suffix is kept (`_v3` → `…_v3`), so a future v3 operation
//!   cannot take a v2 operation's name.
//!
//! The name is a function of the operation alone: adding operations to the spec renames none
//! of the existing ones. The generator rejects a spec in which two operations map to one name.
//! An operationId without a `…Controller_` part falls back to the snake_case of the whole id;
//! an operation without an operationId is named from its method and path.

/// The Rust method name of an operation.
pub fn method_name(operation_id: Option<&str>, http_method: &str, path: &str) -> String {
    match operation_id {
        Some(id) if !id.trim().is_empty() => from_operation_id(id),
        _ => from_method_and_path(http_method, path),
    }
}

/// The Rust type name of a component or property name: `PascalCase` of its [`words`]
/// (`OpenAIVideoResponseVo` → `OpenAiVideoResponseVo`, `publish-options` → `PublishOptions`).
/// How typify names a component's type, and the part a property adds to the name of the inline
/// type under it. The one rule: emit, diff-spec and the adaptations that predict a type's name
/// all call this.
pub fn type_name(name: &str) -> String {
    type_stem(&words(name).join("_"))
}

/// The Rust type typify generates for a component, from a `$ref` to it: its [`type_name`]. A pointer into a schema names the component the `hoist_pointer_refs` adaptation makes
/// of it: `#/components/schemas/PlatformMetadataVo/properties/mediaRules/properties/aspectRatio`
/// → `PlatformMetadataVoMediaRulesAspectRatio`.
pub fn pointer_type_name(pointer: &str) -> String {
    pointer
        .trim_start_matches("#/components/schemas/")
        .split('/')
        .filter(|s| !matches!(*s, "properties" | "items" | "additionalProperties"))
        .map(type_name)
        .collect()
}

/// `PascalCase` of a snake_case method name, used as the stem of its Rust type names.
pub fn type_stem(method_name: &str) -> String {
    method_name
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn from_operation_id(id: &str) -> String {
    let (stem, version) = split_version(id);
    let name = match stem.split_once('_') {
        Some((controller, action)) if controller.ends_with("Controller") => {
            let resource: Vec<String> = words(controller)
                .into_iter()
                .filter(|w| w != "controller" && w != "http")
                .collect();
            let head = resource.last().map(|w| singular(w)).unwrap_or_default();
            let mut action: Vec<String> = words(action)
                .into_iter()
                .filter(|w| singular(w) != head)
                .collect();
            let mut all = resource;
            all.append(&mut action);
            all.join("_")
        }
        _ => words(stem).join("_"),
    };
    let name = match version {
        Some(v) if v != "2" => format!("{name}_v{v}"),
        _ => name,
    };
    escape_keyword(name)
}

fn from_method_and_path(http_method: &str, path: &str) -> String {
    let mut parts = vec![http_method.to_ascii_lowercase()];
    for seg in path.split('/').filter(|s| !s.is_empty() && *s != "api") {
        if seg.starts_with('{') {
            parts.push("by".into());
        }
        parts.extend(words(seg));
    }
    escape_keyword(parts.join("_"))
}

/// `Foo_bar_v2` → (`Foo_bar`, Some("2")).
fn split_version(id: &str) -> (&str, Option<&str>) {
    match id.rsplit_once("_v") {
        Some((stem, tail)) if !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit()) => {
            return (stem, Some(tail));
        }
        _ => {}
    }
    (id, None)
}

/// Lower-case words of an identifier in camelCase, PascalCase, snake_case or kebab-case.
/// Acronyms stay together (`getByID` → get, by, id; `OpenAIVideo` → open, ai, video).
pub fn words(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn singular(w: &str) -> String {
    w.strip_suffix('s')
        .filter(|s| !s.is_empty())
        .unwrap_or(w)
        .to_string()
}

fn escape_keyword(name: String) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
        "type", "unsafe", "use", "where", "while", "gen", "try",
    ];
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("op_{name}")
    } else {
        name
    };
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(id: &str) -> String {
        method_name(Some(id), "get", "/")
    }

    #[test]
    fn resource_then_action() {
        assert_eq!(n("AccountsController_list_v2"), "accounts_list");
        assert_eq!(n("AccountGroupsController_list_v2"), "account_groups_list");
        assert_eq!(n("AccountsController_getById_v2"), "accounts_get_by_id");
        assert_eq!(
            n("AssetsHttpController_createUploadSign"),
            "assets_create_upload_sign"
        );
    }

    #[test]
    fn repeated_head_noun_is_dropped() {
        assert_eq!(n("AuthController_startAuth_v2"), "auth_start");
        assert_eq!(n("AuthController_getAuthStatus_v2"), "auth_get_status");
        assert_eq!(
            n("PublishTaskController_retryTask_v2"),
            "publish_task_retry"
        );
        assert_eq!(
            n("PublishRecordController_listRecords_v2"),
            "publish_record_list"
        );
        assert_eq!(n("VideoController_videoGeneration"), "video_generation");
        assert_eq!(
            n("VolcengineVideoController_videoGeneration"),
            "volcengine_video_generation"
        );
    }

    #[test]
    fn only_v2_suffix_is_dropped() {
        assert_eq!(n("AccountsController_list_v3"), "accounts_list_v3");
        assert_eq!(n("AccountsController_list_v1"), "accounts_list_v1");
        assert_ne!(
            n("AccountsController_list_v3"),
            n("AccountsController_list_v2")
        );
    }

    #[test]
    fn fallbacks() {
        assert_eq!(n("getThings"), "get_things");
        assert_eq!(
            method_name(None, "GET", "/api/v2/things/{id}"),
            "get_v2_things_by_id"
        );
        assert_eq!(n("TypeController_"), "type_");
        assert_eq!(n("Self"), "self_");
    }

    #[test]
    fn words_split_acronyms_and_separators() {
        assert_eq!(
            words("OpenAIVideoResponseVo"),
            ["open", "ai", "video", "response", "vo"]
        );
        assert_eq!(words("publish-options"), ["publish", "options"]);
        assert_eq!(words("getByID"), ["get", "by", "id"]);
    }

    #[test]
    fn type_stems() {
        assert_eq!(type_stem("auth_start"), "AuthStart");
        assert_eq!(type_stem("accounts_list_v3"), "AccountsListV3");
        assert_eq!(type_name("OpenAIVideoResponseVo"), "OpenAiVideoResponseVo");
        assert_eq!(type_name("publish-options"), "PublishOptions");
        assert_eq!(type_name("listVo"), "ListVo");
        assert_eq!(
            pointer_type_name("#/components/schemas/A/properties/b_c/items"),
            "ABC"
        );
    }
}
