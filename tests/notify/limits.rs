//! Slack's Block Kit limits, checked on the JSON Slack would receive: independent of the
//! code that builds the message, so a builder bug cannot hide here.

use serde_json::Value;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// Every limit broken by `payload`, described; empty when it is within them all.
pub fn violations(payload: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if payload["text"].as_str().is_none_or(|t| t.trim().is_empty()) {
        out.push("no top-level fallback `text`".to_string());
    }
    let Some(blocks) = payload["blocks"].as_array() else {
        out.push("no `blocks` array".into());
        return out;
    };
    if blocks.len() > 50 {
        out.push(format!("{} blocks (at most 50)", blocks.len()));
    }
    let mut total = 0;
    for (i, block) in blocks.iter().enumerate() {
        let kind = block["type"].as_str().unwrap_or("?");
        let mut texts: Vec<&Value> = Vec::new();
        match kind {
            "header" => {
                if block["text"]["type"] != "plain_text" {
                    out.push(format!("block {i}: header text is not plain_text"));
                }
                if chars(&block["text"]["text"]) > 150 {
                    out.push(format!(
                        "block {i}: header of {} chars (at most 150)",
                        chars(&block["text"]["text"])
                    ));
                }
                texts.push(&block["text"]["text"]);
            }
            "section" => {
                let text = &block["text"]["text"];
                let fields = block["fields"].as_array().cloned().unwrap_or_default();
                if text.is_null() && fields.is_empty() {
                    out.push(format!("block {i}: section without text or fields"));
                }
                if chars(text) > 3000 {
                    out.push(format!(
                        "block {i}: section text of {} chars (at most 3000)",
                        chars(text)
                    ));
                }
                if fields.len() > 10 {
                    out.push(format!("block {i}: {} fields (at most 10)", fields.len()));
                }
                for (j, f) in fields.iter().enumerate() {
                    if chars(&f["text"]) > 2000 {
                        out.push(format!(
                            "block {i} field {j}: {} chars (at most 2000)",
                            chars(&f["text"])
                        ));
                    }
                }
                texts.push(text);
                for f in block["fields"].as_array().into_iter().flatten() {
                    texts.push(&f["text"]);
                }
            }
            "context" => {
                let elements = block["elements"].as_array().cloned().unwrap_or_default();
                if elements.len() > 10 {
                    out.push(format!(
                        "block {i}: {} context elements (at most 10)",
                        elements.len()
                    ));
                }
                for e in block["elements"].as_array().into_iter().flatten() {
                    if chars(&e["text"]) > 3000 {
                        out.push(format!("block {i}: context element over 3000 chars"));
                    }
                    texts.push(&e["text"]);
                }
            }
            "divider" => {}
            other => out.push(format!("block {i}: unexpected type {other}")),
        }
        for t in texts {
            total += chars(t);
            if t.as_str()
                .is_some_and(|s| s.matches("```").count() % 2 == 1)
            {
                out.push(format!("block {i}: a code block is left open"));
            }
        }
    }
    // Slack refuses messages of about 13,200 characters with `msg_blocks_too_long`.
    if total > 12_000 {
        out.push(format!("{total} characters of block text (at most 12,000)"));
    }
    out
}
