//! Where one (account, layer) keeps its files under the work dir. Nothing is created until
//! the layer runs, so a job that never starts leaves no trace on disk.

use std::io;
use std::path::{Path, PathBuf};

use super::backend::BackendConfig;
use super::working_tree::{WorkingTree, ERRORED_STATE};
use crate::config::Vars;
use crate::workdir::normalise;

/// File names inside the data dir that belong to the orchestrator, not to terraform.
const VAR_FILE: &str = "inputs.tfvars.json";
const PLAN_FILE_PREFIX: &str = "plan-";
const PLAN_FILE_SUFFIX: &str = ".tfplan";
const BACKEND_RECORD: &str = "orchestrator-backend.json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerWorkspace {
    /// The layer's root module in the repository.
    pub module_dir: PathBuf,
    /// terraform's working directory: this (account, layer)'s own stand-in for the layer's
    /// directory (see `working_tree.rs`), so what terraform writes there (`errored.tfstate`)
    /// is never another account's.
    pub working_dir: PathBuf,
    tree: WorkingTree,
    /// `TF_DATA_DIR`: one per (account, layer), so parallel jobs never share `.terraform`.
    pub data_dir: PathBuf,
    /// Everything terraform printed for this (account, layer).
    pub log_file: PathBuf,
}

impl LayerWorkspace {
    /// `work_dir`, `root` (the config's directory) and `layers_dir` should be absolute:
    /// terraform runs in a stand-in for the layer's directory and resolves relative paths
    /// from there.
    pub fn new(
        work_dir: &Path,
        root: &Path,
        layers_dir: &Path,
        account: &str,
        layer: &str,
    ) -> Self {
        Self::for_copy(work_dir, root, layers_dir, account, layer, None)
    }

    /// The files of copy `stack` of the layer (`None`: the main stack): `<layer>@<stack>`
    /// beside the main stack's, so copies never share a data dir, a working directory or a log.
    pub fn for_copy(
        work_dir: &Path,
        root: &Path,
        layers_dir: &Path,
        account: &str,
        layer: &str,
        stack: Option<&str>,
    ) -> Self {
        let name = copy_file_name(layer, stack);
        let module_dir = normalise(&layers_dir.join(layer));
        // The tree stands in for the config's directory when the layer is inside it (paths
        // may climb up to it), else for the layers directory.
        let (source, layer_path) = match module_dir.strip_prefix(normalise(root)) {
            Ok(rel) if !rel.as_os_str().is_empty() => (normalise(root), rel.to_path_buf()),
            _ => (normalise(layers_dir), PathBuf::from(layer)),
        };
        let tree = WorkingTree {
            source,
            root: work_dir.join("workdirs").join(account).join(&name),
            layer_path,
        };
        Self {
            module_dir,
            working_dir: tree.working_dir(),
            tree,
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

    /// Where terraform leaves the state it could not save at the end of an apply.
    pub fn errored_state(&self) -> PathBuf {
        self.working_dir.join(ERRORED_STATE)
    }

    /// Removes the data dir and working directory of a copy whose state is gone, keeping the
    /// working directory if terraform left a file for the operator there.
    pub fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if !self.tree.holds_files_for_the_operator() {
            let _ = std::fs::remove_dir_all(&self.tree.root);
        }
    }

    /// Creates the data, working and log directories and writes the layer's inputs as the
    /// var-file.
    pub fn prepare(&self, inputs: &Vars) -> io::Result<()> {
        std::fs::create_dir_all(&self.data_dir)?;
        self.tree.build()?;
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
    fn every_account_and_layer_has_its_own_data_dir_working_dir_and_log() {
        let ws = |account| {
            LayerWorkspace::new(
                Path::new("/w"),
                Path::new("/repo"),
                Path::new("/repo/layers"),
                account,
                "static",
            )
        };
        let (a, b) = (ws("catalog-dev"), ws("catalog-prod"));
        assert_eq!(a.module_dir, Path::new("/repo/layers/static"));
        assert_eq!(a.data_dir, Path::new("/w/data/catalog-dev/static"));
        assert_eq!(
            a.working_dir,
            Path::new("/w/workdirs/catalog-dev/static/layers/static")
        );
        assert_eq!(
            a.errored_state(),
            Path::new("/w/workdirs/catalog-dev/static/layers/static/errored.tfstate")
        );
        assert_eq!(a.log_file, Path::new("/w/logs/catalog-dev/static.log"));
        assert_ne!(a.data_dir, b.data_dir);
        assert_ne!(a.working_dir, b.working_dir);
        assert_eq!(
            a.plan_file(),
            Path::new(&format!(
                "/w/data/catalog-dev/static/plan-{}.tfplan",
                std::process::id()
            ))
        );
    }

    #[test]
    fn layers_outside_the_config_directory_are_stood_in_for_from_the_layers_directory() {
        let ws = LayerWorkspace::new(
            Path::new("/w"),
            Path::new("/repo/org"),
            Path::new("/repo/org/../shared/layers"),
            "catalog-dev",
            "static",
        );
        assert_eq!(ws.module_dir, Path::new("/repo/shared/layers/static"));
        assert_eq!(
            ws.working_dir,
            Path::new("/w/workdirs/catalog-dev/static/static")
        );
    }

    #[test]
    fn a_copy_has_its_own_data_dir_and_log_beside_the_main_stack() {
        let ws = |stack| {
            LayerWorkspace::for_copy(
                Path::new("/w"),
                Path::new("/r"),
                Path::new("/r/l"),
                "catalog-dev",
                "dynamic",
                stack,
            )
        };
        let (main, copy) = (ws(None), ws(Some("pr-7")));
        assert_eq!(copy.module_dir, main.module_dir);
        assert_eq!(copy.data_dir, Path::new("/w/data/catalog-dev/dynamic@pr-7"));
        assert_eq!(
            copy.working_dir,
            Path::new("/w/workdirs/catalog-dev/dynamic@pr-7/l/dynamic")
        );
        assert_eq!(
            copy.log_file,
            Path::new("/w/logs/catalog-dev/dynamic@pr-7.log")
        );
    }

    /// A config directory with one layer, and a work dir.
    fn repo() -> (tempfile::TempDir, LayerWorkspace) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("layers/static")).unwrap();
        std::fs::write(dir.path().join("layers/static/main.tf"), "").unwrap();
        let ws = LayerWorkspace::new(
            &dir.path().join(".orchestrator"),
            dir.path(),
            &dir.path().join("layers"),
            "catalog-dev",
            "static",
        );
        (dir, ws)
    }

    #[test]
    fn reconfigure_only_when_the_backend_changed_since_the_last_init() {
        let (_dir, ws) = repo();
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
    fn prepare_writes_the_inputs_and_stands_in_for_the_layer() {
        let (_dir, ws) = repo();
        let mut inputs = Vars::new();
        inputs.insert("account_name".into(), "catalog-dev".into());
        ws.prepare(&inputs).unwrap();
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(ws.var_file()).unwrap()).unwrap();
        assert_eq!(written, serde_json::json!({"account_name": "catalog-dev"}));
        assert!(ws.log_file.parent().unwrap().is_dir());
        assert!(ws.working_dir.join("main.tf").is_file());
    }
}
