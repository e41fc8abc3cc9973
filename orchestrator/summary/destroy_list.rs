//! `--destroy-list FILE`: every destroyed and replaced address with its account and layer, as
//! JSON, for when the comment can only count them (and for tools that gate on destroys).

use serde_json::{json, Value};

use super::model::Summary;

/// The destroy list of `summary`, in the comment's (deploy) order: accounts, their layers,
/// then each layer's destroys in plan order.
pub fn destroy_list(summary: &Summary) -> Value {
    let mut destroys = Vec::new();
    for account in &summary.accounts {
        for (layer, plan) in account.plans() {
            for change in plan.resources.iter().filter(|c| c.kind.destroys()) {
                let mut entry = json!({
                    "account": account.name,
                    "layer": layer,
                    "action": change.kind.label(),
                    "address": &*change.address,
                });
                if let Some(reason) = &change.reason {
                    entry["reason"] = json!(&**reason);
                }
                if let Some(actions) = &change.actions {
                    entry["actions"] = json!(&**actions);
                }
                if let Some(from) = &change.previous_address {
                    entry["moved_from"] = json!(&**from);
                }
                destroys.push(entry);
            }
        }
    }
    json!({
        "count": destroys.len(),
        "destroys": destroys,
    })
}
