//! Everything that shapes a run, resolved once from the config and the flags.

use std::path::PathBuf;
use std::time::Duration;

use super::output_tail::OutputLimits;
use crate::backoff::RetryPolicy;
use crate::events::Mode;
use crate::stacks::StackCopy;
use crate::terraform::Terraform;

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `Apply`, or `Plan` for `--plan-only`.
    pub mode: Mode,
    /// How many jobs (accounts) run at once.
    pub parallel: usize,
    /// Start no new job after the first failure.
    pub fail_fast: bool,
    /// A job (all layers of one account, retries included) is stopped after this long.
    pub job_timeout: Duration,
    /// Between the SIGINT and the SIGKILL of a timed-out terraform.
    pub grace_period: Duration,
    pub retry: RetryPolicy,
    pub terraform: Terraform,
    /// Data dirs and logs go here; absolute.
    pub work_dir: PathBuf,
    /// `terraform show -json` of every plan (plan-only runs) goes here; absolute.
    pub plans_dir: PathBuf,
    /// `TF_PLUGIN_CACHE_DIR` is set: `init`s run one at a time.
    pub serialise_init: bool,
    /// `--stack NAME`: the stack layer runs as this copy (its own state, data dir, log and
    /// plan); `None` runs the main stack.
    pub stack: Option<StackCopy>,
    /// `destroy`: every plan is `plan -destroy` (and applying it removes the resources).
    pub destroy: bool,
    /// How much of each command's output is kept in memory (per line, and its end).
    pub output: OutputLimits,
}

impl RunOptions {
    /// The copy `layer` runs as: `Some(name)` only for the stack layer of a `--stack` run.
    pub fn copy_of(&self, layer: &str) -> Option<&str> {
        self.stack
            .as_ref()
            .filter(|s| s.layer == layer)
            .map(|s| s.name.as_str())
    }
}
