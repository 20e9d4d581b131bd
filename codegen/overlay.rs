//! OpenAPI Overlays (OAI Overlay Specification 1.0.0): small documents of actions that bring the
//! vendored spec to where it should be, without editing the vendored file.
//!
//! `openapi/overlays/*.yaml` are applied in file-name order to the in-memory spec, before the
//! English texts are merged and before the adaptations, by build.rs and by every xtask command
//! that reads the spec, so all of them see one effective spec.
//!
//! Each action has a JSONPath `target` (RFC 9535, `jsonpath.rs`) and either
//! `remove: true` or an `update`:
//!
//! - `remove: true` removes every selected node from the object or array holding it;
//! - an `update` on a selected **object** is merged into it: for each property of the update,
//!   an object value is merged recursively into an object of the same name; any other value
//!   (string, number, array, …) replaces the property, or is added when absent;
//! - an `update` on a selected **array** is appended to it (an array update appends each of its
//!   entries).
//!
//! An action whose target selects nothing is an error (an overlay that no longer fits the spec
//! must not be skipped silently), as is a target that selects a string, number or `null`.

use crate::jsonpath::JsonPath;
use serde_json::{Map, Value};

/// One action of an overlay.
#[derive(Debug, Clone)]
pub struct Action {
    /// The JSONPath expression, as written.
    pub target: String,
    /// What the action says it does.
    pub description: String,
    /// `Some(value)` to merge or append; `None` with [`Action::remove`].
    pub update: Option<Value>,
    /// Remove the selected nodes.
    pub remove: bool,
    path: JsonPath,
}

/// A parsed overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// Where it came from (a file name), for messages.
    pub file: String,
    /// `info.title`.
    pub title: String,
    /// The actions, in order.
    pub actions: Vec<Action>,
}

/// What one action did to the spec it was applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The spec changed.
    Changed,
    /// The target matched but the spec was already as the action makes it.
    NoOp,
}

/// What applying one overlay did, per action.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The overlay's file.
    pub file: String,
    /// One effect per action, in order.
    pub effects: Vec<Effect>,
    /// The spec as a whole did not change (the overlay can be deleted).
    pub whole_noop: bool,
}

fn located(file: &str, index: usize, target: &str) -> String {
    format!("{file}: action {index} (target `{target}`)")
}

/// Parses an overlay document (YAML, which includes JSON). `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Overlay, String> {
    let doc: Value = serde_yaml::from_str(text)
        .map_err(|e| format!("{file}: not a YAML overlay document: {e}"))?;
    let version = doc.get("overlay").and_then(Value::as_str).ok_or_else(|| {
        format!("{file}: no `overlay` version field (an Overlay 1.0.0 document starts with `overlay: 1.0.0`)")
    })?;
    if !version.starts_with("1.0.") {
        return Err(format!(
            "{file}: Overlay {version} is not supported; write `overlay: 1.0.0`"
        ));
    }
    let title = doc
        .pointer("/info/title")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{file}: `info.title` is missing"))?
        .to_string();
    if doc
        .pointer("/info/version")
        .and_then(Value::as_str)
        .is_none()
    {
        return Err(format!("{file}: `info.version` is missing"));
    }
    let raw_actions = doc
        .get("actions")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("{file}: `actions` must be a non-empty list"))?;
    let mut actions = Vec::new();
    for (index, raw) in raw_actions.iter().enumerate() {
        let target = raw
            .get("target")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{file}: action {index} has no `target` string"))?
            .to_string();
        let path = JsonPath::parse(&target).map_err(|e| {
            format!(
                "{}: not an RFC 9535 JSONPath expression: {e}",
                located(file, index, &target)
            )
        })?;
        let remove = match raw.get("remove") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(format!(
                    "{}: `remove` must be true or false",
                    located(file, index, &target)
                ));
            }
        };
        let update = raw.get("update").cloned();
        if !remove && update.is_none() {
            return Err(format!(
                "{}: the action has neither `update` nor `remove: true`",
                located(file, index, &target)
            ));
        }
        actions.push(Action {
            description: raw
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            update: if remove { None } else { update },
            remove,
            target,
            path,
        });
    }
    Ok(Overlay {
        file: file.to_string(),
        title,
        actions,
    })
}

/// Reads and parses every `*.yaml` / `*.yml` file of `dir`, in file-name order. A missing
/// directory holds no overlays.
pub fn load_dir(dir: &std::path::Path) -> Result<Vec<Overlay>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("reading {}: {e}", dir.display())),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml");
        if is_yaml && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            parse(&path.display().to_string(), &text)
        })
        .collect()
}

/// Applies `overlays` in order to `spec`; returns what each action did. Fails on the first
/// action whose target selects nothing (or selects a value that is not an object or array).
pub fn apply_all(spec: &mut Value, overlays: &[Overlay]) -> Result<Vec<Applied>, String> {
    overlays.iter().map(|o| apply(spec, o)).collect()
}

/// Applies one overlay to `spec`.
pub fn apply(spec: &mut Value, overlay: &Overlay) -> Result<Applied, String> {
    // One snapshot per overlay (not per action: the spec is large, and build scripts run
    // unoptimised), to tell whether the overlay as a whole still changes anything.
    let before_all = spec.clone();
    let mut effects = Vec::new();
    for (index, action) in overlay.actions.iter().enumerate() {
        let effect = apply_action(spec, action)
            .map_err(|e| format!("{}: {e}", located(&overlay.file, index, &action.target)))?;
        effects.push(effect);
    }
    let whole_noop = effects.iter().all(|e| *e == Effect::NoOp) || *spec == before_all;
    Ok(Applied {
        file: overlay.file.clone(),
        effects,
        whole_noop,
    })
}

/// Applies one action; says whether it changed the nodes it selected.
fn apply_action(spec: &mut Value, action: &Action) -> Result<Effect, String> {
    // An RFC 9535 nodelist may name one node more than once (`$['a','a']`, a descendant
    // segment under a filter); each node is acted on once, or a removal would take a second,
    // unselected array entry and an array update would append twice.
    let mut seen = std::collections::HashSet::new();
    let pointers: Vec<String> = action
        .path
        .locate(spec)
        .into_iter()
        .filter(|p| seen.insert(p.clone()))
        .collect();
    if pointers.is_empty() {
        return Err(
            "the target selects nothing in the spec (the spec changed under the overlay: \
             rewrite the action, or delete it if the spec now says what it said)"
                .into(),
        );
    }
    for p in &pointers {
        match spec.pointer(p) {
            Some(Value::Object(_) | Value::Array(_)) => {}
            Some(other) => {
                return Err(format!(
                    "the target selects `{p}`, a {}; Overlay targets must select objects or arrays \
                     (target the object holding it)",
                    kind(other)
                ));
            }
            None => return Err(format!("the target's node `{p}` vanished")),
        }
    }
    if action.remove {
        // Last first (array indices compared as numbers, children after their parents in
        // document order), so the pointers still to remove stay valid.
        let mut ordered = pointers;
        ordered.sort_by(|a, b| pointer_order(b, a));
        for p in ordered {
            remove_at(spec, &p)?;
        }
        return Ok(Effect::Changed);
    }
    let update = action.update.as_ref().ok_or("no update")?;
    let mut effect = Effect::NoOp;
    for p in &pointers {
        let Some(node) = spec.pointer_mut(p) else {
            continue;
        };
        let before = node.clone();
        match node {
            Value::Object(target) => {
                let Value::Object(update) = update else {
                    return Err(format!(
                        "the target `{p}` is an object, so the update must be an object, not a {}",
                        kind(update)
                    ));
                };
                merge_into(target, update);
            }
            Value::Array(items) => match update {
                Value::Array(entries) => items.extend(entries.iter().cloned()),
                entry => items.push(entry.clone()),
            },
            _ => {}
        }
        if *node != before {
            effect = Effect::Changed;
        }
    }
    Ok(effect)
}

/// Objects merged recursively; every other value replaces (or adds) the property.
pub fn merge_into(target: &mut Map<String, Value>, update: &Map<String, Value>) {
    for (key, value) in update {
        match (target.get_mut(key), value) {
            (Some(Value::Object(t)), Value::Object(u)) => merge_into(t, u),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

fn pointer_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a.split('/'), b.split('/'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<usize>(), y.parse::<usize>()) {
                    (Ok(i), Ok(j)) => i.cmp(&j),
                    _ => x.cmp(y),
                };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

fn remove_at(spec: &mut Value, pointer: &str) -> Result<(), String> {
    let (parent, last) = pointer
        .rsplit_once('/')
        .ok_or("the target selects the whole document, which cannot be removed")?;
    let key = last.replace("~1", "/").replace("~0", "~");
    match spec.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.remove(&key);
            Ok(())
        }
        Some(Value::Array(a)) => {
            let i: usize = key
                .parse()
                .map_err(|_| format!("`{pointer}` is not an array index"))?;
            if i < a.len() {
                a.remove(i);
            }
            Ok(())
        }
        _ => Err(format!("the parent of `{pointer}` is gone")),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A JSONPath member selector for `name`: `.name` for plain names, `['na/me']` otherwise.
pub fn member(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!(".{name}")
    } else {
        format!("[{}]", quoted(name))
    }
}

/// `'text'` as an RFC 9535 string literal.
pub fn quoted(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: &str) -> Overlay {
        parse(
            "t.yaml",
            &format!("overlay: 1.0.0\ninfo: {{ title: t, version: '1' }}\nactions:\n{actions}"),
        )
        .unwrap()
    }

    #[test]
    fn update_merges_objects_replaces_values_appends_to_arrays() {
        let mut spec = json!({ "paths": { "/a/{p}": { "get": {
            "summary": "old", "tags": ["x"],
            "parameters": [{ "name": "p", "in": "path", "schema": { "type": "string", "enum": ["a"] } }]
        } } } });
        let o = overlay(
            "  - target: \"$.paths['/a/{p}'].get\"\n    update: { summary: new, tags: [y], deprecated: true }\n\
             \x20 - target: \"$.paths['/a/{p}'].get.parameters[?@.name == 'p'].schema\"\n    update: { format: uri }\n\
             \x20 - target: \"$.paths['/a/{p}'].get.parameters\"\n    update: { name: q, in: query }\n\
             \x20 - target: \"$.paths['/a/{p}'].get.parameters[?@.name == 'p'].schema.enum\"\n    remove: true\n",
        );
        let applied = apply(&mut spec, &o).unwrap();
        assert_eq!(applied.effects, vec![Effect::Changed; 4]);
        let op = &spec["paths"]["/a/{p}"]["get"];
        assert_eq!(op["summary"], "new");
        assert_eq!(op["tags"], json!(["y"]), "arrays in an update replace");
        assert_eq!(op["deprecated"], true);
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({ "type": "string", "format": "uri" })
        );
        assert_eq!(op["parameters"][1], json!({ "name": "q", "in": "query" }));
        // Again: updates change nothing the second time, the removal's target is gone.
        let o2 = overlay("  - target: \"$.paths['/a/{p}'].get\"\n    update: { summary: new }\n");
        let again = apply(&mut spec, &o2).unwrap();
        assert_eq!(again.effects, [Effect::NoOp]);
        assert!(again.whole_noop);
        let err = apply(&mut spec, &o).unwrap_err();
        assert!(
            err.contains("t.yaml: action 2") || err.contains("t.yaml: action 3"),
            "{err}"
        );
    }

    #[test]
    fn errors_name_file_action_and_target() {
        let mut spec = json!({ "paths": {} });
        let o = overlay("  - target: $.info\n    update: { title: x }\n");
        let err = apply(&mut spec, &o).unwrap_err();
        assert!(
            err.contains("t.yaml: action 0 (target `$.info`)") && err.contains("selects nothing"),
            "{err}"
        );
        let mut spec = json!({ "info": { "title": "a" } });
        let o = overlay("  - target: $.info.title\n    update: { x: 1 }\n");
        assert!(apply(&mut spec, &o).unwrap_err().contains("a string"));
        for (text, needle) in [
            ("overlay: [", "not a YAML overlay"),
            ("info: {}", "no `overlay` version"),
            ("overlay: 2.0.0", "not supported"),
            (
                "overlay: 1.0.0\ninfo: { title: t, version: '1' }\nactions: []",
                "non-empty",
            ),
            (
                "overlay: 1.0.0\ninfo: { title: t, version: '1' }\nactions: [{ target: '$[' , remove: true }]",
                "action 0 (target `$[`): not an RFC 9535",
            ),
            (
                "overlay: 1.0.0\ninfo: { title: t, version: '1' }\nactions: [{ target: '$.a' }]",
                "neither `update` nor `remove: true`",
            ),
        ] {
            let err = parse("bad.yaml", text).unwrap_err();
            assert!(
                err.starts_with("bad.yaml: ") && err.contains(needle),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn removing_several_array_entries() {
        let items: Vec<Value> = (0..12).map(|n| json!({ "n": n })).collect();
        let mut spec = json!({ "a": items });
        let o = overlay("  - target: $.a[?@.n > 8 || @.n == 1]\n    remove: true\n");
        apply(&mut spec, &o).unwrap();
        let left: Vec<i64> = spec["a"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["n"].as_i64().unwrap())
            .collect();
        assert_eq!(left, [0, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn a_node_selected_twice_is_acted_on_once() {
        let mut spec = json!({ "a": [{ "n": 0 }, { "n": 1 }, { "n": 2 }], "b": { "l": [] } });
        let o = overlay(
            "  - target: \"$.a[1,1,-2]\"\n    remove: true\n\
             \x20 - target: \"$.b['l','l']\"\n    update: [x]\n",
        );
        apply(&mut spec, &o).unwrap();
        assert_eq!(
            spec,
            json!({ "a": [{ "n": 0 }, { "n": 2 }], "b": { "l": ["x"] } })
        );
    }

    #[test]
    fn match_and_search_functions_take_regular_expressions() {
        let mut spec =
            json!({ "tags": [{ "name": "ai-video" }, { "name": "relay" }, { "name": "ai" }] });
        let o = overlay(
            "  - target: \"$.tags[?match(@.name, 'ai')]\"\n    update: { exact: true }\n\
             \x20 - target: \"$.tags[?search(@.name, 'vid')]\"\n    update: { video: true }\n",
        );
        apply(&mut spec, &o).unwrap();
        assert_eq!(
            spec["tags"],
            json!([
                { "name": "ai-video", "video": true },
                { "name": "relay" },
                { "name": "ai", "exact": true }
            ])
        );
    }

    #[test]
    fn selectors_quote_what_needs_quoting() {
        assert_eq!(member("get"), ".get");
        assert_eq!(member("/a/{p}"), "['/a/{p}']");
        assert_eq!(member("it's"), "['it\\'s']");
        let path = format!("${}{}", member("/a/{p}"), member("en-US"));
        let v = json!({ "/a/{p}": { "en-US": {} } });
        assert_eq!(JsonPath::parse(&path).unwrap().query(&v), vec![&json!({})]);
    }
}
