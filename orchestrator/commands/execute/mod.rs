//! What `run` and `deploy` share once their plan is built: resolve the options, check every
//! account's credentials (preflight), run the plan with the one signal listener, then write
//! the run report, print the summary and publish it to GitHub.

mod preflight;

use std::sync::Arc;
use std::time::SystemTime;

use self::preflight::{preflight, sts_provider};
use super::claiming::{claim_states, lock_work_dir};
use super::resolve::{resolve, Execution, RunKind};
use super::signals::StopSignals;
use crate::aws::StsProvider;
use crate::config::Config;
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
    execution.check_writable(plan.jobs().map(|j| j.layers.len()).sum())?;
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
    let mut display = Style::detect().reporter(execution.run.output);
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

/// Writes the run report (its own, the latest, `--report`), prints the summary, publishes
/// to GitHub, and picks the exit code.
pub(super) fn finish(report: &RunReport, execution: &Execution) -> CommandResult {
    let path = &execution.report.report_path;
    let unwritten = report::write_with_copies(report, path, &execution.report_copies);
    // A closed stdout (`| head`) must not stop the report from being published.
    let summary = progress::summary(
        report,
        &progress::SummaryPaths {
            report: path.clone(),
            requested: execution.requested_report.clone(),
            config: execution.config_path.clone(),
            unwritten: unwritten.iter().map(|e| e.path().to_path_buf()).collect(),
        },
    );
    crate::console::stdout_text(&summary);
    report::all_written(unwritten).map_err(CliError::failed)?;
    if report.outcome == Outcome::Drifted && execution.fail_on_drift {
        eprintln!(
            "error: --fail-on-drift: {}; exit 1",
            notify::format::drifted(report)
        );
    }
    if let Err(e) = notify::github::publish(report, path) {
        eprintln!("warning: cannot write the GitHub job summary: {e}");
    }
    Ok(Exit::of_run(report.outcome, execution.fail_on_drift))
}
