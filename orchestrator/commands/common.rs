//! Steps most commands share: load the config, turn selectors into a plan.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::changes::{self, ChangeSet};
use crate::cli::{Format, Selectors};
use crate::config::{self, Account, Config};
use crate::exit::CliError;
use crate::plan::{self, Plan, Selection};
use crate::vending;
use crate::work_lock::{self, WorkDirLock};
use crate::workdir::WorkDir;

/// Locks the work directory a command writes into for the rest of the process (dropping the
/// returned lock releases it): the one way every writing command claims its directory.
pub fn lock_work_dir(work_dir: &Path, command: &str) -> Result<WorkDirLock, CliError> {
    let lock =
        work_lock::lock(work_dir, command).map_err(|e| CliError::bad_input(e.to_string()))?;
    if let Some(stale) = &lock.stale {
        eprintln!(
            "notice: {}: the previous orchestrator {stale} did not finish cleanly (killed or \
             crashed); its lock is taken over. Check its run report and logs; a follow-up run \
             converges what it left",
            lock.path().display()
        );
    }
    Ok(lock)
}

pub fn load_config(path: &Path) -> Result<Config, CliError> {
    Ok(config::load(path)?)
}

/// The config, with the ids `orchestrator vend` recorded in the work dir given to the
/// accounts that omit `account_id`.
pub fn load_config_with_vended_ids(path: &Path, work_dir: &WorkDir) -> Result<Config, CliError> {
    let mut config = load_config(path)?;
    vending::fill_in(&mut config, work_dir.root())?;
    Ok(config)
}

/// Exit 2 when a selected account has no id yet (not vended).
pub fn require_vended<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    work_dir: &WorkDir,
) -> Result<(), CliError> {
    vending::require_ids(accounts, work_dir.root()).map_err(|e| CliError::bad_input(e.to_string()))
}

/// For the commands that describe the organisation (`jobs`, `matrix`): accounts still
/// waiting for vending are left out with a warning naming them, instead of failing the
/// whole organisation.
pub fn warn_waiting_for_vending<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    config_path: &Path,
) -> BTreeSet<String> {
    let waiting: BTreeSet<String> = accounts
        .into_iter()
        .filter(|a| a.account_id.is_empty())
        .map(|a| a.name.clone())
        .collect();
    if !waiting.is_empty() {
        let names: Vec<&str> = waiting.iter().map(String::as_str).collect();
        eprintln!(
            "warning: {} waiting for vending (no account id yet), left out: {}; run `{}`",
            if waiting.len() == 1 {
                "1 account is".to_string()
            } else {
                format!("{} accounts are", waiting.len())
            },
            names.join(", "),
            crate::workdir::command_hint(config_path, "vend")
        );
    }
    waiting
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
    Ok(plan_with_changes(config, selectors)?.0)
}

/// The plan, and with `--changed-since` the change set that narrowed it.
pub fn plan_with_changes(
    config: &Config,
    selectors: &Selectors,
) -> Result<(Plan, Option<ChangeSet>), CliError> {
    let (selection, changes) = selection_with_changes(config, selectors)?;
    Ok((plan::build(config, &selection)?, changes))
}

/// The selectors as a plan selection, narrowed by `--changed-since` when it is given.
pub fn selection_with_changes(
    config: &Config,
    selectors: &Selectors,
) -> Result<(Selection, Option<ChangeSet>), CliError> {
    let mut selection = selection(selectors);
    let changes = changes_since(
        config,
        selectors.changed_since.as_deref(),
        &selectors.all_on,
    )?;
    selection.changed = changes.as_ref().map(ChangeSet::selection);
    Ok((selection, changes))
}

/// `jobs --explain`: the plan with the changed files behind each job's layers.
pub fn explain(
    plan: &Plan,
    changes: Option<ChangeSet>,
    format: Format,
) -> Result<String, CliError> {
    let changes = changes.ok_or_else(|| {
        CliError::bad_input(
            "--explain says which changed files put each job there: add --changed-since <git ref>",
        )
    })?;
    Ok(match format {
        Format::Json => changes::explain::json(plan, &changes),
        Format::Table => changes::explain::table(plan, &changes),
    })
}

/// What `--changed-since REF` (with `--all-on`) affects, as the plan's `Selection::changed`
/// filter; `None` without the flag (an empty value, as an unset CI variable gives, counts as
/// absent). Accounts that left the config are reported on stderr here, for every command.
pub fn changed_filter(
    config: &Config,
    changed_since: Option<&str>,
    all_on: &[String],
) -> Result<Option<BTreeMap<String, BTreeSet<String>>>, CliError> {
    Ok(changes_since(config, changed_since, all_on)?.map(|c| c.selection()))
}

fn changes_since(
    config: &Config,
    changed_since: Option<&str>,
    all_on: &[String],
) -> Result<Option<ChangeSet>, CliError> {
    // Without a ref everything is selected, which is what `--all-on` would select anyway.
    let Some(since) = changed_since.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let changes = changes::detect(config, since, all_on)?;
    let annotate = crate::github_actions::GithubActions::from_env().actions;
    for removed in &changes.removed {
        let message = removed.message();
        eprintln!("warning: {message}");
        if annotate {
            eprintln!(
                "::warning title=Removed from config::{}",
                crate::github_actions::escape_data(&message)
            );
        }
    }
    for note in &changes.notes {
        eprintln!("note: {note}");
    }
    Ok(Some(changes))
}

/// Prints machine-readable output. A reader that stops early (`| head`, `| jq -e ...`) is
/// not an error: the output it wanted was delivered.
pub fn print_stdout(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::failed(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}
