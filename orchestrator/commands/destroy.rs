//! `destroy`: the guards, a `plan -destroy` of every layer (shown as the PR comment shows
//! plans), the confirmation, then the destroy itself through the deploy runner, last layer
//! first; a destroyed copy's state is removed.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use super::claiming::{claim_states, lock_work_dir, runtime, state_credentials};
use super::execute::{finish, run_to_report};
use super::loading::{load_config_with_vended_ids, require_vended};
use super::resolve::{self, absolute, DestroyRuns};
use super::selecting::{check_stack_accounts, split_names, stack_copy};
use crate::cli::DestroyArgs;
use crate::config::Config;
use crate::console::eprintln;
use crate::destroy::{self, Answer, DestroyRequest, Listed};
use crate::exit::{CliError, CommandResult, Exit};
use crate::plan::{self, Plan, Selection};
use crate::report::{Outcome, RunReport, Status};
use crate::stacks::{list_copies_of, remove_destroyed_copy, StackCopy};
use crate::summary::destroy_preview;
use crate::terraform::LayerWorkspace;

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
    check_stack_accounts(stack.as_ref(), &plan)?;
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
    let oidc = args.execution.oidc_role_arn.clone();
    let listed = match &config.stacks {
        Some(_) => {
            // Reading the copies' state needs only the read-only plan role.
            let credentials = state_credentials(&config, &plan, oidc.clone(), true)?;
            let accounts: Vec<_> = plan.jobs().map(|j| &j.account).collect();
            runtime()?.block_on(list_copies_of(
                &config,
                &root,
                &accounts,
                credentials.as_ref(),
            ))
        }
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
    let DestroyRuns { preview, applying } =
        resolve::destroy(&config, &args.execution, stack.clone())?;
    let report_path = preview.report.report_path.clone();
    let work_dir = preview.run.work_dir.clone();
    // Held from the plan to the last state removed.
    let _work_dir_lock = lock_work_dir(&work_dir, "destroy")?;
    let _state_claim = claim_states(&config, &plan, &applying.run, "destroy")?;

    let planned = run_to_report(config.clone(), &plan, &preview)?;
    let plans_ok = matches!(planned.outcome, Outcome::Succeeded | Outcome::Drifted);
    if plans_ok {
        if let Some(preview) = destroy_preview(&planned, &report_path) {
            eprintln!("{preview}");
        }
    }
    let nothing_to_destroy = planned.jobs.iter().all(|j| j.status == Status::NoChanges);
    if args.execution.plan_only || !plans_ok || nothing_to_destroy {
        if plans_ok && nothing_to_destroy && !args.execution.plan_only {
            eprintln!("nothing to destroy: every selected layer's state is empty");
            remove_copies(
                &config,
                &root,
                &work_dir,
                stack.as_ref(),
                &planned,
                &plan,
                oidc,
            );
        }
        return finish(&planned, &preview);
    }
    if !args.yes {
        let question = destroy::question(&planned, stack.as_ref());
        let answer = destroy::confirm(
            &question,
            &mut std::io::stdin().lock(),
            &mut crate::console::StderrData,
        );
        if answer == Answer::Declined {
            eprintln!("nothing was destroyed");
            finish(&planned, &preview)?;
            return Ok(Exit::Failed);
        }
    }
    let destroyed = run_to_report(config.clone(), &plan, &applying)?;
    remove_copies(
        &config,
        &root,
        &work_dir,
        stack.as_ref(),
        &destroyed,
        &plan,
        oidc,
    );
    finish(&destroyed, &applying)
}

/// After a destroy, each account's copy state that holds no resource is removed, with the
/// copy's data dir; a copy that still has resources keeps both (and says so). Logs stay.
fn remove_copies(
    config: &Config,
    root: &Path,
    work_dir: &Path,
    copy: Option<&StackCopy>,
    report: &RunReport,
    plan: &Plan,
    oidc_role_arn: Option<String>,
) {
    let Some(copy) = copy else {
        return;
    };
    // Deleting a state object needs the role that deploys, not the read-only one.
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
    for job in &report.jobs {
        let destroyed = job.layers.iter().any(|l| {
            l.layer == copy.layer && matches!(l.status, Status::Succeeded | Status::NoChanges)
        });
        let Some(account) = config.account(&job.account).filter(|_| destroyed) else {
            continue;
        };
        let removed = runtime.block_on(remove_destroyed_copy(
            config,
            root,
            account,
            &copy.name,
            credentials.as_ref(),
        ));
        match removed {
            Ok(removed) => {
                LayerWorkspace::for_copy(
                    work_dir,
                    root,
                    &config.layers_dir,
                    &job.account,
                    &copy.layer,
                    Some(copy.name.as_str()),
                )
                .remove();
                if let Some(state) = removed.first() {
                    eprintln!(
                        "{}: removed the state of copy {} ({state})",
                        job.account, copy.name
                    );
                }
            }
            Err(e) => eprintln!("warning: {}: {e}", job.account),
        }
    }
}
