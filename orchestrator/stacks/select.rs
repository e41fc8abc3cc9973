//! `--stack NAME`: checked against the config before anything runs, and turned into the one
//! layer a copy command works on.

use std::collections::HashMap;

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
    /// `{layer}/{account}-{stack}.tfstate`: copy `stage` of account `foo-dev` would be the
    /// state of account `foo-dev-stage`, and its apply would rewrite that account's resources.
    #[error(transparent)]
    SharedState(Box<SharedState>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--stack {name}: {account}'s copy of layer `{layer}` would use the state `{state}` (defaults.state), which is the state of {other}; choose another stack name")]
pub struct SharedState {
    name: String,
    account: String,
    layer: String,
    state: String,
    /// Whose state it is: `<account> layer `<layer>`` (a main stack), or another account's copy.
    other: String,
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
/// must not land on the state of another account's main stack, nor on the state of another
/// account's copy under any stack name: domain `a` env `b` with `--stack c-d` and domain
/// `a-b` env `c` with `--stack d` would both be `a-b-c-d` through `{account}-{stack}`. States
/// are compared through `StateBackend::location`, the config's own rule for main stacks.
pub fn check_accounts<'a>(
    copy: &StackCopy,
    config: &Config,
    accounts: impl IntoIterator<Item = &'a Account>,
) -> Result<(), StackError> {
    let location =
        |account: &Account, layer: &str, stack| config.state.location(account, layer, stack);
    let mut others: Option<Others<'_>> = None;
    for account in accounts {
        copy.name.check_with_account(&account.name)?;
        let mine = location(account, &copy.layer, Some(copy.name.as_str()));
        let others = others.get_or_insert_with(|| Others::new(config, &copy.layer));
        let refuse = |other: String| {
            Err(StackError::SharedState(Box::new(SharedState {
                name: copy.name.to_string(),
                account: account.name.clone(),
                layer: copy.layer.clone(),
                state: mine.clone(),
                other,
            })))
        };
        if let Some(&(other, other_layer)) = others.main.get(&mine) {
            return refuse(format!("{other} layer `{other_layer}`"));
        }
        if let Some((other, stack)) = others.copy_at(config, account, &copy.layer, &mine) {
            return refuse(format!(
                "{}'s copy of layer `{}` made with --stack {stack}",
                other.name, copy.layer
            ));
        }
    }
    Ok(())
}

/// The states a copy must not land on, built once for a command: every (account, layer) of
/// the main stack, and every account's copies of the stack layer as a pattern (the state
/// with the stack name left open), found by the part before the name.
struct Others<'c> {
    main: HashMap<String, (&'c str, &'c str)>,
    /// The location of each account's copy split at the stack name: the part before it,
    /// then (account, part after it).
    copies: HashMap<String, Vec<(&'c Account, String)>>,
}

/// Stands for the stack name while a location is split around it: no template, account or
/// layer holds it.
const OPEN: &str = "\u{0}";

impl<'c> Others<'c> {
    fn new(config: &'c Config, stack_layer: &str) -> Self {
        let main = config
            .accounts
            .iter()
            .flat_map(|a| {
                a.layers.iter().map(move |l| {
                    (
                        config.state.location(a, l, None),
                        (a.name.as_str(), l.as_str()),
                    )
                })
            })
            .collect();
        let mut copies: HashMap<String, Vec<(&Account, String)>> = HashMap::new();
        for account in config
            .accounts
            .iter()
            .filter(|a| a.layers.iter().any(|l| l == stack_layer))
        {
            let open = config.state.location(account, stack_layer, Some(OPEN));
            // A template without `{stack}`: every copy is the main stack's state, found above.
            if let (Some(at), Some(last)) = (open.find(OPEN), open.rfind(OPEN)) {
                copies
                    .entry(open[..at].to_string())
                    .or_default()
                    .push((account, open[last + OPEN.len()..].to_string()));
            }
        }
        Self { main, copies }
    }

    /// Another account whose copy under some valid stack name has the state `mine`, and
    /// that name.
    fn copy_at(
        &self,
        config: &Config,
        account: &Account,
        layer: &str,
        mine: &str,
    ) -> Option<(&'c Account, String)> {
        let cuts = mine.char_indices().map(|(i, _)| i).chain([mine.len()]);
        for cut in cuts {
            let Some(candidates) = self.copies.get(&mine[..cut]) else {
                continue;
            };
            for (other, after) in candidates {
                if other.name == account.name || !mine[cut..].ends_with(after.as_str()) {
                    continue;
                }
                // The name between, if the template holds `{stack}` once; more often, the
                // full location below still decides.
                let Some(name) = mine[cut..].strip_suffix(after.as_str()) else {
                    continue;
                };
                let Some(name) = (1..=name.len())
                    .filter(|n| name.is_char_boundary(*n))
                    .map(|n| &name[..n])
                    .find(|n| config.state.location(other, layer, Some(n)) == mine)
                else {
                    continue;
                };
                if StackName::parse(name).is_ok() {
                    return Some((other, name.to_string()));
                }
            }
        }
        None
    }
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
                "--stack stage: catalog-dev's copy of layer `dynamic` would use the state `s/dynamic/catalog-dev-stage.tfstate` (defaults.state), which is the state of catalog-dev-stage layer `dynamic`; choose another stack name"
            ),
            "{message}"
        );
        assert!(check_accounts(&copy("pr-7"), &c, [catalog_dev]).is_ok());
    }

    /// Domain `a` env `b` with `--stack c-d` and domain `a-b` env `c` with `--stack d` are
    /// both `a-b-c-d`: two copies, neither a main stack, would share one state.
    #[test]
    fn two_copies_that_would_share_a_state_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for layer in ["platform", "static", "dynamic"] {
            std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
        }
        let text = "version: 1\ndefaults:\n  region: eu-west-1\n  credentials: none\n  stacks: { layer: dynamic, variable: stack_suffix }\n  state: { backend: s3, bucket: b, region: eu-west-1, key: \"{layer}/{account}-{stack}.tfstate\" }\nwaves:\n  - { name: all, environments: [b, c] }\ndomains:\n  - name: a\n    team: t\n    environments:\n      b: { account_id: \"100000000001\" }\n  - name: a-b\n    team: t\n    environments:\n      c: { account_id: \"100000000002\" }\n";
        let c = crate::config::from_str(&dir.path().join("domains.yaml"), text).unwrap();
        let account = |name: &str| c.accounts.iter().find(|a| a.name == name).unwrap();
        let copy = |name: &str| resolve(&c, Some(name), &mut Vec::new()).unwrap().unwrap();
        let e = check_accounts(&copy("c-d"), &c, [account("a-b")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--stack c-d: a-b's copy of layer `dynamic` would use the state `s3://b/dynamic/a-b-c-d.tfstate` (defaults.state), which is the state of a-b-c's copy of layer `dynamic` made with --stack d; choose another stack name"
        );
        let e = check_accounts(&copy("d"), &c, [account("a-b-c")]).unwrap_err();
        assert!(
            e.to_string().contains("`s3://b/dynamic/a-b-c-d.tfstate` (defaults.state), which is the state of a-b's copy of layer `dynamic` made with --stack c-d"),
            "{e}"
        );
        // A name no other copy can reach (every copy of a-b-c is one of a-b's: `c-<name>`).
        assert!(check_accounts(&copy("pr-7"), &c, [account("a-b")]).is_ok());
        // `-x` is no stack name: a-b-c's copy `-x` cannot exist, so a-b's `c--x` is its own.
        assert!(check_accounts(&copy("c--x"), &c, [account("a-b")]).is_ok());
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
