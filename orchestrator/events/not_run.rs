//! Why a job never started. The status it gets follows from the reason, so a local run and
//! a merged matrix run say the same words for the same cause.

use std::fmt;

use super::Status;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRunReason {
    /// An earlier wave's failed (and cancelled) jobs exceeded its `failure_tolerance`.
    HeldBack {
        wave: String,
        failed: u32,
        cancelled: u32,
        tolerance: u32,
    },
    /// `--fail-fast`: a job failed, so nothing new starts.
    FailFast { account: String },
    /// Ctrl-C or SIGTERM came before the job's wave started.
    Interrupted,
    /// Ctrl-C or SIGTERM came while the job waited for a free slot.
    InterruptedBeforeStart,
    /// The run stopped (abandoned) before this job started.
    RunEnded,
    /// Preflight could not get this account's credentials: the job fails. The text says why
    /// and what to do.
    Unreachable(String),
    /// Preflight failed for another account, so nothing was started.
    PreflightFailed,
    /// Ctrl-C or SIGTERM during preflight.
    InterruptedDuringPreflight,
    /// `report merge`: the plan of legs expected this account, and its leg sent no report.
    NoReport,
}

impl NotRunReason {
    /// The status a job that did not run for this reason ends with.
    pub fn status(&self) -> Status {
        match self {
            NotRunReason::HeldBack { .. }
            | NotRunReason::FailFast { .. }
            | NotRunReason::PreflightFailed => Status::Skipped,
            NotRunReason::Interrupted
            | NotRunReason::InterruptedBeforeStart
            | NotRunReason::RunEnded
            | NotRunReason::InterruptedDuringPreflight => Status::Cancelled,
            NotRunReason::Unreachable(_) => Status::Failed,
            NotRunReason::NoReport => Status::Lost,
        }
    }
}

fn jobs(n: u32, what: &str) -> String {
    format!("{n} {what} job{}", if n == 1 { "" } else { "s" })
}

impl fmt::Display for NotRunReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotRunReason::HeldBack {
                wave,
                failed,
                cancelled,
                tolerance,
            } => {
                let had = match (*failed, *cancelled) {
                    (failed, 0) => jobs(failed, "failed"),
                    (0, cancelled) => jobs(cancelled, "cancelled"),
                    (failed, cancelled) => {
                        format!(
                            "{} and {}",
                            jobs(failed, "failed"),
                            jobs(cancelled, "cancelled")
                        )
                    }
                };
                write!(
                    f,
                    "wave {wave} had {had}, more than its failure_tolerance of {tolerance}"
                )
            }
            NotRunReason::FailFast { account } => write!(f, "--fail-fast: {account} failed"),
            NotRunReason::Interrupted => f.write_str("interrupted"),
            NotRunReason::InterruptedBeforeStart => f.write_str("interrupted before it started"),
            NotRunReason::RunEnded => f.write_str("the run ended before this job started"),
            NotRunReason::Unreachable(why) => f.write_str(why),
            NotRunReason::PreflightFailed => {
                f.write_str("preflight failed for another account: nothing was started")
            }
            NotRunReason::InterruptedDuringPreflight => {
                f.write_str("interrupted during preflight: nothing was started")
            }
            NotRunReason::NoReport => f.write_str(
                "its matrix leg left no run report (runner lost, cancelled or timed out before \
                 writing one, or never started)",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(failed: u32, cancelled: u32) -> String {
        NotRunReason::HeldBack {
            wave: "stage".into(),
            failed,
            cancelled,
            tolerance: 0,
        }
        .to_string()
    }

    #[test]
    fn a_held_back_reason_counts_what_held_it_back() {
        assert_eq!(
            held(1, 0),
            "wave stage had 1 failed job, more than its failure_tolerance of 0"
        );
        assert_eq!(
            held(2, 1),
            "wave stage had 2 failed jobs and 1 cancelled job, more than its failure_tolerance of 0"
        );
        assert_eq!(
            held(0, 3),
            "wave stage had 3 cancelled jobs, more than its failure_tolerance of 0"
        );
    }
}
