//! A `--report` path the run could not write after the deploy is refused before anything
//! starts: exit 2, a message naming the path and what to do, no terraform run, no trace of
//! the accounts. A missing directory is created, and the report lands there. `--report` is a
//! copy of the run's own report (`<work dir>/runs/<run id>/report.json`): both are checked.

use std::path::{Path, PathBuf};

use super::sandbox::Sandbox;

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
