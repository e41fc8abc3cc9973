//! What `run`, `deploy` and `report summary` do in GitHub Actions: annotations on stdout
//! (the runner reads workflow commands there; written by `console::workflow_command`) and the job summary appended to
//! `$GITHUB_STEP_SUMMARY`. Outside GitHub Actions, nothing.

use std::path::Path;

use super::annotations::annotations;
use super::summary::job_summary;
use crate::github_actions::{append_step_summary, step_summary_room, GithubActions};
use crate::notify::RunLinks;
use crate::report::RunReport;

/// Room below which a summary is not worth writing (another step filled the file).
const MIN_SUMMARY_BYTES: usize = 4096;

/// With `GITHUB_ACTIONS=true`: one `::error` annotation per failed account on stdout, and
/// the Markdown job summary appended to `$GITHUB_STEP_SUMMARY`. A no-op otherwise.
pub fn publish(report: &RunReport, report_path: &Path) -> std::io::Result<()> {
    let links = RunLinks::from_env(report.source.as_ref());
    publish_with(
        report,
        report_path,
        &GithubActions::from_env(),
        &links,
        &mut |line| crate::console::workflow_command(crate::console::Stream::Stdout, line),
    )
}

pub fn publish_with(
    report: &RunReport,
    report_path: &Path,
    env: &GithubActions,
    links: &RunLinks,
    annotate: &mut dyn FnMut(&str),
) -> std::io::Result<()> {
    if !env.actions {
        return Ok(());
    }
    for line in annotations(report).lines() {
        annotate(line);
    }
    let Some(path) = &env.step_summary else {
        return Ok(());
    };
    // The limit is per step, and other commands of the step may have written already.
    let room = step_summary_room(path);
    if room < MIN_SUMMARY_BYTES {
        tracing::warn!(
            "$GITHUB_STEP_SUMMARY has only {room} bytes left; the job summary is left out"
        );
        return Ok(());
    }
    // As it opens from where the job stands (the workspace), like every printed path.
    let path_text = crate::workdir::shown(report_path);
    let summary = job_summary(report, links, Some(&path_text), room);
    append_step_summary(path, &summary)
}
