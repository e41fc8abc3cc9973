//! Rules that span accounts: every environment in a wave, one account id per account, no
//! two account networks overlapping. Each check is a hash lookup or a sort, so a config of
//! tens of thousands of accounts validates in milliseconds.

use std::collections::HashMap;

use super::cidr::Cidr;
use super::diagnostic::Pos;
use super::fields::Problems;
use super::model::{Account, StateBackend, Wave};

/// Where an account's parts are written, for messages (parallel to the accounts list).
#[derive(Debug, Clone, Copy)]
pub(super) struct AccountSpans {
    /// The environment's key (`dev:`).
    pub environment: Pos,
    pub account_id: Pos,
    pub network_cidr: Option<Pos>,
}

/// `defaults.state` and where it is written, when it could be read.
pub(super) struct StateAt<'a> {
    pub backend: &'a StateBackend,
    pub pos: Pos,
}

pub(super) fn check(
    problems: &mut Problems,
    waves: &[Wave],
    accounts: &[Account],
    spans: &[AccountSpans],
    state: Option<StateAt<'_>>,
) {
    environments_in_waves(problems, waves, accounts, spans);
    let named = unique_account_names(problems, accounts, spans);
    if let Some(state) = state {
        unique_state_locations(problems, &state, accounts, spans, &named);
    }
    unique_account_ids(problems, accounts, spans);
    disjoint_networks(problems, accounts, spans);
}

/// `line:col`, for the second location of a message (the first is the message's own).
fn at(pos: Pos) -> String {
    format!("{}:{}", pos.line, pos.col)
}

/// An account's name is `<domain>-<environment>`, so domain `foo` with environment
/// `dev-stage` and domain `foo-dev` with environment `stage` are both `foo-dev-stage`: they
/// would share state, data dir and logs, and one apply would rewrite the other's resources.
/// Returns whether each account's name is its own (the state check skips the others, already
/// reported here).
fn unique_account_names(
    problems: &mut Problems,
    accounts: &[Account],
    spans: &[AccountSpans],
) -> Vec<bool> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(accounts.len());
    let mut own = vec![true; accounts.len()];
    for (i, account) in accounts.iter().enumerate() {
        match first.get(account.name.as_str()) {
            Some(&j) => {
                own[i] = false;
                own[j] = false;
                let other = &accounts[j];
                problems.add(
                    spans[i].environment,
                    format!(
                        "account name `{}` (domain {}, environment {}) is also the name of \
                         domain {}, environment {} at {}: they would share state, data dir and logs",
                        account.name,
                        account.domain,
                        account.environment,
                        other.domain,
                        other.environment,
                        at(spans[j].environment)
                    ),
                    "rename a domain or an environment so that every `<domain>-<environment>` is unique",
                );
            }
            None => {
                first.insert(&account.name, i);
            }
        }
    }
    own
}

/// Two (account, layer) pairs whose state template renders to the same place would write one
/// state file: a template without `{layer}`, or placeholders that run into each other
/// (`{account}{layer}`: `foo-dev` + `static` and `foo-devs` + `tatic`).
fn unique_state_locations(
    problems: &mut Problems,
    state: &StateAt<'_>,
    accounts: &[Account],
    spans: &[AccountSpans],
    own_name: &[bool],
) {
    let total: usize = accounts.iter().map(|a| a.layers.len()).sum();
    let mut first: HashMap<String, (usize, &str)> = HashMap::with_capacity(total);
    let mut reported = 0;
    for (i, account) in accounts.iter().enumerate() {
        if !own_name[i] {
            continue;
        }
        for layer in &account.layers {
            let location = state.backend.location(account, layer, None);
            match first.get(&location) {
                Some(&(j, other_layer)) => {
                    // One template mistake collides for every account: say it a few times,
                    // not thirty thousand.
                    reported += 1;
                    if reported > 3 {
                        continue;
                    }
                    problems.add(
                        spans[i].environment,
                        format!(
                            "the state of {} layer {layer} would be `{location}`, which is also \
                             the state of {} layer {other_layer} (at {}; state template at {})",
                            account.name,
                            accounts[j].name,
                            at(spans[j].environment),
                            at(state.pos)
                        ),
                        "include `{account}` and `{layer}` in defaults.state, separated (e.g. \
                         `{layer}/{account}.tfstate`), so every account and layer has its own state",
                    );
                }
                None => {
                    first.insert(location, (i, layer));
                }
            }
        }
    }
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
