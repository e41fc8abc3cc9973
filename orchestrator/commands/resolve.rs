//! The resolve step of `run` and `deploy`: raw flags plus the config become the options the
//! library takes, once, before anything runs (ripgrep's low and high arguments). Nothing
//! after this step looks at a flag again.

use std::path::{Path, PathBuf};

use crate::cli::ExecutionArgs;
use crate::config::Config;
use crate::exit::CliError;
use crate::github_actions::GithubActions;
use crate::report::{self, Mode, ReportContext, RunAction};
use crate::runner::{RetryPolicy, RunOptions};
use crate::stacks::StackCopy;
use crate::terraform::{self, Terraform};

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
    /// The report path as the user wrote it, for the summary line.
    pub report_shown: PathBuf,
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
    let report_path = absolute(&args.report)?;
    let gh = GithubActions::from_env();
    let run = RunOptions {
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
            program: terraform::find_program(&args.terraform)?,
            lock_timeout: config.execution.lock_timeout,
        },
        work_dir: absolute(&args.work_dir)?,
        plans_dir: report_path
            .parent()
            .map_or_else(|| PathBuf::from("plans"), |dir| dir.join("plans")),
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
        report: ReportContext {
            run_id: report::run_id(&gh),
            mode,
            config: config.path.display().to_string(),
            source: report::source(&gh),
            report_path,
            action: if kind.destroy {
                RunAction::Destroy
            } else {
                RunAction::Deploy
            },
            stack: kind.stack.map(|s| s.name.to_string()),
        },
        report_shown: args.report.clone(),
        fail_on_drift: args.fail_on_drift,
    })
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
