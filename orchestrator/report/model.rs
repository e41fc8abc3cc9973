//! The run report: what happened to every job and layer of a run. Written by `run` and
//! `deploy`, merged by `report merge`, read by `notify`, `gate` and `summary`.
//! Its JSON shape is an interface: add fields, never rename them.

use serde::{Deserialize, Serialize};

// The run vocabulary lives with the events; the report speaks it.
pub use crate::events::{
    Attempt, AttemptOutcome, ChangeCounts, HealthCheckReport, HealthOutcome, LayerReport, Mode,
    Outcome, Recovery, RecoveryKind, RunAction, Status, WaveStatus,
};

pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub version: u32,
    pub run_id: String,
    /// `apply` or `plan` (`--plan-only`).
    pub mode: Mode,
    pub outcome: Outcome,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: u64,
    /// The config file the run used.
    pub config: String,
    /// Where the run happened (GitHub repository, commit, CI run link), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// `destroy` for `orchestrator destroy`, `vend` for `orchestrator vend`; absent for a deploy.
    #[serde(default, skip_serializing_if = "RunAction::is_deploy")]
    pub action: RunAction,
    /// The copy of the stack layer the run worked on (`--stack`); absent: the main stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// Set by `run --resume` / `deploy --resume`: the run this one finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumed_from: Option<ResumedFrom>,
    pub waves: Vec<WaveReport>,
    pub jobs: Vec<JobReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Source {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaveReport {
    pub name: String,
    pub status: WaveStatus,
    pub failure_tolerance: u32,
    pub failures: u32,
    /// Why the wave did not run (the earlier wave that halted it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobReport {
    pub account: String,
    pub domain: String,
    pub environment: String,
    pub wave: String,
    pub account_id: String,
    pub region: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub duration_ms: u64,
    pub layers: Vec<LayerReport>,
}

/// The run a resumed run picked up from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumedFrom {
    pub run_id: String,
    /// The report it read, as given on the command line.
    pub report: String,
}

impl RunReport {
    pub fn failed_jobs(&self) -> impl Iterator<Item = &JobReport> {
        self.jobs.iter().filter(|j| j.status.is_failure())
    }

    /// The jobs a resume deploys: every one that did not finish its work (failed, cancelled,
    /// lost, held back or skipped).
    pub fn unfinished_jobs(&self) -> impl Iterator<Item = &JobReport> {
        self.jobs
            .iter()
            .filter(|j| !crate::rules::job_done(j.status))
    }
}
