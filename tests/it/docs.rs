//! Generated docs are bilingual: English first where the English edition has a text (and an
//! overlay did not replace the Chinese text it translates), and no Chinese text of the effective
//! spec (vendored + overlays) is lost.

const API: &str = include_str!(concat!(env!("OUT_DIR"), "/api.rs"));
const MODELS: &str = include_str!(concat!(env!("OUT_DIR"), "/client.rs"));

fn spec(name: &str) -> serde_json::Value {
    let path = format!("{}/openapi/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The doc comment of `Client::<name>`.
fn method_doc(name: &str) -> &'static str {
    let at = API
        .find(&format!("pub fn {name}<"))
        .unwrap_or_else(|| panic!("method {name}"));
    let doc_start = API[..at].rfind("/**").expect("its doc comment");
    &API[doc_start + 3..at]
}

#[test]
fn the_seed_operation_reads_the_pages_texts() {
    // Its overlay (openapi/overlays/0001-auth-start.yaml) replaced the summary and description
    // with the docs page's; the English edition translates the older texts, so it is left out.
    let doc = method_doc("auth_start");
    assert!(
        doc.starts_with("开始平台授权\n\n接口说明：生成平台 OAuth 授权 URL"),
        "{doc}"
    );
    assert!(!doc.contains("Start Platform Authorization"), "{doc}");
    assert!(!doc.contains("发起平台授权"), "{doc}");
    assert!(doc.contains("(`Channel Management/Authorization`)"));
}

#[test]
fn operations_no_overlay_touches_read_english_first() {
    let doc = method_doc("auth_get_status");
    assert!(doc.starts_with("Get Authorization Status\n\n"), "{doc}");
    let english = doc.find("Get Authorization Status").unwrap();
    let chinese = doc
        .find("获取授权状态")
        .expect("the Chinese summary is kept");
    assert!(english < chinese);
}

#[test]
fn no_chinese_text_is_lost() {
    // Docs escape brackets that are not links (`data.tasks\[n\].id`); the text is the same.
    let api = API.replace("\\[", "[").replace("\\]", "]");
    let zh = spec("aitoearn.openapi.json");
    // Operation texts as the build saw them: the vendored spec with its overlays applied.
    let effective: serde_json::Value =
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/adapted.json"))).unwrap();
    let mut missing = Vec::new();
    let mut checked = 0;
    for (path, item) in effective["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !op.is_object() {
                continue;
            }
            for key in ["summary", "description"] {
                let text = op[key].as_str().unwrap_or_default();
                // Compare line by line: docs may re-wrap paragraphs but not lines.
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    let line = line.replace("](/", "](https://docs.aitoearn.ai/");
                    checked += 1;
                    if !api.contains(line.trim()) {
                        missing.push(format!("{method} {path} {key}: {line}"));
                    }
                }
            }
        }
    }
    for (name, schema) in zh["components"]["schemas"].as_object().unwrap() {
        if let Some(d) = schema["description"].as_str() {
            for line in d.lines().filter(|l| !l.trim().is_empty()) {
                let line = line.replace("](/", "](https://docs.aitoearn.ai/");
                checked += 1;
                if !MODELS.contains(line.trim()) {
                    missing.push(format!("schema {name}: {line}"));
                }
            }
        }
    }
    assert!(checked > 100, "{checked}");
    assert!(
        missing.is_empty(),
        "{} texts lost:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_table_carries_english_tags_and_summaries() {
    let op = aitoearn::Operation::find("auth_start").unwrap();
    assert_eq!(op.tag, "渠道管理/授权");
    assert_eq!(op.tag_en, "Channel Management/Authorization");
    // The page's summary (an overlay's text) has no English translation yet.
    assert_eq!(
        (op.summary, op.summary_en),
        ("开始平台授权", "开始平台授权")
    );
    let op = aitoearn::Operation::find("auth_get_status").unwrap();
    assert_eq!(op.summary_en, "Get Authorization Status");
    assert!(
        aitoearn::OPERATIONS.iter().all(|o| o.tag_en.is_ascii()),
        "every tag has an English name"
    );
}
