//! The plan by reference: which accounts and layers, pointing into the config. `build`
//! copies it into an owned [`Plan`]; `matrix` reads it as it is.

use super::{Job, Plan, WavePlan};
use crate::config::{Account, Wave};

#[derive(Debug, Clone, PartialEq)]
pub struct Selected<'c> {
    /// Every wave of the config, in deploy order, even when the selection left it empty.
    pub waves: Vec<SelectedWave<'c>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectedWave<'c> {
    pub wave: &'c Wave,
    pub jobs: Vec<SelectedJob<'c>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectedJob<'c> {
    pub account: &'c Account,
    /// The layers to run, in apply order.
    pub layers: Vec<&'c str>,
}

impl Selected<'_> {
    /// The owned plan; each wave's job list is allocated once, at its exact size.
    pub fn to_plan(&self) -> Plan {
        Plan {
            waves: self
                .waves
                .iter()
                .map(|w| WavePlan {
                    name: w.wave.name.clone(),
                    failure_tolerance: w.wave.failure_tolerance,
                    jobs: w
                        .jobs
                        .iter()
                        .map(|j| Job {
                            account: j.account.clone(),
                            layers: j.layers.iter().map(|l| l.to_string()).collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
