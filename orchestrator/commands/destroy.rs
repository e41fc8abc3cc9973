//! `destroy`: the guards, a `plan -destroy` of every layer (shown as the PR comment shows
//! plans), the confirmation, then the destroy itself through the deploy runner, last layer
//! first; a destroyed copy's state is removed.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use super::claiming::{claim_states, list_copies, lock_work_dir, runtime, state_credentials};
use super::execute::{finish, run_to_report};
use super::loading::{load_config_with_vended_ids, require_vended};
use super::resolve::{self, absolute, DestroyRuns, Execution};
use super::selecting::{check_stack_accounts, split_names, stack_copy};
use super::signals;
use crate::cli::DestroyArgs;
use crate::config::Config;
use crate::console::eprintln;
use crate::destroy::{self, AfterPlan, Answer, DestroyRequest, Listed};
use crate::exit::{CliError, CommandResult, Exit};
use crate::plan::{self, Plan, Selection};
use crate::report::RunReport;
use crate::summary::destroy_preview;

pub(super) fn run(config_path: &Path, args: DestroyArgs) -> CommandResult {
    let config = match &args.from_ref {
        Some(reference) => crate::changes::config_at(config_path, reference)
            .map_err(|e| CliError::bad_input(e.to_string()))?,
        None => load_config_with_vended_ids(config_path, &args.execution.work_dir)?,
    };
    let mut layers = split_names(&args.layers);
    let stack = stack_copy(&config, args.stack.as_deref(), &mut layers)?;
    let selection = Selection {
        accounts: split_names(&args.accounts),
        layers,
        ..Selection::default()
    };
    if selection.accounts.is_empty() {
        return Err(CliError::bad_input(
            "--accounts names no account; pass the accounts to destroy",
        ));
    }
    let plan = plan::build(&config, &selection)?;
    check_stack_accounts(stack.as_ref(), &config, &plan)?;
    let root = absolute(&config.root)?;
    let request = DestroyRequest {
        environments: &args.environments,
        yes: args.yes,
        plan_only: args.execution.plan_only,
        including_platform: args.including_platform,
        stdin_is_terminal: std::io::stdin().is_terminal(),
        stack: stack.as_ref(),
    };
    let refused = |e: destroy::DestroyError| CliError::bad_input(e.to_string());
    destroy::check_confirmable(&request).map_err(refused)?;
    let listed = match &config.stacks {
        // Reading the copies' state needs only the read-only plan role.
        Some(_) => list_copies(&config, &plan, &root, args.execution.oidc_role_arn.clone())?,
        None => Listed::new(),
    };
    destroy::check(&config, &plan, &request, &listed).map_err(refused)?;
    require_vended(
        plan.jobs().map(|j| &j.account),
        &args.execution.work_dir,
        &config.path,
    )?;
    if plan.job_count() == 0 {
        return Err(CliError::bad_input(
            "the named accounts have none of those layers; nothing to destroy",
        ));
    }
    let plan = destroy::reverse(plan);
    let config = Arc::new(config);
    let DestroyRuns { preview, applying } = resolve::destroy(
        &config,
        &args.execution,
        stack.clone(),
        plan.jobs().map(|j| j.layers.len()).sum(),
    )?;
    // Held from the plan to the last state removed.
    let _work_dir_lock = lock_work_dir(&preview.run.work_dir, "destroy")?;
    let _state_claim = claim_states(&config, &plan, &applying.run, "destroy")?;

    let planned = run_to_report(config.clone(), &plan, &preview)?;
    let next = AfterPlan::of(&planned, args.execution.plan_only);
    if next.shows_preview() {
        if let Some(shown) = destroy_preview(&planned, &preview.report.report_path) {
            eprintln!("{shown}");
        }
    }
    match next {
        AfterPlan::PlansFailed | AfterPlan::PlanOnly => return finish(&planned, &preview),
        AfterPlan::NothingToDestroy => {
            eprintln!("nothing to destroy: every selected layer's state is empty");
            remove_copies(&config, &root, &plan, &applying, &planned);
            return finish(&planned, &preview);
        }
        AfterPlan::Destroy => {}
    }
    if !args.yes {
        let question = destroy::question(&planned, stack.as_ref());
        match signals::unless_stopped(move || destroy::ask(&question))? {
            Some(Answer::Destroy) => {}
            Some(Answer::Declined) => {
                eprintln!("nothing was destroyed");
                finish(&planned, &preview)?;
                return Ok(Exit::Failed);
            }
            None => {
                eprintln!("\ninterrupted at the question: nothing was destroyed");
                finish(&planned, &preview)?;
                return Ok(Exit::Interrupted);
            }
        }
    }
    let destroyed = run_to_report(config.clone(), &plan, &applying)?;
    remove_copies(&config, &root, &plan, &applying, &destroyed);
    finish(&destroyed, &applying)
}

/// After a destroy with `--stack`, the state and data dir of each account's emptied copy are
/// removed (`destroy::remove_destroyed_copies`); says what went and what was kept.
fn remove_copies(config: &Config, root: &Path, plan: &Plan, run: &Execution, report: &RunReport) {
    let Some(copy) = &run.run.stack else {
        return;
    };
    // Deleting a state object needs the role that deploys, not the read-only one.
    let oidc_role_arn = run.preflight.oidc_role_arn.clone();
    let (credentials, runtime) = match (
        state_credentials(config, plan, oidc_role_arn, false),
        runtime(),
    ) {
        (Ok(c), Ok(r)) => (c, r),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("warning: the state of copy {} is kept: {e}", copy.name);
            return;
        }
    };
    let removals = runtime.block_on(destroy::remove_destroyed_copies(
        config,
        root,
        &run.run.work_dir,
        copy,
        report,
        credentials.as_ref(),
    ));
    for said in removals.iter().filter_map(|removal| removal.said(copy)) {
        eprintln!("{said}");
    }
}
