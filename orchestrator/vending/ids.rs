//! `<work_dir>/account-ids.json`: the ids `orchestrator vend` read from the vending layer,
//! keyed by account name; commands fill in accounts that omit `account_id` from it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{Account, Config};

const IDS_FILE: &str = "account-ids.json";

#[derive(Debug, thiserror::Error)]
pub enum VendingError {
    #[error("{path}: cannot read the vended account ids: {why}; run `{vend}` again")]
    Unreadable {
        path: String,
        why: String,
        vend: String,
    },
    #[error(
        "no account id yet for {accounts}: these accounts are created by account vending; \
         run `{vend}` first (it records their ids in {file})"
    )]
    NotVended {
        accounts: String,
        file: String,
        vend: String,
    },
}

pub fn ids_file(work_dir: &Path) -> PathBuf {
    work_dir.join(IDS_FILE)
}

/// `orchestrator [--config X] vend`, as the messages tell the user to run it.
fn vend_command(config_path: &Path) -> String {
    crate::workdir::command_hint(config_path, "vend")
}

/// The recorded ids; none when `vend` has not run. `config_path` names the config in the
/// command a message suggests.
pub fn read_ids(
    work_dir: &Path,
    config_path: &Path,
) -> Result<BTreeMap<String, String>, VendingError> {
    let path = ids_file(work_dir);
    let unreadable = |why: String| VendingError::Unreadable {
        path: crate::workdir::shown(&path),
        why,
        vend: vend_command(config_path),
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(unreadable(e.to_string())),
    };
    let ids: BTreeMap<String, String> =
        serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
    if let Some((name, id)) = ids.iter().find(|(_, id)| !is_account_id(id)) {
        return Err(unreadable(format!(
            "`{id}` ({name}) is not a 12-digit account id"
        )));
    }
    Ok(ids)
}

/// What `record_output` recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub count: usize,
    /// Accounts of the config with neither an `account_id` nor an id in the output.
    pub missing: Vec<String>,
}

/// Records, from the JSON of the vending layer's `output` (account name -> id), the ids of
/// the config's accounts in `<work_dir>/account-ids.json`.
pub fn record_output(
    config: &Config,
    work_dir: &Path,
    output: &str,
    json: &[u8],
) -> Result<Recorded, String> {
    let ids: BTreeMap<String, String> = serde_json::from_slice(json)
        .map_err(|e| format!("the `{output}` output is not a map of account name to id: {e}"))?;
    let ids: BTreeMap<String, String> = ids
        .into_iter()
        .filter(|(name, _)| config.accounts.iter().any(|a| &a.name == name))
        .collect();
    write_ids(work_dir, &ids)
        .map_err(|e| format!("cannot write {}: {e}", ids_file(work_dir).display()))?;
    let missing = config
        .accounts
        .iter()
        .filter(|a| a.account_id.is_empty() && !ids.contains_key(&a.name))
        .map(|a| a.name.clone())
        .collect();
    Ok(Recorded {
        count: ids.len(),
        missing,
    })
}

pub fn write_ids(work_dir: &Path, ids: &BTreeMap<String, String>) -> std::io::Result<()> {
    std::fs::create_dir_all(work_dir)?;
    let json = serde_json::to_vec_pretty(ids).map_err(std::io::Error::other)?;
    crate::report::write_atomic(&ids_file(work_dir), &json).map_err(std::io::Error::other)
}

/// Gives every account without `account_id` the id `vend` recorded for it, if any. Ids
/// written in domains.yaml always win.
pub fn fill_in(config: &mut Config, work_dir: &Path) -> Result<(), VendingError> {
    if !config.accounts.iter().any(|a| a.account_id.is_empty()) {
        return Ok(());
    }
    let ids = read_ids(work_dir, &config.path)?;
    for account in config
        .accounts
        .iter_mut()
        .filter(|a| a.account_id.is_empty())
    {
        if let Some(id) = ids.get(&account.name) {
            account.account_id = id.clone();
        }
    }
    Ok(())
}

/// Refuses to work on an account whose id is still unknown.
pub fn require_ids<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    work_dir: &Path,
    config_path: &Path,
) -> Result<(), VendingError> {
    let missing: Vec<&str> = accounts
        .into_iter()
        .filter(|a| a.account_id.is_empty())
        .map(|a| a.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(VendingError::NotVended {
        accounts: missing.join(", "),
        file: crate::workdir::shown(&ids_file(work_dir)),
        vend: vend_command(config_path),
    })
}

fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_no_ids_and_a_bad_one_says_to_vend_again() {
        let dir = tempfile::tempdir().unwrap();
        let config = Path::new("infra/domains.yaml");
        assert!(read_ids(dir.path(), config).unwrap().is_empty());
        std::fs::write(ids_file(dir.path()), r#"{"fubar-dev": "12"}"#).unwrap();
        let message = read_ids(dir.path(), config).unwrap_err().to_string();
        assert!(
            message.contains("`12` (fubar-dev) is not a 12-digit account id"),
            "{message}"
        );
        assert!(
            message.contains("run `orchestrator --config infra/domains.yaml vend` again"),
            "{message}"
        );
    }

    #[test]
    fn ids_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let ids = BTreeMap::from([("fubar-dev".to_string(), "900000000001".to_string())]);
        write_ids(&dir.path().join("work"), &ids).unwrap();
        assert_eq!(
            read_ids(&dir.path().join("work"), Path::new("domains.yaml")).unwrap(),
            ids
        );
    }
}
