//! Rules that span accounts: every environment in a wave, one account id per account, no
//! two account networks overlapping.

use super::cidr::Cidr;
use super::diagnostic::Pos;
use super::fields::Problems;
use super::model::{Account, Wave};

pub fn check(problems: &mut Problems, waves: &[Wave], accounts: &[Account]) {
    for account in accounts.iter() {
        if !waves
            .iter()
            .any(|w| w.environments.contains(&account.environment))
        {
            let names: Vec<&str> = waves.iter().map(|w| w.name.as_str()).collect();
            problems.add(
                Pos {
                    line: account.line,
                    col: 7,
                },
                format!(
                    "environment `{}` of {} is in no wave",
                    account.environment, account.name
                ),
                format!(
                    "add `{}` to one wave's environments (waves: {})",
                    account.environment,
                    names.join(", ")
                ),
            );
        }
    }
    for (i, account) in accounts.iter().enumerate() {
        if let Some(first) = accounts[..i]
            .iter()
            .find(|a| a.account_id == account.account_id)
        {
            problems.add(
                Pos {
                    line: account.line,
                    col: 7,
                },
                format!(
                    "account_id {} of {} is also used by {} (line {})",
                    account.account_id, account.name, first.name, first.line
                ),
                "every account needs its own AWS account id",
            );
        }
    }
    let networks: Vec<(usize, Cidr)> = accounts
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some((i, Cidr::parse(a.network_cidr.as_deref()?)?)))
        .collect();
    for (n, (i, cidr)) in networks.iter().enumerate() {
        if let Some((j, other)) = networks[..n].iter().find(|(_, other)| other.overlaps(cidr)) {
            let (a, b) = (&accounts[*i], &accounts[*j]);
            let what = if cidr == other {
                "is the same as"
            } else {
                "overlaps"
            };
            problems.add(
                Pos {
                    line: a.line,
                    col: 7,
                },
                format!(
                    "network.cidr {cidr} of {} {what} {other} of {} (line {})",
                    a.name, b.name, b.line
                ),
                "give every account its own block (`orchestrator domain add` picks a free one)",
            );
        }
    }
}
