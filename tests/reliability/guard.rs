//! terraform is started by a guard (`orchestrator __guard`) that turns the death of a
//! multi-threaded orchestrator into exactly one SIGINT: the kernel's parent-death signal comes
//! once per ending thread, and terraform exits unsaved on a second interrupt.
//!
//! The parent here is a Python process that starts the guard from a thread which then ends
//! (one parent-death signal while the parent still lives) and is then killed (another one).
//! The guarded program stands in for terraform and records every signal it gets.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::sandbox::wait_until;
use crate::support::cli::BIN;

/// Records each SIGINT and SIGTERM on a line of its own, and says when it is ready.
const RECORDER: &str = r#"trap 'echo INT >> signals' INT; trap 'echo TERM >> signals' TERM
echo $$ > ready
i=0; while [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done"#;

/// Starts the guard from a thread that ends at once, then waits to be killed.
const PARENT: &str = r#"
import os, subprocess, sys, threading, time
def start():
    subprocess.Popen([sys.argv[1], "__guard", str(os.getpid()), "sh", "-c", sys.argv[2]],
                     start_new_session=True)
t = threading.Thread(target=start); t.start(); t.join()
time.sleep(600)
"#;

fn signals(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("signals")).unwrap_or_default()
}

#[test]
fn a_killed_orchestrator_gives_terraform_exactly_one_sigint_and_an_ending_thread_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut parent = Command::new("python3")
        .args(["-c", PARENT, BIN, RECORDER])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .spawn()
        .expect("python3 starts");
    wait_until("the guarded program", Duration::from_secs(30), || {
        dir.path().join("ready").exists()
    });
    // The thread that started the guard has ended: the orchestrator still lives.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(signals(dir.path()), "", "nothing while the parent lives");

    parent.kill().unwrap();
    parent.wait().unwrap();
    wait_until("the SIGINT", Duration::from_secs(30), || {
        !signals(dir.path()).is_empty()
    });
    // Time for a second signal to arrive, if one were sent.
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(signals(dir.path()), "INT\n", "exactly one interrupt");
    let pid: i32 = std::fs::read_to_string(dir.path().join("ready"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

#[test]
fn the_guard_ends_as_its_program_ended() {
    let status = |script: &str| {
        Command::new(BIN)
            .args([
                "__guard",
                &std::process::id().to_string(),
                "sh",
                "-c",
                script,
            ])
            .stdin(Stdio::null())
            .status()
            .unwrap()
    };
    assert_eq!(status("exit 0").code(), Some(0));
    assert_eq!(status("exit 3").code(), Some(3));
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status("kill -TERM $$").signal(),
        Some(15),
        "killed by its signal"
    );
    let missing = Command::new(BIN)
        .args([
            "__guard",
            &std::process::id().to_string(),
            "/nonexistent/terraform",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(127));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cannot start"),
        "{missing:?}"
    );
}
