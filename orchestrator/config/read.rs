//! Reads the YAML tree of `domains.yaml` into a resolved [`Config`], recording every
//! problem on the way. Cross-account rules live in `rules.rs`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::diagnostic::Pos;
use super::fields::{self, Fields, Problems};
use super::model::*;
use super::names;
use super::yaml::{Node, NodeKind};

const TOP: &[&str] = &["version", "defaults", "waves", "domains"];
const DEFAULTS: &[&str] = &[
    "region",
    "role_name",
    "external_id",
    "session_duration",
    "credentials",
    "layers",
    "layers_dir",
    "state",
    "timeout",
    "lock_timeout",
    "retries",
    "grace_period",
    "vars",
    "layer_vars",
    "network",
    "health_check",
    "oidc_role_arn",
];
const WAVE: &[&str] = &["name", "environments", "failure_tolerance"];
const DOMAIN: &[&str] = &[
    "name",
    "team",
    "slack_channel",
    "role_name",
    "external_id",
    "layers",
    "vars",
    "layer_vars",
    "environments",
];
const ACCOUNT: &[&str] = &[
    "account_id",
    "region",
    "role_name",
    "external_id",
    "credentials",
    "vars",
    "layer_vars",
    "network",
];
const S3_STATE: &[&str] = &["backend", "bucket", "region", "key"];
const LOCAL_STATE: &[&str] = &["backend", "path"];
const NETWORK_POOL: &[&str] = &["pool", "prefix", "layer"];
const HEALTH_CHECK: &[&str] = &["layer", "output", "expect_status", "timeout"];

pub const DEFAULT_LAYERS: [&str; 3] = ["platform", "static", "dynamic"];

/// What `defaults:` resolves to, before domains and accounts override it.
struct Defaults {
    region: Option<String>,
    role_name: String,
    external_id: Option<String>,
    session_duration: Duration,
    credentials: CredentialsMode,
    layers: Vec<String>,
    vars: Vars,
    layer_vars: BTreeMap<String, Vars>,
}

pub fn read(path: &Path, root: Option<&Node>, problems: &mut Problems) -> Option<Config> {
    let Some(root) = root.filter(|r| !r.is_null()) else {
        problems.add(
            Pos { line: 1, col: 1 },
            "the file is empty",
            "start from the example in the README: `version: 1`, `defaults:`, `waves:` and `domains:`",
        );
        return None;
    };
    let top = Fields::read(problems, root, "the top level", TOP)?;
    match top.required(problems, "version", "1") {
        Some(v) if v.as_str() == Some("1") => {}
        Some(v) => problems.add(
            v.pos,
            format!("unsupported version `{}`", v.as_str().unwrap_or("?")),
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
        defaults_node.and_then(|n| Fields::read(problems, n, "defaults", DEFAULTS));
    let d = defaults_fields.as_ref();

    let layers_dir_name = d
        .and_then(|d| d.get("layers_dir"))
        .and_then(|n| fields::string(problems, n, "layers_dir"))
        .unwrap_or_else(|| "layers".into());
    let layers_dir = config_dir.join(&layers_dir_name);

    let defaults = read_defaults(problems, d, &layers_dir);
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

    let domains_node = top.required(
        problems,
        "domains",
        "[ { name: catalog, team: catalog, environments: {...} } ]",
    );
    let domain_nodes: Vec<&Node> = match domains_node.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) if items.is_empty() => {
            problems.add(
                domains_node.unwrap().pos,
                "no domains are listed",
                "add at least one domain under `domains:`",
            );
            Vec::new()
        }
        Some(NodeKind::Seq(items)) => items.iter().collect(),
        Some(_) => {
            let n = domains_node.unwrap();
            problems.add(
                n.pos,
                format!("domains must be a list, found {}", n.kind_name()),
                "write each domain as a `- name: ...` entry",
            );
            Vec::new()
        }
        None => Vec::new(),
    };

    let mut domains = Vec::new();
    let mut accounts = Vec::new();
    for node in domain_nodes {
        read_domain(problems, node, &defaults, &mut domains, &mut accounts);
    }

    let waves = match top.get("waves") {
        Some(n) => read_waves(problems, n),
        None => default_waves(&accounts),
    };
    super::rules::check(problems, &waves, &accounts);
    // Deploy order: wave by wave, then domains in file order, then environments in wave order.
    let wave_rank = |a: &Account| {
        waves
            .iter()
            .enumerate()
            .flat_map(|(wi, w)| {
                w.environments
                    .iter()
                    .enumerate()
                    .map(move |(ei, e)| (wi, ei, e))
            })
            .find(|(_, _, e)| **e == a.environment)
            .map(|(wi, ei, _)| (wi, ei))
            .unwrap_or((usize::MAX, usize::MAX))
    };
    let domain_rank = |a: &Account| {
        domains
            .iter()
            .position(|d: &Domain| d.name == a.domain)
            .unwrap_or(usize::MAX)
    };
    accounts.sort_by_key(|a| (domain_rank(a), wave_rank(a)));
    for account in &mut accounts {
        if let Some(wave) = waves
            .iter()
            .find(|w| w.environments.contains(&account.environment))
        {
            account.wave = wave.name.clone();
        }
    }

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
    })
}

fn read_defaults(problems: &mut Problems, d: Option<&Fields<'_>>, layers_dir: &Path) -> Defaults {
    let get = |key: &str| d.and_then(|d| d.get(key));
    let region = get("region").and_then(|n| region(problems, n));
    let role_name = get("role_name")
        .and_then(|n| role_name(problems, n))
        .unwrap_or_else(|| "OrganizationAccountAccessRole".into());
    let external_id = get("external_id").and_then(|n| external_id(problems, n));
    let session_duration = get("session_duration")
        .and_then(|n| {
            let dur = fields::duration(problems, n, "session_duration")?;
            if !(900..=43_200).contains(&dur.as_secs()) {
                problems.add(
                    n.pos,
                    "session_duration must be between 15m and 12h",
                    "STS accepts 900 to 43200 seconds; 1h is usual",
                );
                return None;
            }
            Some(dur)
        })
        .unwrap_or(Duration::from_secs(3600));
    let credentials = get("credentials")
        .and_then(|n| credentials(problems, n))
        .unwrap_or(CredentialsMode::AssumeRole);
    let layers = match get("layers") {
        Some(n) => layer_list(problems, n, layers_dir),
        None => {
            let defaults: Vec<String> = DEFAULT_LAYERS.iter().map(|s| s.to_string()).collect();
            for layer in &defaults {
                if !layers_dir.join(layer).is_dir() {
                    let pos = d.map(|d| d.node.pos).unwrap_or_default();
                    problems.add(
                        pos,
                        format!("unknown layer `{layer}`: no directory {}", layers_dir.join(layer).display()),
                        "create the layer directory or list the layers you have in `defaults.layers`",
                    );
                }
            }
            defaults
        }
    };
    let vars = get("vars")
        .map(|n| fields::vars(problems, n, "defaults.vars"))
        .unwrap_or_default();
    let layer_vars = get("layer_vars")
        .map(|n| layer_vars(problems, n, &layers))
        .unwrap_or_default();
    Defaults {
        region,
        role_name,
        external_id,
        session_duration,
        credentials,
        layers,
        vars,
        layer_vars,
    }
}

fn read_execution(problems: &mut Problems, d: Option<&Fields<'_>>) -> Execution {
    let mut execution = Execution::default();
    let Some(d) = d else { return execution };
    if let Some(t) = d
        .get("timeout")
        .and_then(|n| fields::duration(problems, n, "timeout"))
    {
        execution.job_timeout = t;
    }
    if let Some(t) = d
        .get("lock_timeout")
        .and_then(|n| fields::duration(problems, n, "lock_timeout"))
    {
        execution.lock_timeout = t;
    }
    if let Some(t) = d
        .get("grace_period")
        .and_then(|n| fields::duration(problems, n, "grace_period"))
    {
        execution.grace_period = t;
    }
    if let Some(n) = d.get("retries") {
        match fields::integer(problems, n, "retries") {
            Some(r) if (0..=10).contains(&r) => execution.retries = r as u32,
            Some(_) => problems.add(
                n.pos,
                "retries must be between 0 and 10",
                "retries counts extra attempts after a transient failure; 2 is usual",
            ),
            None => {}
        }
    }
    execution
}

fn read_state(problems: &mut Problems, node: &Node) -> Option<StateBackend> {
    let probe = Fields::read(problems, node, "defaults.state", &[])?;
    let backend_node = probe.required(problems, "backend", "s3")?;
    let backend = fields::string(problems, backend_node, "state.backend")?;
    match backend.as_str() {
        "s3" => {
            let f = Fields::read(&mut Problems::default(), node, "defaults.state", S3_STATE)?;
            report_unknown(problems, node, S3_STATE, "defaults.state (backend s3)");
            let bucket = f
                .required(problems, "bucket", "acme-tfstate")
                .and_then(|n| fields::string(problems, n, "state.bucket"));
            let region_value = f
                .required(problems, "region", "us-east-1")
                .and_then(|n| region(problems, n));
            let key = f
                .required(problems, "key", "\"{layer}/{account}.tfstate\"")
                .and_then(|n| template(problems, n, "state.key"));
            Some(StateBackend::S3 {
                bucket: bucket?,
                region: region_value?,
                key: key?,
            })
        }
        "local" => {
            let f = Fields::read(
                &mut Problems::default(),
                node,
                "defaults.state",
                LOCAL_STATE,
            )?;
            report_unknown(
                problems,
                node,
                LOCAL_STATE,
                "defaults.state (backend local)",
            );
            let path = f
                .required(
                    problems,
                    "path",
                    "\".orchestrator/state/{layer}/{account}.tfstate\"",
                )
                .and_then(|n| template(problems, n, "state.path"));
            Some(StateBackend::Local { path: path? })
        }
        other => {
            problems.add(
                backend_node.pos,
                format!("unknown state backend `{other}`"),
                "use `s3` (with a bucket) or `local` (sandbox only)",
            );
            None
        }
    }
}

/// Unknown keys depend on the backend, so they are checked once the backend is known.
fn report_unknown(problems: &mut Problems, node: &Node, known: &[&str], what: &str) {
    let mut scratch = Problems::default();
    Fields::read(&mut scratch, node, what, known);
    problems.0.extend(
        scratch
            .0
            .into_iter()
            .filter(|d| d.message.starts_with("unknown field")),
    );
}

fn template(problems: &mut Problems, node: &Node, what: &str) -> Option<String> {
    let t = fields::string(problems, node, what)?;
    if !t.contains("{account}") {
        problems.add(
            node.pos,
            format!("{what} `{t}` does not contain `{{account}}`"),
            "every account needs its own state: include `{account}` (and `{layer}`) in the template",
        );
        return None;
    }
    if let Some(bad) = unknown_placeholder(&t) {
        problems.add(
            node.pos,
            format!("{what} has an unknown placeholder `{{{bad}}}`"),
            "use only {account}, {layer}, {domain}, {environment}, {account_id}, {region}",
        );
        return None;
    }
    Some(t)
}

fn unknown_placeholder(t: &str) -> Option<String> {
    const KNOWN: &[&str] = &[
        "account",
        "layer",
        "domain",
        "environment",
        "account_id",
        "region",
    ];
    let mut rest = t;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after.find('}')?;
        let name = &after[..end];
        if !KNOWN.contains(&name) {
            return Some(name.to_string());
        }
        rest = &after[end + 1..];
    }
    None
}

fn read_network_pool(
    problems: &mut Problems,
    node: &Node,
    layers: &[String],
) -> Option<NetworkPool> {
    let f = Fields::read(problems, node, "defaults.network", NETWORK_POOL)?;
    let pool = f.get("pool").and_then(|n| {
        let text = fields::string(problems, n, "network.pool")?;
        if super::cidr::Cidr::parse(&text).is_none() {
            problems.add(
                n.pos,
                format!("network.pool `{text}` is not an IPv4 CIDR"),
                "write it like 10.0.0.0/8",
            );
            return None;
        }
        Some(text)
    });
    let prefix = match f.get("prefix") {
        Some(n) => match fields::integer(problems, n, "network.prefix") {
            Some(p) if (8..=28).contains(&p) => p as u8,
            Some(_) => {
                problems.add(
                    n.pos,
                    "network.prefix must be between 8 and 28",
                    "a /16 per account is usual",
                );
                16
            }
            None => 16,
        },
        None => 16,
    };
    let layer = match f.get("layer") {
        Some(n) => fields::string(problems, n, "network.layer").filter(|l| {
            let known = layers.contains(l);
            if !known {
                problems.add(
                    n.pos,
                    format!("network.layer `{l}` is not one of the layers"),
                    format!("use one of: {}", layers.join(", ")),
                );
            }
            known
        })?,
        None => "platform".to_string(),
    };
    Some(NetworkPool {
        pool,
        prefix,
        layer,
    })
}

fn read_health_checks(problems: &mut Problems, node: &Node, layers: &[String]) -> Vec<HealthCheck> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    items
        .into_iter()
        .filter_map(|n| {
            let f = Fields::read(problems, n, "health_check", HEALTH_CHECK)?;
            let layer_node = f.required(problems, "layer", "dynamic")?;
            let layer = fields::string(problems, layer_node, "health_check.layer")?;
            if !layers.contains(&layer) {
                problems.add(
                    layer_node.pos,
                    format!("health_check.layer `{layer}` is not one of the layers"),
                    format!("use one of: {}", layers.join(", ")),
                );
                return None;
            }
            let output = f
                .required(problems, "output", "health_url")
                .and_then(|n| fields::string(problems, n, "health_check.output"))?;
            let expect_status = match f.get("expect_status") {
                Some(n) => match fields::integer(problems, n, "health_check.expect_status") {
                    Some(s) if (100..=599).contains(&s) => s as u16,
                    Some(_) => {
                        problems.add(
                            n.pos,
                            "expect_status must be an HTTP status",
                            "write a status such as 200",
                        );
                        return None;
                    }
                    None => return None,
                },
                None => 200,
            };
            let timeout = f
                .get("timeout")
                .and_then(|n| fields::duration(problems, n, "health_check.timeout"))
                .unwrap_or(Duration::from_secs(60));
            Some(HealthCheck {
                layer,
                output,
                expect_status,
                timeout,
            })
        })
        .collect()
}

fn read_waves(problems: &mut Problems, node: &Node) -> Vec<Wave> {
    let NodeKind::Seq(items) = &node.kind else {
        problems.add(
            node.pos,
            format!("waves must be a list, found {}", node.kind_name()),
            "write each wave as `- { name: stage, environments: [dev, stage] }`",
        );
        return Vec::new();
    };
    let mut waves: Vec<Wave> = Vec::new();
    for item in items {
        let Some(f) = Fields::read(problems, item, "a wave", WAVE) else {
            continue;
        };
        let name_node = f.required(problems, "name", "stage");
        let name = name_node.and_then(|n| fields::string(problems, n, "wave name"));
        if let (Some(name), Some(n)) = (&name, name_node) {
            if !names::is_valid_name(name) {
                problems.add(
                    n.pos,
                    format!("invalid wave name `{name}`"),
                    names::NAME_RULE,
                );
            } else if waves.iter().any(|w| &w.name == name) {
                problems.add(
                    n.pos,
                    format!("duplicate wave `{name}`"),
                    "give every wave its own name",
                );
            }
        }
        let environments: Vec<String> = match f.required(problems, "environments", "[dev, stage]") {
            Some(n) => {
                let list =
                    fields::string_list(problems, n, "wave environments").unwrap_or_default();
                if list.is_empty() && matches!(n.kind, NodeKind::Seq(_)) {
                    problems.add(
                        n.pos,
                        format!(
                            "wave `{}` has no environments",
                            name.as_deref().unwrap_or("?")
                        ),
                        "list the environments this wave deploys, or remove the wave",
                    );
                }
                let mut envs = Vec::new();
                for (env, pos) in list {
                    if let Some(other) = waves.iter().find(|w| w.environments.contains(&env)) {
                        problems.add(
                            pos,
                            format!(
                                "environment `{env}` is in two waves (`{}` and `{}`)",
                                other.name,
                                name.as_deref().unwrap_or("?")
                            ),
                            "keep each environment in exactly one wave",
                        );
                    } else if envs.contains(&env) {
                        problems.add(
                            pos,
                            format!("environment `{env}` is listed twice"),
                            "list it once",
                        );
                    } else {
                        envs.push(env);
                    }
                }
                envs
            }
            None => Vec::new(),
        };
        let failure_tolerance = match f.get("failure_tolerance") {
            Some(n) => match fields::integer(problems, n, "failure_tolerance") {
                Some(t) if t >= 0 => t as u32,
                Some(t) => {
                    problems.add(
                        n.pos,
                        format!("failure_tolerance is negative ({t})"),
                        "use 0 (halt on the first failure) or a positive count",
                    );
                    0
                }
                None => 0,
            },
            None => 0,
        };
        if let Some(name) = name {
            waves.push(Wave {
                name,
                environments,
                failure_tolerance,
            });
        }
    }
    waves
}

/// DESIGN's default: wave `stage` holds every non-prod environment, then wave `prod`.
fn default_waves(accounts: &[Account]) -> Vec<Wave> {
    let mut non_prod: Vec<String> = Vec::new();
    let mut has_prod = false;
    for a in accounts {
        if a.environment == "prod" {
            has_prod = true;
        } else if !non_prod.contains(&a.environment) {
            non_prod.push(a.environment.clone());
        }
    }
    let mut waves = Vec::new();
    if !non_prod.is_empty() {
        waves.push(Wave {
            name: "stage".into(),
            environments: non_prod,
            failure_tolerance: 0,
        });
    }
    if has_prod {
        waves.push(Wave {
            name: "prod".into(),
            environments: vec!["prod".into()],
            failure_tolerance: 0,
        });
    }
    waves
}

fn read_domain(
    problems: &mut Problems,
    node: &Node,
    defaults: &Defaults,
    domains: &mut Vec<Domain>,
    accounts: &mut Vec<Account>,
) {
    let Some(f) = Fields::read(problems, node, "a domain", DOMAIN) else {
        return;
    };
    let name_node = f.required(problems, "name", "catalog");
    let name = name_node.and_then(|n| fields::string(problems, n, "domain name"));
    let mut name_ok = false;
    if let (Some(name), Some(n)) = (&name, name_node) {
        if let Err(why) = names::check_domain_name(name) {
            problems.add(
                n.pos,
                format!("invalid domain name `{name}`: {why}"),
                names::NAME_RULE,
            );
        } else if domains.iter().any(|d| &d.name == name) {
            problems.add(
                n.pos,
                format!("duplicate domain `{name}`"),
                "each domain is listed once; merge the two entries",
            );
        } else {
            name_ok = true;
        }
    }
    let team = f
        .required(problems, "team", "catalog")
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
    let role = f
        .get("role_name")
        .and_then(|n| role_name(problems, n))
        .unwrap_or_else(|| defaults.role_name.clone());
    let ext = f
        .get("external_id")
        .and_then(|n| external_id(problems, n))
        .or_else(|| defaults.external_id.clone());
    let mut vars = defaults.vars.clone();
    if let Some(n) = f.get("vars") {
        vars.extend(fields::vars(problems, n, "domain vars"));
    }
    let mut lvars = defaults.layer_vars.clone();
    if let Some(n) = f.get("layer_vars") {
        merge_layer_vars(&mut lvars, layer_vars(problems, n, &defaults.layers));
    }

    let envs_node = f.required(
        problems,
        "environments",
        "{ dev: { account_id: \"111111111111\" } }",
    );
    if let (Some(name), true) = (&name, name_ok) {
        domains.push(Domain {
            name: name.clone(),
            team: team.clone().unwrap_or_default(),
            slack_channel,
        });
    }
    let Some(envs_node) = envs_node else { return };
    let Some(envs) = Fields::read(problems, envs_node, "environments", &[]) else {
        return;
    };
    if envs.entries().next().is_none() {
        problems.add(
            envs_node.pos,
            "the domain has no environments",
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
        let Some(a) = Fields::read(problems, env_node, &format!("environment `{env}`"), ACCOUNT)
        else {
            continue;
        };
        let account_id = a
            .required(problems, "account_id", "\"123456789012\"")
            .and_then(|n| account_id(problems, n));
        let region_value = match a.get("region") {
            Some(n) => region(problems, n),
            None => {
                if defaults.region.is_none() {
                    problems.add(
                        env_node.pos,
                        format!("no region for environment `{env}`"),
                        "set `defaults.region` or a `region` on the environment",
                    );
                }
                defaults.region.clone()
            }
        };
        let credentials = a
            .get("credentials")
            .and_then(|n| credentials(problems, n))
            .unwrap_or(defaults.credentials);
        let mut account_vars = vars.clone();
        if let Some(n) = a.get("vars") {
            account_vars.extend(fields::vars(problems, n, "environment vars"));
        }
        let mut account_lvars = lvars.clone();
        if let Some(n) = a.get("layer_vars") {
            merge_layer_vars(
                &mut account_lvars,
                layer_vars(problems, n, &defaults.layers),
            );
        }
        let network_cidr = a.get("network").and_then(|n| {
            let nf = Fields::read(problems, n, "network", &["cidr"])?;
            let cidr_node = nf.required(problems, "cidr", "10.1.0.0/16")?;
            let text = fields::string(problems, cidr_node, "network.cidr")?;
            match super::cidr::Cidr::parse(&text) {
                Some(c) if c.to_string() == text => Some(text),
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
        });
        let role_name_value = a
            .get("role_name")
            .and_then(|n| role_name(problems, n))
            .unwrap_or_else(|| role.clone());
        let external = a
            .get("external_id")
            .and_then(|n| external_id(problems, n))
            .or_else(|| ext.clone());
        if let (Some(domain), true, Some(account_id), Some(region)) =
            (&name, name_ok, account_id, region_value)
        {
            accounts.push(Account {
                name: format!("{domain}-{env}"),
                domain: domain.clone(),
                environment: env.to_string(),
                wave: String::new(),
                account_id,
                region,
                role_name: role_name_value,
                external_id: external,
                session_duration: defaults.session_duration,
                credentials,
                layers: layers.clone(),
                vars: account_vars,
                layer_vars: account_lvars,
                network_cidr,
                line: env_key.pos.line,
            });
        }
    }
}

fn merge_layer_vars(into: &mut BTreeMap<String, Vars>, from: BTreeMap<String, Vars>) {
    for (layer, vars) in from {
        into.entry(layer).or_default().extend(vars);
    }
}

fn layer_vars(problems: &mut Problems, node: &Node, layers: &[String]) -> BTreeMap<String, Vars> {
    let Some(f) = Fields::read(problems, node, "layer_vars", &[]) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for (k, v) in f.entries() {
        let Some(layer) = k.as_str() else { continue };
        if !layers.contains(&layer.to_string()) {
            problems.add(
                k.pos,
                format!("layer_vars names unknown layer `{layer}`"),
                format!("use one of: {}", layers.join(", ")),
            );
            continue;
        }
        out.insert(
            layer.to_string(),
            fields::vars(problems, v, &format!("layer_vars.{layer}")),
        );
    }
    out
}

fn layer_list(problems: &mut Problems, node: &Node, layers_dir: &Path) -> Vec<String> {
    let list = fields::string_list(problems, node, "defaults.layers").unwrap_or_default();
    if list.is_empty() && matches!(node.kind, NodeKind::Seq(_)) {
        problems.add(
            node.pos,
            "defaults.layers is empty",
            "list the layers to apply, e.g. [platform, static, dynamic]",
        );
    }
    let mut layers = Vec::new();
    for (layer, pos) in list {
        if !names::is_valid_name(&layer) {
            problems.add(
                pos,
                format!("invalid layer name `{layer}`"),
                names::NAME_RULE,
            );
        } else if layers.contains(&layer) {
            problems.add(
                pos,
                format!("layer `{layer}` is listed twice"),
                "list each layer once, in apply order",
            );
        } else if !layers_dir.join(&layer).is_dir() {
            problems.add(
                pos,
                format!(
                    "unknown layer `{layer}`: no directory {}",
                    layers_dir.join(&layer).display()
                ),
                "create the layer's directory under layers_dir or fix the name",
            );
        } else {
            layers.push(layer);
        }
    }
    layers
}

fn account_id(problems: &mut Problems, node: &Node) -> Option<String> {
    let NodeKind::Scalar { value, quoted } = &node.kind else {
        problems.add(
            node.pos,
            format!("account_id must be text, found {}", node.kind_name()),
            "write it as a quoted 12-digit string",
        );
        return None;
    };
    if !quoted && value.chars().all(|c| c.is_ascii_digit()) && !value.is_empty() {
        problems.add(
            node.pos,
            format!("account_id {value} is written as a YAML number"),
            format!(
                "quote it (\"{value}\"): as a number, leading zeros are lost and large ids change"
            ),
        );
        return None;
    }
    if value.len() != 12 || !value.chars().all(|c| c.is_ascii_digit()) {
        problems.add(
            node.pos,
            format!("account_id `{value}` is not exactly 12 digits"),
            "copy the 12-digit id from the AWS console, quoted",
        );
        return None;
    }
    Some(value.clone())
}

fn region(problems: &mut Problems, node: &Node) -> Option<String> {
    let r = fields::string(problems, node, "region")?;
    if !names::is_valid_region(&r) {
        problems.add(
            node.pos,
            format!("malformed region `{r}`"),
            "write an AWS region such as us-east-1 or eu-west-2",
        );
        return None;
    }
    Some(r)
}

fn role_name(problems: &mut Problems, node: &Node) -> Option<String> {
    let r = fields::string(problems, node, "role_name")?;
    let ok = !r.is_empty()
        && r.len() <= 64
        && r.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if !ok {
        problems.add(
            node.pos,
            format!("invalid role_name `{r}`"),
            "IAM role names are 1-64 characters of letters, digits and +=,.@_-",
        );
        return None;
    }
    Some(r)
}

fn external_id(problems: &mut Problems, node: &Node) -> Option<String> {
    let e = fields::string(problems, node, "external_id")?;
    let ok = (2..=1224).contains(&e.len())
        && e.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c));
    if !ok {
        problems.add(
            node.pos,
            "invalid external_id",
            "STS accepts 2 to 1224 characters of letters, digits and +=,.@:/-_",
        );
        return None;
    }
    Some(e)
}

fn credentials(problems: &mut Problems, node: &Node) -> Option<CredentialsMode> {
    match fields::string(problems, node, "credentials")?.as_str() {
        "assume_role" => Some(CredentialsMode::AssumeRole),
        "none" => Some(CredentialsMode::None),
        other => {
            problems.add(
                node.pos,
                format!("unknown credentials mode `{other}`"),
                "use `assume_role` (STS, the default) or `none` (no AWS at all, sandbox only)",
            );
            None
        }
    }
}
