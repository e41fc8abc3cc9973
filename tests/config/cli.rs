//! Runs the built binary the way a user does, in a directory of the test's choosing.

pub use crate::support::cli::{isolate, orchestrator, Cli, Run, BIN};
use std::path::{Path, PathBuf};

/// The repository root (where the real domains.yaml lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/config`: one small domains.yaml per problem, and a `layers/` dir for them.
pub fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/config")
}

/// A command line in `dir` (`support::cli`).
pub fn command(dir: &Path, args: &[&str]) -> Cli {
    orchestrator().current_dir(dir).args(args)
}

pub fn run(dir: &Path, args: &[&str]) -> Run {
    command(dir, args).run()
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
