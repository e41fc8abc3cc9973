//! A test whose code under test reads this process's own environment (the AWS SDK's default
//! credential chain, in-process) runs in a child process: this test binary again, running
//! only that test, with the environment given to its `Command`. The tests share one process,
//! so none of them may change its environment.

use std::process::Command;

/// Set in the child to the one test it runs.
const MARK: &str = "INTEGRATION_TEST_IN_CHILD";

/// In the test process: runs the test `path` (`module_path!()` plus the function's name) in
/// a child with `set` and without `unset`, and fails with its output if it fails. In that
/// child: runs `body`.
pub fn in_child_process(path: &str, set: &[(&str, &str)], unset: &[&str], body: impl FnOnce()) {
    // libtest names a test by its path below the crate.
    let name = path.split_once("::").map_or(path, |(_, rest)| rest);
    if std::env::var(MARK).as_deref() == Ok(name) {
        body();
        return;
    }
    let mut child = Command::new(std::env::current_exe().expect("the test binary"));
    child
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(MARK, name)
        .envs(set.iter().copied());
    for variable in unset {
        child.env_remove(variable);
    }
    let output = child.output().expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{name} failed in its own process:\n{stdout}\n{stderr}"
    );
    // A name that matched nothing would pass with "0 passed".
    assert!(
        stdout.contains("1 passed"),
        "{name} did not run in its own process:\n{stdout}"
    );
}
