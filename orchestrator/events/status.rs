//! The statuses of a run, its waves, jobs and layers. `as_str` is the word in the run report
//! (and on the wire); `word` is how people say it in messages.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `apply`, or `plan` for `--plan-only` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Apply,
    Plan,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Apply, Mode::Plan];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Apply => "apply",
            Mode::Plan => "plan",
        }
    }
}

/// What the run did to the accounts' resources: `deploy`, `destroy` (every plan was
/// `plan -destroy`), or `vend` (the organisation's account vending layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunAction {
    #[default]
    Deploy,
    Destroy,
    /// `orchestrator vend`: the account vending layer, as the management account.
    Vend,
}

impl RunAction {
    pub const ALL: [RunAction; 3] = [RunAction::Deploy, RunAction::Destroy, RunAction::Vend];

    pub fn is_deploy(&self) -> bool {
        *self == Self::Deploy
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RunAction::Deploy => "deploy",
            RunAction::Destroy => "destroy",
            RunAction::Vend => "vend",
        }
    }
}

/// The run as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every job succeeded (or had no changes).
    Succeeded,
    /// A job failed; every wave it allowed still ran.
    Failed,
    /// A wave held back the waves after it (failures beyond its tolerance, `--fail-fast`).
    Halted,
    /// Ctrl-C or SIGTERM.
    Cancelled,
    /// Plan-only run that found changes (drift) and no failure.
    Drifted,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::Halted,
        Outcome::Cancelled,
        Outcome::Drifted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Halted => "halted",
            Outcome::Cancelled => "cancelled",
            Outcome::Drifted => "drifted",
        }
    }

    /// How a sentence says it: "Run found changes in 3s".
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Drifted => "found changes",
            other => other.as_str(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaveStatus {
    Succeeded,
    /// Failures within tolerance or not; `failures` says how many.
    Failed,
    /// Not started: an earlier wave held it back.
    Skipped,
    Cancelled,
    /// No job was selected in this wave.
    Empty,
}

impl WaveStatus {
    pub const ALL: [WaveStatus; 5] = [
        WaveStatus::Succeeded,
        WaveStatus::Failed,
        WaveStatus::Skipped,
        WaveStatus::Cancelled,
        WaveStatus::Empty,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WaveStatus::Succeeded => "succeeded",
            WaveStatus::Failed => "failed",
            WaveStatus::Skipped => "skipped",
            WaveStatus::Cancelled => "cancelled",
            WaveStatus::Empty => "empty",
        }
    }
}

/// The status of a layer, and of a job (the worst of its layers, see `rules::job_status`).
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
    /// The matrix leg of this account left no run report (runner lost, killed, timed out
    /// before writing one, or never started): counts as a failure.
    Lost,
}

impl Status {
    /// Every status, in the order of the enum (the run report's JSON Schema lists these).
    pub const ALL: [Status; 7] = [
        Status::Succeeded,
        Status::NoChanges,
        Status::Changes,
        Status::Skipped,
        Status::Cancelled,
        Status::Failed,
        Status::Lost,
    ];

    /// Failed or lost: what counts against a wave's tolerance and makes a run fail.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::Lost)
    }

    /// The word in the run report: `no-changes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "succeeded",
            Status::NoChanges => "no-changes",
            Status::Changes => "changes",
            Status::Skipped => "skipped",
            Status::Cancelled => "cancelled",
            Status::Failed => "failed",
            Status::Lost => "lost",
        }
    }

    /// The word people read: `no changes`.
    pub fn word(self) -> &'static str {
        match self {
            Status::NoChanges => "no changes",
            other => other.as_str(),
        }
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

display_as_str!(Mode, Outcome, WaveStatus, Status);

#[cfg(test)]
mod tests {
    use super::*;

    /// The words are the serde names: one spelling in the report and in the code.
    #[test]
    fn as_str_is_the_report_word() {
        for s in Status::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in WaveStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for o in Outcome::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        for m in Mode::ALL {
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
    }

    /// A new variant must join `ALL` (and so the run report's schema): this match stops
    /// compiling until it is added here, next to the list.
    #[test]
    fn all_lists_every_variant() {
        let listed = |s: Status| match s {
            Status::Succeeded
            | Status::NoChanges
            | Status::Changes
            | Status::Skipped
            | Status::Cancelled
            | Status::Failed
            | Status::Lost => Status::ALL.contains(&s),
        };
        assert!(Status::ALL.iter().all(|s| listed(*s)));
        assert_eq!(
            Status::ALL.len(),
            7,
            "update the match above with the new variant"
        );
    }
}
