//! Slack's mrkdwn: escaping (`&`, `<`, `>` are control characters), code, links, and cutting
//! text without breaking an entity or leaving a code block open.

/// Escapes text so Slack shows it as written (no accidental links or mentions).
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `` `name` `` for an account, layer or wave name.
pub fn code(text: &str) -> String {
    format!("`{}`", escape(&text.replace('`', "'")))
}

/// A fenced block of lines; a ``` inside a line would end it early, so it is defused.
pub fn code_block(lines: &[String]) -> String {
    let body: Vec<String> = lines
        .iter()
        .map(|l| escape(&l.replace("```", "'''")))
        .collect();
    format!("```{}```", body.join("\n"))
}

/// `<url|label>`; the URL was checked by `RunLinks` to hold no `|` or `>`.
pub fn link(url: &str, label: &str) -> String {
    format!("<{url}|{}>", escape(&label.replace('|', "/")))
}

/// Cuts `text` to at most `max` characters, ending with `…`, without splitting an `&..;`
/// entity or a `<link|label>`, and closing a code block the cut left open.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    // Room for a closing fence and the ellipsis.
    let keep = max.saturating_sub(5);
    let mut out: String = text.chars().take(keep).collect();
    // An entity or link cut in half would show as garbage or be refused: drop the stub.
    if let Some(amp) = out.rfind('&') {
        if !out[amp..].contains(';') {
            out.truncate(amp);
        }
    }
    if let Some(lt) = out.rfind('<') {
        if !out[lt..].contains('>') {
            out.truncate(lt);
        }
    }
    let open_fence = out.matches("```").count() % 2 == 1;
    out.push('…');
    if open_fence {
        out.push_str("```");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters() {
        assert_eq!(escape("a <b> & c"), "a &lt;b&gt; &amp; c");
    }

    #[test]
    fn truncation_keeps_entities_and_fences_whole() {
        let text = format!("```{}```", "&lt;".repeat(100));
        let cut = truncate(&text, 50);
        assert!(cut.chars().count() <= 50, "{cut}");
        assert!(cut.ends_with("…```"), "{cut}");
        assert!(cut.trim_end_matches("…```").ends_with("&lt;"), "{cut}");
    }

    #[test]
    fn truncation_drops_a_half_link() {
        let text = format!("{} <https://example.com/a/long/path|label>", "x".repeat(20));
        let cut = truncate(&text, 40);
        assert_eq!(cut, format!("{} …", "x".repeat(20)));
    }

    #[test]
    fn code_blocks_cannot_be_closed_from_inside() {
        assert_eq!(
            code_block(&["a ``` b".into(), "<x>".into()]),
            "```a ''' b\n&lt;x&gt;```"
        );
    }
}
