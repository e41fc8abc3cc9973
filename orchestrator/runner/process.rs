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
use tokio::time::{sleep_until, Instant};

use super::cancel::Cancellation;
use super::log_file::LayerLog;
use super::output_tail::{self, OutputLimits};
use super::parent_death;
use super::spawner;
use super::walk_watch::WalkWatch;
use crate::terraform::TerraformCommand;

/// How long processes that terraform left behind (a provisioner's background child) may keep
/// its output open after terraform itself exited.
const LEFTOVER_WAIT: Duration = Duration::from_secs(2);

/// How often the log is read for the start of the walk while a SIGINT waits for it.
const WALK_POLL: Duration = Duration::from_millis(100);

/// When and how a command must stop.
#[derive(Debug, Clone)]
pub(super) struct Limits {
    pub deadline: Instant,
    pub grace: Duration,
    pub cancel: Cancellation,
    pub output: OutputLimits,
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
    /// It did not stop within the grace period after its SIGINT and was killed.
    pub killed_after_grace: bool,
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
    // Started by its guard, which stops it when the orchestrator dies (`parent_death`).
    let mut command = parent_death::command(cmd);
    // terraform writes into the log file itself (see `log_file`): its output never depends on
    // the orchestrator being alive. One file for stdout and stderr keeps their lines in order.
    let output = log.for_child()?;
    match stdout_to {
        Some(path) => command.stdout(Stdio::from(std::fs::File::create(path)?)),
        None => command.stdout(Stdio::from(output.try_clone()?)),
    };
    command.stderr(Stdio::from(output));
    // Its own process group: a Ctrl-C on the terminal reaches only the orchestrator, which
    // forwards exactly one SIGINT; and the whole group (providers, provisioners) can be
    // signalled at once.
    command.process_group(0);
    let mut command = tokio::process::Command::from(command);
    command.kill_on_drop(true);
    // Checked again right before the spawn: a job that was about to start terraform when the
    // run was interrupted starts nothing.
    if limits.cancel.is_interrupted() {
        return Ok(not_started(log));
    }
    log.note(&format!("$ {cmd}"));
    let start = log.len()?;
    // Off the runtime's threads (see `spawner`); the command, with the log's handles, is
    // dropped there once the child has them. A start can wait its turn there: an interrupt
    // meanwhile still starts nothing.
    let Some(mut child) = spawner::spawn(command, &limits.cancel).await? else {
        return Ok(not_started(log));
    };
    let group = ProcessGroup::new(child.id());
    let mut walk = cmd
        .hears_interrupt_only_while_walking()
        .then(|| WalkWatch::new(log.path(), start));

    let mut status: Option<ExitStatus> = None;
    let mut ending = Ending::Exited;
    // Set once the deadline or an interrupt asked it to stop.
    let mut stop_asked = false;
    // When its one SIGINT is due: held until its walk started (see `terraform::interrupt`).
    let mut sigint_due: Option<Instant> = None;
    let mut killed = false;
    let mut grace_expired = false;
    let mut kill_at: Option<Instant> = None;
    let mut on_interrupt = limits.cancel.clone();
    let mut on_kill = limits.cancel.clone();

    while status.is_none() {
        let mut asked: Option<Ending> = None;
        tokio::select! {
            waited = child.wait() => status = Some(waited?),
            () = sleep_until(limits.deadline), if !stop_asked => asked = Some(Ending::TimedOut),
            () = on_interrupt.interrupted(), if !stop_asked => asked = Some(Ending::Interrupted),
            () = on_kill.killed(), if !killed => {
                log.note("[orchestrator] killed");
                group.signal(Signal::SIGKILL);
                killed = true;
                if ending == Ending::Exited {
                    ending = Ending::Interrupted;
                }
            },
            () = tokio::time::sleep(WALK_POLL), if sigint_due.is_some() && !killed => {},
            () = sleep_until(kill_at.unwrap_or_else(Instant::now)), if kill_at.is_some() && !killed => {
                log.note("[orchestrator] grace period over: SIGKILL sent");
                group.signal(Signal::SIGKILL);
                killed = true;
                grace_expired = true;
            },
        }
        if let Some(asked) = asked {
            stop_asked = true;
            ending = asked;
            // The grace period bounds the whole wait from the stop on, held SIGINT included:
            // a runner that kills the tree soon after its own signal (GitHub Actions) must
            // find the run already ended and its report written.
            kill_at = Some(super::clock::in_(limits.grace));
            // Without a walk to wait for, the SIGINT goes now; otherwise at the latest halfway
            // through the grace period, for a terraform stuck before its walk, which leaves
            // it the other half to stop.
            sigint_due = Some(match &walk {
                Some(_) => super::clock::in_(limits.grace / 2),
                None => Instant::now(),
            });
        }
        if let Some(due) = sigint_due.filter(|_| status.is_none() && !killed) {
            let why = match ending {
                Ending::TimedOut => "job timeout",
                _ => "interrupted",
            };
            let walking = walk.as_mut().is_none_or(WalkWatch::started);
            if walking || Instant::now() >= due {
                sigint_due = None;
                let left = kill_at.map_or(limits.grace, |at| {
                    at.saturating_duration_since(Instant::now())
                });
                log.note(&format!(
                    "[orchestrator] {why}: SIGINT sent, SIGKILL in {} (grace_period) if \
                     terraform has not stopped by then",
                    humantime::format_duration(to_tenths(left))
                ));
                group.signal(Signal::SIGINT);
            } else if asked.is_some() {
                log.note(&format!(
                    "[orchestrator] {why}: SIGINT held until terraform's walk starts (one sent \
                     before would be lost), at most {}; SIGKILL in {} (grace_period)",
                    humantime::format_duration(limits.grace / 2),
                    humantime::format_duration(limits.grace)
                ));
            }
        }
    }
    // Anything of the group still alive (a provisioner's background child) gets a moment to
    // finish, then must not outlive the command.
    group.kill_leftovers(LEFTOVER_WAIT).await;

    let exit_code = status.and_then(|s| s.code());
    // Stopped too late to matter: terraform had finished (0, or 2 from a plan with changes).
    if matches!(exit_code, Some(0 | 2)) {
        ending = Ending::Exited;
    }
    let output = output_tail::read(log.path(), start, limits.output)?.text;
    log.note(&match exit_code {
        Some(code) => format!("[exit {code}]"),
        None => "[killed by a signal]".to_string(),
    });
    Ok(Finished {
        exit_code,
        ending,
        killed_after_grace: grace_expired,
        output,
    })
}

/// Whether a process of group `pgid` is anything but a zombie, from `/proc/<pid>/stat`
/// (`pid (comm) state ppid pgrp ...`; `comm` may hold spaces and parentheses). Where `/proc`
/// cannot be read, every member counts as running.
fn has_running_member(pgid: Pid) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return true;
    };
    entries.flatten().any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let group = fields.nth(1).and_then(|g| g.parse::<i32>().ok());
        group == Some(pgid.as_raw()) && !matches!(state, Some("Z" | "X"))
    })
}

/// `d` to the nearest tenth of a second, for a log line (`3s 500ms`, not `3s 499ms 981us`).
fn to_tenths(d: Duration) -> Duration {
    let tenths = d.as_millis().saturating_add(50) / 100;
    Duration::from_millis(
        u64::try_from(tenths)
            .unwrap_or(u64::MAX / 100)
            .saturating_mul(100),
    )
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

    /// Whether a member still runs. A killed member whose parent died is a zombie until
    /// init reaps it, which some inits do only every second or two: it runs nothing, holds
    /// nothing, and must not make a stopped run wait on top of its grace period.
    fn is_alive(&self) -> bool {
        self.pgid
            .is_some_and(|pgid| killpg(pgid, None).is_ok() && has_running_member(pgid))
    }

    /// Called right after the leader was reaped; the group's id cannot be reused while any of
    /// its members lives.
    async fn kill_leftovers(mut self, wait: Duration) {
        let until = super::clock::in_(wait);
        while self.is_alive() && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
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

/// A command an interrupt stopped before it started: nothing ran, nothing to save.
fn not_started(log: &mut LayerLog) -> Finished {
    log.note("[orchestrator] interrupted: not started");
    Finished {
        exit_code: None,
        ending: Ending::Interrupted,
        killed_after_grace: false,
        output: String::new(),
    }
}

#[cfg(test)]
mod tests {
    //! The supervisor with plain `sh` scripts standing in for terraform: they can ignore
    //! SIGINT or leave a child behind, which real terraform does only when something is wrong.

    use super::*;
    use crate::runner::cancel::{cancellation, CancelHandle};

    struct Setup {
        dir: tempfile::TempDir,
        handle: CancelHandle,
        limits: Limits,
    }

    fn setup(deadline_in: Duration, grace: Duration) -> Setup {
        let (handle, cancel) = cancellation();
        Setup {
            dir: tempfile::tempdir().unwrap(),
            handle,
            limits: Limits {
                deadline: Instant::now() + deadline_in,
                grace,
                cancel,
                output: OutputLimits::default(),
            },
        }
    }

    fn script(dir: &Path, text: &str) -> TerraformCommand {
        TerraformCommand {
            program: "sh".into(),
            args: vec!["-c".into(), text.into()],
            cwd: dir.to_path_buf(),
            env: Vec::new(),
            secret_env: Vec::new(),
        }
    }

    fn log_text(dir: &Path) -> String {
        std::fs::read_to_string(dir.join("layer.log")).unwrap()
    }

    async fn wait_for_log(dir: &Path, text: &str) {
        for _ in 0..200 {
            if std::fs::read_to_string(dir.join("layer.log")).is_ok_and(|l| l.contains(text)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the log never showed {text:?}");
    }

    fn is_gone(pid: i32) -> bool {
        // Gone, or a zombie waiting for init to reap it (no command line any more).
        std::fs::read(format!("/proc/{pid}/cmdline")).map_or(true, |c| c.is_empty())
    }

    #[tokio::test]
    async fn stdout_and_stderr_reach_the_log_in_order() {
        let s = setup(Duration::from_secs(60), Duration::from_secs(1));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        let cmd = script(s.dir.path(), "echo one; echo two >&2; echo three; exit 3");
        let finished = run(&cmd, None, &mut log, &s.limits).await.unwrap();
        assert_eq!(finished.exit_code, Some(3));
        assert_eq!(finished.ending, Ending::Exited);
        assert_eq!(finished.output, "one\ntwo\nthree\n");
        drop(log);
        let text = log_text(s.dir.path());
        assert!(text.starts_with("$ sh -c echo one;"), "{text}");
        assert!(text.contains("one\ntwo\nthree\n[exit 3]\n"), "{text}");
    }

    #[tokio::test]
    async fn stdout_can_go_to_a_file_of_its_own() {
        let s = setup(Duration::from_secs(60), Duration::from_secs(1));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        let json = s.dir.path().join("plan.json");
        let cmd = script(s.dir.path(), "echo '{}'; echo warning >&2");
        run(&cmd, Some(&json), &mut log, &s.limits).await.unwrap();
        assert_eq!(std::fs::read_to_string(&json).unwrap(), "{}\n");
        drop(log);
        assert!(!log_text(s.dir.path()).lines().any(|l| l == "{}"));
        assert!(log_text(s.dir.path()).contains("warning\n"));
    }

    #[tokio::test]
    async fn the_deadline_sends_sigint_then_kills_after_the_grace_period() {
        let s = setup(Duration::from_millis(300), Duration::from_millis(300));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        // Survives SIGINT, like a provider stuck in an API call.
        let cmd = script(
            s.dir.path(),
            "trap 'echo got SIGINT' INT; while :; do sleep 0.1; done",
        );
        let finished = run(&cmd, None, &mut log, &s.limits).await.unwrap();
        assert_eq!(finished.ending, Ending::TimedOut);
        assert_eq!(finished.exit_code, None, "killed");
        assert!(finished.output.contains("got SIGINT"), "SIGINT came first");
    }

    #[tokio::test]
    async fn an_interrupt_lets_terraform_finish_its_way() {
        // A grace period far longer than the script takes to stop, even on a loaded machine:
        // the test ends as soon as it has.
        let s = setup(Duration::from_secs(60), Duration::from_secs(30));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        let cmd = script(
            s.dir.path(),
            "trap 'echo saving state; exit 1' INT; echo ready; while :; do sleep 0.1; done",
        );
        let dir = s.dir.path().to_path_buf();
        let handle = s.handle;
        let limits = s.limits.clone();
        let running = tokio::spawn(async move { run(&cmd, None, &mut log, &limits).await });
        wait_for_log(&dir, "ready").await;
        handle.escalate();
        let finished = running.await.unwrap().unwrap();
        assert_eq!(finished.ending, Ending::Interrupted);
        assert_eq!(finished.exit_code, Some(1));
        assert!(finished.output.contains("saving state"));
    }

    #[tokio::test]
    async fn a_second_interrupt_kills() {
        let s = setup(Duration::from_secs(60), Duration::from_secs(60));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        let cmd = script(
            s.dir.path(),
            "trap 'echo survived SIGINT' INT; echo ready; while :; do sleep 0.1; done",
        );
        let dir = s.dir.path().to_path_buf();
        let limits = s.limits.clone();
        let running = tokio::spawn(async move { run(&cmd, None, &mut log, &limits).await });
        wait_for_log(&dir, "ready").await;
        assert_eq!(s.handle.escalate(), crate::runner::StopLevel::Interrupt);
        // It got the SIGINT and kept going: only the second signal ends it.
        wait_for_log(&dir, "survived SIGINT").await;
        assert_eq!(s.handle.escalate(), crate::runner::StopLevel::Kill);
        let finished = running.await.unwrap().unwrap();
        assert_eq!(finished.ending, Ending::Interrupted);
        assert_eq!(finished.exit_code, None, "killed");
    }

    #[tokio::test]
    async fn after_an_interrupt_the_grace_period_bounds_the_wait() {
        let s = setup(Duration::from_secs(60), Duration::from_millis(500));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        // Slow to stop: it ignores SIGINT, as terraform stuck in a provider call would.
        let cmd = script(
            s.dir.path(),
            "trap 'echo got SIGINT' INT; echo ready; while :; do sleep 0.1; done",
        );
        let dir = s.dir.path().to_path_buf();
        let limits = s.limits.clone();
        let running = tokio::spawn(async move { run(&cmd, None, &mut log, &limits).await });
        wait_for_log(&dir, "ready").await;
        s.handle.escalate();
        let finished = tokio::time::timeout(Duration::from_secs(10), running)
            .await
            .expect("the grace period ended the wait")
            .unwrap()
            .unwrap();
        assert_eq!(finished.ending, Ending::Interrupted);
        assert!(finished.killed_after_grace);
        assert_eq!(finished.exit_code, None, "killed");
        assert!(log_text(&dir).contains("grace period over: SIGKILL sent"));
    }

    /// A stand-in for `terraform apply`: `sh apply` runs the script `apply` in `dir`, so the
    /// command's subcommand is `apply`.
    fn fake_apply(dir: &Path, script: &str) -> TerraformCommand {
        std::fs::write(dir.join("apply"), script).unwrap();
        TerraformCommand {
            program: "sh".into(),
            args: vec!["apply".into()],
            cwd: dir.to_path_buf(),
            env: Vec::new(),
            secret_env: Vec::new(),
        }
    }

    #[tokio::test]
    async fn an_interrupt_before_the_walk_waits_for_it() {
        let s = setup(Duration::from_secs(60), Duration::from_secs(30));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        // Like terraform: a SIGINT before the walk would be lost; the walk starts on a signal
        // of the test.
        let cmd = fake_apply(
            s.dir.path(),
            "trap 'echo got SIGINT; exit 1' INT; echo ready; \
             while [ ! -e go ]; do sleep 0.05; done; echo 'x.y: Creating...'; \
             while :; do sleep 0.05; done",
        );
        let dir = s.dir.path().to_path_buf();
        let limits = s.limits.clone();
        let running = tokio::spawn(async move { run(&cmd, None, &mut log, &limits).await });
        wait_for_log(&dir, "ready").await;
        s.handle.escalate();
        wait_for_log(&dir, "SIGINT held").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!log_text(&dir).contains("got SIGINT"), "{}", log_text(&dir));
        std::fs::write(dir.join("go"), "").unwrap();
        let finished = running.await.unwrap().unwrap();
        assert_eq!(finished.ending, Ending::Interrupted);
        assert_eq!(finished.exit_code, Some(1), "stopped by its SIGINT");
        let text = log_text(&dir);
        let walk = text.find("x.y: Creating...").unwrap();
        assert!(text.find("got SIGINT").unwrap() > walk, "{text}");
    }

    #[tokio::test]
    async fn a_held_interrupt_goes_halfway_through_the_grace_period_when_no_walk_shows() {
        let s = setup(Duration::from_secs(60), Duration::from_millis(500));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        let cmd = fake_apply(
            s.dir.path(),
            "trap 'echo got SIGINT; exit 1' INT; echo ready; while :; do sleep 0.05; done",
        );
        let dir = s.dir.path().to_path_buf();
        let limits = s.limits.clone();
        let running = tokio::spawn(async move { run(&cmd, None, &mut log, &limits).await });
        wait_for_log(&dir, "ready").await;
        s.handle.escalate();
        let finished = running.await.unwrap().unwrap();
        assert_eq!(
            finished.exit_code,
            Some(1),
            "stopped by its SIGINT, not killed"
        );
        assert!(!finished.killed_after_grace);
        let text = log_text(&dir);
        assert!(text.contains("SIGINT held"), "{text}");
        assert!(text.contains("interrupted: SIGINT sent"), "{text}");
    }

    /// A terraform that never starts its walk and ignores its SIGINT: the held SIGINT and the
    /// kill both fit in one grace period from the stop, not a grace period each.
    #[tokio::test]
    async fn a_held_interrupt_and_the_kill_fit_in_one_grace_period() {
        let grace = Duration::from_secs(4);
        let s = setup(Duration::from_secs(60), grace);
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        let cmd = fake_apply(
            s.dir.path(),
            "trap 'echo got SIGINT' INT; echo ready; while :; do sleep 0.05; done",
        );
        let dir = s.dir.path().to_path_buf();
        let limits = s.limits.clone();
        let running = tokio::spawn(async move { run(&cmd, None, &mut log, &limits).await });
        wait_for_log(&dir, "ready").await;
        let stopped = std::time::Instant::now();
        s.handle.escalate();
        let finished = running.await.unwrap().unwrap();
        let waited = stopped.elapsed();
        assert!(finished.killed_after_grace);
        assert_eq!(finished.exit_code, None, "killed");
        let text = log_text(&dir);
        assert!(text.contains("got SIGINT"), "the SIGINT went first: {text}");
        // One grace period (4 s), where a grace period each would take 8 s.
        assert!(
            waited < grace + grace / 2,
            "waited {waited:?} after the stop: {text}"
        );
        // The SIGINT went halfway: what is left of the grace period, not all of it again.
        assert!(text.contains("SIGINT sent, SIGKILL in "), "{text}");
        assert!(!text.contains("SIGINT sent, SIGKILL in 4s"), "{text}");
    }

    #[tokio::test]
    async fn an_interrupted_run_starts_no_process() {
        let s = setup(Duration::from_secs(60), Duration::from_secs(1));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        s.handle.escalate();
        let cmd = script(s.dir.path(), "touch started");
        let finished = run(&cmd, None, &mut log, &s.limits).await.unwrap();
        assert_eq!(finished.ending, Ending::Interrupted);
        assert!(!s.dir.path().join("started").exists());
    }

    #[tokio::test]
    async fn processes_left_behind_are_killed() {
        let s = setup(Duration::from_secs(60), Duration::from_secs(1));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        // The background sleep keeps the output open after the shell exits.
        let cmd = script(s.dir.path(), "sleep 60 & echo $!");
        let finished = run(&cmd, None, &mut log, &s.limits).await.unwrap();
        assert_eq!(finished.exit_code, Some(0));
        let pid: i32 = finished.output.trim().parse().unwrap();
        for _ in 0..100 {
            if is_gone(pid) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the background sleep ({pid}) outlived the command");
    }

    #[tokio::test]
    async fn a_missing_program_is_an_error_not_a_hang() {
        let s = setup(Duration::from_secs(60), Duration::from_secs(1));
        let mut log = LayerLog::create(&s.dir.path().join("layer.log")).unwrap();
        let mut cmd = script(s.dir.path(), "true");
        cmd.program = s.dir.path().join("no-such-terraform");
        assert!(run(&cmd, None, &mut log, &s.limits).await.is_err());
    }
}
