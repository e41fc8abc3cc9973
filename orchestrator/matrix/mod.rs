//! The GitHub Actions build matrix: the only code that knows that JSON's shape.

mod github_output;

pub use github_output::github_output;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::config::Account;
use crate::plan::{Plan, Selected, WavePlan};

/// GitHub's limit on jobs one matrix may produce.
pub const GITHUB_MAX_JOBS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    pub include: Vec<Entry>,
}

/// One matrix leg: one account, or a batch of accounts when a wave has more than `max_jobs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    /// The environment of the leg's accounts (comma-separated if a batch mixes several).
    pub env: String,
    /// Space-separated account names, passed to `orchestrator deploy --accounts`.
    pub accounts: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// The matrix of one wave, at most `max_jobs` entries (`max_jobs` >= 1).
pub fn for_wave(wave: &WavePlan, max_jobs: usize) -> Matrix {
    let accounts: Vec<&Account> = wave.jobs.iter().map(|j| &j.account).collect();
    for_accounts(&wave.name, &accounts, max_jobs)
}

/// Every wave's matrix, keyed by wave name, in deploy order.
pub fn for_plan(plan: &Plan, max_jobs: usize) -> Vec<(String, Matrix)> {
    plan.waves
        .iter()
        .map(|w| (w.name.clone(), for_wave(w, max_jobs)))
        .collect()
}

/// The same from the plan by reference (no account is copied).
pub fn for_selected(plan: &Selected<'_>, max_jobs: usize) -> Vec<(String, Matrix)> {
    plan.waves
        .iter()
        .map(|w| {
            let accounts: Vec<&Account> = w.jobs.iter().map(|j| j.account).collect();
            (
                w.wave.name.clone(),
                for_accounts(&w.wave.name, &accounts, max_jobs),
            )
        })
        .collect()
}

/// One wave's accounts, in plan order, as matrix entries.
fn for_accounts(wave: &str, accounts: &[&Account], max_jobs: usize) -> Matrix {
    let max_jobs = max_jobs.max(1);
    if accounts.len() <= max_jobs {
        return Matrix {
            include: accounts.iter().map(|a| single(a)).collect(),
        };
    }
    // Batches hold accounts of one environment where possible, in plan order otherwise.
    let rank = env_ranks(accounts);
    let mut sorted: Vec<&Account> = accounts.to_vec();
    sorted.sort_by_key(|a| rank[a.environment.as_str()]);
    let (base, extra) = (sorted.len() / max_jobs, sorted.len() % max_jobs);
    let mut include = Vec::with_capacity(max_jobs);
    let mut rest = sorted.as_slice();
    for i in 0..max_jobs {
        let size = base + usize::from(i < extra);
        let (batch, tail) = rest.split_at(size);
        rest = tail;
        include.push(batched(wave, i + 1, max_jobs, batch));
    }
    Matrix { include }
}

/// Each environment's place in the wave, by first appearance in the plan.
fn env_ranks<'a>(accounts: &[&'a Account]) -> HashMap<&'a str, usize> {
    let mut rank = HashMap::new();
    for account in accounts {
        let next = rank.len();
        rank.entry(account.environment.as_str()).or_insert(next);
    }
    rank
}

fn single(a: &Account) -> Entry {
    Entry {
        name: a.name.clone(),
        env: a.environment.clone(),
        accounts: a.name.clone(),
        account: Some(a.name.clone()),
        domain: Some(a.domain.clone()),
        account_id: Some(a.account_id.clone()),
        region: Some(a.region.clone()),
    }
}

fn batched(wave: &str, index: usize, total: usize, accounts: &[&Account]) -> Entry {
    if let [account] = accounts {
        return single(account);
    }
    // Accounts are grouped by environment, so a batch's environments are consecutive runs.
    let mut envs: Vec<&str> = Vec::new();
    for a in accounts {
        if envs.last() != Some(&a.environment.as_str()) {
            envs.push(&a.environment);
        }
    }
    let width = total.to_string().len();
    Entry {
        name: format!("{wave}-{index:0width$}-of-{total}"),
        env: envs.join(","),
        accounts: accounts
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        account: None,
        domain: None,
        account_id: None,
        region: None,
    }
}
