//! Preflight before a run: STS when an account needs it, and every selected account's role
//! assumed before the first terraform starts.

use crate::aws::{self, StsProvider};
use crate::commands::resolve::Execution;
use crate::config::Config;
use crate::console::eprintln;
use crate::exit::CliError;
use crate::plan::Plan;
use crate::report::{self, NotStarted, RunReport};

/// STS for runs that reach an `assume_role` account; `None` when every selected account
/// has `credentials: none` (the sandbox), so no AWS configuration is even loaded.
pub(super) fn sts_provider(
    config: &Config,
    plan: &Plan,
    execution: &Execution,
) -> Result<Option<StsProvider>, CliError> {
    if !plan.assumes_a_role() {
        return Ok(None);
    }
    let provider = StsProvider::new(
        config,
        execution.preflight.oidc_role_arn.clone(),
        &execution.report.run_id,
    )?;
    Ok(Some(
        provider.for_plan(execution.run.mode == report::Mode::Plan),
    ))
}

/// Assumes every selected account's role before anything runs, so a missing trust policy
/// fails the run before the first terraform starts. On failure, returns the run report to
/// write: the unreachable accounts `failed`, every other job `skipped`, nothing started.
pub(super) async fn preflight(
    config: &Config,
    plan: &Plan,
    sts: &StsProvider,
    execution: &Execution,
) -> Option<RunReport> {
    if execution.preflight.skip {
        return None;
    }
    let accounts = plan.jobs().map(|job| &job.account);
    let checked = aws::preflight(config, accounts, sts, execution.preflight.concurrency).await;
    eprintln!("{}", checked.summary());
    if checked.is_ok() {
        return None;
    }
    eprintln!("{}", checked.render_failures());
    Some(report::not_started(
        execution.report.clone(),
        plan,
        NotStarted::PreflightFailed,
        |job| checked.unreachable(&job.account.name),
    ))
}
