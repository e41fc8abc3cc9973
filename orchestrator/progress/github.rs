//! In GitHub Actions: each layer's terraform output, folded into a `::group::` of the job log
//! once the layer is done (so parallel jobs never interleave inside a group). The output is
//! data: `console::github_group` neutralises it line by line, so nothing terraform or a
//! provisioner printed can run a workflow command, and no stop-commands region is opened
//! that a mask printed meanwhile would fall into.

use std::io::{Read, Seek};
use std::path::Path;

use super::describe;
use super::reporter::Reporter;
use crate::events::Event;

/// The end of a log is what matters; GitHub's log view struggles with huge groups.
const MAX_LOG_BYTES: u64 = 2 << 20;

#[derive(Debug, Default)]
pub struct GithubGroups;

impl GithubGroups {
    pub fn new() -> Self {
        Self
    }
}

/// The log's text as the group shows it: its last `MAX_LOG_BYTES`, after a note saying
/// where the whole of it is.
fn shown(log: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(log)?;
    let len = file.metadata()?.len();
    let skipped = len.saturating_sub(MAX_LOG_BYTES);
    file.seek(std::io::SeekFrom::Start(skipped))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    if skipped == 0 {
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    // From the first whole line: the cut would otherwise show the end of a line alone, such
    // as the tail of a credential that its mask (which covers the whole value) misses.
    let from = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |at| at + 1);
    Ok(format!(
        "[first {} bytes left out; the whole log is in {}]\n{}",
        skipped + from as u64,
        log.display(),
        String::from_utf8_lossy(&bytes[from..])
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
            if let Err(e) = shown(log).and_then(|body| crate::console::github_group(&title, &body))
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
        let text = shown(&log).unwrap();
        assert!(text.starts_with("[first "), "{}", &text[..80]);
        // Whole lines only: none cut at its start.
        let first_line = text.lines().nth(1).unwrap();
        assert_eq!(first_line.len(), 1022);
        assert!(text.contains(&log.display().to_string()));
        assert!(text.ends_with("last line\n"));
        assert!(text.len() < 3 * 1024 * 1024);
    }
}
