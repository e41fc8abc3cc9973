//! `deploy` (the named accounts: one matrix job, or a targeted redeploy) and `run` (every
//! selected wave on this machine). Each builds its plan; `execute` does the rest.

use std::path::Path;

use super::execute::execute;
use super::loading::{load_config_with_vended_ids, require_vended};
use super::resolve::RunKind;
use super::selecting::{changed_filter, check_stack_accounts, plan_for, split_names, stack_copy};
use crate::cli::{DeployArgs, ExecutionArgs, RunArgs};
use crate::config::Config;
use crate::console::{eprint, eprintln};
use crate::exit::{CliError, CommandResult, Exit};
use crate::plan::{self, Plan, Selection};
use crate::redeploy::{self, ResumePlan};
use crate::report::{self, Mode};
use crate::workdir::{self, WorkDir};

pub(super) fn deploy(config_path: &Path, args: DeployArgs) -> CommandResult {
    let config = load_config_with_vended_ids(config_path, &args.execution.work_dir)?;
    if let Some(report) = &args.resume {
        let mut resume = resume_plan(&config, report, &args.execution)?;
        let accounts = split_names(&args.accounts);
        if !accounts.is_empty() {
            // A matrix leg: only its own accounts, of those the report left undone.
            plan::build(&config, &Selection::accounts(accounts.clone()))?;
            resume.only(&accounts);
            // Narrowed to a later wave, the earlier one is not run here: the same guard as a
            // targeted deploy (a CI leg's fresh work dir holds no report to stop it; its wave
            // ran only once the gate let it).
            if !resume.accounts.is_empty() {
                let narrowed = plan::build(&config, &resume.selection())?;
                let work = WorkDir::at(args.execution.work_dir.clone());
                guard_earlier_waves(
                    &config,
                    &narrowed,
                    &work,
                    args.force,
                    args.execution.plan_only,
                )?;
            }
        }
        return execute_resume(config, resume, args.execution, "deploy");
    }
    let mut selection = Selection {
        accounts: split_names(&args.accounts),
        layers: split_names(&args.layers),
        changed: changed_filter(&config, args.changed_since.as_deref(), &args.all_on)?,
        ..Selection::default()
    };
    let stack = stack_copy(&config, args.stack.as_deref(), &mut selection.layers)?;
    if selection.accounts.is_empty() {
        return Err(CliError::bad_input(
            "--accounts names no account; pass at least one (`orchestrator jobs` lists them)",
        ));
    }
    let plan = plan::build(&config, &selection)?;
    check_stack_accounts(stack.as_ref(), &config, &plan)?;
    require_vended(
        plan.jobs().map(|j| &j.account),
        &args.execution.work_dir,
        &config.path,
    )?;
    if stack.is_none() {
        let work = WorkDir::at(args.execution.work_dir.clone());
        guard_earlier_waves(&config, &plan, &work, args.force, args.execution.plan_only)?;
    }
    let kind = RunKind::deploy(&args.execution, stack);
    execute(config, plan, &args.execution, "deploy", kind)
}

pub(super) fn run(config_path: &Path, args: RunArgs) -> CommandResult {
    let config = load_config_with_vended_ids(config_path, &args.execution.work_dir)?;
    if let Some(report) = &args.resume {
        let resume = resume_plan(&config, report, &args.execution)?;
        return execute_resume(config, resume, args.execution, "run");
    }
    let plan = plan_for(&config, &args.selectors)?;
    let stack = stack_copy(&config, args.selectors.stack.as_deref(), &mut Vec::new())?;
    check_stack_accounts(stack.as_ref(), &config, &plan)?;
    require_vended(
        plan.jobs().map(|j| &j.account),
        &args.execution.work_dir,
        &config.path,
    )?;
    let kind = RunKind::deploy(&args.execution, stack);
    execute(config, plan, &args.execution, "run", kind)
}

/// Reads the report to resume and checks it against the config (exit 2 when ambiguous).
fn resume_plan(
    config: &Config,
    report: &Path,
    args: &ExecutionArgs,
) -> Result<ResumePlan, CliError> {
    let previous = report::read_report(report)?;
    let mode = if args.plan_only {
        Mode::Plan
    } else {
        Mode::Apply
    };
    Ok(ResumePlan::new(
        &previous,
        &workdir::shown(report),
        config,
        mode,
    )?)
}

/// Says what the resume will do, then runs exactly that (nothing when the run was done).
fn execute_resume(
    config: Config,
    resume: ResumePlan,
    args: ExecutionArgs,
    command: &str,
) -> CommandResult {
    eprint!("{}", resume.render());
    if resume.accounts.is_empty() {
        return Ok(Exit::Success);
    }
    let plan = plan::build(&config, &resume.selection())?;
    require_vended(
        plan.jobs().map(|j| &j.account),
        &args.work_dir,
        &config.path,
    )?;
    let mut kind = RunKind::deploy(&args, None);
    kind.resumed_from = Some(resume.from);
    execute(config, plan, &args, command, kind)
}

/// `deploy` of later-wave accounts: says that earlier waves are not run, and refuses (unless
/// `--force`) when a kept run report shows the same domain's earlier-wave account undone.
fn guard_earlier_waves(
    config: &Config,
    plan: &Plan,
    work: &WorkDir,
    force: bool,
    plan_only: bool,
) -> Result<(), CliError> {
    let check = redeploy::check_earlier_waves(config, plan, work, force, plan_only);
    for said in check.note.iter().chain(&check.warning) {
        eprintln!("{said}");
    }
    match check.refusal {
        Some(refusal) => Err(CliError::bad_input(refusal)),
        None => Ok(()),
    }
}
