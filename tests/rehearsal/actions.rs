//! What each `uses:` step of the workflows does here. Only the actions listed are known;
//! any other `uses:` (or an input they do not take) stops the rehearsal, so a new step in a
//! workflow is never skipped without anyone noticing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::artifacts::{Artifacts, Download, StepResult, Upload};

/// The local composite action every job after `build` uses to get the binary.
const SETUP_ORCHESTRATOR: &str = "./.github/actions/setup-orchestrator";
/// The local composite action that warms the provider cache in the job planning the legs.
const WARM_PROVIDER_CACHE: &str = "./.github/actions/warm-provider-cache";

pub enum Action {
    /// `actions/checkout`: the job's workspace already is a fresh copy of the sandbox.
    Checkout,
    /// Installs the binary the build job uploaded (here: the binary cargo built, already on
    /// PATH), and with `terraform: "true"` terraform and the provider cache directory.
    SetupOrchestrator,
    /// Warns about layers that use providers without a lock file (the sandbox's layers use
    /// only the built-in provider, so there is nothing to download or cache here).
    WarmProviderCache,
    UploadArtifact,
    DownloadArtifact,
}

impl Action {
    pub fn from_uses(uses: &str) -> Result<Self, String> {
        let (name, _version) = uses.split_once('@').unwrap_or((uses, ""));
        match name {
            "actions/checkout" => Ok(Action::Checkout),
            SETUP_ORCHESTRATOR => Ok(Action::SetupOrchestrator),
            WARM_PROVIDER_CACHE => Ok(Action::WarmProviderCache),
            "actions/upload-artifact" => Ok(Action::UploadArtifact),
            "actions/download-artifact" => Ok(Action::DownloadArtifact),
            _ => Err(format!(
                "`uses: {uses}` is not rehearsed; teach tests/rehearsal/actions.rs what it does"
            )),
        }
    }

    /// The inputs this action takes, with their defaults.
    fn inputs(&self, repo: &Path) -> Result<BTreeMap<String, Option<String>>, String> {
        let fixed = |names: &[&str]| Ok(names.iter().map(|n| (n.to_string(), None)).collect());
        match self {
            // A checkout is the whole repository here: any `fetch-depth` has all it needs.
            Action::Checkout => fixed(&["persist-credentials", "fetch-depth"]),
            Action::UploadArtifact => fixed(&[
                "name",
                "path",
                "if-no-files-found",
                "include-hidden-files",
                "retention-days",
                "overwrite",
            ]),
            Action::DownloadArtifact => fixed(&["name", "pattern", "path", "merge-multiple"]),
            Action::SetupOrchestrator | Action::WarmProviderCache => {
                let dir = match self {
                    Action::SetupOrchestrator => SETUP_ORCHESTRATOR,
                    _ => WARM_PROVIDER_CACHE,
                };
                let path = repo.join(dir).join("action.yml");
                let action: serde_yaml::Value =
                    serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap())
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                Ok(action["inputs"]
                    .as_mapping()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| {
                        (
                            k.as_str().unwrap().to_string(),
                            v["default"].as_str().map(str::to_string),
                        )
                    })
                    .collect())
            }
        }
    }
}

pub struct StepContext<'a> {
    pub repo: &'a Path,
    pub workspace: &'a Path,
    pub env: &'a BTreeMap<String, String>,
    pub artifacts: &'a Artifacts,
}

/// Runs the action with its evaluated `with:` inputs.
pub fn run(
    action: &Action,
    with: &BTreeMap<String, String>,
    step: &StepContext<'_>,
) -> Result<StepResult, String> {
    let declared = action.inputs(step.repo)?;
    if let Some(unknown) = with.keys().find(|k| !declared.contains_key(*k)) {
        return Err(format!(
            "the input `{unknown}` is not rehearsed for this action"
        ));
    }
    let input = |name: &str| -> Option<&str> {
        with.get(name)
            .map(String::as_str)
            .or_else(|| declared.get(name).and_then(|d| d.as_deref()))
    };
    let flag = |name: &str, default: bool| -> Result<bool, String> {
        match input(name) {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(format!("`{name}: {other}` is not true or false")),
        }
    };
    match action {
        Action::Checkout => Ok(Ok("fresh copy of the sandbox".into())),
        Action::WarmProviderCache => {
            if step
                .env
                .get("TF_PLUGIN_CACHE_DIR")
                .is_none_or(String::is_empty)
            {
                return Ok(Err(
                    "::error::TF_PLUGIN_CACHE_DIR is not set on this job".into()
                ));
            }
            let missing = layers_without_lock_file(&step.workspace.join("layers"));
            if missing.is_empty() {
                Ok(Ok("every layer that uses providers has a lock file".into()))
            } else {
                Ok(Ok(format!(
                    "::warning title=provider lock files::no .terraform.lock.hcl in {}",
                    missing.join(" ")
                )))
            }
        }
        Action::SetupOrchestrator => {
            // A pinned release installs that release; here the binary under test stands in
            // for it as for the build job's artifact, and no build job is needed.
            match input("version") {
                Some("source") => {
                    if !step
                        .artifacts
                        .names()
                        .iter()
                        .any(|n| n == "orchestrator-binary")
                    {
                        return Ok(Err(
                            "::error::Unable to download artifact(s): Artifact not found for name: orchestrator-binary".into(),
                        ));
                    }
                }
                Some(version) if !version.is_empty() => {}
                other => return Err(format!("`version: {other:?}` is not a version")),
            }
            if !flag("terraform", true)? {
                return Ok(Ok("orchestrator on PATH".into()));
            }
            if find_on_path("terraform", step.env).is_none() {
                return Err("terraform is not on PATH".into());
            }
            // The action's last step: the job must set TF_PLUGIN_CACHE_DIR.
            match step
                .env
                .get("TF_PLUGIN_CACHE_DIR")
                .filter(|d| !d.is_empty())
            {
                Some(dir) => {
                    std::fs::create_dir_all(dir).unwrap();
                    Ok(Ok(
                        "orchestrator and terraform on PATH, plugin cache created".into(),
                    ))
                }
                None => Ok(Err(
                    "::error title=setup-orchestrator::TF_PLUGIN_CACHE_DIR is not set on this job"
                        .into(),
                )),
            }
        }
        Action::UploadArtifact => step.artifacts.upload(
            step.workspace,
            &Upload {
                name: input("name").unwrap_or("artifact"),
                path: input("path").ok_or("upload-artifact without `path`")?,
                if_no_files_found: input("if-no-files-found").unwrap_or("warn"),
                include_hidden_files: flag("include-hidden-files", false)?,
                overwrite: flag("overwrite", false)?,
            },
        ),
        Action::DownloadArtifact => step.artifacts.download(
            step.workspace,
            &Download {
                name: input("name"),
                pattern: input("pattern"),
                path: input("path"),
                merge_multiple: flag("merge-multiple", false)?,
            },
        ),
    }
}

fn find_on_path(program: &str, env: &BTreeMap<String, String>) -> Option<PathBuf> {
    std::env::split_paths(env.get("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Layers (`layers/<name>`) whose `.tf` files name a provider but that have no
/// `.terraform.lock.hcl`: the same test as warm-provider-cache's shell step.
fn layers_without_lock_file(layers: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let Ok(entries) = std::fs::read_dir(layers) else {
        return missing;
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let uses_providers = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|f| {
                f.path().extension().is_some_and(|e| e == "tf")
                    && std::fs::read_to_string(f.path())
                        .unwrap_or_default()
                        .lines()
                        .any(|l| {
                            let l = l.trim_start();
                            l.starts_with("required_providers") || l.starts_with("provider \"")
                        })
            });
        if uses_providers && !dir.join(".terraform.lock.hcl").is_file() {
            missing.push(format!(
                "layers/{}",
                dir.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    missing
}
