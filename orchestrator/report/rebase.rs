//! A run report written in more than one place (its own file under `runs/`, the latest copy,
//! `--report`): its paths are relative to where each copy lives.

use std::path::Path;

use super::build::relative;
use super::io::{write_atomic, ReportError};
use super::model::RunReport;

/// The same report with its relative paths (logs, plan JSONs) made relative to `to_dir`
/// instead of `from_dir`.
pub fn rebased(report: &RunReport, from_dir: &Path, to_dir: &Path) -> RunReport {
    let mut copy = report.clone();
    let rebase = |p: &mut Option<String>| {
        if let Some(path) = p.as_mut() {
            if !Path::new(path.as_str()).is_absolute() {
                *path = relative(&from_dir.join(path.as_str()), to_dir);
            }
        }
    };
    for layer in copy.jobs.iter_mut().flat_map(|j| j.layers.iter_mut()) {
        rebase(&mut layer.log);
        rebase(&mut layer.plan_json);
    }
    copy
}

/// Writes `report` atomically to its own file `path` and to each of `copies` (rebased to
/// where each lives). Every copy is tried even when one fails; the result has one error per
/// file that could not be written (empty: every file is there).
pub fn write_with_copies(
    report: &RunReport,
    path: &Path,
    copies: &[std::path::PathBuf],
) -> Vec<ReportError> {
    let run_dir = path.parent().unwrap_or(Path::new(""));
    let mut failed: Vec<ReportError> = write(report, path).err().into_iter().collect();
    for copy in copies {
        let to_dir = copy.parent().unwrap_or(Path::new(""));
        failed.extend(write(&rebased(report, run_dir, to_dir), copy).err());
    }
    failed
}

/// `Ok` when `unwritten` (from [`write_with_copies`]) is empty, else every error, one a line.
pub fn all_written(unwritten: Vec<ReportError>) -> Result<(), String> {
    if unwritten.is_empty() {
        return Ok(());
    }
    Err(unwritten
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n"))
}

fn write(report: &RunReport, path: &Path) -> Result<(), ReportError> {
    write_atomic(
        path,
        &serde_json::to_vec_pretty(report).expect("a run report always serialises"),
    )
}
