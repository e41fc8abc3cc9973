//! The orchestrator dies or loses its terminal mid-apply: terraform still stops the way
//! Ctrl-C stops it (state saved, lock released), nothing is left running, and the next run
//! converges.

use std::time::Duration;

use nix::sys::signal::Signal;
use orchestrator::report::{Outcome, Status};

use super::sandbox::{job, layer, wait_until, Sandbox};

const LAYERS: [&str; 3] = ["platform", "static", "dynamic"];

fn start_slow_apply(sandbox: &Sandbox) -> super::sandbox::Running {
    let mut cmd = sandbox.command(&["run", "--domain", "catalog"]);
    // Long enough that the signal arrives mid-apply.
    cmd.env("TF_VAR_deploy_seconds", "120");
    let running = sandbox.spawn(cmd);
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/platform.log");
    wait_until("catalog-dev's first apply", Duration::from_secs(60), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Provisioning with 'local-exec'"))
    });
    running
}

/// Every state file is whole: JSON terraform can read, with its lineage and serial.
fn assert_states_complete(sandbox: &Sandbox) {
    let mut seen = 0;
    for account in ["catalog-dev", "catalog-stage"] {
        for layer in LAYERS {
            let path = sandbox.state(layer, account);
            if !path.exists() {
                continue;
            }
            seen += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            let state: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
                let log = sandbox
                    .path()
                    .join(format!(".orchestrator/logs/{account}/{layer}.log"));
                panic!(
                    "{} is not whole ({e}): {text:?}\n--- {}\n{}",
                    path.display(),
                    log.display(),
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
            assert_eq!(state["version"], 4, "{}", path.display());
            assert!(state["lineage"].is_string(), "{}", path.display());
        }
    }
    assert!(
        seen >= 1,
        "the interrupted apply saved its state: {}",
        std::fs::read_to_string(
            sandbox
                .path()
                .join(".orchestrator/logs/catalog-dev/platform.log")
        )
        .unwrap_or_default()
    );
    assert_eq!(sandbox.lock_files(), Vec::<std::path::PathBuf>::new());
}

#[test]
fn sigkill_of_the_orchestrator_mid_apply_leaves_whole_state_and_the_next_run_converges() {
    let sandbox = Sandbox::new();
    let running = start_slow_apply(&sandbox);
    running.signal(Signal::SIGKILL);
    let killed = running.wait();
    assert_eq!(killed.status.code(), None, "killed by a signal");
    // terraform was told to stop when its parent died: it stops on its own and saves its
    // state. It usually stops within seconds, but the limit is past the 120 s provisioner:
    // the SIGTERM goes to terraform alone, so the provisioner's `sleep` lives on and keeps
    // terraform's output pipe open; and a terraform still starting (catalog-stage's apply,
    // before its walk) loses the SIGTERM and runs its whole apply, then exits.
    wait_until(
        "the orphaned terraform to stop",
        Duration::from_secs(180),
        || !sandbox.processes().iter().any(|p| p.contains("terraform")),
    );
    // What terraform's provisioner started is not terraform's to stop (`sleep` here).
    for p in sandbox.processes() {
        let pid: i32 = p.split(':').next().unwrap().parse().unwrap();
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
    }
    let log = std::fs::read_to_string(
        sandbox
            .path()
            .join(".orchestrator/logs/catalog-dev/platform.log"),
    )
    .unwrap();
    assert!(
        log.contains("Gracefully shutting down") || log.contains("Interrupt received"),
        "terraform stopped gracefully: {log}"
    );
    assert_states_complete(&sandbox);

    let next = sandbox.run(&["run", "--domain", "catalog"]);
    next.expect_code(0);
    assert!(next.stderr.contains("taken over"), "{}", next.stderr);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Succeeded);
    for account in ["catalog-dev", "catalog-stage", "catalog-prod"] {
        assert_eq!(job(&report, account).status, Status::Succeeded, "{account}");
        for name in LAYERS {
            assert!(sandbox.state(name, account).is_file(), "{account} {name}");
        }
    }
}

fn hangup_like(signals: &[Signal]) {
    let sandbox = Sandbox::new();
    let mut running = start_slow_apply(&sandbox);
    // The terminal is gone: nobody reads stderr or stdout any more.
    running.close_output();
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/platform.log");
    for (n, signal) in signals.iter().enumerate() {
        if n > 0 {
            // The next one comes once the first was acted on, not merged with it.
            wait_until("the SIGINT to terraform", Duration::from_secs(30), || {
                std::fs::read_to_string(&log).is_ok_and(|l| l.contains("SIGINT sent"))
            });
        }
        running.signal(*signal);
    }
    let output = running.wait();
    assert_eq!(output.status.code(), Some(130), "interrupted, not killed");
    wait_until("terraform to stop", Duration::from_secs(30), || {
        sandbox.processes().is_empty()
    });
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Cancelled);
    let platform = layer(&report, "catalog-dev", "platform");
    assert_eq!(platform.status, Status::Cancelled);
    assert_eq!(platform.reason.as_deref(), Some("interrupted"));
    assert_states_complete(&sandbox);
    let noted = std::fs::read_to_string(sandbox.path().join(".orchestrator/orchestrator.log"))
        .unwrap_or_default();
    assert!(
        noted.contains("is gone"),
        "the lost terminal is noted once: {noted}"
    );
}

#[test]
fn sighup_with_the_terminal_gone_stops_gracefully_and_writes_the_report() {
    hangup_like(&[Signal::SIGHUP]);
}

#[test]
fn sigquit_stops_gracefully_like_sigterm() {
    hangup_like(&[Signal::SIGQUIT]);
}

/// A closed terminal sends SIGHUP twice: the kernel to the foreground job, the shell to each
/// of its jobs. The second is not a second Ctrl-C: terraform is not killed.
#[test]
fn sighup_twice_from_a_closed_terminal_still_stops_gracefully() {
    hangup_like(&[Signal::SIGHUP, Signal::SIGHUP]);
}

/// The signal lands while terraform apply holds the state lock but has not begun its walk:
/// it is still reading the configuration saved in the plan, a large one here. terraform
/// acknowledges a SIGINT there ("Interrupt received", "Stopping operation...") and loses it:
/// the walk starts after, runs the 120 s provisioner, and the grace period kills terraform
/// with the state file empty and the lock left. The orchestrator sends the SIGINT once the walk
/// has started, so the apply stops in its provisioner, saves its state and releases the lock.
#[test]
fn sighup_while_an_apply_starts_stops_it_once_its_walk_has_begun() {
    let sandbox = Sandbox::new();
    // Parsing this takes terraform a noticeable moment, under the state lock, before the walk.
    let items: String = (0..100_000)
        .map(|i| format!("    \"item-{i}\",\n"))
        .collect();
    std::fs::write(
        sandbox.path().join("layers/platform/bulk.tf"),
        format!("locals {{\n  bulk = [\n{items}  ]\n}}\n"),
    )
    .unwrap();
    let mut cmd = sandbox.command(&["deploy", "--accounts", "catalog-dev"]);
    cmd.env("TF_VAR_deploy_seconds", "120");
    let running = sandbox.spawn(cmd);
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/platform.log");
    let state = sandbox.state("platform", "catalog-dev");
    let lock = state.with_file_name(".catalog-dev.tfstate.lock.info");
    // The lock's record names the operation holding it: the apply's, not the plan's.
    wait_until(
        "catalog-dev's apply to hold the state lock",
        Duration::from_secs(120),
        || std::fs::read_to_string(&lock).is_ok_and(|l| l.contains("OperationTypeApply")),
    );
    running.signal(Signal::SIGHUP);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        !text.contains("baseline: Creating..."),
        "the signal came before the walk: {text}"
    );
    let output = running.wait();
    assert_eq!(output.status.code(), Some(130), "interrupted, not killed");
    wait_until("terraform to stop", Duration::from_secs(30), || {
        sandbox.processes().is_empty()
    });
    let report = sandbox.report();
    let platform = layer(&report, "catalog-dev", "platform");
    assert_eq!(platform.status, Status::Cancelled);
    // Not "interrupted, killed after the grace period": terraform stopped on its SIGINT.
    assert_eq!(
        platform.reason.as_deref(),
        Some("interrupted"),
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    assert_states_complete(&sandbox);
}

/// The orchestrator is killed while a terraform is slow to stop (a provider stuck in a call):
/// that terraform, told by its guard, still works in the work directory. A run started then
/// would share its data dir and log: it is refused (exit 2) naming the dead run and the
/// processes still stopping, and leaves the log alone. Once they are gone, the next run
/// takes the lock over with a notice and converges (real terraform).
#[test]
fn a_run_after_a_kill_waits_for_the_dead_runs_terraform_to_stop() {
    let sandbox = Sandbox::new();
    let fake = super::grace::install_slow_to_stop(&sandbox);
    let running = sandbox.spawn(sandbox.command(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--terraform",
        fake.to_str().unwrap(),
    ]));
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/static.log");
    wait_until("the stuck static apply", Duration::from_secs(60), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("stuck: Creating"))
    });
    let dead = running.pid();
    running.signal(Signal::SIGKILL);
    let _ = running.wait();
    // Its guard told the stuck apply to stop; it goes on for now.
    wait_until("the guard's SIGINT", Duration::from_secs(10), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Interrupt received."))
    });
    let logged = std::fs::read_to_string(&log).unwrap();

    let refused = super::sandbox::Run::from(
        sandbox
            .command(&["deploy", "--accounts", "catalog-dev"])
            .output()
            .unwrap(),
    );
    refused.expect_code(2);
    let told = &refused.stderr;
    assert!(
        told.contains(&format!("deploy (PID {dead}, started "))
            && told.contains("did not finish cleanly")
            && told.contains("is still stopping, saving its state (process groups "),
        "{told}"
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        logged,
        "the stopping terraform's log is left alone"
    );

    // The stuck terraform ends: killed with the very command the refusal gives, which
    // stops each guard's whole group (terraform and what it started), not the guard alone.
    let command = told
        .split("Only if it hangs: `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("the command to stop it: {told}"));
    assert!(command.starts_with("kill -KILL -"), "{command}");
    let stopped = std::process::Command::new("sh")
        .args(["-c", command])
        .status()
        .unwrap();
    assert!(stopped.success(), "{command}");
    wait_until("the stuck apply to end", Duration::from_secs(10), || {
        sandbox.processes().is_empty()
    });
    let next = sandbox.run(&["deploy", "--accounts", "catalog-dev"]);
    next.expect_code(0);
    assert!(next.stderr.contains("taken over"), "{}", next.stderr);
    assert_eq!(sandbox.report().outcome, Outcome::Succeeded);
    assert_eq!(sandbox.lock_files(), Vec::<std::path::PathBuf>::new());
}
