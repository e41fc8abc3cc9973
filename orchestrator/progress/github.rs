//! In GitHub Actions: each layer's terraform output, folded into a `::group::` of the job log
//! once the layer is done (so parallel jobs never interleave inside a group). The output is
//! data: `console::github_group` neutralises it line by line, so nothing terraform or a
//! provisioner printed can run a workflow command, and no stop-commands region is opened
//! that a mask printed meanwhile would fall into.

use std::path::Path;

use super::describe;
use super::reporter::Reporter;
use crate::events::Event;
use crate::runner::output_tail;
use crate::runner::OutputLimits;

#[derive(Debug)]
pub struct GithubGroups {
    /// The run's caps (`--max-output-tail`, `--max-output-line`): the job log shows no more
    /// of a layer's output than the run keeps in memory, and no line longer.
    limits: OutputLimits,
}

impl GithubGroups {
    pub fn new(limits: OutputLimits) -> Self {
        Self { limits }
    }
}

/// The log's text as the group shows it: its end within the caps, after a note saying what
/// was left out and where the whole of it is.
fn shown(log: &Path, limits: OutputLimits) -> std::io::Result<String> {
    let tail = output_tail::read(log, 0, limits)?;
    let mut left_out = Vec::new();
    if tail.skipped > 0 {
        left_out.push(format!("first {} bytes left out", tail.skipped));
    }
    if tail.lines_cut > 0 {
        let plural = if tail.lines_cut == 1 { "" } else { "s" };
        left_out.push(format!("{} long line{plural} cut", tail.lines_cut));
    }
    if left_out.is_empty() {
        return Ok(tail.text);
    }
    Ok(format!(
        "[{}; the whole log is in {}]\n{}",
        left_out.join(", "),
        log.display(),
        tail.text
    ))
}

impl Reporter for GithubGroups {
    fn event(&mut self, event: &Event) {
        if let Event::LayerFinished {
            account,
            report,
            log: Some(log),
            ..
        } = event
        {
            let title = describe::layer(account, report);
            if let Err(e) =
                shown(log, self.limits).and_then(|body| crate::console::github_group(&title, &body))
            {
                tracing::warn!("cannot show {} in the job log: {e}", log.display());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_log_shows_its_end_and_where_the_rest_is() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("platform.log");
        let line = "x".repeat(1022) + "\n";
        std::fs::write(&log, line.repeat(3 * 1024) + "last line\n").unwrap();
        let limits = OutputLimits::default();
        let text = shown(&log, limits).unwrap();
        // The count is exact: what is shown plus what is said left out is the whole log.
        let note = text.lines().next().unwrap();
        let skipped: u64 = note
            .strip_prefix("[first ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{note}"));
        let whole = std::fs::metadata(&log).unwrap().len();
        assert_eq!(skipped + (text.len() - note.len() - 1) as u64, whole);
        // Whole lines only: none cut at its start.
        let first_line = text.lines().nth(1).unwrap();
        assert_eq!(first_line.len(), 1022);
        assert!(text.contains(&log.display().to_string()));
        assert!(text.ends_with("last line\n"));
        assert!(text.len() <= limits.tail_bytes + 200);
    }

    #[test]
    fn a_huge_line_is_cut_to_the_line_cap() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("platform.log");
        std::fs::write(&log, "x".repeat(3 << 20) + "\nError: the cause\n").unwrap();
        let limits = OutputLimits {
            line_bytes: 1024,
            tail_bytes: 8 << 20,
        };
        let text = shown(&log, limits).unwrap();
        assert!(
            text.lines().all(|l| l.len() < 1200),
            "a line longer than the cap"
        );
        assert!(text.contains("more bytes of this line cut"));
        assert!(text.ends_with("Error: the cause\n"));
    }

    #[test]
    fn lines_cut_just_over_the_cap_are_still_said_cut() {
        // The cut markers make the shown text longer than the log: the note must not rely on
        // the sizes to see that something was left out.
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("platform.log");
        std::fs::write(&log, "key = value value value\nError: x\n").unwrap();
        let limits = OutputLimits {
            line_bytes: 20,
            tail_bytes: 8 << 20,
        };
        let text = shown(&log, limits).unwrap();
        assert!(text.len() as u64 > std::fs::metadata(&log).unwrap().len());
        assert!(
            text.starts_with("[1 long line cut; the whole log is in "),
            "{text}"
        );
    }
}
