//! Generated docs are bilingual: English first where the English edition has a text, and no
//! Chinese text of the spec is lost.

const API: &str = include_str!(concat!(env!("OUT_DIR"), "/api.rs"));
const MODELS: &str = include_str!(concat!(env!("OUT_DIR"), "/client.rs"));

fn spec(name: &str) -> serde_json::Value {
    let path = format!("{}/openapi/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_seed_operation_reads_english_first() {
    let at = API.find("pub fn auth_start<").expect("the seed method");
    let doc_start = API[..at].rfind("/**").expect("its doc comment");
    let doc = &API[doc_start + 3..at];
    assert!(doc.starts_with("Start Platform Authorization\n\nInterface description: Generate a platform authorization QR code"), "{doc}");
    let english = doc.find("Interface description").unwrap();
    let chinese = doc
        .find("发起平台授权")
        .expect("the Chinese summary is kept");
    assert!(english < chinese);
    assert!(doc.contains("接口说明：生成平台授权二维码"));
    assert!(doc.contains("(`Channel Management/Authorization`)"));
}

#[test]
fn no_chinese_text_is_lost() {
    // Docs escape brackets that are not links (`data.tasks\[n\].id`); the text is the same.
    let api = API.replace("\\[", "[").replace("\\]", "]");
    let zh = spec("aitoearn.openapi.json");
    let mut missing = Vec::new();
    let mut checked = 0;
    for (path, item) in zh["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
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
    assert_eq!(op.summary_en, "Start Platform Authorization");
    assert!(
        aitoearn::OPERATIONS.iter().all(|o| o.tag_en.is_ascii()),
        "every tag has an English name"
    );
}
