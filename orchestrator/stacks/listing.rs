//! Which copies of the stack layer exist in an account, read from the state backend (files
//! for the local backend, objects under the key's prefix in S3), and removing a destroyed
//! copy's state.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::name::StackName;
use crate::aws::StateBucket;
use crate::config::{Account, Config, StateBackend};
use crate::credentials::{AccountCredentials, CredentialsProvider};
use crate::terraform::BackendConfig;

const PLACEHOLDER: &str = "{stack}";

/// Where a copy's state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateLocation {
    Local(PathBuf),
    S3 { bucket: String, key: String },
}

impl fmt::Display for StateLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateLocation::Local(path) => write!(f, "{}", path.display()),
            StateLocation::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
        }
    }
}

/// One copy of the stack layer in one account, as its state says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyState {
    pub account: String,
    pub stack: StackName,
    pub location: StateLocation,
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

#[derive(Debug, Clone, thiserror::Error)]
pub enum ListError {
    #[error("{} declares no `stacks`; add `stacks: {{ layer: dynamic, variable: stack_suffix }}` under `defaults:` (docs/stacks.md)", .0.display())]
    NotEnabled(PathBuf),
    #[error("{account}: {message}")]
    Backend { account: String, message: String },
    #[error("{location} still holds {resources} resources: the copy's state is kept (destroy them first)")]
    NotEmpty {
        location: StateLocation,
        resources: usize,
    },
}

/// The copies of every account, by account name (an account whose backend could not be
/// read has its error). `credentials` reach the S3 bucket as each account's terraform does.
pub async fn list_copies_of(
    config: &Config,
    root: &Path,
    accounts: &[&Account],
    credentials: &dyn CredentialsProvider,
) -> BTreeMap<String, Result<Vec<CopyState>, ListError>> {
    let mut listed = BTreeMap::new();
    for account in accounts {
        let copies = match account_credentials(config, account, credentials).await {
            Ok(creds) => list_copies(config, root, account, &creds).await,
            Err(e) => Err(e),
        };
        listed.insert(account.name.clone(), copies);
    }
    listed
}

/// Every copy of the stack layer that has state in `account`, by name. `root` is the
/// config's directory, absolute, as the runner renders the backend with.
pub async fn list_copies(
    config: &Config,
    root: &Path,
    account: &Account,
    credentials: &AccountCredentials,
) -> Result<Vec<CopyState>, ListError> {
    let stacks = config
        .stacks
        .as_ref()
        .ok_or_else(|| ListError::NotEnabled(config.path.clone()))?;
    // The backend every copy would get, with the placeholder as its name: the same rendering
    // the runner uses, so listing finds exactly the states deploys write.
    let backend = BackendConfig::render_copy(
        &config.state,
        root,
        account,
        &stacks.layer,
        Some(PLACEHOLDER),
    );
    let mut found = Vec::new();
    match &config.state {
        StateBackend::Local { .. } => {
            let pattern = backend.local_path().unwrap_or_default().to_string();
            let parts: Vec<&str> = pattern.split(PLACEHOLDER).collect();
            let base = match parts[0].rfind('/') {
                Some(at) => PathBuf::from(&parts[0][..at.max(1)]),
                None => PathBuf::from("."),
            };
            let mut files = Vec::new();
            walk(&base, &mut files);
            for file in files {
                let text = file.to_string_lossy().into_owned();
                let Some(stack) = name_in(&parts, &text).and_then(|n| StackName::parse(n).ok())
                else {
                    continue;
                };
                found.push(CopyState {
                    account: account.name.clone(),
                    stack,
                    resources: std::fs::read(&file).ok().and_then(|b| resource_count(&b)),
                    last_apply: file.metadata().and_then(|m| m.modified()).ok(),
                    location: StateLocation::Local(file),
                });
            }
        }
        StateBackend::S3 { bucket, region, .. } => {
            let key = pair(&backend, "key");
            let parts: Vec<&str> = key.split(PLACEHOLDER).collect();
            let store = StateBucket::connect(bucket, region, credentials).await;
            let backend_error = |message| ListError::Backend {
                account: account.name.clone(),
                message,
            };
            let objects = store.list(parts[0]).await.map_err(backend_error)?;
            for object in objects {
                let Some(stack) =
                    name_in(&parts, &object.key).and_then(|n| StackName::parse(n).ok())
                else {
                    continue;
                };
                let resources = store
                    .read(&object.key)
                    .await
                    .ok()
                    .and_then(|b| resource_count(&b));
                found.push(CopyState {
                    account: account.name.clone(),
                    stack,
                    resources,
                    last_apply: object.last_modified,
                    location: StateLocation::S3 {
                        bucket: bucket.clone(),
                        key: object.key,
                    },
                });
            }
        }
    }
    found.sort_by(|a, b| a.stack.cmp(&b.stack));
    Ok(found)
}

/// Removes a copy's state after its destroy: only when it holds no resource. Returns what
/// was removed.
pub async fn remove_copy_state(
    config: &Config,
    copy: &CopyState,
    credentials: &AccountCredentials,
) -> Result<Vec<String>, ListError> {
    let backend_error = |message| ListError::Backend {
        account: copy.account.clone(),
        message,
    };
    match &copy.location {
        StateLocation::Local(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| backend_error(format!("cannot read {}: {e}", path.display())))?;
            refuse_unless_empty(copy, &bytes)?;
            let mut removed = Vec::new();
            let backup = PathBuf::from(format!("{}.backup", path.display()));
            for file in [path.clone(), backup] {
                match std::fs::remove_file(&file) {
                    Ok(()) => removed.push(file.display().to_string()),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(backend_error(format!(
                            "cannot remove {}: {e}",
                            file.display()
                        )))
                    }
                }
            }
            Ok(removed)
        }
        StateLocation::S3 { bucket, key } => {
            let region = match &config.state {
                StateBackend::S3 { region, .. } => region.as_str(),
                StateBackend::Local { .. } => "us-east-1",
            };
            let store = StateBucket::connect(bucket, region, credentials).await;
            let bytes = store.read(key).await.map_err(backend_error)?;
            refuse_unless_empty(copy, &bytes)?;
            store.delete(key).await.map_err(backend_error)?;
            Ok(vec![copy.location.to_string()])
        }
    }
}

/// After copy `stack` was destroyed in `account`: its state is removed if it holds no
/// resource (`Ok` with nothing removed when it has no state).
pub async fn remove_destroyed_copy(
    config: &Config,
    root: &Path,
    account: &Account,
    stack: &StackName,
    credentials: &dyn CredentialsProvider,
) -> Result<Vec<String>, ListError> {
    let creds = account_credentials(config, account, credentials).await?;
    let mut removed = Vec::new();
    for copy in list_copies(config, root, account, &creds).await? {
        if &copy.stack == stack {
            removed.extend(remove_copy_state(config, &copy, &creds).await?);
        }
    }
    Ok(removed)
}

/// The credentials `account`'s terraform gets; none are needed for local state.
pub async fn account_credentials(
    config: &Config,
    account: &Account,
    credentials: &dyn CredentialsProvider,
) -> Result<AccountCredentials, ListError> {
    if matches!(config.state, StateBackend::Local { .. }) {
        return Ok(AccountCredentials::default());
    }
    credentials
        .credentials(account)
        .await
        .map_err(|e| ListError::Backend {
            account: account.name.clone(),
            message: e.message,
        })
}

fn refuse_unless_empty(copy: &CopyState, state: &[u8]) -> Result<(), ListError> {
    match resource_count(state) {
        Some(0) => Ok(()),
        resources => Err(ListError::NotEmpty {
            location: copy.location.clone(),
            resources: resources.unwrap_or(usize::MAX),
        }),
    }
}

fn pair(backend: &BackendConfig, name: &str) -> String {
    backend
        .pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
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
/// An empty file is no state, as terraform reads it: its local backend creates the file empty
/// when it takes the lock, and a terraform killed before it wrote the state leaves it so.
fn resource_count(state: &[u8]) -> Option<usize> {
    if state.trim_ascii().is_empty() {
        return Some(0);
    }
    let value: serde_json::Value = serde_json::from_slice(state).ok()?;
    let resources = value.get("resources")?.as_array()?;
    Some(
        resources
            .iter()
            .filter(|r| {
                r.get("instances")
                    .and_then(serde_json::Value::as_array)
                    .is_none_or(|i| !i.is_empty())
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
        assert_eq!(resource_count(b""), Some(0), "terraform's no state");
    }
}
