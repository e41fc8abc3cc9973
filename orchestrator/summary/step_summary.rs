//! The summary in `$GITHUB_STEP_SUMMARY`: the full version, shortened only when it does not
//! fit what is left of the file's 1 MiB.

use std::path::PathBuf;

use super::render::{byte_length, fit, FullVersion, Limit};
use super::Summary;
use crate::github_actions::{append_step_summary, step_summary_room};

/// What goes to `$GITHUB_STEP_SUMMARY`: the full summary, shortened only if it does not fit
/// what is left of the file's 1 MiB.
pub struct StepSummary {
    path: PathBuf,
    text: Option<String>,
    /// It holds the full version.
    pub complete: bool,
}

impl StepSummary {
    /// `full_file` and `destroy_list`: where the full version and the destroy list are, named
    /// in a shortened summary.
    pub fn new(
        path: PathBuf,
        summary: &Summary,
        full_text: &str,
        full_file: Option<PathBuf>,
        destroy_list: Option<PathBuf>,
    ) -> Self {
        let room = step_summary_room(&path);
        if byte_length(full_text) <= room {
            return Self {
                path,
                text: Some(full_text.to_string()),
                complete: true,
            };
        }
        let full = FullVersion {
            file: full_file,
            destroy_list,
            ..FullVersion::default()
        };
        let limit = Limit {
            max: room,
            measure: byte_length,
            unit: "bytes",
            of: "the job summary",
            // Never reported: the job summary is then left out with a warning.
            remedy: "the job summary is left out",
        };
        let text = match fit(summary, limit, &full) {
            Ok(fitted) => Some(fitted.text),
            Err(e) => {
                tracing::warn!("job summary left out: {e}");
                None
            }
        };
        Self {
            path,
            text,
            complete: false,
        }
    }

    /// The comment matters more than the job summary: a write failure is only a warning.
    pub fn append(self) {
        let Some(text) = self.text else { return };
        if let Err(e) = append_step_summary(&self.path, &text) {
            tracing::warn!("{}: cannot write the job summary: {e}", self.path.display());
        }
    }
}
