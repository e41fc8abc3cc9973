//! What happened to one layer of one account: its attempts and its result.

use serde::{Deserialize, Serialize};

use super::{ChangeCounts, HealthCheckReport, Status};

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
    /// What the failure left that an operator must clear before the layer runs again (state
    /// terraform could not save, a state lock a dead run left), and the command that clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<Box<Recovery>>,
}

/// Something a failed layer left behind, and the exact command that clears it. Paths are
/// absolute, on the machine that ran the layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    pub kind: RecoveryKind,
    /// `errored-state`: the file terraform saved the state to (`errored.tfstate` in this
    /// account and layer's own working directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `state-lock`: the lock's ID, as `terraform force-unlock` takes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_id: Option<String>,
    /// `state-lock`: who took the lock, when and for what, as terraform recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_holder: Option<String>,
    /// The command, run where the layer ran with the account's credentials: the working
    /// directory and data dir it needs are in it.
    pub command: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecoveryKind {
    /// terraform could not save the state and wrote it to `errored.tfstate`: push it back.
    ErroredState,
    /// The state lock is held by a run that died (or still held after the retries).
    StateLock,
}

impl RecoveryKind {
    pub const ALL: [RecoveryKind; 2] = [RecoveryKind::ErroredState, RecoveryKind::StateLock];

    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryKind::ErroredState => "errored-state",
            RecoveryKind::StateLock => "state-lock",
        }
    }
}

impl LayerReport {
    /// A layer that never ran: no attempt, no output, only why.
    pub fn not_run(layer: &str, status: Status, reason: &str) -> Self {
        Self {
            layer: layer.to_string(),
            status,
            reason: Some(reason.to_string()),
            duration_ms: 0,
            attempts: Vec::new(),
            error: Vec::new(),
            changes: None,
            plan_json: None,
            log: None,
            health_checks: Vec::new(),
            recovery: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub number: u32,
    pub duration_ms: u64,
    pub outcome: AttemptOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error: Vec<String>,
}

/// How one attempt of a layer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttemptOutcome {
    Succeeded,
    Failed,
    /// Failed with a transient error; another attempt followed.
    Transient,
    /// The job's deadline passed.
    Timeout,
    /// Ctrl-C or SIGTERM.
    Cancelled,
}

impl AttemptOutcome {
    pub const ALL: [AttemptOutcome; 5] = [
        AttemptOutcome::Succeeded,
        AttemptOutcome::Failed,
        AttemptOutcome::Transient,
        AttemptOutcome::Timeout,
        AttemptOutcome::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Succeeded => "succeeded",
            AttemptOutcome::Failed => "failed",
            AttemptOutcome::Transient => "transient",
            AttemptOutcome::Timeout => "timeout",
            AttemptOutcome::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for AttemptOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
