//! Whoever reads the orchestrator's output goes away before the run ends (`| head` exited, a
//! log shipper died): printing never panics, the loss is noted once per stream in
//! `<work dir>/orchestrator.log` (also when the very first line, printed before the run has
//! its log, is the one that fails), terraform is not interrupted, the run report is written
//! and the exit code is the run's real outcome. Real terraform.

use std::os::fd::OwnedFd;
use std::process::{Output, Stdio};

use orchestrator::report::{Outcome, Status};

use super::sandbox::{job, Sandbox};

/// A pipe whose reader is already gone: every write to it fails (EPIPE).
fn closed_pipe() -> OwnedFd {
    let (reader, writer) = nix::unistd::pipe().unwrap();
    drop(reader);
    writer
}

#[test]
fn a_run_whose_output_is_gone_goes_on_writes_its_report_and_exits_with_its_outcome() {
    let sandbox = Sandbox::new();
    // A run that died left its record: the notice about it is the first line printed, before
    // the run has its log.
    let work = sandbox.path().join(".orchestrator");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(
        work.join("run.lock"),
        "pid=999999999\nstarted=2026-01-01T00:00:00Z\ncommand=run\n",
    )
    .unwrap();
    let mut cmd = sandbox.command(&["run", "--domain", "catalog"]);
    cmd.env("TF_VAR_fail_account", "catalog-stage")
        .stdout(Stdio::from(closed_pipe()))
        .stderr(Stdio::from(closed_pipe()));
    let status = cmd.status().unwrap();
    let run = sandbox.finished(Output {
        status,
        stdout: Vec::new(),
        stderr: Vec::new(),
    });
    // The run's own outcome (stage failed, prod held back): not a panic's 101, not SIGPIPE.
    run.expect_code(1);

    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Halted);
    assert_eq!(job(&report, "catalog-dev").status, Status::Succeeded);
    assert_eq!(job(&report, "catalog-stage").status, Status::Failed);
    for layer in ["platform", "static", "dynamic"] {
        let state = std::fs::read_to_string(sandbox.state(layer, "catalog-dev")).unwrap();
        let state: serde_json::Value = serde_json::from_str(&state).unwrap();
        assert_eq!(state["version"], 4, "{layer}: whole");
    }

    let noted = std::fs::read_to_string(work.join("orchestrator.log")).unwrap();
    assert_eq!(noted.matches("stderr is gone").count(), 1, "{noted}");
    assert_eq!(noted.matches("stdout is gone").count(), 1, "{noted}");
    assert!(noted.contains("the run goes on"), "{noted}");
}
