//! The plan: every job the runner or the matrix will run, computed before anything starts,
//! so `jobs`, `matrix`, `deploy` and `run` always agree.

mod build;
mod selected;
mod selection;

pub use build::{build, select, SelectionError};
pub use selected::{Selected, SelectedJob, SelectedWave};
pub use selection::Selection;

use serde::Serialize;

use crate::config::{Account, CredentialsMode};

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

    /// Whether any selected account is reached through STS; when none is (the sandbox's
    /// `credentials: none`), no AWS configuration needs to be loaded at all.
    pub fn assumes_a_role(&self) -> bool {
        self.jobs()
            .any(|job| job.account.credentials == CredentialsMode::AssumeRole)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn job(name: &str, credentials: CredentialsMode) -> Job {
        Job {
            account: Account::example(name, credentials),
            layers: vec!["platform".into()],
        }
    }

    fn plan(waves: Vec<Vec<Job>>) -> Plan {
        Plan {
            waves: waves
                .into_iter()
                .map(|jobs| WavePlan {
                    name: "stage".into(),
                    failure_tolerance: 0,
                    jobs,
                })
                .collect(),
        }
    }

    #[test]
    fn one_account_behind_a_role_in_any_wave_means_sts() {
        let none = |name| job(name, CredentialsMode::None);
        assert!(!plan(vec![vec![none("a"), none("b")], vec![none("c")]]).assumes_a_role());
        assert!(!plan(vec![vec![], vec![]]).assumes_a_role());
        let role = job("d", CredentialsMode::AssumeRole);
        assert!(plan(vec![vec![none("a")], vec![none("c"), role]]).assumes_a_role());
    }
}
