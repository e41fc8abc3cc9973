//! `--stack NAME`: checked against the config before anything runs, and turned into the one
//! layer a copy command works on.

use std::collections::HashMap;

use super::listing::StackCopy;
use super::name::{StackName, StackNameError};
use crate::config::{Account, Config};
use crate::terraform::BackendConfig;

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
    /// `{layer}/{account}-{stack}.tfstate`: copy `stage` of account `foo-dev` would be the
    /// state of account `foo-dev-stage`, and its apply would rewrite that account's resources.
    #[error(transparent)]
    SharedState(Box<SharedState>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--stack {name}: {account}'s copy of layer `{layer}` would use the state {state}, which is the state of {other} layer `{other_layer}`; choose another stack name")]
pub struct SharedState {
    name: String,
    account: String,
    layer: String,
    state: String,
    other: String,
    other_layer: String,
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

/// Every selected account must keep `<account>-<stack>` within AWS name limits, and its copy
/// must not land on the state of any account's main stack (through the state template).
pub fn check_accounts<'a>(
    copy: &StackCopy,
    config: &Config,
    accounts: impl IntoIterator<Item = &'a Account>,
) -> Result<(), StackError> {
    let root = std::path::absolute(&config.root).unwrap_or_else(|_| config.root.clone());
    let state = |account: &Account, layer: &str, stack: Option<&str>| {
        BackendConfig::render_copy(&config.state, &root, account, layer, stack).identity()
    };
    let mut main: Option<HashMap<String, (&str, &str)>> = None;
    for account in accounts {
        copy.name.check_with_account(&account.name)?;
        let mine = state(account, &copy.layer, Some(copy.name.as_str()));
        // Built once, on the first copy: every (account, layer) of the config's main stack.
        let main = main.get_or_insert_with(|| {
            config
                .accounts
                .iter()
                .flat_map(|a| {
                    a.layers
                        .iter()
                        .map(move |l| (state(a, l, None), (a.name.as_str(), l.as_str())))
                })
                .collect()
        });
        if let Some((other, other_layer)) = main.get(&mine) {
            return Err(StackError::SharedState(Box::new(SharedState {
                name: copy.name.to_string(),
                account: account.name.clone(),
                layer: copy.layer.clone(),
                state: mine,
                other: (*other).to_string(),
                other_layer: (*other_layer).to_string(),
            })));
        }
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

    /// `{layer}/{account}-{stack}`: copy `stage` of catalog-dev is catalog-dev-stage's state.
    #[test]
    fn a_copy_that_would_use_another_accounts_state_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for layer in ["platform", "static", "dynamic"] {
            std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
        }
        let text = "version: 1\ndefaults:\n  region: eu-west-1\n  credentials: none\n  stacks: { layer: dynamic, variable: stack_suffix }\n  state: { backend: local, path: \"s/{layer}/{account}-{stack}.tfstate\" }\nwaves:\n  - { name: all, environments: [dev, stage] }\ndomains:\n  - name: catalog\n    team: t\n    environments:\n      dev: { account_id: \"100000000001\" }\n  - name: catalog-dev\n    team: t\n    environments:\n      stage: { account_id: \"100000000002\" }\n";
        let c = crate::config::from_str(&dir.path().join("domains.yaml"), text).unwrap();
        let catalog_dev = c.accounts.iter().find(|a| a.name == "catalog-dev").unwrap();
        let copy = |name: &str| resolve(&c, Some(name), &mut Vec::new()).unwrap().unwrap();
        let e = check_accounts(&copy("stage"), &c, [catalog_dev]).unwrap_err();
        let message = e.to_string();
        assert!(
            message.starts_with(
                "--stack stage: catalog-dev's copy of layer `dynamic` would use the state local:"
            ),
            "{message}"
        );
        assert!(
            message.contains("s/dynamic/catalog-dev-stage.tfstate, which is the state of catalog-dev-stage layer `dynamic`"),
            "{message}"
        );
        assert!(check_accounts(&copy("pr-7"), &c, [catalog_dev]).is_ok());
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
