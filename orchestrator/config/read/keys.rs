//! The fields each mapping of domains.yaml may hold. The reader refuses any other key. The
//! names come from the one table of fields and their JSON Schema in `config/schema.rs`, so
//! `orchestrator schema` describes exactly these.

pub(crate) use super::super::schema::{
    ACCOUNT, ACCOUNT_NETWORK, ACCOUNT_VENDING, DEFAULTS, DOMAIN, HEALTH_CHECK, LOCAL_STATE,
    NETWORK_POOL, S3_STATE, STACKS, TOP, WAVE,
};

pub const DEFAULT_LAYERS: [&str; 3] = ["platform", "static", "dynamic"];
