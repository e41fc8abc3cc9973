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
