//! The config and the work dir as every command gets them: the config loaded (with the
//! account ids `vend` recorded), the work dir resolved once, and accounts still waiting for
//! vending named.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{self, Account, Config};
use crate::console::eprintln;
use crate::exit::CliError;
use crate::vending;

pub(super) fn load_config(path: &Path) -> Result<Config, CliError> {
    Ok(config::load(path)?)
}

/// The config, with the ids `orchestrator vend` recorded under `work_dir` given to the
/// accounts that omit `account_id`.
pub(super) fn load_config_with_vended_ids(
    path: &Path,
    work_dir: &Path,
) -> Result<Config, CliError> {
    let mut config = load_config(path)?;
    vending::fill_in(&mut config, work_dir)?;
    Ok(config)
}

/// The work dir resolved once from the global flags (`--work-dir`, `ORCHESTRATOR_WORK_DIR`,
/// else `.orchestrator` next to the config), set by `dispatch` before any command runs.
static WORK_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

pub(super) fn set_work_dir(work_dir: PathBuf) {
    let _ = WORK_DIR.set(work_dir);
}

/// The resolved work dir: where `vend` recorded the account ids, and everything is written.
pub(super) fn work_dir_from_env() -> PathBuf {
    WORK_DIR
        .get()
        .cloned()
        .unwrap_or_else(|| PathBuf::from(crate::workdir::DEFAULT_WORK_DIR))
}

/// For the commands that describe the organisation (`jobs`, `matrix`): accounts still
/// waiting for vending are left out with a warning naming them, instead of failing the
/// whole organisation.
pub(super) fn warn_waiting_for_vending<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    config_path: &Path,
) -> BTreeSet<String> {
    let waiting: BTreeSet<String> = accounts
        .into_iter()
        .filter(|a| a.account_id.is_empty())
        .map(|a| a.name.clone())
        .collect();
    if !waiting.is_empty() {
        let names: Vec<&str> = waiting.iter().map(String::as_str).collect();
        eprintln!(
            "warning: {} waiting for vending (no account id yet), left out: {}; run `{}`",
            if waiting.len() == 1 {
                "1 account is".to_string()
            } else {
                format!("{} accounts are", waiting.len())
            },
            names.join(", "),
            crate::workdir::command_hint(config_path, "vend")
        );
    }
    waiting
}

/// Exit 2 when a selected account has no id yet (not vended).
pub(super) fn require_vended<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    work_dir: &Path,
    config_path: &Path,
) -> Result<(), CliError> {
    Ok(vending::require_ids(accounts, work_dir, config_path)?)
}
