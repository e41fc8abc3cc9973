//! Plans written by the tests: a synthetic organisation of many accounts, and broken files.

use std::path::Path;

use serde_json::{json, Value};

/// A `terraform show -json` plan with the given (address, actions) resource changes.
pub fn plan(changes: &[(String, &[&str])]) -> Value {
    let resource_changes: Vec<Value> = changes
        .iter()
        .map(|(address, actions)| {
            json!({
                "address": address,
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "b",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": actions,
                    "before": { "bucket": address, "tags": { "team": "platform" } },
                    "after": { "bucket": address, "tags": { "team": "platform" } },
                    "after_unknown": {},
                    "before_sensitive": {},
                    "after_sensitive": {}
                },
                "action_reason": if actions == &["delete"] { json!("delete_because_no_resource_config") } else { Value::Null },
            })
        })
        .collect();
    json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": { "root_module": {} },
        "resource_changes": resource_changes,
        "configuration": { "root_module": {} },
        "timestamp": "2025-01-01T00:00:00Z",
        "applyable": true,
        "complete": true,
        "errored": false
    })
}

/// What a synthetic account does, by its number.
pub struct Shape {
    pub destroys: bool,
    pub unchanged: bool,
}

pub fn shape(i: usize) -> Shape {
    Shape {
        destroys: i % 11 == 3,
        unchanged: i % 4 == 1,
    }
}

pub fn account_name(i: usize) -> String {
    let env = ["dev", "stage", "prod"][i % 3];
    format!("domain{:03}-{env}", i / 3)
}

/// `accounts` x 3 layers of plans under `dir` as `<account>/<layer>.json`. Accounts that
/// change create and update a few dozen resources with long addresses; every eleventh also
/// destroys and replaces some (one of them very many).
pub fn organisation(dir: &Path, accounts: usize) {
    for i in 0..accounts {
        let account = account_name(i);
        let shape = shape(i);
        for (l, layer) in ["platform", "static", "dynamic"].iter().enumerate() {
            let mut changes: Vec<(String, &[&str])> = Vec::new();
            for r in 0..12 {
                let address = format!(
                    "module.service[\"{account}-service-{r:02}\"].aws_s3_bucket.artifacts[\"{layer}\"]"
                );
                let actions: &[&str] = if shape.unchanged {
                    &["no-op"]
                } else {
                    match r % 3 {
                        0 => &["create"],
                        1 => &["update"],
                        _ => &["no-op"],
                    }
                };
                changes.push((address, actions));
            }
            if shape.destroys && l == 1 {
                let count = if i == 3 { 400 } else { 4 };
                for r in 0..count {
                    changes.push((format!("aws_s3_bucket.legacy_{r:03}"), &["delete"]));
                }
                changes.push(("aws_kms_key.main".into(), &["create", "delete"]));
            }
            write(dir, &account, layer, &plan(&changes));
        }
    }
}

pub fn write(dir: &Path, account: &str, layer: &str, plan: &Value) {
    let path = dir.join(account).join(format!("{layer}.json"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_vec_pretty(plan).unwrap()).unwrap();
}

/// How plan files are laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `plans/<account>/<layer>.json`, three layers per account.
    Runner,
    /// `plans/<account>.json`.
    PerAccount,
    /// `plans/plan-0001.json ...`: arbitrarily named, one row each.
    Flat,
}

pub const LAYERS: [&str; 3] = ["platform", "static", "dynamic"];

/// One destroyed or replaced address the comment must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destroyed {
    /// The row it belongs to (the account, or the file's name in the flat layout).
    pub account: String,
    pub address: String,
}

/// `plans` plan files in `layout` under `dir`; one in two destroys something: its own
/// bucket (a long address) and, in one in three of those, a replacement of an address many
/// accounts share. Returns what is destroyed.
pub fn layout_corpus(dir: &Path, plans: usize, layout: Layout) -> Vec<Destroyed> {
    let mut destroyed = Vec::new();
    for i in 0..plans {
        let (account, layer, path) = match layout {
            Layout::Runner => {
                let account = account_name(i / 3);
                let layer = LAYERS[i % 3];
                let path = dir.join(&account).join(format!("{layer}.json"));
                (account, layer, path)
            }
            Layout::PerAccount => {
                let account = account_name(i);
                let path = dir.join(format!("{account}.json"));
                (account, "plan", path)
            }
            Layout::Flat => {
                let account = format!("plan-{i:04}");
                let path = dir.join(format!("{account}.json"));
                (account, "plan", path)
            }
        };
        let mut changes: Vec<(String, &[&str])> = Vec::new();
        for r in 0..6 {
            let actions: &[&str] = match r % 3 {
                0 => &["create"],
                1 => &["update"],
                _ => &["no-op"],
            };
            changes.push((
                format!("module.service[\"{account}-{r}\"].aws_s3_bucket.artifacts[\"{layer}\"]"),
                actions,
            ));
        }
        if i % 2 == 0 {
            let own = format!("module.legacy.aws_s3_bucket.archive[\"{account}-{layer}\"]");
            changes.push((own.clone(), &["delete"]));
            destroyed.push(Destroyed {
                account: account.clone(),
                address: own,
            });
            if i % 3 == 0 {
                let shared = "aws_kms_key.main".to_string();
                changes.push((shared.clone(), &["create", "delete"]));
                destroyed.push(Destroyed {
                    account: account.clone(),
                    address: shared,
                });
            }
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, serde_json::to_vec(&plan(&changes)).unwrap()).unwrap();
    }
    destroyed
}
