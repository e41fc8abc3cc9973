//! The backend configuration of one (account, layer), rendered from `defaults.state`.
//! Layers declare an empty `backend "s3" {}` or `backend "local" {}` block; these pairs are
//! passed to `terraform init` as `-backend-config=key=value`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{Account, StateBackend};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendConfig {
    pub pairs: Vec<(String, String)>,
}

impl BackendConfig {
    /// `root` is the config file's directory: a relative local state path is resolved from it
    /// (see [`local_state_path`]), so the same state file is used whatever directory the
    /// orchestrator runs from.
    pub fn render(
        state: &StateBackend,
        root: &Path,
        work_dir: &Path,
        account: &Account,
        layer: &str,
    ) -> Self {
        let pairs = match state {
            StateBackend::S3 {
                bucket,
                region,
                key,
            } => vec![
                ("bucket".to_string(), bucket.clone()),
                ("key".to_string(), fill(key, account, layer)),
                ("region".to_string(), region.clone()),
                // S3 native lock files (terraform 1.10+): no DynamoDB table to manage.
                ("use_lockfile".to_string(), "true".to_string()),
            ],
            StateBackend::Local { path } => {
                let path = local_state_path(root, work_dir, &fill(path, account, layer));
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

    /// The local state file, for the `local` backend.
    pub fn local_path(&self) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == "path")
            .map(|(_, v)| v.as_str())
    }
}

/// A local state path from the config: relative to the config's directory, except that one
/// under `.orchestrator/` (the default work dir's name) lives in the work dir, so that
/// everything the orchestrator writes stays in one place when `--work-dir` moves it. With the
/// default work dir both readings are the same file, so existing state is found where it was.
pub fn local_state_path(root: &Path, work_dir: &Path, path: &str) -> PathBuf {
    let relative = Path::new(path);
    match relative.strip_prefix(crate::workdir::DEFAULT_WORK_DIR) {
        Ok(inside) if relative.is_relative() => work_dir.join(inside),
        _ => root.join(relative),
    }
}

/// Replaces the placeholders the config allows in state templates (checked when it loads).
pub fn fill(template: &str, account: &Account, layer: &str) -> String {
    template
        .replace("{account}", &account.name)
        .replace("{layer}", layer)
        .replace("{domain}", &account.domain)
        .replace("{environment}", &account.environment)
        .replace("{account_id}", &account.account_id)
        .replace("{region}", &account.region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Account, CredentialsMode};
    use std::time::Duration;

    fn account() -> Account {
        Account {
            name: "catalog-dev".into(),
            domain: "catalog".into(),
            environment: "dev".into(),
            wave: "stage".into(),
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            role_name: "Deploy".into(),
            plan_role_name: None,
            external_id: None,
            session_duration: Duration::from_secs(3600),
            credentials: CredentialsMode::None,
            layers: vec!["platform".into()],
            vars: Default::default(),
            layer_vars: Default::default(),
            network_cidr: None,
            line: 1,
        }
    }

    #[test]
    fn s3_backend_has_the_account_key_and_native_locking() {
        let state = StateBackend::S3 {
            bucket: "acme-tfstate".into(),
            region: "us-east-1".into(),
            key: "{layer}/{domain}/{account}-{account_id}.tfstate".into(),
        };
        let backend = BackendConfig::render(
            &state,
            Path::new("/repo"),
            Path::new("/repo/.orchestrator"),
            &account(),
            "static",
        );
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
    fn local_state_path_is_resolved_against_the_config_directory() {
        let state = StateBackend::Local {
            path: ".orchestrator/state/{layer}/{account}.tfstate".into(),
        };
        let backend = BackendConfig::render(
            &state,
            Path::new("/repo/sandbox"),
            Path::new("/repo/sandbox/.orchestrator"),
            &account(),
            "dynamic",
        );
        assert_eq!(
            backend.local_path(),
            Some("/repo/sandbox/.orchestrator/state/dynamic/catalog-dev.tfstate")
        );
        // `--work-dir` elsewhere: the state moves with everything else.
        let moved = BackendConfig::render(
            &state,
            Path::new("/repo/sandbox"),
            Path::new("/w"),
            &account(),
            "dynamic",
        );
        assert_eq!(
            moved.local_path(),
            Some("/w/state/dynamic/catalog-dev.tfstate")
        );
        // Any other relative path stays relative to the config.
        let other = StateBackend::Local {
            path: "tfstate/{account}.tfstate".into(),
        };
        let kept = BackendConfig::render(
            &other,
            Path::new("/repo/sandbox"),
            Path::new("/w"),
            &account(),
            "dynamic",
        );
        assert_eq!(
            kept.local_path(),
            Some("/repo/sandbox/tfstate/catalog-dev.tfstate")
        );
    }
}
