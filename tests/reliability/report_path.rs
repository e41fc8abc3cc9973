//! A `--report` path the run could not write after the deploy is refused before anything
//! starts: exit 2, a message naming the path and what to do, no terraform run, no trace of
//! the accounts. A missing directory is created, and the report lands there. `--report` is a
//! copy of the run's own report (`<work dir>/runs/<run id>/report.json`): both are checked.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::sandbox::{wait_until, Sandbox};

/// A directory this user may not create files in: a read-only one, or for root (whom file
/// modes do not stop) a kernel file system that takes no new files.
fn unwritable_dir(sandbox: &Sandbox) -> PathBuf {
    if nix::unistd::geteuid().is_root() {
        return PathBuf::from("/sys");
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = sandbox.path().join("read-only");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    dir
}

fn refused(sandbox: &Sandbox, report: &Path, because: &str) {
    let run = sandbox.run(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--report",
        report.to_str().unwrap(),
    ]);
    run.expect_code(2);
    let told = &run.stderr;
    assert!(
        told.contains(&report.display().to_string()),
        "names the path: {told}"
    );
    assert!(told.contains(because), "says why ({because}): {told}");
    assert!(
        told.contains("nothing was started") && told.contains("--report"),
        "and what to do: {told}"
    );
    assert!(
        sandbox.traces_of("catalog-dev").is_empty(),
        "nothing ran: {:?}",
        sandbox.traces_of("catalog-dev")
    );
    assert!(!told.contains("Report:"), "no report announced: {told}");
}

#[test]
fn a_report_path_the_run_could_not_write_is_refused_before_anything_runs() {
    let sandbox = Sandbox::new();
    // A directory, not a file.
    let dir = sandbox.path().join("reports");
    std::fs::create_dir(&dir).unwrap();
    refused(&sandbox, &dir, "it is a directory");
    // Under a file.
    let file = sandbox.path().join("notes.txt");
    std::fs::write(&file, "").unwrap();
    refused(
        &sandbox,
        &file.join("report.json"),
        &format!("{} is a file, not a directory", file.display()),
    );
    // In a directory where no file can be created.
    let unwritable = unwritable_dir(&sandbox);
    refused(&sandbox, &unwritable.join("report.json"), "denied");
    assert!(!unwritable.join("report.json").exists());
}

#[test]
fn a_report_in_a_missing_directory_is_written_there() {
    let sandbox = Sandbox::new();
    let report = sandbox.path().join("reports/2026/catalog.json");
    let run = sandbox.run(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--report",
        report.to_str().unwrap(),
    ]);
    run.expect_code(0);
    assert!(report.is_file());
    orchestrator::report::read_report(&report).unwrap();
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(report.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["catalog.json"]);
}

/// The run's own command, run inside a mount namespace where `dir` is a 64 KiB file system
/// with `free` bytes left (4 KiB pages); `None` where this machine cannot make one.
fn on_a_full_disk(cmd: &Command, dir: &Path, free: usize) -> Option<Command> {
    // As root a mount namespace is enough; otherwise a user namespace maps this user to root.
    let namespaces: &[&str] = if nix::unistd::geteuid().is_root() {
        &["--mount"]
    } else {
        &["--mount", "--map-root-user"]
    };
    let possible = Command::new("unshare")
        .args(namespaces)
        .args([
            "sh",
            "-c",
            "mount -t tmpfs -o size=64k tmpfs \"$0\"",
            dir.to_str()?,
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !possible {
        return None;
    }
    let mut wrapped = Command::new("unshare");
    wrapped
        .args(namespaces)
        .args([
            "sh",
            "-c",
            &format!(
                "mount -t tmpfs -o size=64k tmpfs \"$0\" && {{ head -c {} /dev/zero > \"$0/fill\" 2>/dev/null; exec \"$@\"; }}",
                (64 << 10) - free
            ),
        ])
        .arg(dir)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear()
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))));
    if let Some(cwd) = cmd.get_current_dir() {
        wrapped.current_dir(cwd);
    }
    Some(wrapped)
}

/// The report check's probe, written to `/dev/full` (every write: ENOSPC): the refusal names
/// the report and says the disk is full. Needs no privilege, so it runs on every machine.
fn probe_meets_a_full_disk(report: &Path, layers: usize) {
    let mut full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let told = orchestrator::report::write_probe(report, &mut full, layers)
        .unwrap_err()
        .to_string();
    assert!(told.contains(&report.display().to_string()), "{told}");
    assert!(told.contains("No space left on device"), "{told}");
}

#[test]
// Its one note is said to whoever runs the tests, not printed by the orchestrator.
#[allow(clippy::disallowed_macros)]
fn a_report_path_on_a_full_disk_is_refused_before_anything_runs() {
    let sandbox = Sandbox::new();
    let full = sandbox.path().join("full");
    std::fs::create_dir(&full).unwrap();
    let report = full.join("report.json");
    let cmd = sandbox.command(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--report",
        report.to_str().unwrap(),
    ]);
    // Everywhere: the check's probe meets a full disk (`/dev/full`) and names the report.
    probe_meets_a_full_disk(&report, 1);
    // Where a small file system can be mounted: the whole run, refused before it starts.
    let Some(wrapped) = on_a_full_disk(&cmd, &full, 0) else {
        eprintln!(
            "no mount namespace on this machine: the full disk was shown with /dev/full only"
        );
        return;
    };
    let run = sandbox.run_with(wrapped);
    run.expect_code(2);
    let told = &run.stderr;
    assert!(told.contains(&report.display().to_string()), "{told}");
    assert!(told.contains("No space left on device"), "{told}");
    assert!(told.contains("nothing was started"), "{told}");
    assert!(
        sandbox.traces_of("catalog-dev").is_empty(),
        "nothing ran: {:?}",
        sandbox.traces_of("catalog-dev")
    );
}

/// Room for a small report is not room for this run's: 36 (account, layer) pairs need more
/// than the 40 KiB left, so the run is refused before it deploys, not after.
#[test]
fn a_disk_too_full_for_this_runs_report_is_refused_before_anything_runs() {
    let sandbox = Sandbox::new();
    let full = sandbox.path().join("full");
    std::fs::create_dir(&full).unwrap();
    let report = full.join("report.json");
    let cmd = sandbox.command(&["run", "--report", report.to_str().unwrap()]);
    // Everywhere: the probe for this run is bigger than the 40 KiB left below, so it needs
    // more than that room, and a full disk under it is refused naming the report.
    let mut room = tempfile::tempfile().unwrap();
    orchestrator::report::write_probe(&report, &mut room, 36).unwrap();
    assert!(room.metadata().unwrap().len() > 40 << 10);
    probe_meets_a_full_disk(&report, 36);
    let Some(wrapped) = on_a_full_disk(&cmd, &full, 40 << 10) else {
        return;
    };
    let run = sandbox.run_with(wrapped);
    run.expect_code(2);
    let told = &run.stderr;
    assert!(
        told.contains(&report.display().to_string()) && told.contains("No space left on device"),
        "{told}"
    );
    assert!(sandbox.traces_of("catalog-dev").is_empty());
    assert!(sandbox.traces_of("payments-prod").is_empty());
}

/// The `--report` path was fine before the run, then something replaced its directory with a
/// file while the run deployed: the run's own report is still written and named, the lost
/// copy is never announced as the report, and the run says why it could not write it.
#[test]
fn a_report_path_lost_during_the_run_is_never_announced() {
    let sandbox = Sandbox::new();
    let dir = sandbox.path().join("reports");
    let report = dir.join("run.json");
    let mut cmd = sandbox.command(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--report",
        report.to_str().unwrap(),
    ]);
    cmd.env("TF_VAR_deploy_seconds", "2");
    let running = sandbox.spawn(cmd);
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/platform.log");
    wait_until("catalog-dev's first apply", Duration::from_secs(60), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Provisioning with 'local-exec'"))
    });
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::write(&dir, "").unwrap();
    let run = sandbox.finished(running.wait());
    // The deploy went through, but the report asked for is missing: not a success.
    run.expect_code(1);
    assert!(
        run.stderr
            .contains(&format!("{}: cannot write", report.display())),
        "{}",
        run.stderr
    );
    let own = sandbox.report();
    assert_eq!(own.outcome, orchestrator::report::Outcome::Succeeded);
    assert!(sandbox.state("platform", "catalog-dev").is_file());
    let announced = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Report:"))
        .unwrap_or_else(|| panic!("{}", run.stdout))
        .to_string();
    assert!(
        announced.contains("not written to reports/run.json"),
        "{announced}"
    );
    assert!(
        announced.starts_with("Report: .orchestrator/runs/"),
        "{announced}"
    );
}
