//! The error diagnostics in terraform's output, reduced to a few lines for the run report,
//! Slack and annotations: `Error: <summary> (main.tf line 36)` then the detail, one line per
//! paragraph; banners, source snippets and warnings left out.

/// Lines kept per report, and characters per line: enough to act on, short enough for Slack.
const MAX_LINES: usize = 8;
const MAX_LINE_CHARS: usize = 400;

/// One `Error:` diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub summary: String,
    /// `main.tf line 36`, when terraform named a place.
    pub location: Option<String>,
    /// Detail paragraphs, each joined into one line.
    pub details: Vec<String>,
}

/// Every `Error:` diagnostic in `output`, in order.
pub fn errors(output: &str) -> Vec<Diagnostic> {
    let lines: Vec<String> = output.lines().map(clean).collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(summary) = lines[i].strip_prefix("Error: ") else {
            i += 1;
            continue;
        };
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !starts_diagnostic(&lines[end]) {
            end += 1;
        }
        found.push(diagnostic(summary, &lines[start..end]));
        i = end;
    }
    found
}

/// The lines the run report shows for a failed command: its error diagnostics or, when
/// terraform printed none (a crash, a kill), the last lines it printed.
pub fn error_lines(output: &str) -> Vec<String> {
    let diagnostics = errors(output);
    let mut lines = Vec::new();
    if diagnostics.is_empty() {
        let tail: Vec<&str> = output
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !is_banner(l))
            .collect();
        lines.extend(
            tail[tail.len().saturating_sub(5)..]
                .iter()
                .map(|l| l.to_string()),
        );
    }
    for d in diagnostics {
        lines.push(match d.location {
            Some(at) => format!("Error: {} ({at})", d.summary),
            None => format!("Error: {}", d.summary),
        });
        lines.extend(d.details);
    }
    lines.truncate(MAX_LINES);
    lines.into_iter().map(|l| shorten(&l)).collect()
}

fn diagnostic(summary: &str, body: &[String]) -> Diagnostic {
    let mut location = None;
    let mut details = Vec::new();
    for paragraph in body.split(|l| l.trim().is_empty()) {
        let Some(first) = paragraph.first() else {
            continue;
        };
        let first = first.trim_start();
        if first.starts_with("with ") || first.starts_with("on ") {
            // "on main.tf line 36, in resource ..." names the place; the snippet adds nothing.
            location = paragraph
                .iter()
                .filter_map(|l| l.trim_start().strip_prefix("on "))
                .map(|l| l.split(',').next().unwrap_or(l).trim().to_string())
                .next()
                .or(location);
            continue;
        }
        let text: Vec<&str> = paragraph
            .iter()
            .map(|l| l.trim())
            .filter(|l| !is_snippet(l))
            .collect();
        if !text.is_empty() {
            details.push(text.join(" "));
        }
    }
    Diagnostic {
        summary: summary.trim().to_string(),
        location,
        details,
    }
}

/// Without colour terraform still draws `╷ │ ╵` around some diagnostics; ANSI codes may
/// come from tools a provisioner runs.
fn clean(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_start_matches(['╷', '╵']);
    match trimmed.strip_prefix('│') {
        Some(rest) => rest.strip_prefix(' ').unwrap_or(rest).to_string(),
        None => trimmed.to_string(),
    }
}

fn starts_diagnostic(line: &str) -> bool {
    line.starts_with("Error: ") || line.starts_with("Warning: ")
}

/// `36:   provisioner "local-exec" {`: a source line quoted under a diagnostic.
fn is_snippet(line: &str) -> bool {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with(':')
}

fn is_banner(line: &str) -> bool {
    line.starts_with(['╷', '│', '╵']) || line.starts_with("There are some problems with the CLI")
}

fn shorten(line: &str) -> String {
    if line.chars().count() <= MAX_LINE_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(MAX_LINE_CHARS - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVISIONER_FAILURE: &str = "There are some problems with the CLI configuration:
╷
│ Warning: Unable to open CLI configuration file
│
│ The CLI configuration file at \"/root/.terraformrc\" does not exist.
╵

terraform_data.baseline: Creating...
terraform_data.baseline (local-exec): Error: simulated failure of catalog-dev (TF_VAR_fail_account)

Error: local-exec provisioner error

  with terraform_data.baseline,
  on main.tf line 36, in resource \"terraform_data\" \"baseline\":
  36:   provisioner \"local-exec\" {

Error running command 'exit 1': exit status 1. Output: Error: simulated
failure of catalog-dev (TF_VAR_fail_account)
";

    #[test]
    fn a_diagnostic_becomes_its_summary_place_and_detail() {
        assert_eq!(
            error_lines(PROVISIONER_FAILURE),
            [
                "Error: local-exec provisioner error (main.tf line 36)",
                "Error running command 'exit 1': exit status 1. Output: Error: simulated failure of catalog-dev (TF_VAR_fail_account)",
            ]
        );
    }

    #[test]
    fn boxed_diagnostics_are_read_too() {
        let output = "╷\n│ Error: Error acquiring the state lock\n│\n│ Error message: resource temporarily unavailable\n╵\n";
        let found = errors(output);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].summary, "Error acquiring the state lock");
        assert_eq!(
            found[0].details,
            ["Error message: resource temporarily unavailable"]
        );
    }

    #[test]
    fn without_a_diagnostic_the_last_lines_are_kept() {
        let output = "╷\n│ Warning: x\n╵\nline 1\nline 2\npanic: runtime error\n";
        assert_eq!(
            error_lines(output),
            ["line 1", "line 2", "panic: runtime error"]
        );
    }

    #[test]
    fn warnings_are_not_errors() {
        let output =
            "Warning: Value for undeclared variable\n\nThe root module does not declare x.\n";
        assert!(errors(output).is_empty());
    }

    #[test]
    fn long_lines_are_shortened() {
        let long = format!("Error: {}\n", "x".repeat(1000));
        let lines = error_lines(&long);
        assert_eq!(lines[0].chars().count(), MAX_LINE_CHARS);
        assert!(lines[0].ends_with('…'));
    }

    #[test]
    fn colour_codes_are_removed() {
        assert_eq!(clean("\u{1b}[31mError: \u{1b}[0mboom"), "Error: boom");
    }
}
