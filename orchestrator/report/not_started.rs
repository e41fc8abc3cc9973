//! The run report of a run that never started a job: preflight found an account it cannot
//! reach, or Ctrl-C came during preflight. Built here from the plan, not from events, since
//! the runner never ran.

use std::time::SystemTime;

use super::{ReportBuilder, ReportContext, RunReport};
use crate::events::NotRunReason;
use crate::plan::{Job, Plan};

/// Why nothing started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotStarted {
    /// Preflight could not reach some accounts: those `failed`, every other job `skipped`.
    PreflightFailed,
    /// Ctrl-C or SIGTERM during preflight: every job `cancelled`.
    Interrupted,
}

impl NotStarted {
    fn wave_reason(self) -> &'static str {
        match self {
            NotStarted::PreflightFailed => "preflight failed: no terraform was started",
            NotStarted::Interrupted => "interrupted during preflight: nothing was started",
        }
    }
}

/// The report of a run stopped before its first job: `unreachable(job)` says why preflight
/// could not reach a job's account (`None`: it could).
pub fn not_started(
    context: ReportContext,
    plan: &Plan,
    why: NotStarted,
    unreachable: impl Fn(&Job) -> Option<String>,
) -> RunReport {
    let now = SystemTime::now();
    let mut builder = ReportBuilder::new(context, plan, now);
    for job in plan.jobs() {
        let reason = match why {
            NotStarted::Interrupted => NotRunReason::InterruptedDuringPreflight,
            NotStarted::PreflightFailed => match unreachable(job) {
                Some(text) => NotRunReason::Unreachable(text),
                None => NotRunReason::PreflightFailed,
            },
        };
        builder.not_run(&job.account.name, &job.layers, &reason);
    }
    builder.close_unstarted(why.wave_reason(), why == NotStarted::Interrupted);
    builder.report(now)
}
