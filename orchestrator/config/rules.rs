//! Rules that span accounts: every environment in a wave, one account id per account, no
//! two account networks overlapping. Each check is a hash lookup or a sort, so a config of
//! tens of thousands of accounts validates in milliseconds.

use std::collections::HashMap;

use super::cidr::Cidr;
use super::diagnostic::Pos;
use super::fields::Problems;
use super::model::{Account, Wave};

/// Where an account's parts are written, for messages (parallel to the accounts list).
#[derive(Debug, Clone, Copy)]
pub(super) struct AccountSpans {
    /// The environment's key (`dev:`).
    pub environment: Pos,
    pub account_id: Pos,
    pub network_cidr: Option<Pos>,
}

pub(super) fn check(
    problems: &mut Problems,
    waves: &[Wave],
    accounts: &[Account],
    spans: &[AccountSpans],
) {
    environments_in_waves(problems, waves, accounts, spans);
    unique_account_ids(problems, accounts, spans);
    disjoint_networks(problems, accounts, spans);
}

/// An environment no wave lists would never deploy: reported once, where it first appears.
fn environments_in_waves(
    problems: &mut Problems,
    waves: &[Wave],
    accounts: &[Account],
    spans: &[AccountSpans],
) {
    // A handful of environments: a linear scan beats hashing every account's.
    let in_waves: Vec<&str> = waves
        .iter()
        .flat_map(|w| w.environments.iter().map(String::as_str))
        .collect();
    let mut missing: Vec<(&str, Pos, Vec<&str>)> = Vec::new();
    for (account, span) in accounts.iter().zip(spans) {
        let env = account.environment.as_str();
        if in_waves.contains(&env) {
            continue;
        }
        match missing.iter_mut().find(|(e, _, _)| *e == env) {
            Some((_, _, names)) => names.push(&account.name),
            None => missing.push((env, span.environment, vec![&account.name])),
        }
    }
    let wave_names: Vec<&str> = waves.iter().map(|w| w.name.as_str()).collect();
    for (env, pos, names) in missing {
        let used_by = match names.as_slice() {
            [one] => format!("account {one}"),
            [first, rest @ ..] => format!("accounts {first} and {} more", rest.len()),
            [] => continue,
        };
        problems.add(
            pos,
            format!("environment `{env}` ({used_by}) is in no wave, so it would never deploy"),
            format!(
                "add `{env}` to the environments of one wave (waves: {})",
                wave_names.join(", ")
            ),
        );
    }
}

fn unique_account_ids(problems: &mut Problems, accounts: &[Account], spans: &[AccountSpans]) {
    // Ids are 12 digits (checked when read), so they hash as numbers.
    let mut first: HashMap<u64, usize> = HashMap::with_capacity(accounts.len());
    for (i, account) in accounts.iter().enumerate() {
        // Not vended yet: no id to compare.
        if account.account_id.is_empty() {
            continue;
        }
        let id: u64 = account.account_id.parse().unwrap_or(u64::MAX);
        if let Some(&j) = first.get(&id) {
            let other = &accounts[j];
            problems.add(
                spans[i].account_id,
                format!(
                    "account_id \"{}\" of {} is also the id of {} (line {})",
                    account.account_id, account.name, other.name, spans[j].account_id.line
                ),
                "every account needs its own AWS account id: fix the one that was copied",
            );
        } else {
            first.insert(id, i);
        }
    }
}

/// CIDR blocks are either nested or disjoint, so after sorting by start address a block
/// overlaps an earlier one exactly when it starts before the furthest end seen so far.
fn disjoint_networks(problems: &mut Problems, accounts: &[Account], spans: &[AccountSpans]) {
    let mut blocks: Vec<(Cidr, usize)> = accounts
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some((Cidr::parse(a.network_cidr.as_deref()?)?, i)))
        .collect();
    // Within one start address, the larger block (smaller prefix) first; then file order.
    blocks.sort_by_key(|(c, i)| (c.base, c.prefix, *i));
    let mut widest: Option<(Cidr, usize)> = None;
    for &(cidr, i) in &blocks {
        match widest {
            Some((holder, j)) if holder.overlaps(&cidr) => {
                // Name the later line as the problem, the earlier as the reference.
                let (later, earlier) = if spans[i].environment >= spans[j].environment {
                    ((cidr, i), (holder, j))
                } else {
                    ((holder, j), (cidr, i))
                };
                report_overlap(problems, accounts, spans, later, earlier);
                if cidr.last() > holder.last() {
                    widest = Some((cidr, i));
                }
            }
            _ => widest = Some((cidr, i)),
        }
    }
}

fn report_overlap(
    problems: &mut Problems,
    accounts: &[Account],
    spans: &[AccountSpans],
    (cidr, i): (Cidr, usize),
    (other, j): (Cidr, usize),
) {
    let what = if cidr == other {
        "is the same block as"
    } else {
        "overlaps"
    };
    problems.add(
        spans[i].network_cidr.unwrap_or(spans[i].environment),
        format!(
            "network.cidr {cidr} of {} {what} {other} of {} (line {})",
            accounts[i].name,
            accounts[j].name,
            spans[j].network_cidr.unwrap_or(spans[j].environment).line
        ),
        "give every account its own block (`orchestrator domain add` picks a free one)",
    );
}
