//! The first meaningful lines of terraform's error output: its error diagnostics, without
//! colour codes, box-drawing frames, warnings or progress banners.

/// How long one line may be before it is cut; a provider error can be one huge JSON line.
pub const MAX_LINE_CHARS: usize = 300;

/// Lines terraform prints around an error that say nothing about it.
const BANNERS: &[&str] = &[
    "Initializing ",
    "Terraform has been successfully initialized",
    "Terraform used the selected providers",
    "Terraform will perform the following actions",
    "Terraform has created a lock file",
    "Acquiring state lock",
    "Releasing state lock",
    "Reading...",
    "Refreshing state...",
    "Plan: ",
    "Apply complete!",
    "Note: You didn't use the -out option",
    "Saved the plan to:",
    "To perform exactly these actions",
];

/// Up to `max` meaningful lines from `raw` (entries may themselves hold several lines).
pub fn meaningful(raw: &[String], max: usize) -> Vec<String> {
    let lines: Vec<String> = raw
        .iter()
        .flat_map(|entry| entry.split('\n'))
        .map(|l| strip_ansi(l).trim_end_matches('\r').to_string())
        .collect();
    let diagnostics = diagnostics(&lines);
    let errors: Vec<&String> = diagnostics
        .iter()
        .filter(|d| d.first().is_some_and(|l| l.starts_with("Error")))
        .flatten()
        .collect();
    let chosen: Vec<String> = if !errors.is_empty() {
        errors.into_iter().cloned().collect()
    } else {
        // No framed diagnostics: plain output, minus warning blocks and banners, from the
        // first line that speaks of an error (or from the start when none does).
        let plain: Vec<String> = unframed(&lines)
            .into_iter()
            .filter(|l| !is_banner(l))
            .collect();
        let start = plain
            .iter()
            .position(|l| l.starts_with("Error") || l.to_ascii_lowercase().contains("error"))
            .unwrap_or(0);
        plain[start..].to_vec()
    };
    chosen
        .into_iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && !is_banner(l))
        .take(max)
        .map(|l| cut(&l, MAX_LINE_CHARS))
        .collect()
}

/// Removes ANSI escape sequences (CSI like `ESC[1;31m` and OSC like `ESC]8;;url BEL`).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('[') => {
                chars.next();
                // Parameters and intermediates, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                chars.next();
                // Ends with BEL or ESC \.
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            Some(_) => {
                chars.next();
            }
            None => {}
        }
    }
    out
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

fn is_banner(line: &str) -> bool {
    let line = line.trim_start();
    BANNERS.iter().any(|b| line.starts_with(b))
}

/// terraform frames each diagnostic with `╷`, `│ ` and `╵`; returns each frame's text lines.
fn diagnostics(lines: &[String]) -> Vec<Vec<String>> {
    let mut frames = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in lines {
        let t = line.trim_start();
        if t.starts_with('╷') {
            current = Some(Vec::new());
        } else if t.starts_with('╵') {
            if let Some(frame) = current.take() {
                frames.push(frame);
            }
        } else if let (Some(frame), Some(rest)) = (current.as_mut(), t.strip_prefix('│')) {
            let rest = rest.trim();
            if !rest.is_empty() {
                frame.push(rest.to_string());
            }
        }
    }
    frames.extend(current);
    frames
}

/// The lines outside warning frames, frame characters removed.
fn unframed(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_warning = false;
    let mut frame_start = false;
    for line in lines {
        let t = line.trim_start();
        if t.starts_with('╷') {
            frame_start = true;
            continue;
        }
        if t.starts_with('╵') {
            in_warning = false;
            continue;
        }
        let text = t.strip_prefix('│').unwrap_or(t).trim();
        if frame_start && !text.is_empty() {
            frame_start = false;
            in_warning = text.starts_with("Warning");
        }
        if !in_warning && !text.is_empty() {
            out.push(text.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        vec![text.to_string()]
    }

    #[test]
    fn keeps_error_diagnostics_and_drops_warnings_banners_and_colours() {
        let output = "\u{1b}[0m\u{1b}[1mInitializing the backend...\u{1b}[0m\n\
╷\n\
│ \u{1b}[1m\u{1b}[33mWarning: \u{1b}[0m\u{1b}[0m\u{1b}[1mUnable to open CLI configuration file\n\
│ \n\
│ The CLI configuration file at \"/none\" does not exist.\n\
╵\n\
terraform_data.deploy: Creating...\n\
╷\n\
│ \u{1b}[31mError: \u{1b}[0mlocal-exec provisioner error\n\
│ \n\
│   with terraform_data.deploy,\n\
│   on main.tf line 20, in resource \"terraform_data\" \"deploy\":\n\
│ \n\
│ Error running command 'exit 1': exit status 1.\n\
╵\n";
        assert_eq!(
            meaningful(&lines(output), 10),
            vec![
                "Error: local-exec provisioner error",
                "with terraform_data.deploy,",
                "on main.tf line 20, in resource \"terraform_data\" \"deploy\":",
                "Error running command 'exit 1': exit status 1.",
            ]
        );
    }

    #[test]
    fn plain_output_starts_at_the_first_error_line() {
        let output = "Acquiring state lock. This may take a few moments...\nsomething\nerror: connection reset by peer\nretry later";
        assert_eq!(
            meaningful(&lines(output), 10),
            vec!["error: connection reset by peer", "retry later"]
        );
    }

    #[test]
    fn caps_line_count_and_length() {
        let long = "x".repeat(1000);
        let raw = vec![format!("Error: {long}"), "a".into(), "b".into(), "c".into()];
        let got = meaningful(&raw, 2);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].chars().count(), MAX_LINE_CHARS);
        assert!(got[0].ends_with('…'));
    }

    #[test]
    fn strips_osc_hyperlinks() {
        assert_eq!(
            strip_ansi("see \u{1b}]8;;https://x\u{7}docs\u{1b}]8;;\u{7} now"),
            "see docs now"
        );
    }
}
