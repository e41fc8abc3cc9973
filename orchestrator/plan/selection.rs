//! Which accounts and layers a command works on: the selectors every command shares.

use std::collections::{BTreeMap, BTreeSet};

/// Empty lists mean "everything". Names are checked against the config when the plan is built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub domains: Vec<String>,
    pub environments: Vec<String>,
    pub accounts: Vec<String>,
    pub layers: Vec<String>,
    pub waves: Vec<String>,
    /// From change detection: only these (account -> layers) pairs, when set.
    pub changed: Option<BTreeMap<String, BTreeSet<String>>>,
}

impl Selection {
    pub fn accounts(names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            accounts: names.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }
}
