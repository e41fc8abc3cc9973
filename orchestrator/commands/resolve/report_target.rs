//! Where a run's report goes (its own, the latest, `--report`'s copy) and what it says
//! besides the run itself; every place checked writable before anything starts.

use std::path::{Path, PathBuf};

use super::absolute;
use crate::config::Config;
use crate::exit::CliError;
use crate::github_actions::GithubActions;
use crate::report::{self, Mode, ReportContext, RunAction};
use crate::workdir::WorkDir;

/// Where a run's report goes and what it says besides the run itself.
pub(crate) struct ReportTarget {
    /// `report_path` is the run's own report, `<work dir>/runs/<run id>/report.json`.
    pub context: ReportContext,
    /// The latest-report copy in the work dir, and `report_flag`'s when given.
    pub copies: Vec<PathBuf>,
    /// `--report`'s copy, the file the user asked for.
    pub requested: Option<PathBuf>,
}

/// The run id (the CI run's, else a local one), the run's own report under `work`, and its
/// copies: the latest in the work dir, and `--report`'s.
pub(crate) fn report_target(
    config: &Config,
    work: &WorkDir,
    report_flag: Option<&Path>,
    mode: Mode,
    action: RunAction,
) -> Result<ReportTarget, CliError> {
    let gh = GithubActions::from_env();
    let run_id = report::run_id(&gh);
    // Each run keeps its own report; `report.json` is the latest, `--report` a copy more.
    let report_path = work.run_report(&run_id);
    let extra_report = report_flag.map(absolute).transpose()?;
    Ok(ReportTarget {
        context: ReportContext {
            run_id,
            mode,
            config: config.path.display().to_string(),
            source: report::source(&gh),
            report_path,
            action,
            stack: None,
            resumed_from: None,
        },
        copies: std::iter::once(work.latest_report())
            .chain(extra_report.clone())
            .collect(),
        requested: extra_report,
    })
}

impl ReportTarget {
    /// A report that could not be written after the run would lose its outcome: every
    /// place it goes is checked before anything starts.
    pub(crate) fn check_writable(&self, layers: usize) -> Result<(), CliError> {
        check_writable(
            &self.context.report_path,
            &self.copies,
            self.requested.as_deref(),
            layers,
        )
    }
}

/// See [`ReportTarget::check_writable`]. What to do depends on which flag chose the path:
/// `--report` (`requested`) for its copy, the work dir for the others.
pub(super) fn check_writable(
    path: &Path,
    copies: &[PathBuf],
    requested: Option<&Path>,
    layers: usize,
) -> Result<(), CliError> {
    std::iter::once(path)
        .chain(copies.iter().map(PathBuf::as_path))
        .try_for_each(|path| {
            report::check_writable(path, layers).map_err(|e| {
                let what_to_do = if requested == Some(path) {
                    "choose another --report: a file in a directory you can write"
                } else {
                    "choose a work dir you can write: --work-dir DIR or ORCHESTRATOR_WORK_DIR"
                };
                CliError::bad_input(format!("{e}; nothing was started ({what_to_do})"))
            })
        })
}
