//! The built binary as every test launches it, with one environment policy: nothing the host
//! sets for the orchestrator, for GitHub Actions or for terraform reaches a test's run (a
//! CI's `$GITHUB_OUTPUT` or step summary, an `ORCHESTRATOR_CONFIG`, a `TF_VAR_fail_account`,
//! a plugin cache). A test sets what it means to on the `Command` it gets.

use std::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_orchestrator");

/// Variables, by prefix, that the orchestrator or terraform read from their environment.
const HOST_PREFIXES: &[&str] = &["ORCHESTRATOR_", "GITHUB_", "TF_VAR_"];
const HOST_VARIABLES: &[&str] = &["TF_PLUGIN_CACHE_DIR"];

/// `orchestrator` with the host's settings removed; no arguments, the test's working dir.
pub fn orchestrator() -> Command {
    let mut cmd = Command::new(BIN);
    clean_env(&mut cmd);
    cmd
}

/// Removes the host's settings from a command (for one not made by `orchestrator()`).
pub fn clean_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if HOST_PREFIXES.iter().any(|prefix| key.starts_with(prefix))
            || HOST_VARIABLES.contains(&&*key)
        {
            cmd.env_remove(&*key);
        }
    }
}
