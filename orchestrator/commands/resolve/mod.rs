//! The resolve step of `run`, `deploy`, `destroy` and `vend`: raw flags plus the config
//! become the options the library takes, once, before anything runs (ripgrep's low and high
//! arguments). Nothing after this step looks at a flag again. One file per concern: the kind
//! of run, the runner's options, the report's target, the grace period, a destroy's two runs.

mod destroy;
mod execution;
mod grace_period;
mod report_target;
mod run_kind;
mod run_options;

use std::path::{Path, PathBuf};

use crate::exit::CliError;

pub(crate) use destroy::{destroy, DestroyRuns};
pub(crate) use execution::{resolve, Execution};
pub(crate) use grace_period::grace_period;
pub(crate) use report_target::{report_target, ReportTarget};
pub(crate) use run_kind::RunKind;

/// A path from a flag, made absolute against the current directory.
pub(crate) fn absolute(path: &Path) -> Result<PathBuf, CliError> {
    std::path::absolute(path).map_err(|e| CliError::bad_input(format!("{}: {e}", path.display())))
}
