//! Runs one terraform command and supervises it: its own process group, output into the
//! layer's log, and the three ways it can be stopped: the job's deadline (SIGINT to the group,
//! the grace period, then SIGKILL), an interrupted run (one SIGINT, then wait), a killed run
//! (SIGKILL). Whatever happens, no process of the group outlives this call.

use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::time::{sleep_until, Instant};

use super::cancel::Cancellation;
use super::log_file::LayerLog;
use super::output_tail::OutputTail;
use crate::terraform::TerraformCommand;

/// How long processes that terraform left behind (a provisioner's background child) may keep
/// its output open after terraform itself exited.
const LEFTOVER_WAIT: Duration = Duration::from_secs(2);

/// When and how a command must stop.
#[derive(Debug, Clone)]
pub(super) struct Limits {
    pub deadline: Instant,
    pub grace: Duration,
    pub cancel: Cancellation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ending {
    /// It ran to its end (successfully or not).
    Exited,
    /// The job's deadline passed and it was stopped.
    TimedOut,
    /// The run was interrupted (Ctrl-C, SIGTERM) and it was stopped.
    Interrupted,
}

#[derive(Debug)]
pub(super) struct Finished {
    pub exit_code: Option<i32>,
    pub ending: Ending,
    /// The end of what it printed (stdout and stderr, in order).
    pub output: String,
}

/// Runs `cmd` to its end. `stdout_to` sends stdout to a file instead of the log (for
/// `show -json`); stderr always goes to the log.
pub(super) async fn run(
    cmd: &TerraformCommand,
    stdout_to: Option<&Path>,
    log: &mut LayerLog,
    limits: &Limits,
) -> io::Result<Finished> {
    // One pipe for stdout and stderr keeps their lines in the order terraform wrote them.
    // tokio creates it close-on-exec, so other jobs' processes never inherit it.
    let (sender, receiver) = tokio::net::unix::pipe::pipe()?;
    let write_end = sender.into_blocking_fd()?;
    let mut command = cmd.to_command();
    match stdout_to {
        Some(path) => command.stdout(Stdio::from(std::fs::File::create(path)?)),
        None => command.stdout(Stdio::from(write_end.try_clone()?)),
    };
    command.stderr(Stdio::from(write_end));
    // Its own process group: a Ctrl-C on the terminal reaches only the orchestrator, which
    // forwards exactly one SIGINT; and the whole group (providers, provisioners) can be
    // signalled at once.
    command.process_group(0);
    let mut command = tokio::process::Command::from(command);
    command.kill_on_drop(true);
    log.note(&format!("$ {cmd}"));
    let mut child = command.spawn()?;
    // Our copies of the pipe's write end must close, or the output never reaches its end.
    drop(command);
    let group = ProcessGroup::new(child.id());

    let mut reader = BufReader::new(receiver);
    let mut line = Vec::new();
    let mut tail = OutputTail::default();
    let mut status: Option<ExitStatus> = None;
    let mut pipe_open = true;
    let mut ending = Ending::Exited;
    let mut interrupted = false;
    let mut killed = false;
    let mut kill_at: Option<Instant> = None;
    let mut on_interrupt = limits.cancel.clone();
    let mut on_kill = limits.cancel.clone();

    while status.is_none() || pipe_open {
        tokio::select! {
            read = reader.read_until(b'\n', &mut line), if pipe_open => match read {
                Ok(0) | Err(_) => pipe_open = false,
                Ok(_) => {
                    log.output(&line);
                    tail.push(&line);
                    line.clear();
                }
            },
            waited = child.wait(), if status.is_none() => {
                status = Some(waited?);
                if pipe_open {
                    let leftover = Instant::now() + LEFTOVER_WAIT;
                    kill_at = Some(kill_at.map_or(leftover, |at| at.min(leftover)));
                }
            },
            () = sleep_until(limits.deadline), if !interrupted && status.is_none() => {
                log.note(&format!(
                    "[orchestrator] job timeout: SIGINT sent, SIGKILL in {}",
                    humantime::format_duration(limits.grace)
                ));
                group.signal(Signal::SIGINT);
                interrupted = true;
                ending = Ending::TimedOut;
                kill_at = Some(Instant::now() + limits.grace);
            },
            () = on_interrupt.interrupted(), if !interrupted && status.is_none() => {
                log.note("[orchestrator] interrupted: SIGINT sent, waiting for terraform to stop");
                group.signal(Signal::SIGINT);
                interrupted = true;
                ending = Ending::Interrupted;
            },
            () = on_kill.killed(), if !killed => {
                log.note("[orchestrator] killed");
                group.signal(Signal::SIGKILL);
                killed = true;
                if ending == Ending::Exited && status.is_none() {
                    ending = Ending::Interrupted;
                }
            },
            () = sleep_until(kill_at.unwrap_or_else(Instant::now)), if kill_at.is_some() && !killed => {
                log.note("[orchestrator] SIGKILL sent to what was left");
                group.signal(Signal::SIGKILL);
                killed = true;
            },
        }
    }
    // Anything of the group still alive closed its output; it must not outlive the command.
    group.kill_leftovers();

    let exit_code = status.and_then(|s| s.code());
    // Stopped too late to matter: terraform had finished (0, or 2 from a plan with changes).
    if matches!(exit_code, Some(0 | 2)) {
        ending = Ending::Exited;
    }
    log.note(&match exit_code {
        Some(code) => format!("[exit {code}]"),
        None => "[killed by a signal]".to_string(),
    });
    log.flush();
    Ok(Finished {
        exit_code,
        ending,
        output: tail.into_string(),
    })
}

/// The process group of one command; killed when dropped, so that even an abandoned run
/// (a panic, a dropped future) leaves no process behind.
struct ProcessGroup {
    pgid: Option<Pid>,
}

impl ProcessGroup {
    fn new(leader: Option<u32>) -> Self {
        Self {
            pgid: leader
                .and_then(|id| i32::try_from(id).ok())
                .map(Pid::from_raw),
        }
    }

    fn signal(&self, signal: Signal) {
        if let Some(pgid) = self.pgid {
            // ESRCH: the group is already gone, which is what we wanted.
            let _ = killpg(pgid, signal);
        }
    }

    fn is_alive(&self) -> bool {
        self.pgid.is_some_and(|pgid| killpg(pgid, None).is_ok())
    }

    /// Called right after the leader was reaped; the group's id cannot be reused while any of
    /// its members lives.
    fn kill_leftovers(mut self) {
        if self.is_alive() {
            self.signal(Signal::SIGKILL);
        }
        self.pgid = None;
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if self.is_alive() {
            self.signal(Signal::SIGKILL);
        }
    }
}
