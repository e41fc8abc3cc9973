//! `deploy` (the named accounts: one matrix job, or a targeted redeploy) and `run` (every
//! selected wave on this machine). Each builds its plan; `execute` does the rest.

use std::path::Path;

use super::common::{
    changed_filter, check_stack_accounts, load_config_with_vended_ids, plan_for, require_vended,
    split_names, stack_copy,
};
use super::execute::execute;
use super::resolve::RunKind;
use crate::cli::{DeployArgs, RunArgs};
use crate::exit::{CliError, CommandResult};
use crate::plan::{self, Selection};

pub(super) fn deploy(config_path: &Path, args: DeployArgs) -> CommandResult {
    let config = load_config_with_vended_ids(config_path, &args.execution.work_dir)?;
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
    check_stack_accounts(stack.as_ref(), &plan)?;
    require_vended(plan.jobs().map(|j| &j.account), &args.execution.work_dir)?;
    let kind = RunKind::deploy(&args.execution, stack);
    execute(config, plan, &args.execution, "deploy", kind)
}

pub(super) fn run(config_path: &Path, args: RunArgs) -> CommandResult {
    let config = load_config_with_vended_ids(config_path, &args.execution.work_dir)?;
    let plan = plan_for(&config, &args.selectors)?;
    let stack = stack_copy(&config, args.selectors.stack.as_deref(), &mut Vec::new())?;
    check_stack_accounts(stack.as_ref(), &plan)?;
    require_vended(plan.jobs().map(|j| &j.account), &args.execution.work_dir)?;
    let kind = RunKind::deploy(&args.execution, stack);
    execute(config, plan, &args.execution, "run", kind)
}
