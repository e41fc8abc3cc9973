//! Runs the built binary the way a user does, in a directory of the test's choosing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use crate::support::cli::{clean_env, BIN};

/// The repository root (where the real domains.yaml lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/config`: one small domains.yaml per problem, and a `layers/` dir for them.
pub fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/config")
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A command line in `dir`, without the host's settings (`support::cli`).
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = crate::support::cli::orchestrator();
    cmd.current_dir(dir).args(args);
    cmd
}

pub fn run(dir: &Path, args: &[&str]) -> Run {
    let output = command(dir, args)
        .output()
        .expect("the orchestrator binary runs");
    finish(output)
}

pub fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A temp dir holding `layers/{platform,static,dynamic}`, each with a `main.tf`, so configs
/// written into it that name those layers validate (`validate` refuses an empty layer
/// directory).
pub fn dir_with_layers() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for layer in ["platform", "static", "dynamic"] {
        let layer_dir = dir.path().join("layers").join(layer);
        std::fs::create_dir_all(&layer_dir).expect("layer dir");
        std::fs::write(
            layer_dir.join("main.tf"),
            "terraform {\n  backend \"s3\" {}\n}\n",
        )
        .expect("main.tf");
    }
    dir
}
