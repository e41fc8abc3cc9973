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
    // The stuck applies were not waited for past the grace period (2 s).
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
