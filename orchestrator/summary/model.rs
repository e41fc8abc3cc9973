//! Every plan of a run, by account and layer: what the comment is rendered from.

use std::path::PathBuf;

use crate::report::Status;

use super::plan_summary::{Counts, PlanSummary};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// In deploy order when a run report gave it, else by name.
    pub accounts: Vec<AccountSummary>,
    /// Every layer seen, in deploy order when known: the table's columns.
    pub layers: Vec<String>,
    /// Plan files that could not be read (`--keep-going`).
    pub bad_plans: Vec<BadPlan>,
    /// The CI run that made the plans (flags, GitHub Actions, or the run report).
    pub run_url: Option<String>,
    /// The commit the plans were made from (flags, GitHub Actions, or the run report).
    pub commit: Option<String>,
    /// Plan files given but not named by the run report (older runs): left out.
    pub stale_plans: Vec<PathBuf>,
    /// Nothing could be planned: the job that works out the accounts to plan failed. The
    /// comment then says so for its commit instead of describing plans.
    pub not_planned: Option<NotPlanned>,
}

/// Why no account was planned for a commit: the error output of the job that failed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NotPlanned {
    /// Its lines, as written (may be none: the job died before saying why).
    pub error: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountSummary {
    pub name: String,
    pub layers: Vec<LayerEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LayerEntry {
    pub layer: String,
    pub state: LayerState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LayerState {
    Planned(PlanSummary),
    /// The run report says the plan failed.
    Failed {
        reason: Option<String>,
        error: Vec<String>,
    },
    /// The run report says the layer was not planned (skipped or cancelled).
    NotPlanned {
        status: Status,
        reason: Option<String>,
    },
    /// The run report says the layer was planned, but its plan file is not among the inputs.
    Missing {
        expected: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct BadPlan {
    pub path: PathBuf,
    /// The full message, path first.
    pub error: String,
}

impl LayerState {
    pub fn is_failed(&self) -> bool {
        match self {
            LayerState::Failed { .. } => true,
            LayerState::Planned(plan) => plan.status.is_failed(),
            _ => false,
        }
    }
}

impl AccountSummary {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for entry in &self.layers {
            if let LayerState::Planned(plan) = &entry.state {
                counts += plan.counts;
            }
        }
        counts
    }

    pub fn layer(&self, name: &str) -> Option<&LayerState> {
        self.layers
            .iter()
            .find(|entry| entry.layer == name)
            .map(|entry| &entry.state)
    }

    /// Layers whose plan failed: by the run report, or terraform's own `errored` or
    /// `complete: false` in the plan file.
    pub fn failed_layers(&self) -> impl Iterator<Item = &LayerEntry> {
        self.layers.iter().filter(|entry| entry.state.is_failed())
    }

    pub fn missing_layers(&self) -> impl Iterator<Item = &LayerEntry> {
        self.layers
            .iter()
            .filter(|entry| matches!(entry.state, LayerState::Missing { .. }))
    }

    /// Whether any layer destroys (or may destroy) a real object.
    pub fn destroys(&self) -> bool {
        self.plans().any(|(_, plan)| plan.destroys())
    }

    /// The planned layers with their plans.
    pub fn plans(&self) -> impl Iterator<Item = (&str, &PlanSummary)> {
        self.layers.iter().filter_map(|entry| match &entry.state {
            LayerState::Planned(plan) => Some((entry.layer.as_str(), plan)),
            _ => None,
        })
    }

    /// Every layer was planned completely and none changes anything.
    pub fn is_unchanged(&self) -> bool {
        self.layers.iter().all(|entry| match &entry.state {
            LayerState::Planned(plan) => !plan.counts.has_changes() && !plan.status.is_failed(),
            _ => false,
        })
    }
}

impl Summary {
    /// A summary of no plan that quotes why: the error output of the job that was to plan
    /// (`--not-planned FILE`; empty when it said nothing).
    pub fn not_planned(error_output: &[u8]) -> Self {
        let error = String::from_utf8_lossy(error_output)
            .lines()
            .map(str::to_string)
            .collect();
        Summary {
            not_planned: Some(NotPlanned { error }),
            ..Summary::default()
        }
    }

    pub fn totals(&self) -> Counts {
        let mut counts = Counts::default();
        for account in &self.accounts {
            counts += account.counts();
        }
        counts
    }

    pub fn missing_plans(&self) -> usize {
        self.accounts
            .iter()
            .map(|account| account.missing_layers().count())
            .sum()
    }

    pub fn failed_plans(&self) -> usize {
        self.accounts
            .iter()
            .map(|account| account.failed_layers().count())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_of_no_plan_quotes_the_error_line_by_line() {
        let summary = Summary::not_planned(b"Error: no such ref\r\n  at main\n\xff\n");
        let error = &summary.not_planned.as_ref().unwrap().error;
        assert_eq!(error, &["Error: no such ref", "  at main", "\u{fffd}"]);
        assert!(summary.accounts.is_empty());
        let silent = Summary::not_planned(b"");
        assert_eq!(silent.not_planned, Some(NotPlanned::default()));
    }
}
