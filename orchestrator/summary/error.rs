//! What can be wrong with the plan files and the run report given to `summary`.

use std::path::PathBuf;

use crate::report::ReportError;

const EXPECTED: &str = "expected the output of `terraform show -json <planfile>`";

/// One plan file that cannot be summarised. Every message starts with the file's path.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not JSON: {message}; {EXPECTED}", path.display())]
    NotJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{}:{line}:{column}: the JSON ends early (truncated file?); save the plan again with `terraform show -json <planfile> > FILE`",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("{}: not a terraform plan: {why}; {EXPECTED}", path.display())]
    NotAPlan { path: PathBuf, why: String },
    #[error(
        "{}: a run report, not a terraform plan: give it with `--report {}` (only the plans it names are then summarised), or give only the plans directory",
        path.display(), path.display()
    )]
    RunReport { path: PathBuf },
    #[error(
        "{}: plan format_version {version:?} is not supported (this build reads formats 0.x and 1.x, written by terraform 0.12 to 1.x and OpenTofu); make the file with one of those, or use a newer orchestrator",
        path.display()
    )]
    UnknownFormat { path: PathBuf, version: String },
    #[error(
        "{}: plans of account {account:?} layer {layer:?} are given twice (also {}); give each (account, layer) one plan",
        path.display(), other.display()
    )]
    Duplicate {
        path: PathBuf,
        other: PathBuf,
        account: String,
        layer: String,
    },
}

impl PlanError {
    pub fn path(&self) -> &std::path::Path {
        match self {
            PlanError::Read { path, .. }
            | PlanError::NotJson { path, .. }
            | PlanError::Truncated { path, .. }
            | PlanError::NotAPlan { path, .. }
            | PlanError::RunReport { path }
            | PlanError::UnknownFormat { path, .. }
            | PlanError::Duplicate { path, .. } => path,
        }
    }
}

/// Why `summary` cannot produce a comment at all.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("{}: cannot list the directory: {source}", path.display())]
    Walk {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no plan files (*.json) found; give `terraform show -json` files or the directories holding them", path.display())]
    NoPlans { path: PathBuf },
    #[error("{}", list(.0))]
    BadPlans(Vec<PlanError>),
}

fn list(errors: &[PlanError]) -> String {
    let mut text = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    text.push_str("\n(--keep-going summarises the other plans and lists these)");
    text
}
