//! The runner's options: the run's flags over the config's `execution` settings.

use std::path::Path;

use super::grace_period::grace_period;
use super::run_kind::RunKind;
use crate::cli::ExecutionArgs;
use crate::config::Config;
use crate::exit::CliError;
use crate::runner::{OutputLimits, RetryPolicy, RunOptions};
use crate::terraform::{self, Terraform};
use crate::workdir::WorkDir;

/// `requested` is `--report`'s copy, made absolute.
pub(super) fn run_options(
    config: &Config,
    args: &ExecutionArgs,
    kind: &RunKind,
    work: &WorkDir,
    requested: Option<&Path>,
) -> Result<RunOptions, CliError> {
    Ok(RunOptions {
        mode: kind.mode,
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
        plans_dir: requested
            .and_then(Path::parent)
            .unwrap_or(work.root())
            .join("plans"),
        serialise_init: terraform::plugin_cache_configured(),
        stack: kind.stack.clone(),
        destroy: kind.destroy,
        output: output_limits(args)?,
    })
}

/// `--max-output-line` and `--max-output-tail` (each bounded by its value parser), together:
/// a tail shorter than a line would cut the line it keeps.
fn output_limits(args: &ExecutionArgs) -> Result<OutputLimits, CliError> {
    let limits = OutputLimits {
        line_bytes: args.max_output_line,
        tail_bytes: args.max_output_tail,
    };
    if limits.tail_bytes < limits.line_bytes.max(4096) {
        return Err(CliError::bad_input(format!(
            "--max-output-tail {} must be at least 4096 bytes and at least --max-output-line",
            limits.tail_bytes
        )));
    }
    Ok(limits)
}
