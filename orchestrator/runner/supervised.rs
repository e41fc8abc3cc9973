//! One terraform command outside a plan (the account vending layer), supervised exactly like
//! a layer's: its own process group, output into a log, the deadline (SIGINT, grace period,
//! SIGKILL), and Ctrl-C forwarded as one SIGINT then a kill. No process outlives a call.

use std::io;
use std::path::Path;
use std::time::Duration;

use tokio::time::Instant;

use super::cancel::Cancellation;
use super::log_file::LayerLog;
use super::process::{self, Ending, Limits};
use crate::terraform::TerraformCommand;

/// Why a supervised command did not end with an allowed exit code.
#[derive(Debug)]
pub enum Stopped {
    /// It exited with another code (`None`: killed by a signal); `output` is the end of
    /// what it printed.
    Failed {
        exit_code: Option<i32>,
        output: String,
    },
    /// The deadline passed.
    TimedOut,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// It could not be started, or its log not written.
    Io(io::Error),
}

/// Commands that share one log and one deadline (`timeout` from its creation).
pub struct Supervised {
    log: LayerLog,
    limits: Limits,
}

impl Supervised {
    pub fn new(
        log_file: &Path,
        timeout: Duration,
        grace: Duration,
        cancel: Cancellation,
    ) -> io::Result<Self> {
        Ok(Self {
            log: LayerLog::create(log_file)?,
            limits: Limits {
                deadline: Instant::now() + timeout,
                grace,
                cancel,
                output: Default::default(),
            },
        })
    }

    /// Runs `cmd` to its end; its exit code when it is one of `allowed`. `stdout_to` sends
    /// stdout to a file instead of the log (`terraform output -json`).
    pub async fn run(
        &mut self,
        cmd: &TerraformCommand,
        stdout_to: Option<&Path>,
        allowed: &[i32],
    ) -> Result<i32, Stopped> {
        let finished = process::run(cmd, stdout_to, &mut self.log, &self.limits)
            .await
            .map_err(Stopped::Io)?;
        match (finished.ending, finished.exit_code) {
            (Ending::TimedOut, _) => Err(Stopped::TimedOut),
            (Ending::Interrupted, _) => Err(Stopped::Interrupted),
            (Ending::Exited, Some(code)) if allowed.contains(&code) => Ok(code),
            (Ending::Exited, exit_code) => Err(Stopped::Failed {
                exit_code,
                output: finished.output,
            }),
        }
    }
}
