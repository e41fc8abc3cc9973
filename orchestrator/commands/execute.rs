//! What `run` and `deploy` share once their plan is built: resolve the options, check every
//! account's credentials (preflight), run the plan with the one signal listener, then write
//! the run report, print the summary and publish it to GitHub.

use std::sync::Arc;
use std::time::SystemTime;

use super::claiming::{claim_states, lock_work_dir};
use super::resolve::{resolve, Execution, RunKind};
use super::signals::StopSignals;
use crate::aws::{self, StsProvider};
use crate::config::{Config, CredentialsMode};
use crate::console::eprintln;
use crate::credentials::{CredentialsProvider, NoCredentials};
use crate::events;
use crate::exit::{CliError, CommandResult, Exit};
use crate::notify;
use crate::plan::Plan;
use crate::progress::{self, Style};
use crate::report::{self, NotStarted, Outcome, ReportBuilder, RunReport};
use crate::runner;

pub(super) fn execute(
    config: Config,
    plan: Plan,
    args: &crate::cli::ExecutionArgs,
    command: &str,
    kind: RunKind,
) -> CommandResult {
    let execution = resolve(&config, args, kind)?;
    if plan.job_count() == 0 {
        eprintln!("warning: the selection matches no account and layer; nothing to deploy");
    }
    execution.check_writable()?;
    if let Some(note) = crate::terraform::state_outside_work_dir(&config, &execution.run.work_dir) {
        eprintln!("{note}");
    }
    // Before anything is written there: released when this function returns.
    let _work_dir_lock = lock_work_dir(&execution.run.work_dir, command)?;
    let _state_claim = claim_states(&config, &plan, &execution.run, command)?;
    crate::console::set_run_log(execution.run.work_dir.join("orchestrator.log"));
    let report = run_to_report(Arc::new(config), &plan, &execution)?;
    finish(&report, &execution)
}

/// Preflight and the run of a resolved execution, to its run report (not written yet: see
/// [`finish`]). The caller holds the work dir's lock.
pub(super) fn run_to_report(
    config: Arc<Config>,
    plan: &Plan,
    execution: &Execution,
) -> Result<RunReport, CliError> {
    let sts = sts_provider(&config, plan, execution)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io("cannot start the async runtime", e))?;
    Ok(runtime.block_on(checked_run(config, plan, sts, execution)))
}

/// Preflight (when an account needs STS), then the run; both stop on Ctrl-C or SIGTERM.
async fn checked_run(
    config: Arc<Config>,
    plan: &Plan,
    sts: Option<StsProvider>,
    execution: &Execution,
) -> RunReport {
    let mut signals = StopSignals::listen();
    let credentials: Arc<dyn CredentialsProvider> = match sts {
        Some(sts) => {
            let stopped = tokio::select! {
                report = preflight(&config, plan, &sts, execution) => report,
                _ = signals.next() => {
                    eprintln!("\ninterrupted during preflight: no terraform was started");
                    Some(report::not_started(
                        execution.report.clone(),
                        plan,
                        NotStarted::Interrupted,
                        |_| None,
                    ))
                }
            };
            if let Some(report) = stopped {
                return report;
            }
            Arc::new(sts)
        }
        None => Arc::new(NoCredentials),
    };
    let (handle, cancel) = runner::cancellation();
    let forwarding = tokio::spawn(signals.forward(handle));
    let (sender, receiver) = events::channel();
    let mut builder = ReportBuilder::new(execution.report.clone(), plan, SystemTime::now());
    let mut display = Style::detect().reporter();
    let run = runner::run(
        plan,
        config,
        execution.run.clone(),
        credentials,
        sender,
        cancel,
    );
    // The runner owns the only sender: when it returns, `drive` sees the end of the stream.
    let ((), ()) = tokio::join!(
        run,
        progress::drive(receiver, &mut builder, display.as_mut())
    );
    forwarding.abort();
    builder.report(SystemTime::now())
}

/// STS for runs that reach an `assume_role` account; `None` when every selected account
/// has `credentials: none` (the sandbox), so no AWS configuration is even loaded.
fn sts_provider(
    config: &Config,
    plan: &Plan,
    execution: &Execution,
) -> Result<Option<StsProvider>, CliError> {
    if !plan
        .jobs()
        .any(|job| job.account.credentials == CredentialsMode::AssumeRole)
    {
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
async fn preflight(
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

/// Writes the run report (its own, the latest, `--report`), prints the summary, publishes
/// to GitHub, and picks the exit code.
pub(super) fn finish(report: &RunReport, execution: &Execution) -> CommandResult {
    let path = &execution.report.report_path;
    let written = report::write_with_copies(report, path, &execution.report_copies);
    // A closed stdout (`| head`) must not stop the report from being published.
    let summary = progress::summary(
        report,
        &progress::SummaryPaths {
            report: path.clone(),
            requested: execution.requested_report.clone(),
            config: execution.config_path.clone(),
        },
    );
    crate::console::stdout_text(&summary);
    written.map_err(|e| CliError::failed(e.to_string()))?;
    if report.outcome == Outcome::Drifted && execution.fail_on_drift {
        eprintln!(
            "error: --fail-on-drift: {}; exit 1",
            notify::format::drifted(report)
        );
    }
    if let Err(e) = notify::github::publish(report, path) {
        eprintln!("warning: cannot write the GitHub job summary: {e}");
    }
    Ok(match report.outcome {
        Outcome::Succeeded => Exit::Success,
        Outcome::Drifted if execution.fail_on_drift => Exit::Failed,
        Outcome::Drifted => Exit::Success,
        Outcome::Failed | Outcome::Halted => Exit::Failed,
        Outcome::Cancelled => Exit::Interrupted,
    })
}
