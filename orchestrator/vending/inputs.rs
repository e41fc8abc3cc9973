//! What the vending layer gets: every account of the config, and where its state lives.

use std::path::Path;

use serde_json::json;

use crate::config::{AccountVending, Config, StateBackend, Vars};
use crate::terraform::BackendConfig;

/// `{account}` in the state template (and its data dir name): the vending layer is one state
/// for the whole organisation, not one per account.
pub const VENDING_ACCOUNT: &str = "organization";

/// The variable that carries the ids of accounts that already exist, for the layer's
/// `import` blocks.
pub const EXISTING_IDS_VARIABLE: &str = "existing_account_ids";

/// `{accounts: {<name>: {domain, environment, email: ""}}, existing_account_ids: {<name>: id},
/// email_domain, root_id}`: every account of the config, whether or not it has an id (the
/// layer creates the missing ones and keeps the others; a removed account makes its plan fail
/// rather than close it), and the ids written in domains.yaml, which the layer imports with
/// an `import` block per id instead of creating those accounts.
pub fn inputs(config: &Config, vending: &AccountVending) -> Vars {
    let accounts: serde_json::Map<String, serde_json::Value> = config
        .accounts
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                json!({ "domain": a.domain, "environment": a.environment, "email": "" }),
            )
        })
        .collect();
    let mut vars = Vars::new();
    vars.insert("accounts".into(), accounts.into());
    let existing: serde_json::Map<String, serde_json::Value> = super::existing_ids(config)
        .into_iter()
        .map(|(name, id)| (name, id.into()))
        .collect();
    vars.insert(EXISTING_IDS_VARIABLE.into(), existing.into());
    vars.insert("email_domain".into(), vending.email_domain.clone().into());
    vars.insert("root_id".into(), vending.root_id.clone().into());
    vars
}

/// The state template with `{account}` = `organization` (so are `{domain}`, `{environment}`
/// and `{account_id}`: the layer belongs to no account) and `{layer}` = the vending layer.
/// `root` is the config's directory, absolute: terraform runs in the layer's directory.
pub fn backend(config: &Config, root: &Path, layer: &str) -> BackendConfig {
    let fill = |template: &str| {
        crate::config::stack_template::for_main_stack(template)
            .replace("{account}", VENDING_ACCOUNT)
            .replace("{layer}", layer)
            .replace("{domain}", VENDING_ACCOUNT)
            .replace("{environment}", VENDING_ACCOUNT)
            .replace("{account_id}", VENDING_ACCOUNT)
    };
    let pairs = match &config.state {
        StateBackend::S3 {
            bucket,
            region,
            key,
        } => vec![
            ("bucket".to_string(), bucket.clone()),
            ("key".to_string(), fill(key).replace("{region}", region)),
            ("region".to_string(), region.clone()),
            ("use_lockfile".to_string(), "true".to_string()),
        ],
        StateBackend::Local { path } => {
            let path = root.join(fill(path).replace("{region}", "global"));
            vec![("path".to_string(), path.to_string_lossy().into_owned())]
        }
    };
    BackendConfig { pairs }
}
