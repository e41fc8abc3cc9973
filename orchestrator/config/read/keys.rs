//! The fields each mapping of domains.yaml may hold. The reader refuses any other key, and
//! `orchestrator schema` describes exactly these.

pub(crate) const TOP: &[&str] = &["version", "defaults", "stacks", "waves", "domains"];

pub(crate) const DEFAULTS: &[&str] = &[
    "region",
    "role_name",
    "plan_role_name",
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
    "account_vending",
    "stacks",
];

pub(crate) const WAVE: &[&str] = &["name", "environments", "failure_tolerance"];

pub(crate) const DOMAIN: &[&str] = &[
    "name",
    "team",
    "slack_channel",
    "role_name",
    "plan_role_name",
    "external_id",
    "layers",
    "vars",
    "layer_vars",
    "environments",
];

pub(crate) const ACCOUNT: &[&str] = &[
    "account_id",
    "region",
    "role_name",
    "plan_role_name",
    "external_id",
    "credentials",
    "vars",
    "layer_vars",
    "network",
];

pub(crate) const ACCOUNT_NETWORK: &[&str] = &["cidr"];

pub(crate) const S3_STATE: &[&str] = &["backend", "bucket", "region", "key"];

pub(crate) const LOCAL_STATE: &[&str] = &["backend", "path"];

pub(crate) const NETWORK_POOL: &[&str] = &["pool", "prefix", "layer"];

pub(crate) const ACCOUNT_VENDING: &[&str] = &["layer", "email_domain", "root_id"];

pub(crate) const STACKS: &[&str] = &["layer", "variable"];

pub(crate) const HEALTH_CHECK: &[&str] = &["layer", "output", "expect_status", "timeout"];

pub const DEFAULT_LAYERS: [&str; 3] = ["platform", "static", "dynamic"];
