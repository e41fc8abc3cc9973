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

/// The log's text as the group shows it: its end within the caps, after a note saying where
/// the whole of it is when some was left out.
fn shown(log: &Path, limits: OutputLimits) -> std::io::Result<String> {
    let len = std::fs::metadata(log)?.len();
    let body = output_tail::read(log, 0, limits)?;
    if len <= body.len() as u64 {
        return Ok(body);
    }
    let left_out = len.saturating_sub(limits.tail_bytes as u64);
    let mut text = if left_out > 0 {
        format!(
            "[first {left_out} bytes left out; the whole log is in {}]\n",
            log.display()
        )
    } else {
        format!("[long lines cut; the whole log is in {}]\n", log.display())
    };
    text.push_str(&body);
    Ok(text)
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
        assert!(text.starts_with("[first "), "{}", &text[..80]);
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
}
