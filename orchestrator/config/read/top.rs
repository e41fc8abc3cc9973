//! The top level of domains.yaml: reads every section and resolves them into [`Config`].

use std::path::Path;

use super::super::diagnostic::Pos;
use super::super::fields::{self, Fields, Problems};
use super::super::model::{Account, Config, StackSupport, Wave};
use super::super::rules;
use super::super::yaml::{Node, NodeKind};
use super::defaults::{read_defaults, read_execution};
use super::domain::{read_domain, DomainAccounts};
use super::health_check::read_health_checks;
use super::keys::{DEFAULTS, TOP};
use super::network::read_network_pool;
use super::stacks::{check_state_template, read_stacks};
use super::state::read_state;
use super::vending::read_account_vending;
use super::waves::{default_waves, read_waves};

/// `domains` is the value of the root's `domains:` key, taken out of the tree by
/// [`take_domains`] so that each domain's part of the tree is freed once it is read: a large
/// organisation's tree and its accounts then never take memory at the same time.
pub(crate) fn read(
    path: &Path,
    root: Option<&Node>,
    domains: Option<Node>,
    problems: &mut Problems,
    checks: crate::config::Checks,
) -> Option<Config> {
    let Some(root) = root.filter(|r| !r.is_null()) else {
        problems.add(
            Pos { line: 1, col: 1 },
            "the file is empty",
            "start from the example in the README: `version: 1`, `defaults:`, `waves:` and `domains:`",
        );
        return None;
    };
    if !matches!(root.kind, NodeKind::Map(_)) {
        problems.add(
            root.pos,
            format!(
                "the top level must be a mapping, found {}",
                root.kind_name()
            ),
            "write `version: 1`, `defaults:`, `waves:` and `domains:` at the start of lines",
        );
        return None;
    }
    let top = Fields::read(problems, root, "the top level", TOP)?;
    match top.required(problems, "version", "1") {
        Some(v) if v.as_str() == Some("1") => {}
        Some(v) => problems.add(
            v.pos,
            format!(
                "unsupported version `{}`",
                v.as_str().unwrap_or(v.kind_name())
            ),
            "write `version: 1`",
        ),
        None => {}
    }
    let config_dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));

    let defaults_node = top.required(problems, "defaults", "{ region: us-east-1, state: ... }");
    let defaults_fields =
        defaults_node.and_then(|n| Fields::read(problems, n, "defaults", &DEFAULTS));
    let d = defaults_fields.as_ref();

    let layers_dir_name = d
        .and_then(|d| d.get("layers_dir"))
        .and_then(|n| fields::string(problems, n, "layers_dir"))
        .unwrap_or_else(|| "layers".into());
    let layers_dir = config_dir.join(&layers_dir_name);

    let defaults = read_defaults(
        problems,
        d,
        top.key("defaults").map(|k| k.pos),
        &layers_dir,
        checks.layer_contents,
    );
    let state_pos = d.and_then(|d| d.get("state")).map(|n| n.pos);
    let state = d
        .and_then(|d| {
            d.required(
                problems,
                "state",
                "{ backend: s3, bucket: ..., region: ..., key: \"{layer}/{account}.tfstate\" }",
            )
        })
        .and_then(|n| read_state(problems, n));
    let execution = read_execution(problems, d);
    let network = d
        .and_then(|d| d.get("network"))
        .and_then(|n| read_network_pool(problems, n, &defaults.layers));
    let health_checks = d
        .and_then(|d| d.get("health_check"))
        .map(|n| read_health_checks(problems, n, &defaults.layers))
        .unwrap_or_default();
    let oidc_role_arn = d
        .and_then(|d| d.get("oidc_role_arn"))
        .and_then(|n| fields::string(problems, n, "oidc_role_arn"));
    let account_vending = d
        .and_then(|d| d.get("account_vending"))
        .and_then(|n| read_account_vending(problems, n, &layers_dir, checks.layer_contents));

    let stacks = stacks_section(problems, &top, d, &defaults.layers);
    if let Some((pos, _)) = &stacks {
        let state_node = d.and_then(|d| d.get("state"));
        check_state_template(problems, state_node, state.as_ref(), *pos);
    }
    let stacks = stacks.map(|(_, s)| s);

    let domain_nodes = domain_list(problems, &top, domains);
    let mut found = DomainAccounts::default();
    // Sized once: with tens of thousands of accounts, growing by doubling would leave a
    // third of the biggest allocation unused.
    let expected: usize = domain_nodes.iter().map(environment_count).sum();
    found.accounts.reserve_exact(expected);
    found.spans.reserve_exact(expected);
    for node in domain_nodes {
        read_domain(problems, &node, &defaults, &mut found);
    }
    let DomainAccounts {
        domains,
        mut accounts,
        spans,
        without_region,
        ..
    } = found;
    if let Some((pos, first)) = without_region.first() {
        let more = match without_region.len() {
            1 => String::new(),
            2 => " and 1 more account".to_string(),
            n => format!(" and {} more accounts", n - 1),
        };
        problems.add(
            *pos,
            format!("no region for {first}{more}"),
            "set `defaults.region`, or a `region` on each environment",
        );
    }

    let waves = match top.get("waves") {
        Some(n) => read_waves(problems, n),
        None => default_waves(&accounts),
    };
    let state_at = state
        .as_ref()
        .zip(state_pos)
        .map(|(backend, pos)| rules::StateAt { backend, pos });
    rules::check(problems, &waves, &accounts, &spans, state_at);
    drop(spans);
    deploy_order(&mut accounts, &waves);

    let state = state?;
    Some(Config {
        path: path.to_path_buf(),
        root: config_dir.to_path_buf(),
        layers_dir,
        layers: defaults.layers,
        state,
        waves,
        domains,
        accounts,
        execution,
        health_checks,
        network,
        oidc_role_arn,
        account_vending,
        stacks,
    })
}

/// `stacks:` at the top level or under `defaults:` (both read the same; not both at once).
fn stacks_section(
    problems: &mut Problems,
    top: &Fields<'_>,
    defaults: Option<&Fields<'_>>,
    layers: &[String],
) -> Option<(Pos, StackSupport)> {
    let at_top = top.get("stacks");
    let in_defaults = defaults.and_then(|d| d.get("stacks"));
    if let (Some(first), Some(second)) = (at_top, in_defaults) {
        problems.add(
            second.pos.max(first.pos),
            format!(
                "`stacks` is set twice (lines {} and {})",
                first.pos.line.min(second.pos.line),
                first.pos.line.max(second.pos.line)
            ),
            "keep one `stacks:` entry, under `defaults:`",
        );
        return None;
    }
    let node = at_top.or(in_defaults)?;
    read_stacks(problems, node, layers).map(|s| (node.pos, s))
}

/// How many environments a domain entry lists (before any is checked).
fn environment_count(domain: &Node) -> usize {
    let NodeKind::Map(fields) = &domain.kind else {
        return 0;
    };
    let envs = fields
        .iter()
        .find(|(k, _)| k.as_str() == Some("environments"));
    match envs.map(|(_, v)| &v.kind) {
        Some(NodeKind::Map(envs)) => envs.len(),
        _ => 0,
    }
}

/// Takes the value of the root's `domains:` key out of the tree, leaving `~` in its place.
pub(crate) fn take_domains(root: &mut Node) -> Option<Node> {
    let NodeKind::Map(entries) = &mut root.kind else {
        return None;
    };
    let (_, value) = entries
        .iter_mut()
        .find(|(k, _)| k.as_str() == Some("domains"))?;
    let placeholder = Node {
        pos: value.pos,
        kind: NodeKind::Scalar {
            value: "~".into(),
            quoted: false,
        },
    };
    Some(std::mem::replace(value, placeholder))
}

/// The entries of `domains:`; an empty or missing list is a problem of its own.
fn domain_list(problems: &mut Problems, top: &Fields<'_>, domains: Option<Node>) -> Vec<Node> {
    let Some(key) = top.key("domains") else {
        problems.add(
            top.node.pos,
            "missing required field `domains` in the top level",
            "add `domains:` with a `- name: ...` entry per domain",
        );
        return Vec::new();
    };
    let node = match domains {
        Some(node) if !node.is_null() => node,
        _ => {
            problems.add(
                key.pos,
                "no domains are listed",
                "add at least one domain under `domains:`",
            );
            return Vec::new();
        }
    };
    match node.kind {
        NodeKind::Seq(items) if items.is_empty() => {
            problems.add(
                node.pos,
                "no domains are listed",
                "add at least one domain under `domains:`",
            );
            Vec::new()
        }
        NodeKind::Seq(items) => items.into_vec(),
        _ => {
            problems.add(
                node.pos,
                format!("domains must be a list, found {}", node.kind_name()),
                "write each domain as a `- name: ...` entry",
            );
            Vec::new()
        }
    }
}

/// Domains in file order, then environments in wave order; each account learns its wave.
fn deploy_order(accounts: &mut [Account], waves: &[Wave]) {
    // A handful of environments: a linear scan beats hashing 30,000 names.
    let rank: Vec<(&str, (usize, usize), &str)> = waves
        .iter()
        .enumerate()
        .flat_map(|(wi, w)| {
            w.environments
                .iter()
                .enumerate()
                .map(move |(ei, e)| (e.as_str(), (wi, ei), w.name.as_str()))
        })
        .collect();
    let rank_of = |env: &str| rank.iter().find(|(e, _, _)| *e == env);
    for account in accounts.iter_mut() {
        if let Some((_, _, wave)) = rank_of(&account.environment) {
            account.wave = wave.to_string();
        }
    }
    // A domain's accounts are contiguous and domains arrive in file order, so sorting each
    // domain's run by wave rank is the whole job (in place: accounts are most of the memory).
    for run in accounts.chunk_by_mut(|a, b| a.domain == b.domain) {
        run.sort_by_key(|a| rank_of(&a.environment).map_or((usize::MAX, usize::MAX), |r| r.1));
    }
}
