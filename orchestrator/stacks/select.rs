//! `--stack NAME`: checked against the config before anything runs, and turned into the one
//! layer a copy command works on.

use super::listing::StackCopy;
use super::name::{StackName, StackNameError};
use crate::config::{Account, Config};

/// Why `--stack` cannot be used as given: bad input (exit 2), before anything runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StackError {
    #[error(transparent)]
    Name(#[from] StackNameError),
    #[error("--stack {name}: {} declares no layer with copies; add `stacks: {{ layer: dynamic, variable: stack_suffix }}` under `defaults:` and `{{stack}}` to the state template (docs/stacks.md)", config.display())]
    NotEnabled {
        name: String,
        config: std::path::PathBuf,
    },
    #[error("--stack {name}: layer `{layer}` has no copies, only `{stack_layer}` has (`stacks.layer`); drop --layers or pass --layers {stack_layer}")]
    LayerWithoutStacks {
        name: String,
        layer: String,
        stack_layer: String,
    },
}

/// The copy `name` names, with `layers` narrowed to its layer (every other layer belongs
/// to the main stack, which a `--stack` command never touches). `None` without `--stack`.
pub fn resolve(
    config: &Config,
    name: Option<&str>,
    layers: &mut Vec<String>,
) -> Result<Option<StackCopy>, StackError> {
    let Some(name) = name else {
        return Ok(None);
    };
    let Some(stacks) = &config.stacks else {
        return Err(StackError::NotEnabled {
            name: name.to_string(),
            config: config.path.clone(),
        });
    };
    let name = StackName::parse(name)?;
    if let Some(other) = layers.iter().find(|l| **l != stacks.layer) {
        return Err(StackError::LayerWithoutStacks {
            name: name.to_string(),
            layer: other.clone(),
            stack_layer: stacks.layer.clone(),
        });
    }
    *layers = vec![stacks.layer.clone()];
    Ok(Some(StackCopy {
        name,
        layer: stacks.layer.clone(),
        variable: stacks.variable.clone(),
    }))
}

/// Every selected account must keep `<account>-<stack>` within AWS name limits.
pub fn check_accounts<'a>(
    copy: &StackCopy,
    accounts: impl IntoIterator<Item = &'a Account>,
) -> Result<(), StackError> {
    for account in accounts {
        copy.name.check_with_account(&account.name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(stacks: &str) -> Config {
        let dir = tempfile::tempdir().unwrap();
        for layer in ["platform", "static", "dynamic"] {
            std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
        }
        let text = format!(
            "version: 1\ndefaults:\n  region: eu-west-1\n  credentials: none\n{stacks}  state: {{ backend: local, path: \"s/{{layer}}/{{account}}-{{stack}}.tfstate\" }}\ndomains:\n  - name: catalog\n    team: t\n    environments:\n      dev: {{ account_id: \"100000000001\" }}\n"
        );
        crate::config::from_str(&dir.path().join("domains.yaml"), &text).unwrap()
    }

    #[test]
    fn a_copy_works_on_the_stack_layer_only() {
        let c = config("  stacks: { layer: dynamic, variable: stack_suffix }\n");
        let mut layers = Vec::new();
        let copy = resolve(&c, Some("pr-7"), &mut layers).unwrap().unwrap();
        assert_eq!(copy.name.as_str(), "pr-7");
        assert_eq!(layers, ["dynamic"]);
        let mut layers = vec!["static".to_string()];
        let e = resolve(&c, Some("pr-7"), &mut layers).unwrap_err();
        assert!(
            e.to_string().contains("layer `static` has no copies"),
            "{e}"
        );
        let mut layers = Vec::new();
        assert!(resolve(&c, None, &mut layers).unwrap().is_none());
        assert!(layers.is_empty());
    }

    #[test]
    fn without_stacks_in_the_config_stack_is_refused() {
        let c = config("");
        let e = resolve(&c, Some("pr-7"), &mut Vec::new()).unwrap_err();
        assert!(
            e.to_string().contains("declares no layer with copies"),
            "{e}"
        );
    }
}
