//! One entry of `domains:` and the accounts its environments declare.

use std::collections::HashMap;

use super::super::cidr::Cidr;
use super::super::diagnostic::Pos;
use super::super::fields::{self, Fields, Problems};
use super::super::model::{Account, Domain};
use super::super::names;
use super::super::rules::AccountSpans;
use super::super::yaml::{Node, NodeKind};
use super::defaults::Defaults;
use super::inherited::{account_with, Inherited, Level};
use super::keys::{ACCOUNT, ACCOUNT_NETWORK, DOMAIN};
use super::values::account_id;

/// What the domains read so far hold; `spans` runs parallel to `accounts`.
#[derive(Default)]
pub(super) struct DomainAccounts {
    pub domains: Vec<Domain>,
    /// Domain name -> the line it is first named on.
    pub names: HashMap<String, usize>,
    pub accounts: Vec<Account>,
    pub spans: Vec<AccountSpans>,
    /// Accounts with no region of their own while `defaults.region` is unset (reported once).
    pub without_region: Vec<(Pos, String)>,
}

/// What a domain entry gives each of its accounts: its layers, and the inherited fields
/// with its own applied over `defaults`.
struct FromDomain {
    layers: Vec<String>,
    inherited: Inherited,
}

pub(super) fn read_domain(
    problems: &mut Problems,
    node: &Node,
    defaults: &Defaults,
    found: &mut DomainAccounts,
) {
    // Messages name the domain when its name can be read at all.
    let what = match peek_name(node) {
        Some(name) => format!("domain `{name}`"),
        None => "a domain".to_string(),
    };
    let Some(f) = Fields::read(problems, node, what.clone(), &DOMAIN) else {
        return;
    };
    let name_node = f.required(problems, "name", "catalog");
    let name = name_node
        .and_then(|n| fields::string(problems, n, "domain name"))
        .zip(name_node);
    let name = name.and_then(|(name, n)| {
        if let Err(why) = names::check_domain_name(&name) {
            problems.add(
                n.pos,
                format!("invalid domain name `{name}`: {why}"),
                names::NAME_RULE,
            );
            None
        } else if let Some(first) = found.names.get(&name) {
            problems.add(
                n.pos,
                format!("domain `{name}` is listed twice (first at line {first})"),
                "each domain is listed once: merge the two entries",
            );
            None
        } else {
            found.names.insert(name.clone(), n.pos.line());
            Some(name)
        }
    });
    // The suggestion names this domain's own team (`team: payments`), not another's.
    let example_team = peek_name(node).map_or_else(|| "<team>".to_string(), |n| n.to_string());
    let team = f
        .required(problems, "team", &example_team)
        .and_then(|n| fields::string(problems, n, "team"));
    let slack_channel = f.get("slack_channel").and_then(|n| {
        let c = fields::string(problems, n, "slack_channel")?;
        if !c.starts_with('#') || c.len() < 2 || c.contains(char::is_whitespace) {
            problems.add(
                n.pos,
                format!("slack_channel `{c}` is not a channel name"),
                "write it like \"#catalog-deploys\" (quoted: # starts a YAML comment)",
            );
            return None;
        }
        Some(c)
    });
    let inherited = inherited(problems, &f, defaults);
    if let Some(name) = &name {
        found.domains.push(Domain {
            name: name.clone(),
            team: team.unwrap_or_default(),
            slack_channel,
        });
    }

    let Some(envs_node) = f.required(
        problems,
        "environments",
        "{ dev: { account_id: \"111111111111\" } }",
    ) else {
        return;
    };
    let envs_what = format!("the environments of {what}");
    let Some(envs) = Fields::read(problems, envs_node, envs_what, &[]) else {
        return;
    };
    if envs.entries().next().is_none() {
        problems.add(
            envs_node.pos,
            format!("{what} has no environments"),
            "add at least one, e.g. `dev: { account_id: \"111111111111\" }`",
        );
    }
    for (env_key, env_node) in envs.entries() {
        let Some(env) = env_key.as_str() else {
            continue;
        };
        if !names::is_valid_name(env) {
            problems.add(
                env_key.pos,
                format!("invalid environment name `{env}`"),
                names::NAME_RULE,
            );
            continue;
        }
        if defaults.inherited.region.is_none() && !has_region(env_node) {
            let account = match &name {
                Some(domain) => format!("{domain}-{env}"),
                None => format!("environment `{env}`"),
            };
            found.without_region.push((env_key.pos, account));
        }
        let account = read_account(problems, env_key, env_node, defaults, &inherited);
        if let (Some(domain), Some((mut account, spans))) = (&name, account) {
            account.name = format!("{domain}-{env}");
            account.domain = domain.clone();
            found.accounts.push(account);
            found.spans.push(spans);
        }
    }
}

/// The `name:` scalar of a domain entry, if it has one, before anything is checked.
fn peek_name(node: &Node) -> Option<&str> {
    let NodeKind::Map(entries) = &node.kind else {
        return None;
    };
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some("name"))
        .and_then(|(_, v)| v.as_str())
        .filter(|name| !name.is_empty())
}

fn has_region(env_node: &Node) -> bool {
    matches!(&env_node.kind, NodeKind::Map(entries)
        if entries.iter().any(|(k, _)| k.as_str() == Some("region")))
}

fn inherited(problems: &mut Problems, f: &Fields<'_>, defaults: &Defaults) -> FromDomain {
    let layers = match f.get("layers") {
        Some(n) => {
            let list = fields::string_list(problems, n, "domain layers").unwrap_or_default();
            let mut chosen = Vec::new();
            for (layer, pos) in list {
                if !defaults.layers.contains(&layer) {
                    problems.add(
                        pos,
                        format!("unknown layer `{layer}`"),
                        format!(
                            "a domain may use a subset of defaults.layers: {}",
                            defaults.layers.join(", ")
                        ),
                    );
                } else {
                    chosen.push(layer);
                }
            }
            // Apply order always follows defaults.layers.
            defaults
                .layers
                .iter()
                .filter(|l| chosen.contains(l))
                .cloned()
                .collect()
        }
        None => defaults.layers.clone(),
    };
    FromDomain {
        layers,
        inherited: defaults.inherited.clone().apply(Inherited::read(
            problems,
            f,
            Level::Domain,
            &defaults.layers,
            &defaults.shared,
        )),
    }
}

/// One environment of a domain: an account, still without its name and domain.
fn read_account(
    problems: &mut Problems,
    env_key: &Node,
    env_node: &Node,
    defaults: &Defaults,
    domain: &FromDomain,
) -> Option<(Account, AccountSpans)> {
    let env = env_key.as_str().unwrap_or_default();
    let a = Fields::read(problems, env_node, format!("environment `{env}`"), &ACCOUNT)?;
    // With account vending, a missing id is filled in from what `orchestrator vend` recorded.
    let (id_node, id) = if defaults.vends_accounts {
        let node = a.get("account_id");
        (
            node,
            node.map_or(Some(String::new()), |n| account_id(problems, n)),
        )
    } else {
        let node = a.required(problems, "account_id", "\"123456789012\"");
        (node, node.and_then(|n| account_id(problems, n)))
    };
    let own = Inherited::read(
        problems,
        &a,
        Level::Environment,
        &defaults.layers,
        &defaults.shared,
    );
    // An environment's own region that is not valid drops the account (its problem is
    // reported) rather than falling back to the inherited one; so does no region at all.
    let own_region_invalid = a.get("region").is_some() && own.region.is_none();
    let inherited = domain.inherited.clone().apply(own).resolved();
    let cidr = a.get("network").and_then(|n| network_cidr(problems, n));
    let spans = AccountSpans {
        environment: env_key.pos,
        account_id: id_node.map_or(env_key.pos, |n| n.pos),
        network_cidr: cidr.as_ref().map(|(_, pos)| *pos),
    };
    if own_region_invalid || inherited.region.is_empty() {
        return None;
    }
    let account = account_with!(inherited, {
        name: String::new(),
        domain: String::new(),
        environment: env.to_string(),
        wave: String::new(),
        account_id: id?,
        session_duration: defaults.session_duration,
        layers: domain.layers.clone(),
        network_cidr: cidr.map(|(text, _)| text),
        line: env_key.pos.line(),
    });
    Some((account, spans))
}

/// `network: { cidr: 10.1.0.0/16 }`: the account's VPC block, with where it is written.
fn network_cidr(problems: &mut Problems, node: &Node) -> Option<(String, Pos)> {
    let nf = Fields::read(problems, node, "network", ACCOUNT_NETWORK)?;
    let cidr_node = nf.required(problems, "cidr", "10.1.0.0/16")?;
    let text = fields::string(problems, cidr_node, "network.cidr")?;
    match Cidr::parse(&text) {
        Some(c) if c.to_string() == text => Some((text, cidr_node.pos)),
        Some(c) => {
            problems.add(
                cidr_node.pos,
                format!("network.cidr `{text}` has host bits set"),
                format!("write the network address: {c}"),
            );
            None
        }
        None => {
            problems.add(
                cidr_node.pos,
                format!("network.cidr `{text}` is not an IPv4 CIDR"),
                "write it like 10.1.0.0/16",
            );
            None
        }
    }
}
