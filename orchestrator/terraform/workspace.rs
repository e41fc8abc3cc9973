//! Where one (account, layer) keeps its files under the work dir. Nothing is created until
//! the layer runs, so a job that never starts leaves no trace on disk.

use std::io;
use std::path::{Path, PathBuf};

use super::backend::BackendConfig;
use crate::config::Vars;

/// File names inside the data dir that belong to the orchestrator, not to terraform.
const VAR_FILE: &str = "inputs.tfvars.json";
const PLAN_FILE_PREFIX: &str = "plan-";
const PLAN_FILE_SUFFIX: &str = ".tfplan";
const BACKEND_RECORD: &str = "orchestrator-backend.json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerWorkspace {
    /// The layer's root module: terraform runs in this directory.
    pub module_dir: PathBuf,
    /// `TF_DATA_DIR`: one per (account, layer), so parallel jobs never share `.terraform`.
    pub data_dir: PathBuf,
    /// Everything terraform printed for this (account, layer).
    pub log_file: PathBuf,
}

impl LayerWorkspace {
    /// `work_dir` and `layers_dir` should be absolute: terraform runs in the layer's directory
    /// and resolves relative paths from there.
    pub fn new(work_dir: &Path, layers_dir: &Path, account: &str, layer: &str) -> Self {
        Self::for_copy(work_dir, layers_dir, account, layer, None)
    }

    /// The files of copy `stack` of the layer (`None`: the main stack): `<layer>@<stack>`
    /// beside the main stack's, so copies never share a data dir or a log.
    pub fn for_copy(
        work_dir: &Path,
        layers_dir: &Path,
        account: &str,
        layer: &str,
        stack: Option<&str>,
    ) -> Self {
        let name = copy_file_name(layer, stack);
        Self {
            module_dir: layers_dir.join(layer),
            data_dir: work_dir.join("data").join(account).join(&name),
            log_file: work_dir
                .join("logs")
                .join(account)
                .join(format!("{name}.log")),
        }
    }

    /// The generated JSON var-file (terraform reads `.tfvars.json` files as JSON).
    pub fn var_file(&self) -> PathBuf {
        self.data_dir.join(VAR_FILE)
    }

    /// `plan -out` writes here and `apply` reads exactly this file. Named after this process:
    /// even a run that ignored the work-dir lock could never apply another process's plan.
    pub fn plan_file(&self) -> PathBuf {
        self.data_dir.join(format!(
            "{PLAN_FILE_PREFIX}{}{PLAN_FILE_SUFFIX}",
            std::process::id()
        ))
    }

    /// Plan files a killed run left behind (they may hold sensitive values, and are never
    /// applied by anyone else).
    fn remove_leftover_plans(&self) {
        let Ok(entries) = std::fs::read_dir(&self.data_dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(PLAN_FILE_PREFIX) && name.ends_with(PLAN_FILE_SUFFIX) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// What `terraform output -json <name>` printed: it may hold a secret, so it goes to a
    /// file of its own (never the log) and is removed once read.
    pub fn output_file(&self, name: &str) -> PathBuf {
        self.data_dir.join(format!("output-{name}.json"))
    }

    /// The backend config of the last successful `init` in this data dir.
    pub fn backend_record(&self) -> PathBuf {
        self.data_dir.join(BACKEND_RECORD)
    }

    /// terraform writes this when `init` configured a backend in the data dir.
    pub fn is_initialised(&self) -> bool {
        self.data_dir.join("terraform.tfstate").is_file()
    }

    /// Creates the data and log directories and writes the layer's inputs as the var-file.
    pub fn prepare(&self, inputs: &Vars) -> io::Result<()> {
        std::fs::create_dir_all(&self.data_dir)?;
        self.remove_leftover_plans();
        if let Some(dir) = self.log_file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_vec_pretty(inputs).map_err(io::Error::other)?;
        std::fs::write(self.var_file(), json)
    }

    /// `init` needs `-reconfigure` when this data dir was initialised with another backend
    /// config (or by something that did not record it): terraform would otherwise stop and
    /// ask whether to migrate the state.
    pub fn needs_reconfigure(&self, backend: &BackendConfig) -> bool {
        if !self.is_initialised() {
            return false;
        }
        let recorded = std::fs::read(self.backend_record())
            .ok()
            .and_then(|bytes| serde_json::from_slice::<BackendConfig>(&bytes).ok());
        recorded.as_ref() != Some(backend)
    }

    /// Remembers the backend config of a successful `init`.
    pub fn record_backend(&self, backend: &BackendConfig) -> io::Result<()> {
        let json = serde_json::to_vec(backend).map_err(io::Error::other)?;
        std::fs::write(self.backend_record(), json)
    }
}

/// `dynamic` for the main stack, `dynamic@pr-7` for copy `pr-7`: the stem of the layer's
/// data dir, log and saved plan.
pub fn copy_file_name(layer: &str, stack: Option<&str>) -> String {
    match stack {
        Some(stack) => format!("{layer}@{stack}"),
        None => layer.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_and_layer_has_its_own_data_dir_and_log() {
        let a = LayerWorkspace::new(
            Path::new("/w"),
            Path::new("/repo/layers"),
            "catalog-dev",
            "static",
        );
        let b = LayerWorkspace::new(
            Path::new("/w"),
            Path::new("/repo/layers"),
            "catalog-prod",
            "static",
        );
        assert_eq!(a.module_dir, Path::new("/repo/layers/static"));
        assert_eq!(a.data_dir, Path::new("/w/data/catalog-dev/static"));
        assert_eq!(a.log_file, Path::new("/w/logs/catalog-dev/static.log"));
        assert_ne!(a.data_dir, b.data_dir);
        assert_eq!(
            a.plan_file(),
            Path::new(&format!(
                "/w/data/catalog-dev/static/plan-{}.tfplan",
                std::process::id()
            ))
        );
    }

    #[test]
    fn a_copy_has_its_own_data_dir_and_log_beside_the_main_stack() {
        let main = LayerWorkspace::new(Path::new("/w"), Path::new("/l"), "catalog-dev", "dynamic");
        let copy = LayerWorkspace::for_copy(
            Path::new("/w"),
            Path::new("/l"),
            "catalog-dev",
            "dynamic",
            Some("pr-7"),
        );
        assert_eq!(copy.module_dir, main.module_dir);
        assert_eq!(copy.data_dir, Path::new("/w/data/catalog-dev/dynamic@pr-7"));
        assert_eq!(
            copy.log_file,
            Path::new("/w/logs/catalog-dev/dynamic@pr-7.log")
        );
    }

    #[test]
    fn reconfigure_only_when_the_backend_changed_since_the_last_init() {
        let dir = tempfile::tempdir().unwrap();
        let ws = LayerWorkspace::new(dir.path(), Path::new("/layers"), "catalog-dev", "static");
        let first = BackendConfig {
            pairs: vec![("path".into(), "/a.tfstate".into())],
        };
        let moved = BackendConfig {
            pairs: vec![("path".into(), "/b.tfstate".into())],
        };
        ws.prepare(&Vars::new()).unwrap();
        // Never initialised: a plain init.
        assert!(!ws.needs_reconfigure(&first));
        // Initialised by terraform, but not by us: we cannot know its backend.
        std::fs::write(ws.data_dir.join("terraform.tfstate"), "{}").unwrap();
        assert!(ws.needs_reconfigure(&first));
        ws.record_backend(&first).unwrap();
        assert!(!ws.needs_reconfigure(&first));
        assert!(ws.needs_reconfigure(&moved));
    }

    #[test]
    fn the_var_file_holds_the_inputs_as_json() {
        let dir = tempfile::tempdir().unwrap();
        let ws = LayerWorkspace::new(dir.path(), Path::new("/layers"), "catalog-dev", "static");
        let mut inputs = Vars::new();
        inputs.insert("account_name".into(), "catalog-dev".into());
        ws.prepare(&inputs).unwrap();
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(ws.var_file()).unwrap()).unwrap();
        assert_eq!(written, serde_json::json!({"account_name": "catalog-dev"}));
        assert!(ws.log_file.parent().unwrap().is_dir());
    }
}
