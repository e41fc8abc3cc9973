//! A terraform whose orchestrator died must still stop the way Ctrl-C stops it: save its state,
//! release its lock, exit. The kernel sends it SIGTERM (terraform's graceful stop, like SIGINT)
//! when its parent dies, SIGKILL of the orchestrator included; its output goes to a file (see
//! `log_file`), so nothing it writes while stopping can kill it.
//!
//! The signal is tied to the thread that started the process: processes are started on
//! threads that live as long as the orchestrator (`spawner`).

use std::io;
use std::os::unix::process::CommandExt;

use nix::errno::Errno;
use nix::sys::signal::Signal;

/// Makes `command`'s process receive SIGTERM when the orchestrator dies.
#[allow(unsafe_code)]
pub(super) fn stop_with_parent(command: &mut std::process::Command) {
    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs in the child between fork and exec, where only
    // async-signal-safe calls are allowed: it makes two system calls (prctl, getppid) and
    // allocates nothing (errors are raw OS errors).
    unsafe {
        command.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGTERM)
                .map_err(|e| io::Error::from_raw_os_error(e as i32))?;
            // The parent died between fork and prctl: no signal will come; do not start.
            if nix::unistd::getppid() != parent {
                return Err(io::Error::from_raw_os_error(Errno::ESRCH as i32));
            }
            Ok(())
        });
    }
}
