//! The config as it was at a git ref: `destroy --from-ref` acts on accounts already removed
//! from domains.yaml, with the settings (account id, region, role, state) they had then.

use std::path::Path;

use super::git::Repo;
use crate::config::{self, Config};

/// Why the config at the ref could not be read; bad input (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum AtRefError {
    #[error("{}", .0.to_string().replacen("--changed-since", "--from-ref", 1))]
    Git(#[from] super::ChangeError),
    #[error(
        "--from-ref {reference}: {path} does not exist at that ref; pass a commit where it did"
    )]
    Missing { reference: String, path: String },
    #[error("--from-ref {reference}: {source}")]
    Invalid {
        reference: String,
        source: config::LoadError,
    },
}

/// domains.yaml at `reference`, validated as if it were the file at `config_path` (relative
/// paths such as `layers_dir` and local state resolve from the file's directory today).
pub fn config_at(config_path: &Path, reference: &str) -> Result<Config, AtRefError> {
    let read = |source| super::ChangeError::Read {
        path: config_path.to_path_buf(),
        source,
    };
    let absolute = config_path.canonicalize().map_err(read)?;
    let dir = absolute.parent().unwrap_or(Path::new("/"));
    let (repo, commit) = Repo::open(dir, reference)?;
    let rel = absolute
        .strip_prefix(repo.top())
        .map_err(|_| super::ChangeError::OutsideRepository {
            path: absolute.clone(),
            top: repo.top().to_path_buf(),
        })?
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let text = repo
        .file_at(&commit, &rel)?
        .ok_or_else(|| AtRefError::Missing {
            reference: reference.to_string(),
            path: rel.clone(),
        })?;
    config::from_str(config_path, &text).map_err(|source| AtRefError::Invalid {
        reference: reference.to_string(),
        source,
    })
}
