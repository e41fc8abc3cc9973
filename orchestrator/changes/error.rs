//! Why change detection could not say what changed. Every one is bad input (exit code 2):
//! nothing is planned from a diff that could not be read.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("--changed-since: cannot run git: {source}; install git or put it on PATH")]
    GitMissing { source: std::io::Error },

    #[error(
        "--changed-since: git finds no usable repository at {} ({stderr}); run the command in a clone of the repository",
        dir.display()
    )]
    NotARepository { dir: PathBuf, stderr: String },

    #[error("--changed-since: unknown git ref `{reference}`: no such commit in {}; {hint}", top.display())]
    UnknownRef {
        reference: String,
        top: PathBuf,
        hint: String,
    },

    #[error("--changed-since: `git {args}` failed in {}: {stderr}", top.display())]
    Git {
        args: String,
        top: PathBuf,
        stderr: String,
    },

    #[error(
        "--changed-since: {} is outside the git repository {}, so its changes cannot be seen; keep the config and layers_dir inside the repository",
        path.display(),
        top.display()
    )]
    OutsideRepository { path: PathBuf, top: PathBuf },

    #[error("--changed-since: cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}
