//! Which copies of the stack layer exist in an account, read from the state backend, and
//! removing a destroyed copy's state. The local backend is read from disk; an S3 backend is
//! not listed yet (its copies are found by `aws s3 ls` on the key's prefix).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::name::StackName;
use crate::config::{Account, Config, StateBackend};
use crate::terraform::BackendConfig;

const PLACEHOLDER: &str = "{stack}";

/// One copy of the stack layer in one account, as its state says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyState {
    pub account: String,
    pub stack: StackName,
    /// The state file (local backend).
    pub location: PathBuf,
    /// When the state was last written (an apply or a destroy), when known.
    pub last_apply: Option<SystemTime>,
    /// How many resources the state holds; `None` when it cannot be read.
    pub resources: Option<usize>,
}

/// A copy to deploy or destroy: which layer, and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackCopy {
    pub name: StackName,
    pub layer: String,
    pub variable: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{} declares no `stacks`; add `stacks: {{ layer: dynamic, variable: stack_suffix }}` under `defaults:` (docs/stacks.md)", .0.display())]
    NotEnabled(PathBuf),
    #[error("listing the copies in the S3 state bucket `{bucket}` is not supported yet; list them with `aws s3 ls s3://{bucket}/{prefix}`")]
    S3Unsupported { bucket: String, prefix: String },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} still holds {resources} resources: the copy's state is kept (destroy them first)", path.display())]
    NotEmpty { path: PathBuf, resources: usize },
}

/// Every copy of the stack layer that has state in `account`, by name. `root` is the
/// config's directory, absolute, as the runner renders the backend with.
pub fn list_copies(
    config: &Config,
    root: &Path,
    account: &Account,
) -> Result<Vec<CopyState>, ListError> {
    let stacks = config
        .stacks
        .as_ref()
        .ok_or_else(|| ListError::NotEnabled(config.path.clone()))?;
    // The backend every copy would get, with the placeholder as its name: the same rendering
    // the runner uses, so listing finds exactly the files deploys write.
    let backend = BackendConfig::render_copy(
        &config.state,
        root,
        account,
        &stacks.layer,
        Some(PLACEHOLDER),
    );
    let pattern = match &config.state {
        StateBackend::Local { .. } => backend.local_path().unwrap_or_default().to_string(),
        StateBackend::S3 { bucket, .. } => {
            let key = backend
                .pairs
                .iter()
                .find(|(k, _)| k == "key")
                .map(|(_, v)| v.as_str())
                .unwrap_or_default();
            let prefix = key
                .split(PLACEHOLDER)
                .next()
                .unwrap_or_default()
                .to_string();
            return Err(ListError::S3Unsupported {
                bucket: bucket.clone(),
                prefix,
            });
        }
    };
    let parts: Vec<&str> = pattern.split(PLACEHOLDER).collect();
    let base = match parts[0].rfind('/') {
        Some(at) => PathBuf::from(&parts[0][..at.max(1)]),
        None => PathBuf::from("."),
    };
    let mut found = Vec::new();
    let mut files = Vec::new();
    walk(&base, &mut files);
    for file in files {
        let text = file.to_string_lossy();
        let Some(name) = name_in(&parts, &text) else {
            continue;
        };
        let Ok(stack) = StackName::parse(name) else {
            continue;
        };
        let last_apply = file.metadata().and_then(|m| m.modified()).ok();
        found.push(CopyState {
            account: account.name.clone(),
            stack,
            resources: std::fs::read(&file).ok().and_then(|b| resource_count(&b)),
            location: file,
            last_apply,
        });
    }
    found.sort_by(|a, b| a.stack.cmp(&b.stack));
    Ok(found)
}

/// Removes a copy's state after its destroy: only when it holds no resource, never the
/// main stack's. Returns the files removed.
pub fn remove_copy_state(copy: &CopyState) -> Result<Vec<PathBuf>, ListError> {
    let bytes = std::fs::read(&copy.location).map_err(|source| ListError::Read {
        path: copy.location.clone(),
        source,
    })?;
    match resource_count(&bytes) {
        Some(0) => {}
        resources => {
            return Err(ListError::NotEmpty {
                path: copy.location.clone(),
                resources: resources.unwrap_or(usize::MAX),
            })
        }
    }
    let mut removed = Vec::new();
    let backup = PathBuf::from(format!("{}.backup", copy.location.display()));
    for file in [copy.location.clone(), backup] {
        match std::fs::remove_file(&file) {
            Ok(()) => removed.push(file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(ListError::Read { path: file, source }),
        }
    }
    Ok(removed)
}

/// The copy name that makes `parts.join(name) == text`, if any.
fn name_in<'t>(parts: &[&str], text: &'t str) -> Option<&'t str> {
    let rest = text.strip_prefix(parts[0])?;
    (1..=rest.len().min(super::name::MAX_STACK_NAME_LEN))
        .filter(|&end| rest.is_char_boundary(end))
        .map(|end| &rest[..end])
        .find(|name| !name.contains('/') && parts.join(name) == text)
}

/// Resources with at least one instance (a destroyed resource can stay listed with none).
fn resource_count(state: &[u8]) -> Option<usize> {
    let value: serde_json::Value = serde_json::from_slice(state).ok()?;
    let resources = value.get("resources")?.as_array()?;
    Some(
        resources
            .iter()
            .filter(|r| {
                r.get("instances")
                    .and_then(serde_json::Value::as_array)
                    .map_or(true, |i| !i.is_empty())
            })
            .count(),
    )
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), found);
        } else if kind.is_file() {
            found.push(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_what_fills_every_placeholder() {
        let parts = ["/s/dynamic/catalog-dev-", ".tfstate"];
        assert_eq!(
            name_in(&parts, "/s/dynamic/catalog-dev-pr-7.tfstate"),
            Some("pr-7")
        );
        assert_eq!(name_in(&parts, "/s/dynamic/catalog-dev.tfstate"), None);
        assert_eq!(
            name_in(&parts, "/s/dynamic/catalog-dev-pr-7.tfstate.backup"),
            None
        );
        let nested = ["/s/", "/dynamic/catalog-dev.tfstate"];
        assert_eq!(
            name_in(&nested, "/s/feat/dynamic/catalog-dev.tfstate"),
            Some("feat")
        );
        assert_eq!(name_in(&nested, "/s/a/b/dynamic/catalog-dev.tfstate"), None);
    }

    #[test]
    fn resources_without_instances_do_not_count() {
        let empty = br#"{"version":4,"resources":[]}"#;
        let gone = br#"{"version":4,"resources":[{"type":"terraform_data","instances":[]}]}"#;
        let kept = br#"{"version":4,"resources":[{"type":"terraform_data","instances":[{}]}]}"#;
        assert_eq!(resource_count(empty), Some(0));
        assert_eq!(resource_count(gone), Some(0));
        assert_eq!(resource_count(kept), Some(1));
        assert_eq!(resource_count(b"not json"), None);
    }
}
