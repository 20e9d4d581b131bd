//! The tool list an LLM agent would see: one tool per operation, with its description and the
//! JSON Schema of its input. A tool call is then `client.call(name, arguments)`.
//!
//! ```text
//! cargo run --example tools            # names and descriptions
//! cargo run --example tools -- --json  # the full list, schemas included, as JSON
//! ```

use aitoearn::OPERATIONS;
use serde_json::json;

fn main() {
    let tools: Vec<_> = OPERATIONS
        .iter()
        .filter(|op| !op.can_stream() || op.response == aitoearn::ResponseKind::JsonOrEventStream)
        .map(|op| {
            json!({
                "name": op.name,
                // English where the English edition has it, with the Chinese original.
                "description": if op.summary_en == op.summary {
                    format!("{} ({} {})", op.summary, op.method, op.path)
                } else {
                    format!("{} / {} ({} {})", op.summary_en, op.summary, op.method, op.path)
                },
                "input_schema": op.input_schema(),
            })
        })
        .collect();
    if std::env::args().any(|a| a == "--json") {
        println!(
            "{}",
            serde_json::to_string_pretty(&tools).expect("JSON values serialize")
        );
        return;
    }
    for tool in &tools {
        let required = tool["input_schema"]["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        println!(
            "{:<45} {}",
            tool["name"].as_str().unwrap_or_default(),
            tool["description"].as_str().unwrap_or_default()
        );
        if !required.is_empty() {
            println!("{:<45}   requires: {required}", "");
        }
    }
    println!(
        "\n{} tools (streaming-only operations are left out: a tool answers once).",
        tools.len()
    );
}
