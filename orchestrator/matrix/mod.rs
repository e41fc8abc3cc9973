//! The GitHub Actions build matrix: the only code that knows that JSON's shape.

mod github_output;

pub use github_output::{github_output, ChunkError};

use serde::{Deserialize, Serialize};

use crate::config::Account;
use crate::plan::{Plan, Selected, WavePlan};

/// GitHub's limit on jobs one matrix may produce.
pub const GITHUB_MAX_JOBS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    pub include: Vec<Entry>,
}

/// One matrix leg: one account (a wave above `max_jobs` accounts is split into chunks, never
/// packed, so every leg's concurrency group is its account's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    /// The environment of the leg's account.
    pub env: String,
    /// The account name again, as `orchestrator deploy --accounts` takes it (kept for
    /// workflows written when a leg could hold several).
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

/// The account names of the legs in a matrix file: the stdout of `orchestrator matrix`, either
/// one wave's `{"include":[...]}` or every wave's `{"<wave>":{"include":[...]}}`. The report job
/// reads it to know which accounts should have sent a run report.
pub fn accounts_of_legs(text: &str) -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Legs {
        One(Matrix),
        Waves(std::collections::BTreeMap<String, Matrix>),
    }
    let legs: Legs = serde_json::from_str(text).map_err(|e| {
        format!(
            "not the JSON of `orchestrator matrix` ({{\"include\":[...]}} or one per wave): {e}"
        )
    })?;
    let matrices: Vec<Matrix> = match legs {
        Legs::One(m) => vec![m],
        Legs::Waves(waves) => waves.into_values().collect(),
    };
    Ok(matrices
        .iter()
        .flat_map(|m| &m.include)
        .flat_map(|e| e.accounts.split_whitespace().map(str::to_string))
        .collect())
}

/// The matrix of one wave: one leg per account, in plan order.
pub fn for_wave(wave: &WavePlan) -> Matrix {
    let accounts: Vec<&Account> = wave.jobs.iter().map(|j| &j.account).collect();
    for_accounts(&accounts)
}

/// Every wave's matrix, keyed by wave name, in deploy order.
pub fn for_plan(plan: &Plan) -> Vec<(String, Matrix)> {
    plan.waves
        .iter()
        .map(|w| (w.name.clone(), for_wave(w)))
        .collect()
}

/// The same from the plan by reference (no account is copied).
pub fn for_selected(plan: &Selected<'_>) -> Vec<(String, Matrix)> {
    plan.waves
        .iter()
        .map(|w| {
            let accounts: Vec<&Account> = w.jobs.iter().map(|j| j.account).collect();
            (w.wave.name.clone(), for_accounts(&accounts))
        })
        .collect()
}

fn for_accounts(accounts: &[&Account]) -> Matrix {
    Matrix {
        include: accounts.iter().map(|a| single(a)).collect(),
    }
}

/// A wave's legs split into the fewest matrices of at most `max_jobs` legs each (GitHub runs
/// one matrix job per chunk), balanced so their sizes differ by at most one. An empty wave is
/// no chunk at all.
pub fn chunks(matrix: &Matrix, max_jobs: usize) -> Vec<Matrix> {
    let max_jobs = max_jobs.max(1);
    let legs = matrix.include.len();
    let count = legs.div_ceil(max_jobs);
    let mut out = Vec::with_capacity(count);
    let mut rest = matrix.include.as_slice();
    for i in 0..count {
        let size = legs / count + usize::from(i < legs % count);
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        out.push(Matrix {
            include: chunk.to_vec(),
        });
    }
    out
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
