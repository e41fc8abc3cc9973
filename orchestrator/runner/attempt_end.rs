//! How an attempt at a layer ended: what a successful one found, why a failed one stopped,
//! and the status and reason a layer gets from its last failure.

use std::path::PathBuf;
use std::time::Duration;

use crate::events::{ChangeCounts, Status, Step};
use crate::terraform::{self, Transient};

/// What a successful attempt found.
pub(super) struct Done {
    pub status: Status,
    pub exit_code: Option<i32>,
    pub changes: ChangeCounts,
    pub plan_json: Option<PathBuf>,
}

/// Why an attempt stopped.
pub(super) struct Failure {
    pub step: Step,
    pub kind: FailureKind,
    pub exit_code: Option<i32>,
    pub output: String,
}

pub(super) enum FailureKind {
    /// terraform exited with an error.
    Exit,
    TimedOut,
    /// The run was interrupted; `killed_after` is the grace period when terraform did not
    /// stop within it and its process group was killed.
    Interrupted {
        killed_after: Option<Duration>,
    },
    /// We could not run terraform or use what it wrote.
    Local(String),
}

impl Failure {
    pub(super) fn local(step: Step, message: String) -> Self {
        Self {
            step,
            kind: FailureKind::Local(message),
            exit_code: None,
            output: String::new(),
        }
    }

    pub(super) fn transient(&self) -> Option<Transient> {
        match self.kind {
            FailureKind::Exit => terraform::classify(&self.output),
            _ => None,
        }
    }

    /// What the run report, Slack and the job summary keep of the failure, with the
    /// credentials this process holds blanked out (terraform may quote them).
    pub(super) fn error_lines(&self, job_timeout: Duration) -> Vec<String> {
        self.unredacted_error_lines(job_timeout)
            .into_iter()
            .map(|line| crate::secrets::redact(&line).into_owned())
            .collect()
    }

    fn unredacted_error_lines(&self, job_timeout: Duration) -> Vec<String> {
        match &self.kind {
            FailureKind::Exit => terraform::error_lines(&self.output),
            FailureKind::TimedOut => vec![format!(
                "timed out during terraform {} (job timeout {})",
                self.step,
                humantime::format_duration(job_timeout)
            )],
            FailureKind::Interrupted { killed_after: None } => {
                vec![format!("interrupted during terraform {}", self.step)]
            }
            FailureKind::Interrupted {
                killed_after: Some(grace),
            } => vec![format!(
                "interrupted during terraform {}: it did not stop within the grace period ({}) \
                 and was killed; its state may be locked or not saved (see docs/reliability.md)",
                self.step,
                humantime::format_duration(*grace)
            )],
            FailureKind::Local(message) => vec![message.clone()],
        }
    }
}

/// The status and reason of a layer whose last attempt failed.
pub(super) fn final_failure(
    failure: &Failure,
    transient: Option<Transient>,
    attempts: u32,
) -> (Status, String) {
    match (&failure.kind, transient) {
        (FailureKind::TimedOut, _) => (Status::Failed, "timeout".into()),
        (FailureKind::Interrupted { killed_after: None }, _) => {
            (Status::Cancelled, "interrupted".into())
        }
        (
            FailureKind::Interrupted {
                killed_after: Some(grace),
            },
            _,
        ) => (
            Status::Cancelled,
            format!(
                "interrupted, killed after the grace period ({})",
                humantime::format_duration(*grace)
            ),
        ),
        (FailureKind::Local(_), _) => (
            Status::Failed,
            format!("terraform {} could not run", failure.step),
        ),
        (FailureKind::Exit, Some(kind)) => (
            Status::Failed,
            format!(
                "terraform {} failed: {kind}, {attempts} attempts",
                failure.step
            ),
        ),
        (FailureKind::Exit, None) if terraform::full_disk(&failure.output) => (
            Status::Failed,
            format!(
                "terraform {} failed: disk full (no space left on device)",
                failure.step
            ),
        ),
        (FailureKind::Exit, None) => (Status::Failed, format!("terraform {} failed", failure.step)),
    }
}
