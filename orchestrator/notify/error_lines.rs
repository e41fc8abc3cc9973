//! The error lines of a run report as a message shows them. The report already holds
//! terraform's error diagnostics reduced once, by `terraform::error_lines`; notifications
//! trust it and only keep a message short.

/// How long one line may be before it is cut; a provider error can be one huge JSON line.
pub const MAX_LINE_CHARS: usize = 300;

/// The first `max` non-empty lines of a report's `error`, each cut to `MAX_LINE_CHARS`.
pub fn shown(error: &[String], max: usize) -> Vec<String> {
    error
        .iter()
        .flat_map(|entry| entry.split('\n'))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(max)
        .map(|l| cut(l, MAX_LINE_CHARS))
        .collect()
}

/// Cuts `line` to at most `max` characters, marking the cut with `…`.
pub fn cut(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        return line.to_string();
    }
    let mut out: String = line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_line_count_and_length() {
        let long = "x".repeat(1000);
        let raw = vec![
            format!("Error: {long}"),
            "".into(),
            "a\nb".into(),
            "c".into(),
        ];
        let got = shown(&raw, 2);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].chars().count(), MAX_LINE_CHARS);
        assert!(got[0].ends_with('…'));
        assert_eq!(got[1], "a");
    }
}
