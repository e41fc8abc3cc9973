//! Stamps the binary with the commit and target that `orchestrator --version` prints.
//! The commit comes from `ORCHESTRATOR_COMMIT` (set by the release workflow, or by anyone
//! building from a tarball), else from git when building in a checkout, else "unknown".

// cargo reads a build script's stdout.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=ORCHESTRATOR_COMMIT");
    let commit = std::env::var("ORCHESTRATOR_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=ORCHESTRATOR_COMMIT={}", commit.trim());
    println!(
        "cargo:rustc-env=ORCHESTRATOR_TARGET={}",
        std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string())
    );
}

fn git_commit() -> Option<String> {
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    // Rebuild when HEAD moves (a commit, a checkout); the paths come from git so a worktree's
    // `.git` file works too.
    if let Some(p) = git(&["rev-parse", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={p}");
    }
    if let Some(p) = git(&["rev-parse", "--git-common-dir"]) {
        println!("cargo:rerun-if-changed={p}/refs/heads");
    }
    Some(commit)
}
