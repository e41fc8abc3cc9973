//! One run per work directory: a second run refuses at once (exit 2) and names the holder; a
//! lock left by a run that died is taken over with a notice.

use std::time::Duration;

use orchestrator::report::{Outcome, Status};

use super::sandbox::{job, wait_until, Sandbox};

#[test]
fn a_second_run_in_the_same_work_dir_is_refused_and_names_the_first() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.command(&["deploy", "--accounts", "catalog-dev"]);
    cmd.env("TF_VAR_deploy_seconds", "4");
    let first = sandbox.spawn(cmd);
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/platform.log");
    wait_until("catalog-dev's first apply", Duration::from_secs(60), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Provisioning with 'local-exec'"))
    });
    let report_before = std::fs::read(sandbox.path().join(".orchestrator/report.json")).ok();

    let second = sandbox
        .command(&["run", "--domain", "payments"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("PID {}", first.pid())),
        "names the holder: {stderr}"
    );
    assert!(stderr.contains("started 20"), "and its start: {stderr}");
    assert!(stderr.contains("--work-dir"), "says what to do: {stderr}");
    // It wrote nothing: no payments trace, the first run's report untouched.
    assert!(sandbox.traces_of("payments-dev").is_empty());
    assert_eq!(
        std::fs::read(sandbox.path().join(".orchestrator/report.json")).ok(),
        report_before
    );

    let run = sandbox.finished(first.wait());
    run.expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Succeeded);
    assert_eq!(job(&report, "catalog-dev").status, Status::Succeeded);
    // Once the first run ended, the directory is free again.
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev"])
        .expect_code(0);
}

#[test]
fn the_lock_of_a_run_that_died_is_taken_over_with_a_notice() {
    let sandbox = Sandbox::new();
    let work = sandbox.path().join(".orchestrator");
    std::fs::create_dir_all(&work).unwrap();
    // What a SIGKILLed run leaves behind: its record in the lock file, no lock held.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    std::fs::write(
        work.join("run.lock"),
        format!("pid={pid}\nstarted=2026-01-01T00:00:00Z\ncommand=run\n"),
    )
    .unwrap();
    let run = sandbox.run(&["deploy", "--accounts", "catalog-dev"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!("PID {pid}")) && run.stderr.contains("taken over"),
        "{}",
        run.stderr
    );
    // A clean end leaves no record for the next run to complain about.
    let again = sandbox.run(&["deploy", "--accounts", "catalog-dev"]);
    again.expect_code(0);
    assert!(!again.stderr.contains("taken over"), "{}", again.stderr);
}

#[test]
fn a_run_on_the_same_state_from_another_work_dir_is_refused_and_names_the_first() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.command(&["deploy", "--accounts", "catalog-dev"]);
    cmd.env("TF_VAR_deploy_seconds", "4");
    let first = sandbox.spawn(cmd);
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/platform.log");
    wait_until("catalog-dev's first apply", Duration::from_secs(60), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Provisioning with 'local-exec'"))
    });
    let state = sandbox.state("platform", "catalog-dev");
    let state_before = std::fs::read(&state).ok();

    // Another work dir, the same config: the same local state (found from the config).
    let elsewhere = sandbox.path().join("elsewhere");
    let work_dir = elsewhere.to_str().unwrap();
    let second = sandbox
        .command(&["--work-dir", work_dir, "run", "--domain", "catalog"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("PID {}", first.pid())),
        "names the holder: {stderr}"
    );
    assert!(stderr.contains("started 20"), "and its start: {stderr}");
    assert!(
        stderr.contains("catalog-dev.tfstate"),
        "and the state: {stderr}"
    );
    assert!(
        stderr.contains(&sandbox.path().join(".orchestrator").display().to_string()),
        "and the holder's work dir: {stderr}"
    );
    // The same config opened through a symlinked directory reaches the same state files.
    let link = tempfile::tempdir().unwrap();
    let linked = link.path().join("sandbox");
    std::os::unix::fs::symlink(sandbox.path(), &linked).unwrap();
    let through_link = sandbox
        .command(&[
            "--work-dir",
            work_dir,
            "deploy",
            "--accounts",
            "catalog-dev",
        ])
        .current_dir(&linked)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&through_link.stderr);
    assert_eq!(through_link.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("PID {}", first.pid())),
        "names the holder: {stderr}"
    );
    // Nothing ran: no log, no data dir, the state as the first run left it so far.
    assert!(!elsewhere.join("logs").exists());
    assert!(!elsewhere.join("data").exists());
    assert_eq!(std::fs::read(&state).ok(), state_before);

    // Another account's state is not held back, from any work dir (the first run is still
    // going, so this one is not checked for processes left behind).
    let other = sandbox
        .command(&[
            "--work-dir",
            work_dir,
            "deploy",
            "--accounts",
            "payments-dev",
        ])
        .output()
        .unwrap();
    assert_eq!(
        other.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );

    sandbox.finished(first.wait()).expect_code(0);
    // The first run is over: its states are free for the other work dir.
    sandbox
        .run(&[
            "--work-dir",
            work_dir,
            "deploy",
            "--accounts",
            "catalog-dev",
        ])
        .expect_code(0);
}
