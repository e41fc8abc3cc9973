//! The JSON Schema (draft 2020-12) of `domains.yaml`, for editor completion and checks as
//! you type. It describes what the reader accepts: each mapping's fields come from one table
//! (`fields!` below) that also gives the reader its list of known keys, with enums and
//! patterns for names, ids and regions. Rules
//! that span the file (unique ids, waves covering every environment, layer directories) are
//! only checked by `orchestrator validate`.

use std::sync::LazyLock;

use serde_json::{json, Map, Value};

use super::read::inherited::{self, Level};

/// Lowercase letters, digits and single `-`, starting with a letter (see `names.rs`).
pub const NAME_PATTERN: &str = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";
pub const ACCOUNT_ID_PATTERN: &str = "^[0-9]{12}$";
pub const REGION_PATTERN: &str = "^[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}$";
const CIDR_PATTERN: &str = "^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$";
const ROLE_NAME_PATTERN: &str = "^[A-Za-z0-9+=,.@_-]{1,64}$";
const EXTERNAL_ID_PATTERN: &str = "^[A-Za-z0-9+=,.@:/_-]{2,1224}$";
const VAR_NAME_PATTERN: &str = "^[A-Za-z][A-Za-z0-9_-]*$";
const DURATION_PATTERN: &str = "^\\s*[0-9]+\\s*[a-zA-Z]*(\\s*[0-9]+\\s*[a-zA-Z]+)*\\s*$";

/// The schema as JSON; `orchestrator schema` prints it and `domains.schema.json` holds it.
pub fn json_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/acme/infrastructure/domains.schema.json",
        "title": "domains.yaml",
        "description": "The organisation the orchestrator deploys: every domain gets one AWS account per environment, and every account gets the same Terraform layers. Check the whole file with `orchestrator validate`.",
        "type": "object",
        "additionalProperties": false,
        "required": ["version", "defaults", "domains"],
        "properties": top_properties(),
        "$defs": {
            "name": {
                "description": "Lowercase letters, digits and `-`, starting with a letter, at most 32 characters (names become job names, shell arguments and STS session names).",
                "type": "string",
                "pattern": NAME_PATTERN,
                "maxLength": 32
            },
            "region": {
                "description": "An AWS region, such as us-east-1 or eu-west-2.",
                "type": "string",
                "pattern": REGION_PATTERN
            },
            "role_name": {
                "description": "The IAM role the orchestrator assumes in each account: arn:aws:iam::<account_id>:role/<role_name>.",
                "type": "string",
                "pattern": ROLE_NAME_PATTERN
            },
            "external_id": {
                "description": "The external id the role's trust policy requires, if any.",
                "type": "string",
                "pattern": EXTERNAL_ID_PATTERN
            },
            "credentials": {
                "description": "How jobs get AWS credentials: `assume_role` (STS, the default) or `none` (no AWS at all, for the sandbox).",
                "enum": ["assume_role", "none"]
            },
            "duration": {
                "description": "A duration such as 90s, 30m or 1h 30m; a bare number means seconds.",
                "oneOf": [
                    { "type": "integer", "minimum": 0 },
                    { "type": "string", "pattern": DURATION_PATTERN }
                ]
            },
            "layers": {
                "description": "Layer names, directories under layers_dir. Always applied in the order of defaults.layers.",
                "type": "array",
                "uniqueItems": true,
                "items": { "$ref": "#/$defs/name" }
            },
            "vars": {
                "description": "Extra terraform inputs, passed in the JSON var file; each layer must declare them.",
                "type": "object",
                "propertyNames": { "pattern": VAR_NAME_PATTERN }
            },
            "layer_vars": {
                "description": "Extra terraform inputs for one layer only, keyed by layer name.",
                "type": "object",
                "propertyNames": { "$ref": "#/$defs/name" },
                "additionalProperties": { "$ref": "#/$defs/vars" }
            },
            "cidr": {
                "description": "An IPv4 network address with its prefix, such as 10.1.0.0/16.",
                "type": "string",
                "pattern": CIDR_PATTERN
            },
            "defaults": {
                "description": "What every domain and account inherits unless it says otherwise.",
                "type": "object",
                "additionalProperties": false,
                "required": ["state"],
                "properties": defaults_properties()
            },
            "stacks": {
                "description": "The layer that may have copies side by side in an account, one per feature branch (`deploy --stack NAME`, `destroy --stack NAME`, `orchestrator stacks`). The state template must then hold {stack}.",
                "type": "object",
                "additionalProperties": false,
                "required": ["layer", "variable"],
                "properties": stacks_properties()
            },
            "state": {
                "description": "Where each (account, layer) keeps its terraform state. The template must hold {account}; it may hold {layer}, {domain}, {environment}, {account_id}, {region}, and {stack} (required with `stacks`): a copy's name, dropped with the separator before it for the main stack.",
                "oneOf": [
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["backend", "bucket", "region", "key"],
                        "properties": s3_state_properties()
                    },
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["backend", "path"],
                        "properties": local_state_properties()
                    }
                ]
            },
            "network_pool": {
                "description": "Where `orchestrator domain add` allocates each new account's network.cidr, and which layer receives it as `network_cidr`.",
                "type": "object",
                "additionalProperties": false,
                "properties": network_pool_properties()
            },
            "health_check": {
                "type": "object",
                "additionalProperties": false,
                "required": ["layer", "output"],
                "properties": health_check_properties()
            },
            "wave": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "environments"],
                "properties": wave_properties()
            },
            "domain": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "team", "environments"],
                "properties": domain_properties()
            },
            "account": {
                "description": "One AWS account: the domain in one environment.",
                "type": "object",
                "additionalProperties": false,
                "properties": account_properties()
            }
        }
    })
}

/// One table per mapping of domains.yaml: every field the reader accepts, with its schema.
/// `fields!(NAMES, properties_fn, { "key": schema, ... })` makes the list of names the reader
/// checks keys against (`read/keys.rs`, which refuses any other) and the `properties` of the
/// schema, in the same order: a new field is one line here. An inherited field (one a domain
/// or an environment may set over `defaults`) is declared in `read/inherited.rs` instead:
/// `..inherited(Level, from..=to)` splices in the ones that level accepts, `from..` and `..`
/// reaching the end of their table, where a new inherited field lands.
macro_rules! fields {
    ($names:ident, $properties:ident, { $($key:literal : $schema:tt),* $(,)? }) => {
        pub(crate) const $names: &[&str] = &[$($key),*];

        fn $properties() -> Value {
            let mut properties = Map::new();
            $(properties.insert($key.to_string(), json!($schema));)*
            Value::Object(properties)
        }
    };
    ($names:ident, $properties:ident, { $($entries:tt)* }) => {
        pub(crate) static $names: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
            let mut entries = Vec::new();
            spliced_fields!(entries; $($entries)*);
            entries.into_iter().map(|(key, _)| key).collect()
        });

        fn $properties() -> Value {
            let mut entries = Vec::new();
            spliced_fields!(entries; $($entries)*);
            let properties = entries.into_iter().map(|(k, v)| (k.to_string(), v));
            Value::Object(properties.collect())
        }
    };
}

/// `from..=to`, `from..`, `..` or `key` as the first and last inherited key spliced in.
macro_rules! inherited_range {
    (..) => {
        (None, None)
    };
    ($from:ident ..) => {
        (Some(stringify!($from)), None)
    };
    ($from:ident ..= $to:ident) => {
        (Some(stringify!($from)), Some(stringify!($to)))
    };
    ($key:ident) => {
        (Some(stringify!($key)), Some(stringify!($key)))
    };
}

/// The entries of a `fields!` table with `..inherited(...)` in it, pushed in order to `$out`.
macro_rules! spliced_fields {
    ($out:ident;) => {};
    ($out:ident; $key:literal : $schema:tt $(, $($rest:tt)*)?) => {
        $out.push(($key, json!($schema)));
        spliced_fields!($out; $($($rest)*)?);
    };
    ($out:ident; ..inherited($level:ident, $($range:tt)*) $(, $($rest:tt)*)?) => {
        let (from, to) = inherited_range!($($range)*);
        $out.extend(inherited::splice(Level::$level, from, to));
        spliced_fields!($out; $($($rest)*)?);
    };
}

fields!(TOP, top_properties, {
    "version": {
        "description": "The format of this file. Always 1.",
        "enum": [1, "1"]
    },
    "defaults": { "$ref": "#/$defs/defaults" },
    "stacks": { "$ref": "#/$defs/stacks", "description": "The same as defaults.stacks (write it in one place only)." },
    "waves": {
        "description": "Groups of environments deployed together, in this order; a wave starts only when the previous one had no more failed accounts than its failure_tolerance. Default: `stage` (every non-prod environment), then `prod`.",
        "type": "array",
        "minItems": 1,
        "items": { "$ref": "#/$defs/wave" }
    },
    "domains": {
        "description": "Every product domain, one AWS account per environment. Account names are <domain>-<environment>.",
        "type": "array",
        "minItems": 1,
        "items": { "$ref": "#/$defs/domain" }
    },
});

fields!(DEFAULTS, defaults_properties, {
    ..inherited(Defaults, region..=external_id),
    "session_duration": { "$ref": "#/$defs/duration", "description": "How long assumed-role credentials last, 15m to 12h. Default: 1h." },
    ..inherited(Defaults, credentials),
    "layers": { "$ref": "#/$defs/layers", "minItems": 1, "description": "Every layer, in apply order. Default: [platform, static, dynamic]." },
    "layers_dir": { "type": "string", "description": "Where the layer directories are, relative to this file. Default: layers." },
    "state": { "$ref": "#/$defs/state" },
    "timeout": { "$ref": "#/$defs/duration", "description": "A job (all layers of one account) is stopped after this long, 1s to 7 days. Default: 30m." },
    "lock_timeout": { "$ref": "#/$defs/duration", "description": "How long terraform waits for a held state lock (-lock-timeout), 1s to 1 day. Default: not set, so a held lock fails at once (and is retried)." },
    "retries": { "type": "integer", "minimum": 0, "maximum": 10, "description": "Extra attempts after a transient failure (lock held, throttling, 5xx). Default: 2." },
    "grace_period": { "$ref": "#/$defs/duration", "description": "Time between the interrupt and the kill when a job is stopped (1s to 1h). Default: 30s; under GitHub Actions at most 7s (the runner kills a cancelled step about 10s after its interrupt) unless --grace-period is given." },
    ..inherited(Defaults, vars..),
    "network": { "$ref": "#/$defs/network_pool" },
    "health_check": {
        "description": "Layer outputs (URLs) polled after the layer applies; a failed check fails the job.",
        "oneOf": [
            { "$ref": "#/$defs/health_check" },
            { "type": "array", "items": { "$ref": "#/$defs/health_check" } }
        ]
    },
    "oidc_role_arn": { "type": "string", "description": "A role assumed with the GitHub OIDC token before any account role." },
    "account_vending": {
        "description": "The layer that creates the organisation's accounts (`orchestrator vend`, with the management account's credentials). Accounts may then omit account_id.",
        "type": "object",
        "additionalProperties": false,
        "required": ["layer", "email_domain", "root_id"],
        "properties": account_vending_properties()
    },
    "stacks": { "$ref": "#/$defs/stacks" },
});

fields!(ACCOUNT_VENDING, account_vending_properties, {
    "layer": { "$ref": "#/$defs/name", "description": "The account vending layer's directory under layers_dir, e.g. organization." },
    "email_domain": { "type": "string", "pattern": "^[a-z0-9-]+(\\.[a-z0-9-]+)+$", "description": "Root user addresses are aws+<account>@<email_domain>." },
    "root_id": { "type": "string", "pattern": "^r-[0-9a-z]{4,32}$", "description": "The organisation root the per-environment OUs go under." },
});

fields!(STACKS, stacks_properties, {
    "layer": { "$ref": "#/$defs/name", "description": "The layer with copies, e.g. dynamic (not the first layer: copies depend on the account's baseline)." },
    "variable": { "type": "string", "pattern": VAR_NAME_PATTERN, "description": "The layer's input set to the copy's name (empty for the main stack), e.g. stack_suffix." },
});

fields!(S3_STATE, s3_state_properties, {
    "backend": { "const": "s3", "description": "S3 with native lock files (use_lockfile)." },
    "bucket": { "type": "string", "minLength": 1, "description": "The state bucket." },
    "region": { "$ref": "#/$defs/region", "description": "The bucket's region." },
    "key": { "type": "string", "pattern": "\\{account\\}", "description": "The object key template, e.g. \"{layer}/{account}.tfstate\"." },
});

fields!(LOCAL_STATE, local_state_properties, {
    "backend": { "const": "local", "description": "A local file per (account, layer): the sandbox." },
    "path": { "type": "string", "pattern": "\\{account\\}", "description": "The file path template, relative to this file, e.g. \".orchestrator/state/{layer}/{account}.tfstate\"." },
});

fields!(NETWORK_POOL, network_pool_properties, {
    "pool": { "$ref": "#/$defs/cidr", "description": "The block account networks are carved from, e.g. 10.0.0.0/8." },
    "prefix": { "type": "integer", "minimum": 8, "maximum": 28, "description": "The size of each account's block. Default: 16." },
    "layer": { "$ref": "#/$defs/name", "description": "The layer that gets `network_cidr`. Default: platform." },
});

fields!(HEALTH_CHECK, health_check_properties, {
    "layer": { "$ref": "#/$defs/name", "description": "Checked after this layer applies." },
    "output": { "type": "string", "minLength": 1, "description": "The layer output holding the URL to poll." },
    "expect_status": { "type": "integer", "minimum": 100, "maximum": 599, "description": "The HTTP status that means healthy. Default: 200." },
    "timeout": { "$ref": "#/$defs/duration", "description": "How long to keep polling, 1s to 1h. Default: 60s." },
});

fields!(WAVE, wave_properties, {
    "name": { "$ref": "#/$defs/name", "description": "The wave's name (a matrix output of that name is written per wave)." },
    "environments": {
        "description": "The environments this wave deploys; each environment is in exactly one wave.",
        "type": "array",
        "minItems": 1,
        "uniqueItems": true,
        "items": { "$ref": "#/$defs/name" }
    },
    "failure_tolerance": { "type": "integer", "minimum": 0, "description": "How many failed accounts this wave may have before the next wave is held back. Default: 0." },
});

fields!(DOMAIN, domain_properties, {
    "name": { "$ref": "#/$defs/name", "description": "The domain's name; its accounts are <name>-<environment>." },
    "team": { "type": "string", "minLength": 1, "description": "The team that owns the domain." },
    "slack_channel": { "type": "string", "pattern": "^#\\S+$", "description": "Where the domain's deploy failures are posted, e.g. \"#catalog-deploys\" (quoted: # starts a YAML comment)." },
    ..inherited(Domain, role_name..=external_id),
    "layers": { "$ref": "#/$defs/layers", "description": "A subset of defaults.layers for this domain's accounts." },
    ..inherited(Domain, vars..),
    "environments": {
        "description": "One account per environment, keyed by environment name (dev, stage, prod, ...).",
        "type": "object",
        "minProperties": 1,
        "propertyNames": { "$ref": "#/$defs/name" },
        "additionalProperties": { "$ref": "#/$defs/account" }
    },
});

fields!(ACCOUNT, account_properties, {
    "account_id": {
        "description": "The 12-digit AWS account id, quoted (as a YAML number, leading zeros are lost). Required unless defaults.account_vending is set: `orchestrator vend` then creates the account and records its id.",
        "type": "string",
        "pattern": ACCOUNT_ID_PATTERN
    },
    ..inherited(Environment, ..),
    "network": {
        "description": "The account's VPC; no two accounts' blocks may overlap.",
        "type": "object",
        "additionalProperties": false,
        "required": ["cidr"],
        "properties": account_network_properties()
    },
});

fields!(ACCOUNT_NETWORK, account_network_properties, {
    "cidr": { "$ref": "#/$defs/cidr", "description": "The account's VPC block, e.g. 10.1.0.0/16." },
});

#[cfg(test)]
mod tests {
    use super::*;

    /// Every mapping the reader checks keys for, and where the schema describes it: each
    /// table's properties sit where the schema describes that mapping.
    #[test]
    fn the_schema_describes_exactly_the_fields_the_reader_accepts() {
        use crate::config::read::keys;

        let schema = json_schema();
        for (pointer, known) in [
            ("/properties", keys::TOP),
            ("/$defs/defaults/properties", &keys::DEFAULTS[..]),
            ("/$defs/state/oneOf/0/properties", keys::S3_STATE),
            ("/$defs/state/oneOf/1/properties", keys::LOCAL_STATE),
            ("/$defs/network_pool/properties", keys::NETWORK_POOL),
            ("/$defs/health_check/properties", keys::HEALTH_CHECK),
            ("/$defs/stacks/properties", keys::STACKS),
            (
                "/$defs/defaults/properties/account_vending/properties",
                keys::ACCOUNT_VENDING,
            ),
            ("/$defs/wave/properties", keys::WAVE),
            ("/$defs/domain/properties", &keys::DOMAIN[..]),
            ("/$defs/account/properties", &keys::ACCOUNT[..]),
            (
                "/$defs/account/properties/network/properties",
                keys::ACCOUNT_NETWORK,
            ),
        ] {
            let described: Vec<&str> = schema
                .pointer(pointer)
                .and_then(Value::as_object)
                .unwrap_or_else(|| panic!("no {pointer}"))
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(described, known, "{pointer}");
        }
    }

    #[test]
    fn every_property_has_a_description() {
        fn walk(path: &str, schema: &Value, missing: &mut Vec<String>) {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    let described = prop.get("description").is_some()
                        || prop.get("$ref").is_some_and(|r| r.is_string());
                    if !described {
                        missing.push(format!("{path}.{name}"));
                    }
                    walk(&format!("{path}.{name}"), prop, missing);
                }
            }
            for key in ["$defs", "oneOf", "items", "additionalProperties"] {
                match schema.get(key) {
                    Some(Value::Object(map)) if key == "$defs" => {
                        for (name, def) in map {
                            walk(&format!("#{name}"), def, missing)
                        }
                    }
                    Some(Value::Array(list)) => {
                        for (i, s) in list.iter().enumerate() {
                            walk(&format!("{path}[{i}]"), s, missing)
                        }
                    }
                    Some(v @ Value::Object(_)) => walk(path, v, missing),
                    _ => {}
                }
            }
        }
        let mut missing = Vec::new();
        walk("", &json_schema(), &mut missing);
        assert!(missing.is_empty(), "undescribed: {missing:?}");
    }
}
