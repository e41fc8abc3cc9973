//! Text the orchestrator did not write (terraform's output and error lines, names and values
//! from domains.yaml, error messages that quote them, file contents) made safe to print, for
//! a terminal and for the GitHub Actions runner, which reads workflow commands from every
//! line of a step's stdout and stderr.
//!
//! The runner's rules (actions/runner `ActionCommand` and `OutputManager`):
//! - a line is ended by LF, CR or CRLF, so a bare CR starts a new line;
//! - `::name props::data` is a command when it begins the line after leading white space;
//! - `##[name props]data` is a command **anywhere** in the line;
//! - names are matched case-insensitively, and with culture-sensitive string comparison, under
//!   which invisible characters (soft hyphen, zero-width space, control characters) may be
//!   ignored: `\u{ad}::set-output` can begin with `::` for it.
//!
//! So data is printed with every control character (C0 but tab, DEL, C1), every invisible
//! formatting character (zero-width space, bidi overrides, soft hyphen, BOM, tags) and a lone CR
//! shown as a visible escape (`\r`, `\x1b`, `\u{202e}`): none can reach the runner or the
//! terminal, so a hostile value can neither start a line nor move the cursor, set a window
//! title or recolour the screen. Then `##[` anywhere becomes `##\[`, and a line whose first
//! `::` follows nothing but white space or punctuation gets a `\` before it. A backslash
//! before ASCII punctuation reads the same in Markdown.

use std::borrow::Cow;

/// `text` safe for a terminal and for the runner; a copy only when something changed.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| is_plain(c) && c != '#' && c != ':') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // CRLF line ends (a Windows file) end the line for the runner too: nothing to show.
        let line = line.strip_suffix('\r').unwrap_or(line);
        neutralise_line(line, &mut out);
    }
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// JSON printed to stdout (`jobs --format json`, `matrix`...), kept valid and equal in value:
/// `#` and invisible characters can only be inside strings, where `\u0023` and `\uXXXX`
/// mean the same; without `#` no `##[` is left, and no JSON line can begin with `::`.
pub fn neutralise_json(json: &str) -> Cow<'_, str> {
    if json.chars().all(|c| c != '#' && is_plain(c)) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c == '#' || (c != '\n' && !is_plain(c)) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with every control character (tab and newline aside), lone CR and invisible
/// character shown as an escape, and nothing else changed: for data inside one of the
/// orchestrator's own workflow commands (an annotation's message, a group's title), where
/// the runner reads no command but a terminal showing the log would obey an escape.
pub(super) fn visible(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        push_shown(line.strip_suffix('\r').unwrap_or(line), &mut out);
    }
    Cow::Owned(out)
}

fn push_shown(line: &str, out: &mut String) {
    for c in line.chars() {
        if is_plain(c) {
            out.push(c);
        } else {
            push_visible(c, out);
        }
    }
}

fn neutralise_line(line: &str, out: &mut String) {
    let mut shown = String::with_capacity(line.len());
    push_shown(line, &mut shown);
    // Where a `\\` goes: before the `::` that starts the line for the runner (nothing but
    // blanks, punctuation or invisible characters before it: an ARN's `arn:aws:iam::` has
    // letters first), and before the `[` of every `##[`. Seen as the runner's culture-aware
    // comparison sees them: without the joiners and variation selectors it ignores.
    let skeleton: Vec<(usize, char)> = shown
        .char_indices()
        .filter(|&(_, c)| !is_ignored_by_the_runner(c))
        .collect();
    let mut breaks = Vec::new();
    if let Some(at) = skeleton
        .windows(2)
        .position(|w| w[0].1 == ':' && w[1].1 == ':')
    {
        if !skeleton[..at].iter().any(|&(_, c)| c.is_alphanumeric()) {
            breaks.push(skeleton[at].0);
        }
    }
    for w in skeleton.windows(3) {
        if w[0].1 == '#' && w[1].1 == '#' && w[2].1 == '[' {
            breaks.push(w[2].0);
        }
    }
    breaks.sort_unstable();
    let mut from = 0;
    for at in breaks {
        out.push_str(&shown[from..at]);
        out.push('\\');
        from = at;
    }
    out.push_str(&shown[from..]);
}

/// Shown as they are (emoji need them) but skipped by culture-aware string comparison.
fn is_ignored_by_the_runner(c: char) -> bool {
    matches!(c, '\u{200d}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}')
}

/// Printable as it is: not a control character (tab and newline excepted) and not invisible.
fn is_plain(c: char) -> bool {
    match c {
        '\t' | '\n' => true,
        c if c.is_control() => false,
        c => !is_invisible(c),
    }
}

/// Formatting characters that show nothing yet change what a parser or a reader sees:
/// zero-width spaces and non-joiners, bidi controls, soft hyphen, BOM, fillers, separators,
/// interlinear annotations and tags. The zero-width joiner and the variation selectors stay
/// (emoji are made of them); the command check looks through them.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'
            | '\u{200c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e00ff}'
            | '\u{e01f0}'..='\u{e0fff}'
    )
}

fn push_visible(c: char, out: &mut String) {
    match c {
        '\r' => out.push_str("\\r"),
        c if u32::from(c) < 0x100 => out.push_str(&format!("\\x{:02x}", u32::from(c))),
        c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "catalog-dev platform: 2 to add\n\tarn:aws:iam::123456789012:role/x";
        assert!(matches!(neutralise(text), Cow::Borrowed(_)));
        assert_eq!(neutralise(text), text);
    }

    #[test]
    fn commands_at_a_line_start_are_defused() {
        assert_eq!(
            neutralise("::set-output name=x::y"),
            "\\::set-output name=x::y"
        );
        assert_eq!(neutralise("  \t::add-mask::x"), "  \t\\::add-mask::x");
        assert_eq!(
            neutralise("ok\n::stop-commands::t\n- ::error::x"),
            "ok\n\\::stop-commands::t\n- \\::error::x"
        );
        // Not at the start for the runner: a word comes first.
        assert_eq!(neutralise("see ::group::x"), "see ::group::x");
        // Unicode white space the runner trims.
        assert_eq!(
            neutralise("\u{3000}::add-path::/x"),
            "\u{3000}\\::add-path::/x"
        );
    }

    #[test]
    fn the_old_form_is_defused_anywhere_in_a_line() {
        assert_eq!(
            neutralise("Error: ##[set-output name=x;]y and ##[error]z"),
            "Error: ##\\[set-output name=x;]y and ##\\[error]z"
        );
    }

    #[test]
    fn a_carriage_return_cannot_start_a_line() {
        assert_eq!(neutralise("abc\r::add-mask::x"), "abc\\r::add-mask::x");
        assert_eq!(neutralise("\r##[error]x"), "\\r##\\[error]x");
        assert_eq!(neutralise("windows line\r\nnext\r"), "windows line\nnext");
    }

    #[test]
    fn invisible_characters_cannot_hide_a_command() {
        // Shown as escapes, which start the line with a `\\`.
        assert_eq!(neutralise("\u{ad}::set-env::x"), "\\xad::set-env::x");
        assert_eq!(neutralise("#\u{200b}#[error]x"), "#\\u{200b}#[error]x");
        assert_eq!(neutralise("\x1b::group::x"), "\\x1b::group::x");
        // Kept for emoji, looked through for commands.
        assert_eq!(neutralise("⏭\u{fe0f} held back"), "⏭\u{fe0f} held back");
        assert_eq!(
            neutralise("#\u{fe0f}#\u{200d}[error]x"),
            "#\u{fe0f}#\u{200d}\\[error]x"
        );
        assert_eq!(
            neutralise(":\u{fe0f}:set-output::x"),
            "\\:\u{fe0f}:set-output::x"
        );
    }

    #[test]
    fn terminal_control_sequences_are_shown_not_obeyed() {
        assert_eq!(
            neutralise("name\x1b]0;pwned\x07\x1b[2J\u{9b}31m\u{202e}cba"),
            "name\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u{202e}cba"
        );
        assert_eq!(neutralise("tab\tkept\x00"), "tab\tkept\\x00");
    }

    #[test]
    fn visible_shows_escapes_and_leaves_commands_alone() {
        assert_eq!(
            visible("refused\r::x ##[error]y\n\x1b]0;t\x07\u{202e}z\r\n"),
            "refused\\r::x ##[error]y\n\\x1b]0;t\\x07\\u{202e}z\n"
        );
        assert!(matches!(visible("plain: a, b\tc\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_stays_valid_and_equal() {
        let value = serde_json::json!({"a": "##[error]\u{ad}::x\u{1b}", "b": ["#"]});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = neutralise_json(&text);
        assert!(!safe.contains('#') && !safe.contains('\u{ad}'), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
        let plain = "{\"a\": [1, 2]}";
        assert!(matches!(neutralise_json(plain), Cow::Borrowed(_)));
    }
}
