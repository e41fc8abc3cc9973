//! What a destroy will remove, shown before its confirmation: the `plan -destroy` of every
//! layer, as the PR comment shows plans (destroys first).

use std::path::{Path, PathBuf};

use super::render::{render, Detail};
use super::{collect, CollectOptions};
use crate::report::RunReport;

/// The `plan -destroy` of every layer, as the PR comment shows plans (destroys first).
/// Read from a destroy's plan-only run report (`report_path` is where it will be written:
/// its plan paths are relative to it). `None` when no plan was saved.
pub fn destroy_preview(preview: &RunReport, report_path: &Path) -> Option<String> {
    let dir = report_path.parent().unwrap_or(Path::new("."));
    let plans: Vec<PathBuf> = preview
        .jobs
        .iter()
        .flat_map(|j| &j.layers)
        .filter_map(|l| l.plan_json.as_deref())
        // The run's own directory does not exist before its report is written.
        .map(|p| crate::workdir::normalise(&dir.join(p)))
        .collect();
    if plans.is_empty() {
        return None;
    }
    // The summary names each plan's account and layer from the report it reads.
    let scratch = tempfile::NamedTempFile::new_in(dir).ok();
    let named = scratch.as_ref().and_then(|file| {
        let json = serde_json::to_vec(preview).ok()?;
        std::fs::write(file.path(), json).ok()?;
        Some(file.path().to_path_buf())
    });
    match collect(CollectOptions {
        inputs: &plans,
        report: named.as_deref(),
        keep_going: true,
        order: None,
    }) {
        Ok(summary) => Some(render(&summary, &Detail::FULL, None)),
        Err(e) => Some(format!("warning: cannot summarise the destroy plans: {e}")),
    }
}
