//! What a diff affects: the (account, layer) pairs to deploy, why each is there, and what
//! left the config.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::config_diff::Removed;
use super::git::{ChangedFile, FileChange};

/// One changed file that put an (account, layer) pair in the plan, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub file: String,
    pub change: FileChange,
    pub why: String,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}; {})", self.file, self.change, self.why)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSet {
    /// The ref as given.
    pub since: String,
    /// The commit it resolved to.
    pub commit: String,
    /// Every file that differs from the ref, relative to the repository's top.
    pub files: Vec<ChangedFile>,
    /// Every distinct reason, once: a layer file's change is shared by every account.
    pub reasons: Vec<Reason>,
    /// account -> layer -> indices into `reasons`.
    pub affected: BTreeMap<String, BTreeMap<String, Vec<usize>>>,
    /// Accounts (or some of their layers) that left the config and still exist in AWS.
    pub removed: Vec<Removed>,
    /// Changed files that affect no account and no layer.
    pub unused: Vec<String>,
    /// Things the reader should know (an unreadable module file, an invalid config at the ref).
    pub notes: Vec<String>,
}

impl ChangeSet {
    /// The plan's filter: only these layers of these accounts.
    pub fn selection(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.affected
            .iter()
            .map(|(account, layers)| (account.clone(), layers.keys().cloned().collect()))
            .collect()
    }

    /// Why this layer of this account is in the plan (empty when it is not).
    pub fn reasons_for(&self, account: &str, layer: &str) -> Vec<&Reason> {
        self.affected
            .get(account)
            .and_then(|layers| layers.get(layer))
            .map(|ids| ids.iter().map(|&i| &self.reasons[i]).collect())
            .unwrap_or_default()
    }
}
