//! Steps most commands share: load the config, turn selectors into a plan.

use std::path::Path;

use crate::cli::Selectors;
use crate::config::{self, Config};
use crate::exit::CliError;
use crate::plan::{self, Plan, Selection};

pub fn load_config(path: &Path) -> Result<Config, CliError> {
    Ok(config::load(path)?)
}

pub fn selection(selectors: &Selectors) -> Selection {
    Selection {
        domains: selectors.domains.clone(),
        environments: selectors.environments.clone(),
        accounts: split_names(&selectors.accounts),
        layers: selectors.layers.clone(),
        waves: Vec::new(),
        changed: None,
    }
}

/// Account lists arrive comma- or space-separated (the matrix's `accounts` is space-separated).
pub fn split_names(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split([' ', ',', '\n', '\t']))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn plan_for(config: &Config, selectors: &Selectors) -> Result<Plan, CliError> {
    let selection = selection(selectors);
    if selectors.changed_since.is_some() {
        return Err(CliError::bad_input(
            "--changed-since is not available in this build",
        ));
    }
    Ok(plan::build(config, &selection)?)
}
