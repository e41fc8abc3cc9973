//! After one Ctrl-C, a terraform that is slow to stop is waited for at most the grace period,
//! then its process group is killed; the run writes its report, which says so for each layer
//! killed, and nothing is left running. Real terraform, but for the stuck apply: terraform's
//! built-in resources cannot hang past a SIGINT (it kills a provisioner it stops), as a
//! provider stuck in an API call does, so a FAKE terraform stands in for that one command.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use orchestrator::report::{Outcome, Status};

use super::sandbox::{layer, wait_until, Sandbox};

/// FAKE terraform: the real one, but `apply` of the static layer starts its walk and then
/// hangs through its SIGINT, like terraform waiting on a provider that does not answer.
pub(super) const SLOW_TO_STOP: &str = r#"#!/bin/sh
case "$1:$PWD" in
apply:*/static)
  trap 'echo "Interrupt received."' INT
  echo "terraform_data.stuck: Creating..."
  while :; do sleep 1; done ;;
*) exec terraform "$@" ;;
esac
"#;

const ACCOUNTS: [&str; 2] = ["catalog-dev", "catalog-stage"];

fn log(sandbox: &Sandbox, account: &str, layer: &str) -> String {
    std::fs::read_to_string(
        sandbox
            .path()
            .join(format!(".orchestrator/logs/{account}/{layer}.log")),
    )
    .unwrap_or_default()
}

/// Writes the FAKE terraform into the sandbox; its path, for `--terraform`.
pub(super) fn install_slow_to_stop(sandbox: &Sandbox) -> std::path::PathBuf {
    let fake = sandbox.path().join("fake-terraform-slow-to-stop");
    std::fs::write(&fake, SLOW_TO_STOP).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    fake
}

#[test]
fn after_one_ctrl_c_the_grace_period_bounds_the_wait_and_the_report_names_each_layer_killed() {
    let sandbox = Sandbox::new();
    let fake = install_slow_to_stop(&sandbox);
    let cmd = sandbox.command(&[
        "deploy",
        "--accounts",
        &ACCOUNTS.join(","),
        "--terraform",
        fake.to_str().unwrap(),
        "--grace-period",
        "2s",
    ]);
    let running = sandbox.spawn(cmd);
    for account in ACCOUNTS {
        wait_until(
            &format!("{account}'s static apply"),
            Duration::from_secs(90),
            || log(&sandbox, account, "static").contains("stuck: Creating"),
        );
    }
    let stopped = Instant::now();
    running.signal(Signal::SIGINT);
    let run = sandbox.finished(running.wait());
    let waited = stopped.elapsed();
    run.expect_code(130);
    // Not waited for past the grace period (2 s): what the logs say of the kill time is
    // checked below; the clock only rules out a wait of a different order.
    assert!(waited < Duration::from_secs(30), "waited {waited:?}");

    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Cancelled);
    for account in ACCOUNTS {
        assert_eq!(
            layer(&report, account, "platform").status,
            Status::Succeeded
        );
        let stuck = layer(&report, account, "static");
        assert_eq!(stuck.status, Status::Cancelled, "{account}");
        assert_eq!(
            stuck.reason.as_deref(),
            Some("interrupted, killed after the grace period (2s)"),
            "{account}"
        );
        assert!(
            stuck.error[0].contains("did not stop within the grace period (2s) and was killed"),
            "{account}: {:?}",
            stuck.error
        );
        let dynamic = layer(&report, account, "dynamic");
        assert!(dynamic.attempts.is_empty(), "{account}: {dynamic:?}");
        let text = log(&sandbox, account, "static");
        let sigint = text.find("interrupted: SIGINT sent").expect(&text);
        assert!(
            text[sigint..].contains("Interrupt received.")
                && text[sigint..].contains("grace period over: SIGKILL sent"),
            "{text}"
        );
        // Its walk had begun: the SIGINT went at once, the SIGKILL at most 2 s after it.
        assert!(kill_after_sigint(&text) <= Duration::from_secs(2), "{text}");
        // What the user was told on the terminal: this layer was killed, state maybe unsaved.
        assert!(
            run.stderr.lines().any(|l| l.contains(account)
                && l.contains("static")
                && l.contains("killed after the grace period")),
            "{account}: {}",
            run.stderr
        );
    }
}

/// How long after the SIGINT the log says the SIGKILL is due: `SIGINT sent, SIGKILL in 1s
/// 900ms (grace_period)`, the time left of the grace period when the SIGINT went.
fn kill_after_sigint(log: &str) -> Duration {
    let line = log
        .lines()
        .find(|l| l.contains("SIGINT sent, SIGKILL in "))
        .unwrap_or_else(|| panic!("no SIGINT sent: {log}"));
    let left = line
        .split("SIGKILL in ")
        .nth(1)
        .and_then(|rest| rest.split(" (grace_period)").next())
        .unwrap();
    humantime::parse_duration(left).unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// FAKE terraform: `apply` of the static layer hangs before its walk (no line of the walk
/// yet, as when a backend or provider does not answer) and through its SIGINT.
const STUCK_BEFORE_ITS_WALK: &str = r#"#!/bin/sh
case "$1:$PWD" in
apply:*/static)
  trap 'echo "Interrupt received."' INT
  echo "Acquiring state lock. This may take a few moments..."
  while :; do sleep 1; done ;;
*) exec terraform "$@" ;;
esac
"#;

/// The grace period bounds the whole wait from Ctrl-C on, even while the SIGINT is held for
/// a walk that never starts: the SIGINT goes halfway through and the SIGKILL when the grace
/// period ends, not one grace period for the held SIGINT and another for the kill.
#[test]
fn a_sigint_held_for_a_walk_that_never_starts_leaves_the_kill_within_the_grace_period() {
    let sandbox = Sandbox::new();
    let fake = sandbox.path().join("fake-terraform-stuck-before-its-walk");
    std::fs::write(&fake, STUCK_BEFORE_ITS_WALK).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let running = sandbox.spawn(sandbox.command(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--terraform",
        fake.to_str().unwrap(),
        "--grace-period",
        "2s",
    ]));
    wait_until("the stuck static apply", Duration::from_secs(90), || {
        log(&sandbox, "catalog-dev", "static").contains("Acquiring state lock")
    });
    running.signal(Signal::SIGINT);
    let run = sandbox.finished(running.wait());
    run.expect_code(130);
    let text = log(&sandbox, "catalog-dev", "static");
    assert!(
        text.contains("SIGINT held until terraform's walk starts (one sent before would be lost), at most 1s; SIGKILL in 2s (grace_period)"),
        "{text}"
    );
    // Sent at the latest halfway: the SIGKILL is due in what is left, at most 1 s, never a
    // fresh grace period (2 s).
    assert!(kill_after_sigint(&text) <= Duration::from_secs(1), "{text}");
    let sigint = text.find("SIGINT sent").unwrap();
    assert!(
        text[sigint..].contains("grace period over: SIGKILL sent"),
        "{text}"
    );
    let report = sandbox.report();
    let stuck = layer(&report, "catalog-dev", "static");
    assert_eq!(
        stuck.reason.as_deref(),
        Some("interrupted, killed after the grace period (2s)")
    );
}
