//! Everything `run`, `deploy` and `destroy` need, resolved from the flags every run shares
//! and the kind of run.

use std::path::PathBuf;

use super::absolute;
use super::report_target::{check_writable, report_target};
use super::run_kind::RunKind;
use super::run_options::run_options;
use crate::cli::ExecutionArgs;
use crate::config::Config;
use crate::exit::CliError;
use crate::report::{ReportContext, RunAction};
use crate::runner::RunOptions;
use crate::workdir::WorkDir;

/// How preflight checks the accounts before a run.
#[derive(Debug, Clone)]
pub(crate) struct PreflightOptions {
    /// `--skip-preflight`.
    pub skip: bool,
    /// Roles assumed at once: the run's `--parallel`, and at least 8 (STS answers fast).
    pub concurrency: usize,
    /// `--oidc-role-arn`, over the config's `defaults.oidc_role_arn`.
    pub oidc_role_arn: Option<String>,
}

/// Everything `run` and `deploy` need, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Execution {
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

pub(crate) fn resolve(
    config: &Config,
    args: &ExecutionArgs,
    kind: RunKind,
) -> Result<Execution, CliError> {
    if args.fail_on_drift && !args.plan_only {
        return Err(CliError::bad_input(
            "--fail-on-drift needs --plan-only (drift is what a plan-only run finds)",
        ));
    }
    let work = WorkDir::at(absolute(&args.work_dir)?);
    let action = if kind.destroy {
        RunAction::Destroy
    } else {
        RunAction::Deploy
    };
    let mut target = report_target(config, &work, args.report.as_deref(), kind.mode, action)?;
    target.context.stack = kind.stack.as_ref().map(|s| s.name.to_string());
    target.context.resumed_from = kind.resumed_from.clone();
    let run = run_options(config, args, &kind, &work, target.requested.as_deref())?;
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

impl Execution {
    /// Every place the report of a run of `layers` (account, layer) pairs goes is checked
    /// before anything starts.
    pub(crate) fn check_writable(&self, layers: usize) -> Result<(), CliError> {
        check_writable(
            &self.report.report_path,
            &self.report_copies,
            self.requested_report.as_deref(),
            layers,
        )
    }
}
