//! The resolve step of `run` and `deploy`: raw flags plus the config become the options the
//! library takes, once, before anything runs (ripgrep's low and high arguments). Nothing
//! after this step looks at a flag again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::ExecutionArgs;
use crate::config::Config;
use crate::exit::CliError;
use crate::github_actions::GithubActions;
use crate::report::{self, Mode, ReportContext, ResumedFrom, RunAction};
use crate::runner::{RetryPolicy, RunOptions};
use crate::stacks::StackCopy;
use crate::terraform::{self, Terraform};
use crate::workdir::WorkDir;

/// How preflight checks the accounts before a run.
#[derive(Debug, Clone)]
pub(super) struct PreflightOptions {
    /// `--skip-preflight`.
    pub skip: bool,
    /// Roles assumed at once: the run's `--parallel`, and at least 8 (STS answers fast).
    pub concurrency: usize,
    /// `--oidc-role-arn`, over the config's `defaults.oidc_role_arn`.
    pub oidc_role_arn: Option<String>,
}

/// Everything `run` and `deploy` need, resolved.
#[derive(Debug, Clone)]
pub(super) struct Execution {
    pub run: RunOptions,
    pub preflight: PreflightOptions,
    pub report: ReportContext,
    /// The latest-report copy in the work dir, and `--report`'s copy when given: the run's
    /// own report is `report.report_path` (`<work dir>/runs/<run id>/report.json`).
    pub report_copies: Vec<PathBuf>,
    /// `--report`'s copy, the file the user asked for: the summary names it.
    pub requested_report: Option<PathBuf>,
    /// The config file, named in the printed resume command.
    pub config_path: PathBuf,
    /// `--fail-on-drift`: a plan-only run that found changes exits 1.
    pub fail_on_drift: bool,
}

/// What a run does besides the flags every run shares: plan or apply, deploy or destroy,
/// the main stack or one copy of the stack layer.
#[derive(Debug, Clone)]
pub(super) struct RunKind {
    pub mode: Mode,
    pub destroy: bool,
    pub stack: Option<StackCopy>,
    /// `--resume REPORT`: the run this one finishes.
    pub resumed_from: Option<ResumedFrom>,
}

impl RunKind {
    /// `run` and `deploy`: apply, or plan with `--plan-only`.
    pub(super) fn deploy(args: &ExecutionArgs, stack: Option<StackCopy>) -> Self {
        Self {
            mode: if args.plan_only {
                Mode::Plan
            } else {
                Mode::Apply
            },
            destroy: false,
            stack,
            resumed_from: None,
        }
    }
}

pub(super) fn resolve(
    config: &Config,
    args: &ExecutionArgs,
    kind: RunKind,
) -> Result<Execution, CliError> {
    if args.fail_on_drift && !args.plan_only {
        return Err(CliError::bad_input(
            "--fail-on-drift needs --plan-only (drift is what a plan-only run finds)",
        ));
    }
    let mode = kind.mode;
    let work = WorkDir::at(absolute(&args.work_dir)?);
    let action = if kind.destroy {
        RunAction::Destroy
    } else {
        RunAction::Deploy
    };
    let mut target = report_target(config, &work, args.report.as_deref(), mode, action)?;
    target.context.stack = kind.stack.as_ref().map(|s| s.name.to_string());
    target.context.resumed_from = kind.resumed_from;
    let extra_report = args.report.as_deref().map(absolute).transpose()?;
    let run = RunOptions {
        mode,
        parallel: usize::from(args.parallel),
        fail_fast: args.fail_fast,
        job_timeout: args.timeout.unwrap_or(config.execution.job_timeout),
        grace_period: grace_period(config, args.grace_period),
        retry: RetryPolicy::exponential(
            args.retries.unwrap_or(config.execution.retries),
            args.retry_delay,
        ),
        terraform: Terraform {
            program: terraform::find_program(&args.terraform)?,
            lock_timeout: config.execution.lock_timeout,
        },
        work_dir: work.root().to_path_buf(),
        // Next to the report the user reads: `--report`'s (a CI leg uploads that directory),
        // else the latest report's in the work dir.
        plans_dir: extra_report
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(work.root())
            .join("plans"),
        serialise_init: terraform::plugin_cache_configured(),
        stack: kind.stack.clone(),
        destroy: kind.destroy,
        output: output_limits(args)?,
    };
    Ok(Execution {
        run,
        preflight: PreflightOptions {
            skip: args.skip_preflight,
            concurrency: usize::from(args.parallel).max(8),
            oidc_role_arn: args.oidc_role_arn.clone(),
        },
        report: target.context,
        report_copies: target.copies,
        requested_report: target.requested,
        config_path: config.path.clone(),
        fail_on_drift: args.fail_on_drift,
    })
}

/// Where a run's report goes and what it says besides the run itself.
pub(super) struct ReportTarget {
    /// `report_path` is the run's own report, `<work dir>/runs/<run id>/report.json`.
    pub context: ReportContext,
    /// The latest-report copy in the work dir, and `report_flag`'s when given.
    pub copies: Vec<PathBuf>,
    /// `--report`'s copy, the file the user asked for.
    pub requested: Option<PathBuf>,
}

/// The run id (the CI run's, else a local one), the run's own report under `work`, and its
/// copies: the latest in the work dir, and `--report`'s.
pub(super) fn report_target(
    config: &Config,
    work: &WorkDir,
    report_flag: Option<&Path>,
    mode: Mode,
    action: RunAction,
) -> Result<ReportTarget, CliError> {
    let gh = GithubActions::from_env();
    let run_id = report::run_id(&gh);
    // Each run keeps its own report; `report.json` is the latest, `--report` a copy more.
    let report_path = work.run_report(&run_id);
    let extra_report = report_flag.map(absolute).transpose()?;
    Ok(ReportTarget {
        context: ReportContext {
            run_id,
            mode,
            config: config.path.display().to_string(),
            source: report::source(&gh),
            report_path,
            action,
            stack: None,
            resumed_from: None,
        },
        copies: std::iter::once(work.latest_report())
            .chain(extra_report.clone())
            .collect(),
        requested: extra_report,
    })
}

impl ReportTarget {
    /// A report that could not be written after the run would lose its outcome: every
    /// place it goes is checked before anything starts.
    pub(super) fn check_writable(&self) -> Result<(), CliError> {
        check_writable(
            &self.context.report_path,
            &self.copies,
            self.requested.as_deref(),
        )
    }
}

/// See [`ReportTarget::check_writable`]. What to do depends on which flag chose the path:
/// `--report` (`requested`) for its copy, the work dir for the others.
pub(super) fn check_writable(
    path: &Path,
    copies: &[PathBuf],
    requested: Option<&Path>,
) -> Result<(), CliError> {
    std::iter::once(path)
        .chain(copies.iter().map(PathBuf::as_path))
        .try_for_each(|path| {
            report::check_writable(path).map_err(|e| {
                let what_to_do = if requested == Some(path) {
                    "choose another --report: a file in a directory you can write"
                } else {
                    "choose a work dir you can write: --work-dir DIR or ORCHESTRATOR_WORK_DIR"
                };
                CliError::bad_input(format!("{e}; nothing was started ({what_to_do})"))
            })
        })
}

/// Under GitHub Actions, the longest wait between terraform's SIGINT and its SIGKILL: the
/// runner answers a cancel or a step timeout with SIGINT to the step's process, SIGTERM about
/// 7.5 s later (a second stop, which kills terraform) and SIGKILL of the whole tree about 10 s
/// after the SIGINT. Stopping at 7 s leaves the orchestrator time to write the report.
pub(super) const GITHUB_ACTIONS_GRACE_PERIOD: Duration = Duration::from_secs(7);

/// `--grace-period` (`flag`), else `defaults.grace_period`, capped under GitHub Actions so a
/// cancelled leg's (or vend's) own kill, with its report, comes before the runner's.
pub(super) fn grace_period(config: &Config, flag: Option<Duration>) -> Duration {
    if let Some(flag) = flag {
        return flag;
    }
    let configured = config.execution.grace_period;
    if GithubActions::from_env().actions && configured > GITHUB_ACTIONS_GRACE_PERIOD {
        // Once per command: destroy resolves its plan and its apply.
        static NOTED: std::sync::Once = std::sync::Once::new();
        NOTED.call_once(|| {
            crate::console::eprintln!(
            "note: grace period {} in GitHub Actions, not {} (defaults.grace_period): the runner \
             kills a cancelled step's processes about 10s after its SIGINT; --grace-period \
             overrides",
            humantime::format_duration(GITHUB_ACTIONS_GRACE_PERIOD),
            humantime::format_duration(configured)
        )
        });
        return GITHUB_ACTIONS_GRACE_PERIOD;
    }
    configured
}

pub(super) fn absolute(path: &Path) -> Result<PathBuf, CliError> {
    std::path::absolute(path).map_err(|e| CliError::bad_input(format!("{}: {e}", path.display())))
}

/// `--max-output-line` and `--max-output-tail`, checked: a cap too small to hold one of
/// terraform's error lines would hide why a layer failed.
fn output_limits(args: &ExecutionArgs) -> Result<crate::runner::OutputLimits, CliError> {
    let limits = crate::runner::OutputLimits {
        line_bytes: args.max_output_line,
        tail_bytes: args.max_output_tail,
    };
    if limits.line_bytes < 256 {
        return Err(CliError::bad_input(format!(
            "--max-output-line {} is too small to keep an error line; use at least 256 (bytes)",
            limits.line_bytes
        )));
    }
    if limits.tail_bytes < limits.line_bytes.max(4096) {
        return Err(CliError::bad_input(format!(
            "--max-output-tail {} must be at least 4096 bytes and at least --max-output-line",
            limits.tail_bytes
        )));
    }
    Ok(limits)
}
