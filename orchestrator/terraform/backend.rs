//! The backend configuration of one (account, layer), rendered from `defaults.state`.
//! Layers declare an empty `backend "s3" {}` or `backend "local" {}` block; these pairs are
//! passed to `terraform init` as `-backend-config=key=value`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{Account, StateBackend};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendConfig {
    pub pairs: Vec<(String, String)>,
}

impl BackendConfig {
    /// `root` is the config file's directory: a relative local state path is resolved from it,
    /// so the same state file is used whatever directory the orchestrator runs from.
    pub fn render(state: &StateBackend, root: &Path, account: &Account, layer: &str) -> Self {
        Self::render_copy(state, root, account, layer, None)
    }

    /// The backend of copy `stack` of the layer (`None`: the main stack), see
    /// `config::stack_template::for_main_stack` for how `{stack}` is filled.
    pub fn render_copy(
        state: &StateBackend,
        root: &Path,
        account: &Account,
        layer: &str,
        stack: Option<&str>,
    ) -> Self {
        let fill =
            |template: &str| crate::config::fill_state_template(template, account, layer, stack);
        let pairs = match state {
            StateBackend::S3 {
                bucket,
                region,
                key,
            } => vec![
                ("bucket".to_string(), bucket.clone()),
                ("key".to_string(), fill(key)),
                ("region".to_string(), region.clone()),
                // S3 native lock files (terraform 1.10+): no DynamoDB table to manage.
                ("use_lockfile".to_string(), "true".to_string()),
            ],
            StateBackend::Local { path } => {
                let path = root.join(fill(path));
                vec![("path".to_string(), path.to_string_lossy().into_owned())]
            }
        };
        Self { pairs }
    }

    /// The `-backend-config=key=value` arguments.
    pub fn args(&self) -> impl Iterator<Item = String> + '_ {
        self.pairs
            .iter()
            .map(|(k, v)| format!("-backend-config={k}={v}"))
    }

    /// The state this names, the same whatever work dir or command uses it: `local:<path>`,
    /// or `s3://<bucket>/<key>` (with the S3 endpoint when the environment overrides it, as
    /// a test against a local S3 does: another endpoint's bucket is another state).
    pub fn identity(&self) -> String {
        let get = |name: &str| {
            self.pairs
                .iter()
                .find(|(k, _)| k == name)
                .map_or("", |(_, v)| v.as_str())
        };
        if let Some(path) = self.local_path() {
            return format!("local:{}", resolved(Path::new(path)).display());
        }
        let endpoint = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .map(|url| format!(" at {url}"))
            .unwrap_or_default();
        format!("s3://{}/{}{endpoint}", get("bucket"), get("key"))
    }

    /// The local state file, for the `local` backend.
    pub fn local_path(&self) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == "path")
            .map(|(_, v)| v.as_str())
    }
}

/// `path` as the file system resolves it, so that one state file reached through a symlinked
/// directory (a config opened from a link, a state dir that is a link) is one state: the
/// deepest part that exists, symlinks and `..` resolved, then the rest (not created yet)
/// with `.` and `..` folded.
fn resolved(path: &Path) -> std::path::PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return crate::workdir::normalise(
                &real.join(rest.iter().rev().collect::<std::path::PathBuf>()),
            );
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            // Nothing of it exists, or it climbs out of a missing directory (`..`): by its
            // words alone.
            _ => return crate::workdir::normalise(path),
        }
    }
}

/// The directory that holds every local state file: the state path's leading components
/// before the first placeholder, from `root` (the config's directory). `None` for S3.
pub fn local_state_dir(state: &StateBackend, root: &Path) -> Option<std::path::PathBuf> {
    let StateBackend::Local { path } = state else {
        return None;
    };
    let fixed: std::path::PathBuf = Path::new(path)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains('{'))
        .collect();
    // A template without placeholders names one file: its directory holds it.
    let fixed = if fixed.as_os_str().len() == path.len() {
        fixed.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        fixed
    };
    Some(root.join(fixed))
}

/// Replaces the placeholders the config allows in state templates (checked when it loads),
/// except `{stack}`, which depends on the copy (`BackendConfig::render_copy`).
pub fn fill(template: &str, account: &Account, layer: &str) -> String {
    crate::config::fill_template(template, account, layer)
}

/// Local state is found from the config (`defaults.state.path`), never from the work dir or
/// the current directory, so every work dir sees the one state of each account. When
/// `--work-dir` puts everything else elsewhere, the note that says where the state stays.
pub fn state_outside_work_dir(config: &crate::config::Config, work_dir: &Path) -> Option<String> {
    let root = std::path::absolute(&config.root).ok()?;
    let state_dir = crate::workdir::normalise(&local_state_dir(&config.state, &root)?);
    (!state_dir.starts_with(work_dir)).then(|| {
        format!(
            "note: local state stays in {} (defaults.state.path, relative to {}), not in the \
             work dir {}: every work dir shares it (one run at a time)",
            crate::workdir::shown(&state_dir),
            crate::workdir::shown(&config.path),
            crate::workdir::shown(work_dir)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Account, CredentialsMode};

    fn account() -> Account {
        Account::example("catalog-dev", CredentialsMode::None)
    }

    /// One state file, whichever path reaches it: through a symlinked directory, with `..`,
    /// existing yet or not.
    #[test]
    fn a_local_state_reached_through_a_symlink_is_the_same_state() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir_all(real.join("state")).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
        let identity = |path: &Path| {
            BackendConfig {
                pairs: vec![("path".into(), path.to_string_lossy().into_owned())],
            }
            .identity()
        };
        for name in [
            "state/a.tfstate",
            "state/platform/a.tfstate",
            "new/dir/a.tfstate",
        ] {
            let direct = identity(&real.join(name));
            assert_eq!(
                identity(&dir.path().join("link").join(name)),
                direct,
                "{name}"
            );
            assert_eq!(
                identity(&dir.path().join("link/state/../").join(name)),
                direct,
                "{name}"
            );
        }
        assert_ne!(
            identity(&real.join("state/a.tfstate")),
            identity(&real.join("state/b.tfstate"))
        );
    }

    #[test]
    fn local_state_lives_under_the_templates_fixed_directories_from_the_config() {
        let local = |path: &str| StateBackend::Local { path: path.into() };
        let root = Path::new("/repo/infra");
        assert_eq!(
            local_state_dir(
                &local(".orchestrator/state/{layer}/{account}.tfstate"),
                root
            ),
            Some(Path::new("/repo/infra/.orchestrator/state").to_path_buf())
        );
        assert_eq!(
            local_state_dir(&local("{layer}-{account}.tfstate"), root),
            Some(root.to_path_buf())
        );
        assert_eq!(
            local_state_dir(&local("/var/state/{account}.tfstate"), root),
            Some(Path::new("/var/state").to_path_buf())
        );
        let s3 = StateBackend::S3 {
            bucket: "b".into(),
            region: "r".into(),
            key: "{account}".into(),
        };
        assert_eq!(local_state_dir(&s3, root), None);
    }

    #[test]
    fn s3_backend_has_the_account_key_and_native_locking() {
        let state = StateBackend::S3 {
            bucket: "acme-tfstate".into(),
            region: "us-east-1".into(),
            key: "{layer}/{domain}/{account}-{account_id}.tfstate".into(),
        };
        let backend = BackendConfig::render(&state, Path::new("/repo"), &account(), "static");
        assert_eq!(
            backend.args().collect::<Vec<_>>(),
            [
                "-backend-config=bucket=acme-tfstate",
                "-backend-config=key=static/catalog/catalog-dev-111111111111.tfstate",
                "-backend-config=region=us-east-1",
                "-backend-config=use_lockfile=true",
            ]
        );
        assert_eq!(backend.local_path(), None);
    }

    #[test]
    fn each_copy_has_its_own_state_and_the_main_stack_keeps_its_own() {
        let state = StateBackend::Local {
            path: ".orchestrator/state/{layer}/{account}-{stack}.tfstate".into(),
        };
        let root = Path::new("/repo");
        let path = |stack| {
            BackendConfig::render_copy(&state, root, &account(), "dynamic", stack)
                .local_path()
                .map(str::to_string)
        };
        assert_eq!(
            path(None).as_deref(),
            Some("/repo/.orchestrator/state/dynamic/catalog-dev.tfstate")
        );
        assert_eq!(
            path(Some("pr-7")).as_deref(),
            Some("/repo/.orchestrator/state/dynamic/catalog-dev-pr-7.tfstate")
        );
    }

    #[test]
    fn the_identity_of_a_state_is_its_path_or_its_bucket_and_key() {
        let local = BackendConfig {
            pairs: vec![("path".into(), "/repo/./state/../state/a.tfstate".into())],
        };
        assert_eq!(local.identity(), "local:/repo/state/a.tfstate");
        let s3 = BackendConfig::render(
            &StateBackend::S3 {
                bucket: "acme-tfstate".into(),
                region: "us-east-1".into(),
                key: "{layer}/{account}.tfstate".into(),
            },
            Path::new("/repo"),
            &account(),
            "static",
        );
        let identity = s3.identity();
        assert!(
            identity.starts_with("s3://acme-tfstate/static/catalog-dev.tfstate"),
            "{identity}"
        );
    }

    #[test]
    fn local_state_path_is_resolved_against_the_config_directory() {
        let state = StateBackend::Local {
            path: ".orchestrator/state/{layer}/{account}.tfstate".into(),
        };
        let backend =
            BackendConfig::render(&state, Path::new("/repo/sandbox"), &account(), "dynamic");
        assert_eq!(
            backend.local_path(),
            Some("/repo/sandbox/.orchestrator/state/dynamic/catalog-dev.tfstate")
        );
    }
}
