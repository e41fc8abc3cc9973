//! Steps most commands share: load the config, turn selectors into a plan.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::changes::{self, ChangeSet};
use crate::cli::{Format, Selectors};
use crate::config::{self, Account, Config};
use crate::console::eprintln;
use crate::credentials::{CredentialsProvider, NoCredentials};
use crate::exit::CliError;
use crate::plan::{self, Plan, Selection};
use crate::stacks::{self, StackCopy};
use crate::state_claim::{self, StateClaim};
use crate::terraform::BackendConfig;
use crate::vending;
use crate::work_lock::{self, WorkDirLock};
use std::sync::Arc;

/// Locks the work directory a command writes into for the rest of the process (dropping the
/// returned lock releases it): the one way every writing command claims its directory.
pub(super) fn lock_work_dir(work_dir: &Path, command: &str) -> Result<WorkDirLock, CliError> {
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

/// Claims every state the plan's layers use, whatever the work dir (see `state_claim`): a
/// second run on any of them refuses at once. Held until the returned claim is dropped.
pub(super) fn claim_states(
    config: &Config,
    plan: &Plan,
    run: &crate::runner::RunOptions,
    command: &str,
) -> Result<StateClaim, CliError> {
    let root = std::path::absolute(&config.root).unwrap_or_else(|_| config.root.clone());
    let states = plan
        .jobs()
        .flat_map(|job| {
            job.layers.iter().map(|layer| {
                BackendConfig::render_copy(
                    &config.state,
                    &root,
                    &job.account,
                    layer,
                    run.copy_of(layer),
                )
                .identity()
            })
        })
        .collect();
    state_claim::claim(&state_claim::claims_dir(), &states, command, &run.work_dir)
        .map_err(|e| CliError::bad_input(e.to_string()))
}

pub(super) fn load_config(path: &Path) -> Result<Config, CliError> {
    Ok(config::load(path)?)
}

/// The config, with the ids `orchestrator vend` recorded under `work_dir` given to the
/// accounts that omit `account_id`.
pub(super) fn load_config_with_vended_ids(
    path: &Path,
    work_dir: &Path,
) -> Result<Config, CliError> {
    let mut config = load_config(path)?;
    vending::fill_in(&mut config, work_dir)?;
    Ok(config)
}

/// The work dir resolved once from the global flags (`--work-dir`, `ORCHESTRATOR_WORK_DIR`,
/// else `.orchestrator` next to the config), set by `dispatch` before any command runs.
static WORK_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

pub(super) fn set_work_dir(work_dir: PathBuf) {
    let _ = WORK_DIR.set(work_dir);
}

/// The resolved work dir: where `vend` recorded the account ids, and everything is written.
pub(super) fn work_dir_from_env() -> PathBuf {
    WORK_DIR
        .get()
        .cloned()
        .unwrap_or_else(|| PathBuf::from(crate::workdir::DEFAULT_WORK_DIR))
}

/// For the commands that describe the organisation (`jobs`, `matrix`): accounts still
/// waiting for vending are left out with a warning naming them, instead of failing the
/// whole organisation.
pub(super) fn warn_waiting_for_vending<'a>(
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

/// Exit 2 when a selected account has no id yet (not vended).
pub(super) fn require_vended<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    work_dir: &Path,
    config_path: &Path,
) -> Result<(), CliError> {
    vending::require_ids(accounts, work_dir, config_path)
        .map_err(|e| CliError::bad_input(e.to_string()))
}

pub(super) fn selection(selectors: &Selectors) -> Selection {
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
pub(super) fn split_names(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split([' ', ',', '\n', '\t']))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) fn plan_for(config: &Config, selectors: &Selectors) -> Result<Plan, CliError> {
    Ok(plan_with_changes(config, selectors)?.0)
}

/// The plan, and with `--changed-since` the change set that narrowed it.
pub(super) fn plan_with_changes(
    config: &Config,
    selectors: &Selectors,
) -> Result<(Plan, Option<ChangeSet>), CliError> {
    let (selection, changes) = selection_with_changes(config, selectors)?;
    Ok((plan::build(config, &selection)?, changes))
}

/// The selectors as a plan selection, narrowed by `--changed-since` when it is given.
pub(super) fn selection_with_changes(
    config: &Config,
    selectors: &Selectors,
) -> Result<(Selection, Option<ChangeSet>), CliError> {
    let mut selection = selection(selectors);
    stack_copy(config, selectors.stack.as_deref(), &mut selection.layers)?;
    let changes = changes_since(
        config,
        selectors.changed_since.as_deref(),
        &selectors.all_on,
    )?;
    selection.changed = changes.as_ref().map(ChangeSet::selection);
    Ok((selection, changes))
}

/// `--stack NAME` checked, with `layers` narrowed to the stack layer; `None` without it.
pub(super) fn stack_copy(
    config: &Config,
    stack: Option<&str>,
    layers: &mut Vec<String>,
) -> Result<Option<StackCopy>, CliError> {
    stacks::resolve(config, stack, layers).map_err(|e| CliError::bad_input(e.to_string()))
}

/// What reaches the accounts' state bucket for `stacks` and `destroy --stack`: each
/// account's role through STS (the read-only plan role with `plan_only`), or nothing when the
/// state is local or no account assumes a role.
pub(super) fn state_credentials(
    config: &Config,
    plan: &Plan,
    oidc_role_arn: Option<String>,
    plan_only: bool,
) -> Result<Arc<dyn CredentialsProvider>, CliError> {
    let local = matches!(config.state, crate::config::StateBackend::Local { .. });
    let assumes = plan
        .jobs()
        .any(|j| j.account.credentials == crate::config::CredentialsMode::AssumeRole);
    if local || !assumes {
        return Ok(Arc::new(NoCredentials));
    }
    let run_id = format!("stacks-{}", std::process::id());
    let sts = crate::aws::StsProvider::new(config, oidc_role_arn, &run_id)
        .map_err(|e| CliError::bad_input(e.to_string()))?;
    Ok(Arc::new(sts.for_plan(plan_only)))
}

/// A small runtime for the state backend's calls outside a run.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))
}

/// Every account of the plan keeps `<account>-<stack>` within AWS's name limits.
pub(super) fn check_stack_accounts(copy: Option<&StackCopy>, plan: &Plan) -> Result<(), CliError> {
    match copy {
        Some(copy) => stacks::check_accounts(copy, plan.jobs().map(|j| &j.account))
            .map_err(|e| CliError::bad_input(e.to_string())),
        None => Ok(()),
    }
}

/// `jobs --explain`: the plan with the changed files behind each job's layers.
pub(super) fn explain(
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
pub(super) fn changed_filter(
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
            crate::console::workflow_command(
                crate::console::Stream::Stderr,
                &format!(
                    "::warning title=Removed from config::{}",
                    crate::github_actions::escape_data(&message)
                ),
            );
        }
    }
    for note in &changes.notes {
        eprintln!("note: {note}");
    }
    Ok(Some(changes))
}

/// Prints machine-readable output (neutralised as `kind` allows, see `console`). A reader
/// that stops early (`| head`, `| jq -e ...`) is not an error: the output it wanted was
/// delivered.
pub(super) fn print_stdout(text: &str, kind: crate::console::Document) -> Result<(), CliError> {
    match crate::console::stdout_document(text, kind) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::failed(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}
