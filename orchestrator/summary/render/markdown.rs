//! Small Markdown writers that keep any text (addresses, error lines, names) from breaking
//! the structure around it.

/// `text` as inline code, whatever backticks it holds.
pub(super) fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = longest_backtick_run(&text);
    if longest == 0 {
        return format!("`{text}`");
    }
    let ticks = "`".repeat(longest + 1);
    format!("{ticks} {text} {ticks}")
}

/// `text` as plain Markdown text: characters that would start emphasis, links, HTML or a
/// table cell are escaped.
pub(super) fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` inside an HTML element (`<summary>`), where Markdown is not read.
pub(super) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A fenced code block of `lines`, indented by `indent` (to sit inside a list item), with a
/// fence longer than any backtick run inside so no line can close it.
pub(super) fn fenced(out: &mut String, indent: &str, lines: &[String]) {
    let longest = lines
        .iter()
        .map(|line| longest_backtick_run(line))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    out.push_str(&format!("{indent}{fence}text\n"));
    for line in lines {
        out.push_str(indent);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!("{indent}{fence}\n"));
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// How GitHub counts a comment's length (UTF-16 code units; at least the character count).
pub fn comment_length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// How the job summary is limited: bytes.
pub fn byte_length(text: &str) -> usize {
    text.len()
}

/// "1,234": limits are easier to read with thousands separators.
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a.b[\"x\"]"), "`a.b[\"x\"]`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }

    #[test]
    fn fences_are_longer_than_any_backtick_run() {
        let mut out = String::new();
        fenced(&mut out, "  ", &["```".to_string()]);
        assert_eq!(out, "  ````text\n  ```\n  ````\n");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(65_536), "65,536");
        assert_eq!(thousands(1_048_576), "1,048,576");
        assert_eq!(thousands(999), "999");
    }
}
