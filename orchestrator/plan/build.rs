//! `Config` + `Selection` -> `Plan`. Pure: no I/O, no clock.

use std::collections::HashSet;

use super::{Plan, Selected, SelectedJob, SelectedWave, Selection};
use crate::config::Config;

/// A selector names something the config does not have: bad input, exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{name}`; {hint}")]
pub struct SelectionError {
    pub kind: &'static str,
    pub name: String,
    pub hint: String,
}

/// The plan, owning its jobs: what the runner takes.
pub fn build(config: &Config, selection: &Selection) -> Result<Plan, SelectionError> {
    Ok(select(config, selection)?.to_plan())
}

/// The same plan by reference into the config: what read-only commands (`matrix`) need,
/// without copying every account.
pub fn select<'c>(
    config: &'c Config,
    selection: &Selection,
) -> Result<Selected<'c>, SelectionError> {
    check_names(selection, config)?;
    // A matrix leg deploys up to a few hundred named accounts out of tens of thousands.
    let wanted_accounts: HashSet<&str> = selection.accounts.iter().map(String::as_str).collect();
    let waves = config
        .waves
        .iter()
        .map(|wave| {
            let in_wave = selection.waves.is_empty() || selection.waves.contains(&wave.name);
            let jobs = config
                .accounts
                .iter()
                .filter(|a| in_wave && a.wave == wave.name)
                .filter(|a| selection.domains.is_empty() || selection.domains.contains(&a.domain))
                .filter(|a| {
                    selection.environments.is_empty()
                        || selection.environments.contains(&a.environment)
                })
                .filter(|a| wanted_accounts.is_empty() || wanted_accounts.contains(a.name.as_str()))
                .filter_map(|a| {
                    let layers: Vec<&str> = a
                        .layers
                        .iter()
                        .filter(|l| selection.layers.is_empty() || selection.layers.contains(l))
                        .filter(|l| match &selection.changed {
                            None => true,
                            Some(changed) => {
                                changed.get(&a.name).is_some_and(|set| set.contains(*l))
                            }
                        })
                        .map(String::as_str)
                        .collect();
                    (!layers.is_empty()).then_some(SelectedJob { account: a, layers })
                })
                .collect();
            SelectedWave { wave, jobs }
        })
        .collect();
    Ok(Selected { waves })
}

fn check_names(selection: &Selection, config: &Config) -> Result<(), SelectionError> {
    let accounts: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
    let domains: Vec<&str> = config.domains.iter().map(|d| d.name.as_str()).collect();
    let mut environments: Vec<&str> = config
        .waves
        .iter()
        .flat_map(|w| w.environments.iter().map(String::as_str))
        .collect();
    environments.dedup();
    let layers: Vec<&str> = config.layers.iter().map(String::as_str).collect();
    let waves: Vec<&str> = config.waves.iter().map(|w| w.name.as_str()).collect();
    for (kind, wanted, known) in [
        ("account", &selection.accounts, &accounts),
        ("domain", &selection.domains, &domains),
        ("environment", &selection.environments, &environments),
        ("layer", &selection.layers, &layers),
        ("wave", &selection.waves, &waves),
    ] {
        if wanted.is_empty() {
            continue;
        }
        let known_set: HashSet<&str> = known.iter().copied().collect();
        for name in wanted {
            if !known_set.contains(name.as_str()) {
                return Err(SelectionError {
                    kind,
                    name: name.clone(),
                    hint: hint(name, known, &config.path),
                });
            }
        }
    }
    Ok(())
}

fn hint(name: &str, known: &[&str], path: &std::path::Path) -> String {
    let closest = known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    // The command carries `--config` when the config is not the default, so it lists the
    // same file.
    let jobs = crate::workdir::command_hint(path, "jobs");
    match closest {
        Some((_, k)) => format!(
            "did you mean `{k}`? (`{jobs}` lists what {} has)",
            path.display()
        ),
        None => format!("`{jobs}` lists what {} has", path.display()),
    }
}
