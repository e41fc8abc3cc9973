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
    /// The CI run that made the plans, when the run report says.
    pub run_url: Option<String>,
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct BadPlan {
    pub path: PathBuf,
    /// The full message, path first.
    pub error: String,
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

    pub fn failed_layers(&self) -> impl Iterator<Item = &LayerEntry> {
        self.layers
            .iter()
            .filter(|entry| matches!(entry.state, LayerState::Failed { .. }))
    }

    pub fn destroys(&self) -> bool {
        self.counts().destroys()
    }

    /// Every layer was planned and none changes anything.
    pub fn is_unchanged(&self) -> bool {
        self.layers.iter().all(|entry| match &entry.state {
            LayerState::Planned(plan) => !plan.counts.has_changes(),
            _ => false,
        })
    }
}

impl Summary {
    pub fn totals(&self) -> Counts {
        let mut counts = Counts::default();
        for account in &self.accounts {
            counts += account.counts();
        }
        counts
    }

    pub fn failed_plans(&self) -> usize {
        self.accounts
            .iter()
            .map(|account| account.failed_layers().count())
            .sum()
    }
}
