//! A terraform whose orchestrator died must still stop the way Ctrl-C stops it: save its state,
//! release its lock, exit. Its output goes to a file (see `log_file`), so nothing it writes
//! while stopping can kill it; what remains is telling it, exactly once.
//!
//! The kernel's parent-death signal is sent each time the child's parent *thread* ends, and a
//! killed orchestrator ends thread by thread: a terraform started by it directly got SIGTERM
//! two or three times, and terraform takes a second interrupt as "Exiting immediately", state
//! unsaved. So terraform is started by a guard: the orchestrator's own binary, run as
//! `orchestrator __guard <orchestrator pid> <program> <args>...`, single-threaded, in the
//! same process group. The guard asks for the parent-death signal itself, ignores however
//! many arrive while the orchestrator still exists, and once its parent process is gone
//! sends terraform one SIGINT. Its exit status is terraform's. A SIGINT the orchestrator sends
//! to the group (Ctrl-C, a deadline) reaches terraform directly; the guard lets it pass.
//!
//! Starting the guard needs no step between fork and exec, so the start is a `posix_spawn`
//! (no copy of the orchestrator's memory). A library user that never enables the guard
//! (unit tests) gets terraform started directly with the parent-death signal set before exec.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::OnceLock;

use nix::errno::Errno;
use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::unistd::{getpid, getppid, Pid};

use crate::terraform::TerraformCommand;

/// The first argument that makes the orchestrator's binary a guard.
const GUARD_ARG: &str = "__guard";

/// The binary started as the guard, once the executable enabled it.
static GUARD: OnceLock<PathBuf> = OnceLock::new();

/// Starts every terraform through the guard `binary` (the running orchestrator's own).
pub fn enable_guard(binary: PathBuf) {
    let _ = GUARD.set(binary);
}

/// The process that runs `cmd` and stops it gracefully when the orchestrator dies.
pub(super) fn command(cmd: &TerraformCommand) -> std::process::Command {
    let Some(guard) = GUARD.get() else {
        let mut command = cmd.to_command();
        stop_with_parent(&mut command);
        return command;
    };
    let mut guarded = cmd.clone();
    guarded.program = guard.clone();
    let mut args = vec![
        GUARD_ARG.to_string(),
        getpid().to_string(),
        cmd.program.to_string_lossy().into_owned(),
    ];
    args.append(&mut guarded.args);
    guarded.args = args;
    guarded.to_command()
}

/// The guards (and so the terraform each started) still running with their working
/// directory at or under `dir`: a killed run's terraform stopping on its own. Their PIDs.
pub fn guards_working_in(dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let is_guard = cmdline.split(|b| *b == 0).nth(1) == Some(GUARD_ARG.as_bytes());
            let cwd = std::fs::read_link(entry.path().join("cwd")).ok()?;
            (is_guard && cwd.starts_with(dir)).then_some(pid)
        })
        .collect()
}

/// Makes `command`'s process receive SIGTERM when the thread that starts it ends.
#[allow(unsafe_code)]
pub(super) fn stop_with_parent(command: &mut std::process::Command) {
    let parent = getpid();
    // SAFETY: the closure runs in the child between fork and exec, where only
    // async-signal-safe calls are allowed: it makes two system calls (prctl, getppid) and
    // allocates nothing (errors are raw OS errors).
    unsafe {
        command.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGTERM)
                .map_err(|e| io::Error::from_raw_os_error(e as i32))?;
            // The parent died between fork and prctl: no signal will come; do not start.
            if getppid() != parent {
                return Err(io::Error::from_raw_os_error(Errno::ESRCH as i32));
            }
            Ok(())
        });
    }
}

/// When the binary was started as a guard: runs it and returns its exit status (a signal
/// that ended terraform ends the guard the same way). `None` for any other start.
pub fn guard_main() -> Option<i32> {
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() != Some(OsStr::new(GUARD_ARG)) {
        return None;
    }
    let parent = args
        .next()
        .and_then(|pid| pid.to_str()?.parse::<i32>().ok())
        .map(Pid::from_raw);
    let program = args.next();
    let (Some(parent), Some(program)) = (parent, program) else {
        crate::console::stderr_line(&format!(
            "{GUARD_ARG}: expected <orchestrator pid> <program> [args...]"
        ));
        return Some(2);
    };
    Some(guard(parent, &program, args.collect()))
}

/// The orchestrator that started the guard.
static PARENT: AtomicI32 = AtomicI32::new(0);
/// terraform, once started.
static CHILD: AtomicI32 = AtomicI32::new(0);
/// Whether terraform got its one SIGINT.
static TOLD: AtomicBool = AtomicBool::new(false);

fn guard(parent: Pid, program: &OsStr, args: Vec<OsString>) -> i32 {
    PARENT.store(parent.as_raw(), Ordering::SeqCst);
    let installed = handle(Signal::SIGINT, SigHandler::Handler(let_pass))
        .and_then(|()| handle(Signal::SIGTERM, SigHandler::Handler(on_parent_death)))
        .and_then(|()| nix::sys::prctl::set_pdeathsig(Signal::SIGTERM));
    if let Err(e) = installed {
        crate::console::stderr_line(&format!("{GUARD_ARG}: cannot watch the orchestrator: {e}"));
        return 1;
    }
    // Gone before the signal was asked for: no signal will come; start nothing.
    if getppid() != parent {
        crate::console::stderr_line(&format!(
            "{GUARD_ARG}: the orchestrator is gone; {program:?} not started"
        ));
        return 1;
    }
    // Handlers are reset by exec; nothing is ignored or blocked, so terraform gets the
    // default dispositions it expects.
    let mut child = match std::process::Command::new(program).args(args).spawn() {
        Ok(child) => child,
        Err(e) => {
            crate::console::stderr_line(&format!("{GUARD_ARG}: cannot start {program:?}: {e}"));
            return 127;
        }
    };
    CHILD.store(i32::try_from(child.id()).unwrap_or(0), Ordering::SeqCst);
    // The orchestrator may have died while terraform was being started.
    on_parent_death(0);
    let status = loop {
        match child.wait() {
            Ok(status) => break status,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                crate::console::stderr_line(&format!("{GUARD_ARG}: lost {program:?}: {e}"));
                return 1;
            }
        }
    };
    if let Some(code) = status.code() {
        return code;
    }
    let signal = status.signal().and_then(|s| Signal::try_from(s).ok());
    if let Some(signal) = signal {
        // Ends the guard by the same signal, so the orchestrator sees how terraform ended.
        let _ = handle(signal, SigHandler::SigDfl);
        let _ = signal::raise(signal);
    }
    128 + status.signal().unwrap_or(0)
}

#[allow(unsafe_code)]
fn handle(signal: Signal, handler: SigHandler) -> nix::Result<()> {
    // No SA_RESTART: a wait interrupted by a signal is simply waited again.
    let action = SigAction::new(handler, SaFlags::empty(), SigSet::empty());
    // SAFETY: the handlers below only read and write atomics and make async-signal-safe
    // system calls (getppid, kill).
    unsafe { signal::sigaction(signal, &action) }.map(|_| ())
}

/// The orchestrator's SIGINT to the process group is terraform's to act on.
extern "C" fn let_pass(_: nix::libc::c_int) {}

/// A parent-death signal: acted on only once the orchestrator process is really gone (a
/// thread of it ending while others live sends one too), and then once.
extern "C" fn on_parent_death(_: nix::libc::c_int) {
    if getppid().as_raw() == PARENT.load(Ordering::SeqCst) {
        return;
    }
    let child = CHILD.load(Ordering::SeqCst);
    if child != 0 && !TOLD.swap(true, Ordering::SeqCst) {
        let _ = signal::kill(Pid::from_raw(child), Signal::SIGINT);
    }
}
