//! English texts from the English edition of the spec, merged into the Chinese edition (the
//! structural source of truth) so generated docs read English first and keep the Chinese.
//!
//! Texts are matched by JSON pointer: the English edition is a translation of the same
//! document. Where the editions diverge structurally, a pointer simply finds nothing (or
//! something that is not text) and the Chinese text stays alone. Structure, types and names
//! never come from the English edition.

use serde_json::{Map, Value, json};

use super::refs::escape;
use super::spec_walk::each_operation_mut;

/// Separates the English text from the Chinese one in merged descriptions.
pub const SEPARATOR: &str = "\n\n";

/// Merges `en` into `zh`; returns how many texts gained an English version.
///
/// - Schema and parameter `description`s become `"{en}\n\n{zh}"`.
/// - Each operation gets `x-aitoearn-en: {summary, description, tags}` and keeps its own
///   `summary`/`description` (the facade lays both out).
/// - Each top-level tag gets `x-aitoearn-en-name`.
pub fn merge(zh: &mut Value, en: &Value) -> usize {
    merge_unless_changed(zh, en, None)
}

/// [`merge`], but a text of `zh` that differs from the same place of `original` (the published
/// Chinese edition, before overlays) keeps no English: the English edition translates the
/// published text, not the overlay's.
pub fn merge_unless_changed(zh: &mut Value, en: &Value, original: Option<&Value>) -> usize {
    let mut count = 0;
    let unchanged = |pointer: &str, text: Option<&str>| {
        original.is_none_or(|o| o.pointer(pointer).and_then(Value::as_str) == text)
    };
    // Operations first, before their descriptions are touched below.
    each_operation_mut(zh, |method, path, op| {
        let Some(en_op) = en
            .get("paths")
            .and_then(|p| p.get(path))
            .and_then(|i| i.get(method))
        else {
            return;
        };
        let text = |k: &str| en_op.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut texts = Map::new();
        for key in ["summary", "description"] {
            let pointer = format!("/paths/{}/{method}/{key}", escape(path));
            if !unchanged(&pointer, op.get(key).and_then(Value::as_str)) {
                continue;
            }
            if let Some(t) = text(key).filter(|t| !t.trim().is_empty()) {
                texts.insert(key.into(), json!(t));
                count += 1;
            }
        }
        if let Some(tags) = en_op.get("tags") {
            texts.insert("tags".into(), tags.clone());
        }
        op.insert("x-aitoearn-en".into(), Value::Object(texts));
    });
    if let Some(tags) = zh.get_mut("tags").and_then(Value::as_array_mut) {
        for (i, tag) in tags.iter_mut().enumerate() {
            if let Some(name) = en
                .pointer(&format!("/tags/{i}/name"))
                .and_then(Value::as_str)
            {
                if let Some(t) = tag.as_object_mut() {
                    t.insert("x-aitoearn-en-name".into(), json!(name));
                }
            }
        }
    }
    merge_descriptions(zh, en, original, &mut String::new(), 0, &mut count);
    count += merge_error_messages(zh, en);
    count
}

/// Site-relative links of the docs site (`](/en/api-reference/…)`) in every `description` and
/// `title` made absolute, so they work in rustdoc pages too. Returns how many texts changed.
pub fn absolute_links(v: &mut Value) -> usize {
    match v {
        Value::Object(m) => m
            .iter_mut()
            .map(|(k, child)| match child {
                Value::String(text)
                    if (k == "description" || k == "title") && text.contains("](/") =>
                {
                    *text = text.replace("](/", "](https://docs.aitoearn.ai/");
                    1
                }
                _ => absolute_links(child),
            })
            .sum(),
        Value::Array(a) => a.iter_mut().map(absolute_links).sum(),
        _ => 0,
    }
}

/// Inline schemas without a `description` or `title` take their context's text, so the types
/// typify generates for them say what they are instead of only their name: a parameter's
/// schema its parameter's description, an array's `items` its array's, a property's schema
/// (an inline enum, say) nothing new (it has its own). Returns how many schemas gained a text.
pub fn describe_inline_schemas(v: &mut Value) -> usize {
    fn undescribed(s: &Value) -> bool {
        s.is_object()
            && s.get("$ref").is_none()
            && s.get("description").is_none()
            && s.get("title").is_none()
    }
    let mut n = 0;
    match v {
        Value::Object(m) => {
            let text = m
                .get("description")
                .and_then(Value::as_str)
                .filter(|d| !d.trim().is_empty())
                .map(str::to_owned);
            if let Some(text) = text {
                // A parameter: `{name, in, description, schema}`.
                if m.contains_key("in") && m.contains_key("name") {
                    if let Some(schema) = m.get_mut("schema").filter(|s| undescribed(s)) {
                        schema["description"] = json!(text);
                        n += 1;
                    }
                }
                // An array: its items.
                if m.get("type").and_then(Value::as_str) == Some("array") {
                    if let Some(items) = m.get_mut("items").filter(|s| undescribed(s)) {
                        items["description"] = json!(format!("One item of: {text}"));
                        n += 1;
                    }
                }
            }
            for (k, child) in m.iter_mut() {
                if !matches!(
                    k.as_str(),
                    "example" | "examples" | "default" | "enum" | "const"
                ) {
                    n += describe_inline_schemas(child);
                }
            }
        }
        Value::Array(a) => n += a.iter_mut().map(describe_inline_schemas).sum::<usize>(),
        _ => {}
    }
    n
}

/// Where [`merge`] puts the English edition's error messages: `{"<code>": "<message>"}`.
pub const ERROR_MESSAGES: &str = "x-aitoearn-en-error-messages";

/// The English edition's message for each business error code, at the root of `zh` under
/// [`ERROR_MESSAGES`]: from `x-aitoearn-backend.responseCodes` first, then from the error
/// examples (any object with a non-zero integer `code` and a string `message`), as the
/// facade's `ErrorCode` reads the Chinese ones. Returns how many codes gained a message.
fn merge_error_messages(zh: &mut Value, en: &Value) -> usize {
    fn walk(v: &Value, codes_only: bool, out: &mut Map<String, Value>) {
        match v {
            Value::Object(m) => {
                let code = m.get("code").and_then(Value::as_i64);
                let message = m.get("message").and_then(Value::as_str);
                if let (Some(code), Some(message)) = (code, message) {
                    if code != 0 && (!codes_only || m.contains_key("name")) {
                        out.entry(code.to_string()).or_insert(json!(message));
                    }
                }
                m.values().for_each(|v| walk(v, codes_only, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, codes_only, out)),
            _ => {}
        }
    }
    let mut out = Map::new();
    walk(en, true, &mut out);
    walk(en, false, &mut out);
    let n = out.len();
    if let Some(root) = zh.as_object_mut() {
        root.insert(ERROR_MESSAGES.into(), Value::Object(out));
    }
    n
}

fn merge_descriptions(
    v: &mut Value,
    en: &Value,
    original: Option<&Value>,
    pointer: &mut String,
    depth: usize,
    count: &mut usize,
) {
    match v {
        Value::Object(m) => {
            for (key, child) in m.iter_mut() {
                // Values, not texts: never translate inside them.
                if matches!(
                    key.as_str(),
                    "example" | "examples" | "default" | "enum" | "const"
                ) {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                let is_operation_text =
                    depth == 3 && pointer.starts_with("/paths/") && key == "description";
                match child {
                    Value::String(zh_text) if key == "description" && !is_operation_text => {
                        let changed = original.is_some_and(|o| {
                            o.pointer(pointer).and_then(Value::as_str) != Some(zh_text.as_str())
                        });
                        if changed {
                            // An overlay's text: the English edition translates another one.
                        } else if let Some(en_text) = en.pointer(pointer).and_then(Value::as_str) {
                            if !en_text.trim().is_empty() && en_text.trim() != zh_text.trim() {
                                *zh_text = format!("{en_text}{SEPARATOR}{zh_text}");
                                *count += 1;
                            }
                        }
                    }
                    _ => merge_descriptions(child, en, original, pointer, depth + 1, count),
                }
                pointer.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                merge_descriptions(child, en, original, pointer, depth + 1, count);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_first_chinese_kept_structure_untouched() {
        let mut zh = json!({
            "tags": [{ "name": "渠道管理/授权" }],
            "paths": { "/a/{p}": { "get": {
                "summary": "开始平台授权", "description": "接口说明", "tags": ["渠道管理/授权"],
                "parameters": [{ "name": "p", "description": "平台", "schema": { "type": "string", "enum": ["douyin"] } }],
                "responses": { "200": { "description": "成功", "content": { "application/json": {
                    "example": { "description": "不翻译" } } } } }
            } } },
            "components": { "schemas": {
                "A": { "type": "object", "description": "账号", "properties": {
                    "x/y": { "type": "string", "description": "斜杠" },
                    "same": { "type": "string", "description": "URL" },
                    "onlyZh": { "type": "string", "description": "仅中文" } } } } }
        });
        let en = json!({
            "tags": [{ "name": "Channel Management/Authorization" }],
            "paths": { "/a/{p}": { "get": {
                "summary": "Start Platform Authorization", "description": "Interface description",
                "tags": ["Channel Management/Authorization"],
                "parameters": [{ "name": "p", "description": "Platform", "schema": { "type": "integer" } }],
                "responses": { "200": { "description": "OK", "content": { "application/json": {
                    "example": { "description": "do not translate" } } } } }
            } } },
            "components": { "schemas": {
                "A": { "type": "object", "description": "Account", "properties": {
                    "x/y": { "type": "string", "description": "Slash" },
                    "same": { "type": "string", "description": "URL" } } } } }
        });
        let before = zh.clone();
        let n = merge(&mut zh, &en);
        assert_eq!(n, 6); // summary, description, parameter, response, A, x/y
        let op = &zh["paths"]["/a/{p}"]["get"];
        assert_eq!(op["summary"], "开始平台授权");
        assert_eq!(op["description"], "接口说明");
        assert_eq!(
            op["x-aitoearn-en"]["summary"],
            "Start Platform Authorization"
        );
        assert_eq!(
            op["x-aitoearn-en"]["tags"][0],
            "Channel Management/Authorization"
        );
        assert_eq!(op["parameters"][0]["description"], "Platform\n\n平台");
        assert_eq!(
            op["parameters"][0]["schema"]["type"], "string",
            "structure stays Chinese"
        );
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["example"]["description"],
            "不翻译"
        );
        let a = &zh["components"]["schemas"]["A"];
        assert_eq!(a["description"], "Account\n\n账号");
        assert_eq!(a["properties"]["x/y"]["description"], "Slash\n\n斜杠");
        assert_eq!(a["properties"]["same"]["description"], "URL");
        assert_eq!(a["properties"]["onlyZh"]["description"], "仅中文");
        assert_eq!(
            zh["tags"][0]["x-aitoearn-en-name"],
            "Channel Management/Authorization"
        );
        // Nothing else changed.
        let strip = |mut v: Value| {
            v["paths"]["/a/{p}"]["get"]
                .as_object_mut()
                .unwrap()
                .remove("x-aitoearn-en");
            v["tags"][0]
                .as_object_mut()
                .unwrap()
                .remove("x-aitoearn-en-name");
            v.to_string().len()
        };
        assert_eq!(zh[ERROR_MESSAGES], json!({}));
        assert!(strip(zh) > strip(before));
    }

    #[test]
    fn texts_an_overlay_changed_keep_no_english() {
        let original = json!({ "paths": { "/a": { "get": { "summary": "旧", "description": "旧说明",
            "parameters": [{ "description": "平台" }, { "description": "组" }] } } } });
        let en = json!({ "paths": { "/a": { "get": { "summary": "Old", "description": "Old text",
            "parameters": [{ "description": "Platform" }, { "description": "Group" }] } } } });
        let mut zh = original.clone();
        zh["paths"]["/a"]["get"]["summary"] = json!("新");
        zh["paths"]["/a"]["get"]["parameters"][0]["description"] = json!("新平台");
        merge_unless_changed(&mut zh, &en, Some(&original));
        let op = &zh["paths"]["/a"]["get"];
        assert!(op["x-aitoearn-en"].get("summary").is_none());
        assert_eq!(op["x-aitoearn-en"]["description"], "Old text");
        assert_eq!(op["parameters"][0]["description"], "新平台");
        assert_eq!(op["parameters"][1]["description"], "Group\n\n组");
    }

    #[test]
    fn inline_schemas_take_their_context_s_text() {
        let mut v = json!({ "parameters": [
            { "name": "platform", "in": "path", "description": "Platform", "schema": { "type": "string", "enum": ["a"] } },
            { "name": "q", "in": "query", "description": "Q", "schema": { "$ref": "#/x" } } ],
            "p": { "type": "array", "description": "Tags", "items": { "type": "string", "enum": ["t"] } },
            "r": { "type": "array", "description": "Own", "items": { "type": "string", "title": "T" } } });
        assert_eq!(describe_inline_schemas(&mut v), 2);
        assert_eq!(v["parameters"][0]["schema"]["description"], "Platform");
        assert!(
            v["parameters"][1]["schema"].get("description").is_none(),
            "a $ref keeps its own"
        );
        assert_eq!(v["p"]["items"]["description"], "One item of: Tags");
        assert!(
            v["r"]["items"].get("description").is_none(),
            "a title is a text"
        );
    }

    #[test]
    fn site_relative_links_become_absolute() {
        let mut v = json!({ "a": { "description": "see [X](/en/api-reference/x)", "example": "](/k" },
                            "b": [{ "title": "[Y](/y) and [Z](https://z)" }] });
        assert_eq!(absolute_links(&mut v), 2);
        assert_eq!(
            v["a"]["description"],
            "see [X](https://docs.aitoearn.ai/en/api-reference/x)"
        );
        assert_eq!(v["a"]["example"], "](/k");
        assert_eq!(
            v["b"][0]["title"],
            "[Y](https://docs.aitoearn.ai/y) and [Z](https://z)"
        );
    }

    #[test]
    fn english_error_messages_by_code() {
        let mut zh = json!({ "paths": {} });
        let en = json!({ "paths": { "/a": { "get": {
            "x-aitoearn-backend": { "responseCodes": [
                { "name": "InvalidModel", "code": 12300, "message": "Invalid AI model" } ] },
            "responses": { "200": { "content": { "application/json": { "examples": {
                "ok": { "value": { "code": 0, "message": "success" } },
                "bad": { "summary": "InvalidModel (12300)",
                         "value": { "code": 12300, "message": "other text" } },
                "auth": { "value": { "code": 401, "message": "Unauthorized" } } } } } } }
        } } } });
        assert_eq!(merge(&mut zh, &en), 2);
        assert_eq!(
            zh[ERROR_MESSAGES],
            json!({ "12300": "Invalid AI model", "401": "Unauthorized" })
        );
    }
}
