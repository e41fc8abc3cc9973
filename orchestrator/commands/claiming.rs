//! What a command that writes claims before it starts: the work dir's lock, every state its
//! plan uses, and the credentials and runtime for the state backend outside a run (the
//! copies of the stack layer read with them).

use std::path::Path;
use std::sync::Arc;

use crate::config::Config;
use crate::console::eprintln;
use crate::credentials::{CredentialsProvider, NoCredentials};
use crate::destroy::Listed;
use crate::exit::CliError;
use crate::plan::Plan;
use crate::stacks::list_copies_of;
use crate::state_claim::{self, StateClaim};
use crate::terraform::BackendConfig;
use crate::work_lock::{self, WorkDirLock};

/// Locks the work directory a command writes into for the rest of the process (dropping the
/// returned lock releases it): the one way every writing command claims its directory.
pub(super) fn lock_work_dir(work_dir: &Path, command: &str) -> Result<WorkDirLock, CliError> {
    let lock = work_lock::lock(work_dir, command)?;
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
    claim(states, command, &run.work_dir)
}

/// Claims `states` (as [`BackendConfig::identity`] names them) for this command run from
/// `work_dir`: the one way a writing command claims the states it will use.
pub(super) fn claim(
    states: std::collections::BTreeSet<String>,
    command: &str,
    work_dir: &Path,
) -> Result<StateClaim, CliError> {
    Ok(state_claim::claim(
        &state_claim::claims_dir(),
        &states,
        command,
        work_dir,
    )?)
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
    if local || !plan.assumes_a_role() {
        return Ok(Arc::new(NoCredentials));
    }
    let run_id = format!("stacks-{}", std::process::id());
    let sts = crate::aws::StsProvider::new(config, oidc_role_arn, &run_id)?;
    Ok(Arc::new(sts.for_plan(plan_only)))
}

/// The copies of the stack layer each of the plan's accounts has, read with the read-only
/// plan role (reading state needs no more).
pub(super) fn list_copies(
    config: &Config,
    plan: &Plan,
    root: &Path,
    oidc_role_arn: Option<String>,
) -> Result<Listed, CliError> {
    let credentials = state_credentials(config, plan, oidc_role_arn, true)?;
    let accounts: Vec<_> = plan.jobs().map(|j| &j.account).collect();
    Ok(runtime()?.block_on(list_copies_of(
        config,
        root,
        &accounts,
        credentials.as_ref(),
    )))
}

/// A small runtime for the state backend's calls outside a run.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))
}
