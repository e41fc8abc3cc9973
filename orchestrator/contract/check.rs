//! The contract's rules, checked for one layer or for every layer of a config.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::layer::LayerFiles;
use crate::config::{Config, StateBackend};

/// Provider arguments that would carry credentials past the orchestrator's per-account ones.
const CREDENTIAL_ARGUMENTS: &[&str] = &[
    "access_key",
    "secret_key",
    "token",
    "profile",
    "shared_credentials_file",
    "shared_credentials_files",
    "shared_config_files",
    "assume_role",
    "assume_role_with_web_identity",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// Checks one layer directory. `passed` are the variables the orchestrator gives it;
/// `backend` the kind of state backend the config renders (`s3` or `local`); `repo_root`
/// bounds local module sources.
pub fn check_layer(
    dir: &Path,
    passed: &BTreeSet<String>,
    backend: &str,
    repo_root: &Path,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut violation = |path: &Path, message: String| {
        out.push(Violation {
            path: path.to_path_buf(),
            message,
        })
    };
    let layer = match LayerFiles::read(dir) {
        Ok(layer) => layer,
        Err(e) => {
            violation(dir, format!("cannot read the layer: {e}"));
            return out;
        }
    };
    for (file, error) in &layer.unreadable {
        violation(file, format!("not valid HCL: {error}"));
    }
    let declared: BTreeSet<&str> = layer.variables.iter().map(|(n, _)| n.as_str()).collect();
    for name in passed {
        if !declared.contains(name.as_str()) {
            violation(dir, format!("the orchestrator passes `{name}` but the layer does not declare it; add `variable \"{name}\" {{ type = ... }}`"));
        }
    }
    for (name, has_default) in &layer.variables {
        if !has_default && !passed.contains(name) {
            violation(dir, format!("variable `{name}` has no default and the orchestrator does not pass it; give it a default or declare it in domains.yaml (vars / layer_vars)"));
        }
    }
    match layer.backends.as_slice() {
        [] => violation(dir, format!("no backend block; add `terraform {{ backend \"{backend}\" {{}} }}` (the orchestrator passes its settings)")),
        [(kind, attributes)] => {
            if kind != backend {
                violation(dir, format!("backend \"{kind}\" but domains.yaml configures `{backend}` state; write `backend \"{backend}\" {{}}`"));
            }
            if !attributes.is_empty() {
                violation(dir, format!("backend \"{kind}\" sets {} in the code; leave the block empty (partial configuration) so every account gets its own state", attributes.join(", ")));
            }
        }
        _ => violation(dir, "more than one backend block; keep exactly one".to_string()),
    }
    for (provider, arguments) in &layer.providers {
        for argument in arguments
            .iter()
            .filter(|a| CREDENTIAL_ARGUMENTS.contains(&a.as_str()))
        {
            violation(dir, format!("provider \"{provider}\" sets `{argument}`; credentials come only from the orchestrator (per account, through the environment)"));
        }
    }
    for module in &layer.modules {
        let Some(source) = &module.source else {
            violation(
                &module.file,
                format!("module \"{}\" has no literal `source`", module.name),
            );
            continue;
        };
        if source.starts_with("./") || source.starts_with("../") {
            let target = normalize(&module.file.parent().unwrap_or(dir).join(source));
            if !target.starts_with(normalize(repo_root)) {
                violation(&module.file, format!("module \"{}\" source `{source}` points outside the repository; vendor it or use a pinned registry/git source", module.name));
            }
        } else if !is_pinned(source, module.version.as_deref()) {
            violation(&module.file, format!("module \"{}\" source `{source}` is not pinned; add an exact `version` (registry) or `?ref=<tag or commit>` (git)", module.name));
        }
    }
    out
}

/// Checks every layer the config applies, with exactly the variables the config passes.
pub fn check_config(config: &Config, repo_root: &Path) -> Vec<Violation> {
    let backend = match config.state {
        StateBackend::S3 { .. } => "s3",
        StateBackend::Local { .. } => "local",
    };
    let mut out = Vec::new();
    for layer in &config.layers {
        let accounts: Vec<_> = config
            .accounts
            .iter()
            .filter(|a| a.layers.contains(layer))
            .collect();
        let Some(first) = accounts.first() else {
            continue;
        };
        let mut passed: BTreeSet<String> = first
            .inputs(layer, config.network_layer())
            .into_keys()
            .collect();
        // Every copy of the stack layer (and the main stack, as "") gets its name.
        if let Some(stacks) = config.stacks.as_ref().filter(|s| &s.layer == layer) {
            passed.insert(stacks.variable.clone());
        }
        let dir = config.layers_dir.join(layer);
        out.extend(check_layer(&dir, &passed, backend, repo_root));
        // A health check reads an output after apply: a missing one would only fail then.
        let outputs = LayerFiles::read(&dir)
            .map(|l| l.outputs)
            .unwrap_or_default();
        for check in config.health_checks.iter().filter(|c| &c.layer == layer) {
            if !outputs.contains(&check.output) {
                out.push(Violation {
                    path: dir.clone(),
                    message: format!(
                        "domains.yaml's health_check reads output `{}` but the layer does not declare it; add `output \"{}\" {{ value = ... }}` or fix health_check.output",
                        check.output, check.output
                    ),
                });
            }
        }
        // Accounts passing a different set would break the layer for some of them.
        for account in &accounts[1..] {
            let mut theirs: BTreeSet<String> = account
                .inputs(layer, config.network_layer())
                .into_keys()
                .collect();
            if let Some(stacks) = config.stacks.as_ref().filter(|s| &s.layer == layer) {
                theirs.insert(stacks.variable.clone());
            }
            if theirs != passed {
                let diff: Vec<&String> = theirs.symmetric_difference(&passed).collect();
                out.push(Violation {
                    path: config.path.clone(),
                    message: format!(
                        "{} passes a different set of variables to layer `{layer}` than {} ({}); every account of a layer must pass the same ones",
                        account.name,
                        first.name,
                        diff.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
    }
    out
}

fn is_pinned(source: &str, version: Option<&str>) -> bool {
    if let Some((_, query)) = source.split_once("?") {
        return query
            .split('&')
            .any(|kv| kv.starts_with("ref=") && kv.len() > 4);
    }
    let is_git = source.starts_with("git::")
        || source.starts_with("github.com/")
        || source.ends_with(".git");
    // A registry module is pinned by an exact version, not a range.
    !is_git
        && version.is_some_and(|v| {
            !v.is_empty()
                && v.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || c == '=')
        })
}

fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_sources() {
        assert!(is_pinned("terraform-aws-modules/vpc/aws", Some("5.8.1")));
        assert!(!is_pinned("terraform-aws-modules/vpc/aws", Some("~> 5.8")));
        assert!(!is_pinned("terraform-aws-modules/vpc/aws", None));
        assert!(is_pinned("git::https://example.com/m.git?ref=v1.2.0", None));
        assert!(!is_pinned("git::https://example.com/m.git", None));
    }
}
