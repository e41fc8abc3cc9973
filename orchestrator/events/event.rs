//! The events between the runner and its reporters (progress bars, log lines, GitHub log
//! groups, the run report). The runner only sends them; reporters only receive them, so a
//! new kind of output never touches the scheduling code.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;

use super::{Attempt, HealthCheckReport, LayerReport, Mode, NotRunReason, Status, WaveStatus};

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Sent once, before any wave starts.
    RunStarted {
        mode: Mode,
        waves: Vec<WaveOutline>,
        parallel: usize,
    },
    WaveStarted {
        wave: String,
        jobs: usize,
    },
    /// Every job of the wave has an outcome (run, skipped or cancelled).
    WaveFinished {
        wave: String,
        status: WaveStatus,
        failures: u32,
        /// Why the wave did not run, when it was skipped or cancelled before it started.
        reason: Option<NotRunReason>,
    },
    JobStarted {
        wave: String,
        account: String,
        layers: Vec<String>,
    },
    /// A terraform step of one attempt began.
    Step {
        account: String,
        layer: String,
        attempt: u32,
        step: Step,
    },
    /// One attempt of a layer ended; `retry_in` is set when another attempt follows.
    AttemptFinished {
        account: String,
        layer: String,
        attempt: Attempt,
        retry_in: Option<Duration>,
    },
    /// After a layer applied, its health check began polling `url` (shown without
    /// credentials or query).
    HealthCheckStarted {
        account: String,
        layer: String,
        url: String,
    },
    /// A health check ended: passed, failed, or stopped by the job's deadline or an
    /// interrupt. A failed one fails its layer; `LayerFinished` follows with the reason.
    HealthCheckFinished {
        account: String,
        layer: String,
        check: HealthCheckReport,
    },
    /// A layer's final result. `log` and `plan_json` are absolute paths; the run report
    /// records them relative to itself.
    LayerFinished {
        account: String,
        report: LayerReport,
        log: Option<PathBuf>,
        plan_json: Option<PathBuf>,
    },
    JobFinished {
        wave: String,
        account: String,
        status: Status,
        reason: Option<String>,
        duration: Duration,
    },
    /// A job that never started: its wave was held back, `--fail-fast` stopped it, or the
    /// run was interrupted first. Its status is `reason.status()`. No terraform ran for it.
    JobNotRun {
        wave: String,
        account: String,
        layers: Vec<String>,
        reason: NotRunReason,
    },
    /// Sent once, last. `interrupted` when Ctrl-C or SIGTERM stopped the run.
    RunFinished {
        interrupted: bool,
        duration: Duration,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveOutline {
    pub name: String,
    pub jobs: usize,
    /// The length of its longest account name: a display sets its account column once, so
    /// every line of the run lines up.
    pub longest_account: usize,
}

/// The terraform commands of one attempt, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Init,
    Plan,
    Apply,
    /// `terraform show -json` of the plan (plan-only runs).
    Show,
    /// `terraform output -json <name>`: the URL of a health check, after the apply.
    Output,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Init => "init",
            Step::Plan => "plan",
            Step::Apply => "apply",
            Step::Show => "show",
            Step::Output => "output",
        }
    }
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The runner's end of the event channel. Sending never fails: once every reporter is gone
/// there is nobody left to tell, and the run itself must still finish cleanly.
#[derive(Debug, Clone)]
pub struct EventSender(mpsc::UnboundedSender<Event>);

pub type EventReceiver = mpsc::UnboundedReceiver<Event>;

impl EventSender {
    pub fn send(&self, event: Event) {
        let _ = self.0.send(event);
    }
}

pub fn channel() -> (EventSender, EventReceiver) {
    let (tx, rx) = mpsc::unbounded_channel();
    (EventSender(tx), rx)
}
