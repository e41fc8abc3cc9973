//! The run report: what happened to every job and layer of a run. Written by `run` and
//! `deploy`, merged by `report merge`, read by `notify`, `gate` and `summary`.
//! Its JSON shape is an interface: add fields, never rename them.

use serde::{Deserialize, Serialize};

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
    /// Set by `run --resume` / `deploy --resume`: the run this one finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumed_from: Option<ResumedFrom>,
    pub waves: Vec<WaveReport>,
    pub jobs: Vec<JobReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Apply,
    Plan,
}

/// The run as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every job succeeded (or had no changes).
    Succeeded,
    /// A job failed; every wave it allowed still ran.
    Failed,
    /// A wave's failures exceeded its tolerance, so later waves were held back.
    Halted,
    /// Ctrl-C or SIGTERM.
    Cancelled,
    /// Plan-only run that found changes (drift) and no failure.
    Drifted,
}

/// The run a resumed run picked up from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumedFrom {
    pub run_id: String,
    /// The report it read, as given on the command line.
    pub report: String,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaveStatus {
    Succeeded,
    /// Failures within tolerance or not; `failures` says how many.
    Failed,
    /// Not started because an earlier wave failed beyond its tolerance.
    Skipped,
    Cancelled,
    /// No job was selected in this wave.
    Empty,
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

/// The status of a layer, and of a job (the worst of its layers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Succeeded,
    /// Plan-only: nothing to change.
    NoChanges,
    /// Plan-only: the plan has changes (drift when nothing was merged).
    Changes,
    Skipped,
    Cancelled,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerReport {
    pub layer: String,
    pub status: Status,
    /// Why it was skipped, cancelled or failed (`timeout`, `layer platform failed`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub duration_ms: u64,
    pub attempts: Vec<Attempt>,
    /// The first meaningful error lines of the last attempt (no banners, no colour codes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error: Vec<String>,
    /// Resource counts of the plan, when one was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<ChangeCounts>,
    /// `terraform show -json` of the plan (plan-only runs), relative to the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_json: Option<String>,
    /// terraform's full output for this layer, relative to the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// The health checks run after this layer applied (`defaults.health_check`), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health_checks: Vec<HealthCheckReport>,
}

/// One health check of a layer: the URL its output named, polled until it answered the
/// expected status or the check's timeout expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckReport {
    /// The layer output that holds the URL.
    pub output: String,
    /// The URL without credentials, query or fragment; absent when the output could not be
    /// read or was not a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub expect_status: u16,
    pub outcome: HealthOutcome,
    /// The status of the last answer, when any request got one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// HTTP requests made.
    pub attempts: u32,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealthOutcome {
    /// The URL answered the expected status.
    Passed,
    /// The check's timeout expired: the URL answered another status, or nothing.
    Failed,
    /// The layer output is missing or not a URL; nothing was requested.
    NoUrl,
    /// The job's deadline passed while polling.
    Timeout,
    /// The run was interrupted while polling.
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeCounts {
    pub add: u32,
    pub change: u32,
    pub destroy: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub number: u32,
    pub duration_ms: u64,
    /// `succeeded`, `failed`, `transient` (retried), `timeout`, `cancelled`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error: Vec<String>,
}

impl RunReport {
    pub fn failed_jobs(&self) -> impl Iterator<Item = &JobReport> {
        self.jobs.iter().filter(|j| j.status == Status::Failed)
    }

    /// The jobs a resume deploys: every one that did not finish its work (failed, cancelled,
    /// lost, held back or skipped).
    pub fn unfinished_jobs(&self) -> impl Iterator<Item = &JobReport> {
        self.jobs.iter().filter(|j| !j.status.is_done())
    }

    /// The same report with its relative paths (logs, plan JSONs) made relative to
    /// `to_dir` instead of `from_dir`, for a copy written elsewhere.
    pub fn rebased(&self, from_dir: &std::path::Path, to_dir: &std::path::Path) -> Self {
        let mut copy = self.clone();
        let rebase = |p: &mut Option<String>| {
            if let Some(path) = p.as_mut() {
                if !std::path::Path::new(path.as_str()).is_absolute() {
                    *path = super::relative(&from_dir.join(path.as_str()), to_dir);
                }
            }
        };
        for layer in copy.jobs.iter_mut().flat_map(|j| j.layers.iter_mut()) {
            rebase(&mut layer.log);
            rebase(&mut layer.plan_json);
        }
        copy
    }
}

impl Status {
    /// Whether the job or layer did its work: applied, or planned in a plan-only run.
    pub fn is_done(self) -> bool {
        matches!(self, Status::Succeeded | Status::NoChanges | Status::Changes)
    }
}
