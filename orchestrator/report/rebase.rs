//! A run report written in more than one place (its own file under `runs/`, the latest copy,
//! `--report`): its paths are relative to where each copy lives.

use std::path::Path;

use super::build::relative;
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
