//! The config at the ref against today's, both resolved (every default applied), so a change
//! to `defaults` shows up in exactly the accounts it reaches.
//!
//! What feeds which layers of an account:
//! - terraform inputs (`vars`, `layer_vars.<layer>`, `network_cidr`, account id, region, ...):
//!   each layer whose own inputs differ, so `layer_vars.<layer>` feeds that layer only and
//!   `network_cidr` feeds only the network layer;
//! - how the account is reached (role, external id, session, credentials), its wave, the
//!   state backend, `layers_dir` and the OIDC role: every layer;
//! - a `health_check` of a layer: that layer, in every account that has it;
//! - timeouts, retries, teams, Slack channels and the CIDR pool: nothing (no layer changes).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::config::{Account, Config, Vars};

/// (account -> layer -> why) for every pair a config change affects.
pub type Affected = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// An account, or some of its layers, that left the config: terraform still manages them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub account: String,
    /// True when the whole account left the config, not only some of its layers.
    pub account_removed: bool,
    /// The layers' directories at the ref, relative to the repository, in destroy order
    /// (the reverse of apply order).
    pub layer_dirs: Vec<String>,
    pub layers: Vec<String>,
    /// The ref the config was compared with, where the account's settings still are.
    #[serde(skip)]
    pub from_ref: String,
}

impl Removed {
    /// The line printed on stderr (and shown by `jobs --explain`).
    pub fn message(&self) -> String {
        let what = if self.account_removed {
            String::new()
        } else if self.layers.len() == 1 {
            format!(" layer {}", self.layers[0])
        } else {
            format!(" layers {}", self.layers.join(", "))
        };
        let dirs = if self.layer_dirs.len() == 1 {
            self.layer_dirs[0].clone()
        } else {
            format!("{}, in that order,", self.layer_dirs.join(", "))
        };
        // The main stack's first layer (the baseline) needs its own flag to be destroyed.
        let platform = if self.account_removed {
            " --including-platform"
        } else {
            ""
        };
        let from_ref = if self.from_ref.is_empty() {
            "<ref>"
        } else {
            &self.from_ref
        };
        format!(
            "{}:{what} removed from config: destroy it with `orchestrator destroy --accounts {} --layers {} --from-ref {from_ref}{platform}` (or by hand: terraform destroy in {dirs} with its state)",
            self.account,
            self.account,
            self.layers.join(","),
        )
    }
}

#[derive(Debug, Default, PartialEq)]
pub struct ConfigChanges {
    pub affected: Affected,
    pub removed: Vec<Removed>,
}

/// Compares the config at the ref (`old`, whose layers lived in `old_layers_dir`, relative
/// to the repository) with today's.
pub fn compare(old: &Config, new: &Config, old_layers_dir: &str) -> ConfigChanges {
    let mut out = ConfigChanges::default();
    // By name: `Config::account` is a linear search, too slow a thousand times over.
    let old_accounts: HashMap<&str, &Account> =
        old.accounts.iter().map(|a| (a.name.as_str(), a)).collect();
    let new_accounts: HashSet<&str> = new.accounts.iter().map(|a| a.name.as_str()).collect();
    let everywhere = everywhere(old, new);
    let network = (old.network_layer(), new.network_layer());
    for account in &new.accounts {
        let mut add = |layer: &str, why: String| {
            out.affected
                .entry(account.name.clone())
                .or_default()
                .entry(layer.to_string())
                .or_default()
                .push(why);
        };
        let Some(&before) = old_accounts.get(account.name.as_str()) else {
            for layer in &account.layers {
                add(layer, "new account".into());
            }
            continue;
        };
        let mut all_layers = everywhere.clone();
        all_layers.extend(access_changes(before, account));
        if let Some(why) = wave_change(old, new, before, account) {
            all_layers.push(why);
        }
        for layer in &account.layers {
            for why in &all_layers {
                add(layer, why.clone());
            }
            if !before.layers.contains(layer) {
                add(layer, format!("layer {layer} added to the account"));
                continue;
            }
            for why in input_changes(before, account, layer, network) {
                add(layer, why);
            }
            if health_checks(old, layer) != health_checks(new, layer) {
                add(layer, format!("health_check of layer {layer} changed"));
            }
        }
        let gone: Vec<String> = before
            .layers
            .iter()
            .filter(|l| !account.layers.contains(l))
            .cloned()
            .collect();
        if !gone.is_empty() {
            out.removed
                .push(removed(&account.name, gone, false, old_layers_dir));
        }
    }
    for before in &old.accounts {
        if !new_accounts.contains(before.name.as_str()) {
            out.removed.push(removed(
                &before.name,
                before.layers.clone(),
                true,
                old_layers_dir,
            ));
        }
    }
    out
}

fn removed(account: &str, mut layers: Vec<String>, whole: bool, layers_dir: &str) -> Removed {
    layers.reverse();
    Removed {
        account: account.to_string(),
        account_removed: whole,
        layer_dirs: layers
            .iter()
            .map(|l| {
                if layers_dir.is_empty() {
                    l.clone()
                } else {
                    format!("{layers_dir}/{l}")
                }
            })
            .collect(),
        layers,
        from_ref: String::new(),
    }
}

/// Settings outside any account that every account's every layer depends on.
fn everywhere(old: &Config, new: &Config) -> Vec<String> {
    let mut why = Vec::new();
    if old.state != new.state {
        why.push("state backend changed".to_string());
    }
    if old.layers_dir.strip_prefix(&old.root).ok() != new.layers_dir.strip_prefix(&new.root).ok() {
        why.push("layers_dir changed".to_string());
    }
    if old.oidc_role_arn != new.oidc_role_arn {
        why.push("oidc_role_arn changed".to_string());
    }
    why
}

/// How the orchestrator reaches the account: a change here is checked by deploying every layer.
fn access_changes(before: &Account, after: &Account) -> Vec<String> {
    let mut why = Vec::new();
    if before.role_name != after.role_name {
        why.push("role_name changed".to_string());
    }
    if before.plan_role_name != after.plan_role_name {
        why.push("plan_role_name changed".to_string());
    }
    if before.external_id != after.external_id {
        why.push("external_id changed".to_string());
    }
    if before.session_duration != after.session_duration {
        why.push("session_duration changed".to_string());
    }
    if before.credentials != after.credentials {
        why.push("credentials changed".to_string());
    }
    why
}

/// The account's wave: its name, what it holds and what it tolerates.
fn wave_change(old: &Config, new: &Config, before: &Account, after: &Account) -> Option<String> {
    // Where the wave stands in the order only changes when it deploys, not what.
    if old.wave(&before.wave) == new.wave(&after.wave) {
        return None;
    }
    Some(if before.wave != after.wave {
        format!("moved from wave {} to wave {}", before.wave, after.wave)
    } else {
        format!("wave {} changed", after.wave)
    })
}

/// Which of the layer's terraform inputs differ, each named after the setting it comes from.
fn input_changes(
    before: &Account,
    after: &Account,
    layer: &str,
    network: (Option<&str>, Option<&str>),
) -> Vec<String> {
    // Most accounts did not change at all: say so without building their inputs.
    let same_sources = before.vars == after.vars
        && before.layer_vars.get(layer) == after.layer_vars.get(layer)
        && before.network_cidr == after.network_cidr
        && network.0 == network.1
        && (
            &before.account_id,
            &before.domain,
            &before.environment,
            &before.region,
        ) == (
            &after.account_id,
            &after.domain,
            &after.environment,
            &after.region,
        );
    if same_sources {
        return Vec::new();
    }
    let (old_in, new_in): (Vars, Vars) = (
        before.inputs(layer, network.0),
        after.inputs(layer, network.1),
    );
    if old_in == new_in {
        return Vec::new();
    }
    let mut keys: Vec<&String> = old_in.keys().chain(new_in.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old_in.get(*k) != new_in.get(*k))
        .map(|key| {
            let in_layer_vars =
                |a: &Account| a.layer_vars.get(layer).is_some_and(|v| v.contains_key(key));
            let is_network_layer = network.0 == Some(layer) || network.1 == Some(layer);
            if [
                "account_name",
                "account_id",
                "domain",
                "environment",
                "region",
            ]
            .contains(&key.as_str())
            {
                format!("{key} changed")
            } else if key == "network_cidr" && is_network_layer {
                "network_cidr changed".to_string()
            } else if in_layer_vars(before) || in_layer_vars(after) {
                format!("layer_vars.{layer}.{key} changed")
            } else {
                format!("vars.{key} changed")
            }
        })
        .collect()
}

fn health_checks<'a>(config: &'a Config, layer: &str) -> Vec<&'a crate::config::HealthCheck> {
    config
        .health_checks
        .iter()
        .filter(|h| h.layer == layer)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"version: 1
defaults:
  region: eu-west-1
  layers: [platform, static, dynamic]
  state: { backend: s3, bucket: tfstate, region: eu-west-1, key: "{layer}/{account}.tfstate" }
waves:
  - { name: stage, environments: [dev] }
  - { name: prod, environments: [prod] }
domains:
  - name: catalog
    team: catalog
    environments:
      dev:  { account_id: "100000000001" }
      prod: { account_id: "100000000003" }
"#;

    /// Both configs read against the same layer directories.
    fn compare_texts(old: &str, new: &str) -> ConfigChanges {
        let dir = tempfile::tempdir().unwrap();
        for layer in ["platform", "static", "dynamic"] {
            std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
        }
        let path = dir.path().join("domains.yaml");
        let old = crate::config::from_str(&path, old).unwrap();
        let new = crate::config::from_str(&path, new).unwrap();
        compare(&old, &new, "layers")
    }

    fn affected(changes: &ConfigChanges) -> Vec<String> {
        changes
            .affected
            .iter()
            .flat_map(|(a, layers)| {
                layers
                    .iter()
                    .map(move |(l, why)| format!("{a}/{l}: {}", why.join("; ")))
            })
            .collect()
    }

    #[test]
    fn settings_that_feed_no_layer_affect_nothing() {
        let new = BASE.replace("team: catalog", "team: search").replace(
            "layers: [platform",
            "timeout: 45m\n  retries: 5\n  layers: [platform",
        );
        assert_eq!(compare_texts(BASE, &new), ConfigChanges::default());
    }

    #[test]
    fn the_state_backend_and_the_role_reach_every_layer() {
        let new = BASE.replace("bucket: tfstate", "bucket: tfstate-2");
        let changes = compare_texts(BASE, &new);
        assert_eq!(affected(&changes).len(), 6);
        assert!(affected(&changes)[0].ends_with("state backend changed"));

        let new = BASE.replace(
            "      prod: { account_id: \"100000000003\" }",
            "      prod: { account_id: \"100000000003\", role_name: Deployer }",
        );
        assert_eq!(
            affected(&compare_texts(BASE, &new)),
            [
                "catalog-prod/dynamic: role_name changed",
                "catalog-prod/platform: role_name changed",
                "catalog-prod/static: role_name changed",
            ]
        );

        let new = BASE.replace(
            "      prod: { account_id: \"100000000003\" }",
            "      prod: { account_id: \"100000000003\", plan_role_name: Reader }",
        );
        assert_eq!(
            affected(&compare_texts(BASE, &new)),
            [
                "catalog-prod/dynamic: plan_role_name changed",
                "catalog-prod/platform: plan_role_name changed",
                "catalog-prod/static: plan_role_name changed",
            ]
        );
    }

    /// Every inherited field (from its one table, so a new one is covered) affects the
    /// account when its environment changes it: each needs its change-detection rule here.
    #[test]
    fn every_inherited_field_has_a_change_detection_rule() {
        for (key, _, examples) in crate::config::INHERITED_FIELDS {
            let [.., before, after] = examples else {
                panic!("`{key}` is set at one level only")
            };
            let at = |value: &str| {
                BASE.replace(
                    "      prod: { account_id: \"100000000003\" }",
                    &format!("      prod: {{ account_id: \"100000000003\", {key}: {value} }}"),
                )
            };
            let changes = compare_texts(&at(before), &at(after));
            assert!(
                changes.affected.contains_key("catalog-prod"),
                "`{key}` from {before} to {after}: {changes:?}"
            );
        }
    }

    #[test]
    fn a_health_check_feeds_its_own_layer() {
        let new = BASE.replace(
            "  state:",
            "  health_check: { layer: dynamic, output: health_url }\n  state:",
        );
        assert_eq!(
            affected(&compare_texts(BASE, &new)),
            [
                "catalog-dev/dynamic: health_check of layer dynamic changed",
                "catalog-prod/dynamic: health_check of layer dynamic changed",
            ]
        );
    }

    #[test]
    fn a_layer_added_to_a_domain_deploys_only_that_layer() {
        let old = BASE.replace(
            "    team: catalog\n",
            "    team: catalog\n    layers: [platform]\n",
        );
        let new = BASE.replace(
            "    team: catalog\n",
            "    team: catalog\n    layers: [platform, static]\n",
        );
        assert_eq!(
            affected(&compare_texts(&old, &new)),
            [
                "catalog-dev/static: layer static added to the account",
                "catalog-prod/static: layer static added to the account",
            ]
        );
        let changes = compare_texts(&new, &old);
        assert!(changes.affected.is_empty());
        assert_eq!(
            changes.removed[0].message(),
            "catalog-dev: layer static removed from config: destroy it with `orchestrator destroy --accounts catalog-dev --layers static --from-ref <ref>` (or by hand: terraform destroy in layers/static with its state)"
        );
    }
}
