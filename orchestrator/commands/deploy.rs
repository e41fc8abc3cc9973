//! `deploy` (the named accounts: one matrix job, or a targeted redeploy) and `run` (every
//! selected wave on this machine). Both build a plan, run it, write the run report and end
//! stdout with a summary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::common::{
    changed_filter, load_config_with_vended_ids, lock_work_dir, plan_for, require_vended,
    split_names,
};
use super::invocation::Invocation;
use crate::aws::{self, StsProvider};
use crate::cli::{DeployArgs, ExecutionArgs, RunArgs};
use crate::config::{Config, CredentialsMode};
use crate::credentials::{CredentialsProvider, NoCredentials};
use crate::events;
use crate::exit::{CliError, CommandResult, Exit};
use crate::github_actions::GithubActions;
use crate::notify;
use crate::plan::{self, Plan, Selection};
use crate::progress::{self, Style};
use crate::redeploy::{self, PreviousReport, ResumePlan};
use crate::report::{
    self, Mode, NotStarted, Outcome, ReportBuilder, ReportContext, ResumedFrom, RunReport, Source,
    Status,
};
use crate::runner::{self, CancelHandle, RetryPolicy, RunOptions, StopLevel};
use crate::terraform::Terraform;
use crate::workdir::{self, WorkDir};

pub fn deploy(inv: &Invocation, args: DeployArgs) -> CommandResult {
    let config_path = inv.config()?;
    let work = inv.work_dir()?;
    let config = load_config_with_vended_ids(config_path, &work)?;
    let accounts = split_names(&args.accounts);
    if let Some(report) = &args.resume {
        let mut resume = resume_plan(&config, report, &args.execution)?;
        if !accounts.is_empty() {
            // A matrix leg: only its own accounts, of those the report left undone.
            plan::build(&config, &Selection::accounts(accounts.clone()))?;
            resume.only(&accounts);
        }
        return execute_resume(config, resume, &work, args.execution, "deploy");
    }
    let selection = Selection {
        accounts,
        layers: split_names(&args.layers),
        changed: changed_filter(&config, args.changed_since.as_deref(), &args.all_on)?,
        ..Selection::default()
    };
    if selection.accounts.is_empty() {
        return Err(CliError::bad_input(
            "--accounts names no account; pass at least one (`orchestrator jobs` lists them)",
        ));
    }
    let plan = plan::build(&config, &selection)?;
    require_vended(plan.jobs().map(|j| &j.account), &work)?;
    guard_earlier_waves(&config, &plan, &work, args.force, args.execution.plan_only)?;
    execute(config, plan, &work, args.execution, None, "deploy")
}

pub fn run(inv: &Invocation, args: RunArgs) -> CommandResult {
    let config_path = inv.config()?;
    let work = inv.work_dir()?;
    let config = load_config_with_vended_ids(config_path, &work)?;
    if let Some(report) = &args.resume {
        let resume = resume_plan(&config, report, &args.execution)?;
        return execute_resume(config, resume, &work, args.execution, "run");
    }
    let plan = plan_for(&config, &args.selectors)?;
    require_vended(plan.jobs().map(|j| &j.account), &work)?;
    execute(config, plan, &work, args.execution, None, "run")
}

/// Reads the report to resume and checks it against the config (exit 2 when ambiguous).
fn resume_plan(
    config: &Config,
    report: &Path,
    args: &ExecutionArgs,
) -> Result<ResumePlan, CliError> {
    let previous = report::read_report(report).map_err(|e| CliError::bad_input(e.to_string()))?;
    let mode = if args.plan_only {
        Mode::Plan
    } else {
        Mode::Apply
    };
    ResumePlan::new(&previous, &workdir::shown(report), config, mode)
        .map_err(|e| CliError::bad_input(e.to_string()))
}

/// Says what the resume will do, then runs exactly that (nothing when the run was done).
fn execute_resume(
    config: Config,
    resume: ResumePlan,
    work: &WorkDir,
    args: ExecutionArgs,
    command: &str,
) -> CommandResult {
    eprint!("{}", resume.render());
    if resume.accounts.is_empty() {
        return Ok(Exit::Success);
    }
    let plan = plan::build(&config, &resume.selection())?;
    require_vended(plan.jobs().map(|j| &j.account), work)?;
    execute(config, plan, work, args, Some(resume.from), command)
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
    let Some(note) = redeploy::earlier_waves_note(config, plan) else {
        return Ok(());
    };
    eprintln!("{note}");
    if plan_only {
        return Ok(());
    }
    let mut paths = work.run_reports();
    paths.push(work.latest_report());
    let previous: Vec<PreviousReport> = paths
        .into_iter()
        .filter_map(|path| {
            report::read_report(&path)
                .ok()
                .map(|report| PreviousReport { path, report })
        })
        .collect();
    let blockers = redeploy::find_blockers(config, plan, &previous);
    if blockers.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = blockers
        .iter()
        .map(|b| {
            format!(
                "  {}: {} (wave {}, same domain) {} in {}",
                b.account,
                b.earlier,
                b.earlier_wave,
                b.was,
                workdir::shown(&b.report)
            )
        })
        .collect();
    let report = workdir::shown(&blockers[0].report);
    let rerun = |rest: &str| workdir::command_hint(&config.path, rest);
    if force {
        eprintln!(
            "warning: --force: deploying although an earlier wave is not done:\n{}",
            lines.join("\n")
        );
        return Ok(());
    }
    Err(CliError::bad_input(format!(
        "refusing to deploy: an earlier wave of the same domain is not done:\n{}\n\
         deploy it first (`{}`), finish that run (`{}`), or pass --force to deploy anyway",
        lines.join("\n"),
        rerun(&format!("deploy --accounts {}", blockers[0].earlier)),
        rerun(&format!("run --resume {report}")),
    )))
}

fn execute(
    config: Config,
    plan: Plan,
    work: &WorkDir,
    args: ExecutionArgs,
    resumed_from: Option<ResumedFrom>,
    command: &str,
) -> CommandResult {
    if args.fail_on_drift && !args.plan_only {
        return Err(CliError::bad_input(
            "--fail-on-drift needs --plan-only (drift is what a plan-only run finds)",
        ));
    }
    if plan.job_count() == 0 {
        eprintln!("warning: the selection matches no account and layer; nothing to deploy");
    }
    let terraform = find_program(&args.terraform)?;
    // Before anything is written there: released when this function returns.
    let _work_dir_lock = lock_work_dir(work.root(), command)?;
    let run_id = run_id();
    let reports = ReportPaths {
        run: work.run_report(&run_id),
        latest: work.latest_report(),
        extra: args.report.as_deref().map(absolute).transpose()?,
        config: config.path.clone(),
    };
    let mode = if args.plan_only {
        Mode::Plan
    } else {
        Mode::Apply
    };
    let context = ReportContext {
        run_id,
        mode,
        config: config.path.display().to_string(),
        source: source(),
        report_path: reports.run.clone(),
        resumed_from,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    let credentials = match credentials_provider(&config, &plan, &args, &context.run_id)? {
        Some(sts) => {
            let checked = runtime.block_on(async {
                tokio::select! {
                    report = preflight(&config, &plan, &args, &sts, &context) => report,
                    () = interrupted() => Some(cancelled_before_start(&plan, &context)),
                }
            });
            if let Some(report) = checked {
                return finish(&report, &reports, &args);
            }
            Arc::new(sts) as Arc<dyn CredentialsProvider>
        }
        None => Arc::new(NoCredentials),
    };
    let options = RunOptions {
        mode,
        parallel: usize::from(args.parallel),
        fail_fast: args.fail_fast,
        job_timeout: args.timeout.unwrap_or(config.execution.job_timeout),
        grace_period: config.execution.grace_period,
        retry: RetryPolicy::exponential(
            args.retries.unwrap_or(config.execution.retries),
            args.retry_delay,
        ),
        terraform: Terraform {
            program: terraform,
            lock_timeout: config.execution.lock_timeout,
        },
        work_dir: work.root().to_path_buf(),
        // Next to the report the user reads: `--report`'s (a CI leg uploads that directory),
        // else the latest report's in the work dir.
        plans_dir: reports
            .extra
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(work.root())
            .join("plans"),
        serialise_init: crate::terraform::plugin_cache_configured(),
    };
    let report = runtime.block_on(run_plan(plan, config, options, credentials, context))?;
    finish(&report, &reports, &args)
}

/// Where a run's report goes: its own file under `runs/`, the latest copy, and `--report`.
struct ReportPaths {
    run: PathBuf,
    latest: PathBuf,
    extra: Option<PathBuf>,
    config: PathBuf,
}

/// Writes the run report (its own, the latest, `--report`), prints the summary, publishes
/// to GitHub, and picks the exit code.
fn finish(report: &RunReport, paths: &ReportPaths, args: &ExecutionArgs) -> CommandResult {
    let run_dir = paths.run.parent().unwrap_or(Path::new(""));
    let mut written = write_report(report, &paths.run);
    for copy in [Some(&paths.latest), paths.extra.as_ref()]
        .into_iter()
        .flatten()
    {
        let to_dir = copy.parent().unwrap_or(Path::new(""));
        let result = write_report(&report.rebased(run_dir, to_dir), copy);
        written = written.and(result);
    }
    // A closed stdout (`| head`) must not stop the report from being published.
    let summary = progress::summary(
        report,
        &progress::SummaryPaths {
            report: paths.run.clone(),
            config: paths.config.clone(),
        },
    );
    let _ = std::io::stdout().write_all(summary.as_bytes());
    written.map_err(|e| CliError::failed(e.to_string()))?;
    if let Err(e) = notify::github::publish(report, &paths.run) {
        eprintln!("warning: cannot write the GitHub job summary: {e}");
    }
    if report.outcome == Outcome::Drifted && args.fail_on_drift {
        eprintln!(
            "error: --fail-on-drift: {} drifted (the plan has changes); exit 1",
            describe_drifted(report)
        );
    }
    Ok(exit_code(report, args.fail_on_drift))
}

fn write_report(report: &RunReport, path: &Path) -> Result<(), report::ReportError> {
    report::write_atomic(
        path,
        &serde_json::to_vec_pretty(report).expect("a run report always serialises"),
    )
}

/// `2 accounts (catalog-dev, payments-prod)`.
fn describe_drifted(report: &RunReport) -> String {
    let drifted: Vec<&str> = report
        .jobs
        .iter()
        .filter(|j| j.status == Status::Changes)
        .map(|j| j.account.as_str())
        .collect();
    let shown: Vec<&str> = drifted.iter().copied().take(10).collect();
    let more = drifted.len() - shown.len();
    format!(
        "{} ({}{})",
        notify::format::count(drifted.len(), "account", "accounts"),
        shown.join(", "),
        if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        }
    )
}

/// Runs the plan with signals turned into cancellation, and returns its run report.
async fn run_plan(
    plan: Plan,
    config: Config,
    options: RunOptions,
    credentials: Arc<dyn CredentialsProvider>,
    context: ReportContext,
) -> Result<RunReport, CliError> {
    let (handle, cancel) = runner::cancellation();
    let signals = tokio::spawn(forward_signals(handle));
    let (sender, receiver) = events::channel();
    let mut builder = ReportBuilder::new(context, &plan, SystemTime::now());
    let mut display = Style::detect().reporter();
    let runner = runner::run(
        &plan,
        Arc::new(config),
        options,
        credentials,
        sender,
        cancel,
    );
    // The runner owns the only sender: when it returns, `drive` sees the end of the stream.
    let ((), ()) = tokio::join!(
        runner,
        progress::drive(receiver, &mut builder, display.as_mut())
    );
    signals.abort();
    Ok(builder.report(SystemTime::now()))
}

/// Ctrl-C or SIGTERM: the first stops the run gracefully (one SIGINT to each terraform, then
/// wait); the second kills.
async fn forward_signals(handle: CancelHandle) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        tracing::warn!("cannot listen for Ctrl-C; it will stop the orchestrator at once");
        return;
    };
    loop {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        match handle.escalate() {
            StopLevel::Interrupt => eprintln!(
                "\ninterrupted: stopping every terraform gracefully (state saved, locks released); \
                 press Ctrl-C again to kill them"
            ),
            _ => eprintln!("\nkilling every terraform process"),
        }
    }
}

fn exit_code(report: &RunReport, fail_on_drift: bool) -> Exit {
    match report.outcome {
        Outcome::Succeeded => Exit::Success,
        Outcome::Drifted if fail_on_drift => Exit::Failed,
        Outcome::Drifted => Exit::Success,
        Outcome::Failed | Outcome::Halted => Exit::Failed,
        Outcome::Cancelled => Exit::Interrupted,
    }
}

/// STS for runs that reach an `assume_role` account; `None` when every selected account
/// has `credentials: none` (the sandbox), so no AWS configuration is even loaded.
fn credentials_provider(
    config: &Config,
    plan: &Plan,
    args: &ExecutionArgs,
    run_id: &str,
) -> Result<Option<StsProvider>, CliError> {
    if !plan
        .jobs()
        .any(|job| job.account.credentials == CredentialsMode::AssumeRole)
    {
        return Ok(None);
    }
    StsProvider::new(config, args.oidc_role_arn.clone(), run_id)
        .map(|provider| Some(provider.for_plan(args.plan_only)))
        .map_err(|e| CliError::bad_input(e.to_string()))
}

/// Assumes every selected account's role before anything runs, so a missing trust policy
/// fails the run before the first terraform starts. On failure, returns the run report to
/// write: the unreachable accounts `failed`, every other job `skipped`, nothing started.
async fn preflight(
    config: &Config,
    plan: &Plan,
    args: &ExecutionArgs,
    sts: &StsProvider,
    context: &ReportContext,
) -> Option<RunReport> {
    if args.skip_preflight {
        return None;
    }
    let checked = aws::preflight(
        config,
        plan.jobs().map(|job| &job.account),
        sts,
        usize::from(args.parallel).max(8),
    )
    .await;
    eprintln!("{}", checked.summary());
    if checked.is_ok() {
        return None;
    }
    eprintln!("{}", checked.render_failures());
    let unreachable = |job: &plan::Job| -> Option<String> {
        if let Some(base) = &checked.base_failure {
            return Some(format!(
                "preflight: the base credentials do not work: {}; {}",
                base.failure, base.hint
            ));
        }
        checked
            .failures
            .iter()
            .find(|f| f.account == job.account.name)
            .map(|f| format!("preflight: {}; {}", f.failure, f.hint))
    };
    Some(report::not_started(
        context.clone(),
        plan,
        NotStarted::PreflightFailed,
        unreachable,
    ))
}

/// Resolves on the first Ctrl-C or SIGTERM (used before any terraform runs).
async fn interrupted() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut interrupt), Ok(mut terminate)) => {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        }
        _ => std::future::pending().await,
    }
}

/// The run report of a run stopped during preflight: every job `cancelled`, nothing started.
fn cancelled_before_start(plan: &Plan, context: &ReportContext) -> RunReport {
    eprintln!("\ninterrupted during preflight: no terraform was started");
    report::not_started(context.clone(), plan, NotStarted::Interrupted, |_| None)
}

/// The terraform binary, as an absolute path (terraform runs in each layer's directory).
pub(super) fn find_program(program: &Path) -> Result<PathBuf, CliError> {
    let not_found = || {
        CliError::bad_input(format!(
            "terraform not found: `{}` is not an executable file or on PATH; install terraform \
             (or OpenTofu) or pass --terraform <path> / set TERRAFORM_BIN",
            program.display()
        ))
    };
    let is_executable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.components().count() > 1 {
        let path = absolute(program)?;
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(not_found())
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
        .map(|p| absolute(&p))
        .transpose()?
        .ok_or_else(not_found)
}

pub(super) fn absolute(path: &Path) -> Result<PathBuf, CliError> {
    std::path::absolute(path).map_err(|e| CliError::bad_input(format!("{}: {e}", path.display())))
}

fn run_id() -> String {
    match GithubActions::from_env().run_and_attempt() {
        Some(id) => id,
        None => {
            let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
            let stamp: String = now.chars().filter(char::is_ascii_alphanumeric).collect();
            format!("local-{stamp}-{}", std::process::id())
        }
    }
}

/// Where the run happened, from GitHub Actions' environment.
fn source() -> Option<Source> {
    let gh = GithubActions::from_env();
    let source = Source {
        run_url: gh.run_url(),
        repository: gh.repository,
        commit: gh.sha,
        server_url: gh.server_url,
    };
    (source != Source::default()).then_some(source)
}
