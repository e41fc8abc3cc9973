//! The resolved configuration: every default applied, every name checked. The rest of the
//! program reads only these types, never the YAML.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

/// Extra terraform inputs declared in the config, passed through as JSON.
pub type Vars = BTreeMap<String, VarValue>;

/// One terraform input value. Shared, not copied: a value set in `defaults` is inherited by
/// every account, and a 100 KB value over 30,000 accounts must stay 100 KB in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct VarValue(std::sync::Arc<serde_json::Value>);

impl Serialize for VarValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl VarValue {
    /// Whether two values are one allocation (what inheritance must give).
    pub fn is_shared_with(&self, other: &VarValue) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for VarValue {
    type Target = serde_json::Value;

    fn deref(&self) -> &serde_json::Value {
        &self.0
    }
}

impl<T: Into<serde_json::Value>> From<T> for VarValue {
    fn from(value: T) -> Self {
        Self(std::sync::Arc::new(value.into()))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The config file itself, as given.
    pub path: PathBuf,
    /// Directory every relative path in the config is resolved from (the config's own).
    pub root: PathBuf,
    /// Where the layer directories live, resolved against `root`.
    pub layers_dir: PathBuf,
    /// Every layer the config knows, in apply order.
    pub layers: Vec<String>,
    pub state: StateBackend,
    pub waves: Vec<Wave>,
    pub domains: Vec<Domain>,
    /// Every account, domains in file order, then environments in wave order.
    pub accounts: Vec<Account>,
    pub execution: Execution,
    pub health_checks: Vec<HealthCheck>,
    pub network: Option<NetworkPool>,
    /// Role assumed with the GitHub OIDC token before any account role (optional).
    pub oidc_role_arn: Option<String>,
    /// `defaults.account_vending`: accounts may then omit `account_id` until `orchestrator
    /// vend` has created them.
    pub account_vending: Option<AccountVending>,
    /// `stacks`: the layer that may have copies (`--stack NAME`); `None` when no layer may.
    pub stacks: Option<StackSupport>,
}

/// The layer whose copies (one per feature branch) live side by side in an account, each
/// with its own state; the main stack is the copy with no name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackSupport {
    pub layer: String,
    /// The terraform input set to the copy's name (empty for the main stack).
    pub variable: String,
}

/// The layer that creates the organisation's accounts, run once by `orchestrator vend` with
/// the management account's own credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountVending {
    pub layer: String,
    /// Root user addresses are `aws+<account>@<email_domain>`.
    pub email_domain: String,
    /// The organisation root (`r-xxxx`) the per-environment OUs go under.
    pub root_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "backend", rename_all = "lowercase")]
pub enum StateBackend {
    /// S3 with native lock files (`use_lockfile`); `key` holds `{account}` and may hold `{layer}`.
    S3 {
        bucket: String,
        region: String,
        key: String,
    },
    /// A local state file per (account, layer), for the sandbox; `path` is relative to the config.
    Local { path: String },
}

impl StateBackend {
    /// Where copy `stack` of one (account, layer) keeps its state (`None`: the main stack), as
    /// a comparable string: `s3://bucket/key`, or the local path relative to the config (`.`
    /// and `..` resolved). The one map from (account, layer, stack) to a state: the config's
    /// check that no two main stacks share a state and `--stack`'s check that no copy lands on
    /// another's both compare these.
    pub fn location(&self, account: &Account, layer: &str, stack: Option<&str>) -> String {
        match self {
            StateBackend::S3 { bucket, key, .. } => {
                format!(
                    "s3://{bucket}/{}",
                    fill_state_template(key, account, layer, stack)
                )
            }
            StateBackend::Local { path } => {
                normalise(&fill_state_template(path, account, layer, stack))
            }
        }
    }
}

/// A state template (`key` or `path`) filled for copy `stack` of one (account, layer):
/// the copy's name in place of `{stack}`, or for the main stack `{stack}` gone with its
/// separator (`stack_template::for_main_stack`), then the other placeholders.
pub fn fill_state_template(
    template: &str,
    account: &Account,
    layer: &str,
    stack: Option<&str>,
) -> String {
    let template = match stack {
        Some(name) => super::stack_template::for_copy(template, name),
        None => super::stack_template::for_main_stack(template),
    };
    fill_template(&template, account, layer)
}

/// Replaces the placeholders the config allows in state templates (checked when it loads).
pub fn fill_template(template: &str, account: &Account, layer: &str) -> String {
    template
        .replace("{account}", &account.name)
        .replace("{layer}", layer)
        .replace("{domain}", &account.domain)
        .replace("{environment}", &account.environment)
        .replace("{account_id}", &account.account_id)
        .replace("{region}", &account.region)
}

/// `a/./b//c/../d` -> `a/b/d`, without touching the disk.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wave {
    pub name: String,
    pub environments: Vec<String>,
    /// How many failed jobs this wave tolerates before the next wave is held back.
    pub failure_tolerance: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Domain {
    pub name: String,
    pub team: String,
    pub slack_channel: Option<String>,
}

/// How the runner obtains an account's AWS credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialsMode {
    /// STS AssumeRole into `arn:aws:iam::<account_id>:role/<role_name>`.
    AssumeRole,
    /// No AWS credentials at all (the sandbox: terraform_data only).
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    /// `<domain>-<environment>`.
    pub name: String,
    pub domain: String,
    pub environment: String,
    pub wave: String,
    /// Empty while the account is still to be vended (only with `defaults.account_vending`):
    /// `orchestrator vend` records its id, and commands fill it in (`vending::fill_in`).
    pub account_id: String,
    pub region: String,
    pub role_name: String,
    /// The role `--plan-only` runs assume instead of `role_name` (a read-only one); unset
    /// means `role_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_role_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub session_duration: Duration,
    pub credentials: CredentialsMode,
    /// The layers applied to this account, in order.
    pub layers: Vec<String>,
    /// Extra inputs for every layer (defaults < domain < environment).
    pub vars: Vars,
    /// Extra inputs for one layer only, merged over `vars`.
    pub layer_vars: BTreeMap<String, Vars>,
    /// The account's VPC CIDR, passed as `network_cidr` to the network layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_cidr: Option<String>,
    /// Where this account is declared, for messages.
    #[serde(skip)]
    pub line: usize,
}

#[cfg(test)]
impl Account {
    /// A catalog-dev-like account in the stage wave with one layer, `platform`, for unit
    /// tests: what they care about is set after.
    pub(crate) fn example(name: &str, credentials: CredentialsMode) -> Self {
        Self {
            name: name.into(),
            domain: "catalog".into(),
            environment: "dev".into(),
            wave: "stage".into(),
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            role_name: "Deploy".into(),
            plan_role_name: None,
            external_id: None,
            session_duration: Duration::from_secs(3600),
            credentials,
            layers: vec!["platform".into()],
            vars: Vars::default(),
            layer_vars: BTreeMap::new(),
            network_cidr: None,
            line: 1,
        }
    }
}

impl Account {
    /// The inputs terraform gets for one layer of this account.
    pub fn inputs(&self, layer: &str, network_layer: Option<&str>) -> Vars {
        let mut inputs = self.vars.clone();
        if let Some(extra) = self.layer_vars.get(layer) {
            inputs.extend(extra.clone());
        }
        if let (Some(cidr), Some(net_layer)) = (&self.network_cidr, network_layer) {
            if net_layer == layer {
                inputs.insert("network_cidr".into(), cidr.clone().into());
            }
        }
        for (key, value) in [
            ("account_name", &self.name),
            ("account_id", &self.account_id),
            ("domain", &self.domain),
            ("environment", &self.environment),
            ("region", &self.region),
        ] {
            inputs.insert(key.into(), value.clone().into());
        }
        inputs
    }
}

/// How jobs run; every value can be overridden by a flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Execution {
    /// A job (one account, all its layers) is stopped after this long.
    pub job_timeout: Duration,
    /// Passed to terraform as `-lock-timeout`.
    pub lock_timeout: Duration,
    /// Extra attempts after a transient failure.
    pub retries: u32,
    /// Time between a SIGINT and a kill when a job times out or is cancelled.
    pub grace_period: Duration,
}

impl Default for Execution {
    fn default() -> Self {
        Self {
            job_timeout: Duration::from_secs(30 * 60),
            lock_timeout: Duration::from_secs(0),
            retries: 2,
            grace_period: Duration::from_secs(30),
        }
    }
}

/// After `layer` applies, its output `output` (a URL) must answer `expect_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthCheck {
    pub layer: String,
    pub output: String,
    pub expect_status: u16,
    pub timeout: Duration,
}

/// Where `domain add` allocates account CIDRs from, and which layer receives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkPool {
    pub pool: Option<String>,
    pub prefix: u8,
    pub layer: String,
}

impl Config {
    pub fn account(&self, name: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.name == name)
    }

    pub fn wave(&self, name: &str) -> Option<&Wave> {
        self.waves.iter().find(|w| w.name == name)
    }

    pub fn domain(&self, name: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.name == name)
    }

    pub fn network_layer(&self) -> Option<&str> {
        self.network.as_ref().map(|n| n.layer.as_str())
    }
}

#[cfg(test)]
mod var_sharing_tests {
    /// A value set once in `defaults` is one allocation however many accounts inherit it.
    #[test]
    fn inherited_values_are_shared_not_copied() {
        let dir = tempfile::tempdir().unwrap();
        for layer in ["platform", "static", "dynamic"] {
            std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
            std::fs::write(dir.path().join("layers").join(layer).join("main.tf"), "").unwrap();
        }
        let big = "x".repeat(100_000);
        let text = format!(
            "version: 1\ndefaults:\n  region: eu-west-1\n  credentials: none\n  state: {{ backend: local, path: \"s/{{layer}}/{{account}}.tfstate\" }}\n  vars: {{ big: \"{big}\" }}\n  layer_vars: {{ platform: {{ big: \"{big}\" }} }}\ndomains:\n  - name: a\n    team: t\n    environments:\n      dev: {{ account_id: \"100000000001\" }}\n      prod: {{ account_id: \"100000000002\" }}\n  - name: b\n    team: t\n    vars: {{ own: 1 }}\n    environments:\n      stage: {{ account_id: \"100000000003\" }}\n"
        );
        let config = super::super::from_str(&dir.path().join("domains.yaml"), &text).unwrap();
        let accounts = &config.accounts;
        assert_eq!(accounts.len(), 3);
        for other in &accounts[1..] {
            assert!(accounts[0].vars["big"].is_shared_with(&other.vars["big"]));
            assert!(accounts[0].layer_vars["platform"]["big"]
                .is_shared_with(&other.layer_vars["platform"]["big"]));
        }
        assert_eq!(accounts[2].vars["own"].as_i64(), Some(1));
    }
}
