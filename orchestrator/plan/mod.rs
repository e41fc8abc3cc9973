//! The plan: every job the runner or the matrix will run, computed before anything starts,
//! so `jobs`, `matrix`, `deploy` and `run` always agree.

mod build;
mod selected;
mod selection;

pub use build::{build, select, SelectionError};
pub use selected::{Selected, SelectedJob, SelectedWave};
pub use selection::Selection;

use serde::Serialize;

use crate::config::Account;

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Every wave of the config, in deploy order, even when the selection left it empty.
    pub waves: Vec<WavePlan>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WavePlan {
    pub name: String,
    pub failure_tolerance: u32,
    pub jobs: Vec<Job>,
}

/// One account and the layers to run in it, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub account: Account,
    pub layers: Vec<String>,
}

impl Plan {
    pub fn jobs(&self) -> impl Iterator<Item = &Job> {
        self.waves.iter().flat_map(|w| w.jobs.iter())
    }

    pub fn job_count(&self) -> usize {
        self.waves.iter().map(|w| w.jobs.len()).sum()
    }

    pub fn wave(&self, name: &str) -> Option<&WavePlan> {
        self.waves.iter().find(|w| w.name == name)
    }
}

/// The stable, public view of a job (`jobs --format json`).
#[derive(Debug, Serialize)]
pub struct JobView<'a> {
    pub wave: &'a str,
    pub account: &'a str,
    pub domain: &'a str,
    pub environment: &'a str,
    pub account_id: &'a str,
    pub region: &'a str,
    pub layers: &'a [String],
}

impl Job {
    pub fn view(&self) -> JobView<'_> {
        JobView {
            wave: &self.account.wave,
            account: &self.account.name,
            domain: &self.account.domain,
            environment: &self.account.environment,
            account_id: &self.account.account_id,
            region: &self.account.region,
            layers: &self.layers,
        }
    }
}
