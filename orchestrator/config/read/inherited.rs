//! The fields an account inherits, declared once in the `inherited!` table below:
//! `defaults` -> domain -> environment, each level a layer of optional values applied over
//! the one before (cargo-dist's config layers). Each entry gives the key, its type at one
//! level, the levels that may set it, its JSON Schema (with the description `defaults` shows
//! and the one the levels below show), how one level's value is read, how a level applies
//! over what it inherits (`replace`, or key by key), what the account's field gets from all
//! levels applied (its type and the built-in default), and one example value per level for
//! the tests. From the table come the `Inherited` layer with its reader and `apply`, the keys
//! and schema entries the DEFAULTS/DOMAIN/ACCOUNT `fields!` tables of `config/schema.rs`
//! splice in, and the inherited fields of every `Account` (`account_with!`). A new inherited
//! field is one entry here, plus its field on `Account` (`model.rs`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::super::fields::{self, Fields, Problems};
use super::super::model::{CredentialsMode, Vars};
use super::super::shared_values::SharedValues;
use super::super::yaml::Node;
use super::values;

/// A level of domains.yaml that sets inherited fields, in the order the levels apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Defaults,
    Domain,
    Environment,
}

impl Level {
    #[cfg(test)]
    const ALL: [Level; 3] = [Level::Defaults, Level::Domain, Level::Environment];

    /// What messages call the value of `key` at this level.
    fn what(self, key: &str) -> String {
        match self {
            Level::Defaults => format!("defaults.{key}"),
            Level::Domain => format!("domain {key}"),
            Level::Environment => format!("environment {key}"),
        }
    }
}

/// What reading one level's value needs besides its node.
pub(super) struct Context<'a> {
    level: Level,
    /// Every layer, in apply order (`defaults.layers`).
    layers: &'a [String],
    /// The values of shared texts read so far (`shared_values.rs`).
    shared: &'a SharedValues,
}

/// `None`, or `Some` of the one description given.
macro_rules! description {
    () => {
        None
    };
    ($text:literal) => {
        Some($text)
    };
}

/// The table: see the module's comment. `$d` is `$`, for the macro it defines.
macro_rules! inherited {
    ($d:tt $(
        $(#[doc = $doc:literal])*
        $key:ident: $ty:ty {
            levels: [$($level:ident),+],
            schema: $schema:tt,
            $(description in defaults: $in_defaults:literal,)?
            $(description below: $below:literal,)?
            read: $read:expr,
            apply: $apply:expr,
            account: $account_ty:ty = $account:expr,
            examples: [$($example:literal),+],
        }
    )*) => {
        /// One level's values (`None`: not set there), or several levels applied in order.
        #[derive(Debug, Clone, Default)]
        pub(super) struct Inherited {
            $($(#[doc = $doc])* pub $key: Option<$ty>,)*
        }

        impl Inherited {
            /// The values `f` sets at `level` (a key the level does not accept was refused
            /// by `Fields::read` and counts as absent).
            pub(super) fn read(
                problems: &mut Problems,
                f: &Fields<'_>,
                level: Level,
                layers: &[String],
                shared: &SharedValues,
            ) -> Self {
                let cx = Context { level, layers, shared };
                Self {
                    $($key: f.get(stringify!($key)).and_then(|n| $read(problems, n, &cx)),)*
                }
            }

            /// `over` (the next level) applied over what this one holds.
            pub(super) fn apply(self, over: Self) -> Self {
                Self {
                    $($key: match (self.$key, over.$key) {
                        (Some(mut value), Some(over)) => {
                            $apply(&mut value, over);
                            Some(value)
                        }
                        (value, over) => over.or(value),
                    },)*
                }
            }
        }

        /// Each inherited key `level` accepts, with its schema, in table order.
        fn entries(level: Level) -> Vec<(&'static str, Value)> {
            let mut entries = Vec::new();
            $(if [$(Level::$level),+].contains(&level) {
                let mut schema = json!($schema);
                let description: Option<&str> = match level {
                    Level::Defaults => description!($($in_defaults)?),
                    Level::Domain | Level::Environment => description!($($below)?),
                };
                if let Some(text) = description {
                    schema["description"] = text.into();
                }
                entries.push((stringify!($key), schema));
            })*
            entries
        }

        /// Every inherited key, the levels that accept it and one example value per level
        /// (JSON, which is also YAML), each different from the one before (for the tests here
        /// and the change-detection ones, `config::INHERITED_FIELDS`).
        #[cfg(test)]
        pub(crate) const TABLE: &[(&str, &[Level], &[&str])] = &[
            $((stringify!($key), &[$(Level::$level),+], &[$($example),+]),)*
        ];

        /// What an account gets from every level applied (`Inherited::resolved`).
        pub(super) struct Resolved {
            $(pub $key: $account_ty,)*
        }

        impl Inherited {
            /// The account's values, built-in defaults filled in.
            pub(super) fn resolved(self) -> Resolved {
                Resolved {
                    $($key: $account(self.$key),)*
                }
            }
        }

        /// `Account { <each inherited field of $from>, <the fields given> }`, `$from` being
        /// a `Resolved`.
        macro_rules! account_with {
            ($d from:ident, { $d($d field:ident: $d value:expr),* $d(,)? }) => {
                Account {
                    $($key: $d from.$key,)*
                    $d($d field: $d value,)*
                }
            };
        }
        pub(super) use account_with;
    };
}

inherited! { $
    /// An environment's own region that is not valid drops the account (`read_account`),
    /// and no region at any level is one problem for the file (`without_region`).
    region: String {
        levels: [Defaults, Environment],
        schema: { "$ref": "#/$defs/region" },
        description in defaults: "The region of every account that does not name its own.",
        description below: "This account's region (default: defaults.region).",
        read: region,
        apply: replace,
        account: String = Option::unwrap_or_default,
        examples: ["\"eu-west-1\"", "\"eu-west-2\""],
    }
    role_name: String {
        levels: [Defaults, Domain, Environment],
        schema: { "$ref": "#/$defs/role_name" },
        description in defaults: "The role assumed in each account. Default: OrganizationAccountAccessRole.",
        read: role_name,
        apply: replace,
        account: String = role_name_or_default,
        examples: ["\"Deployer\"", "\"DomainDeployer\"", "\"EnvDeployer\""],
    }
    plan_role_name: String {
        levels: [Defaults, Domain, Environment],
        schema: { "$ref": "#/$defs/role_name" },
        description in defaults: "The read-only role `--plan-only` runs assume in each account. Default: role_name.",
        description below: "The read-only role `--plan-only` runs assume (default: role_name).",
        read: plan_role_name,
        apply: replace,
        account: Option<String> = std::convert::identity,
        examples: ["\"Reader\"", "\"DomainReader\"", "\"EnvReader\""],
    }
    external_id: String {
        levels: [Defaults, Domain, Environment],
        schema: { "$ref": "#/$defs/external_id" },
        read: external_id,
        apply: replace,
        account: Option<String> = std::convert::identity,
        examples: ["\"org-1\"", "\"domain-2\"", "\"env-3\""],
    }
    credentials: CredentialsMode {
        levels: [Defaults, Environment],
        schema: { "$ref": "#/$defs/credentials" },
        read: credentials,
        apply: replace,
        account: CredentialsMode = credentials_or_default,
        examples: ["\"none\"", "\"assume_role\""],
    }
    /// Merged key by key: a level sets or replaces single inputs.
    vars: Vars {
        levels: [Defaults, Domain, Environment],
        schema: { "$ref": "#/$defs/vars" },
        read: vars,
        apply: Vars::extend,
        account: Vars = Option::unwrap_or_default,
        examples: ["{\"tier\": \"org\"}", "{\"tier\": \"domain\"}", "{\"tier\": \"env\"}"],
    }
    /// Merged layer by layer, then key by key.
    layer_vars: BTreeMap<String, Vars> {
        levels: [Defaults, Domain, Environment],
        schema: { "$ref": "#/$defs/layer_vars" },
        read: layer_vars_of,
        apply: merge_layer_vars,
        account: BTreeMap<String, Vars> = Option::unwrap_or_default,
        examples: [
            "{\"static\": {\"size\": 1}}",
            "{\"static\": {\"size\": 2}}",
            "{\"static\": {\"size\": 3}}"
        ],
    }
}

/// The inherited keys `level` accepts from `from` to `to` (included; `None`: from the first,
/// to the last) in table order, with their schema: what a `fields!` table of
/// `config/schema.rs` splices in at `..inherited(Level, from..=to)`.
pub(crate) fn splice(
    level: Level,
    from: Option<&str>,
    to: Option<&str>,
) -> Vec<(&'static str, Value)> {
    let entries = entries(level);
    let at = |key: &str| {
        entries
            .iter()
            .position(|(k, _)| *k == key)
            .unwrap_or_else(|| panic!("`{key}` is not inherited at {level:?}"))
    };
    let start = from.map_or(0, at);
    let end = to.map_or(entries.len(), |key| at(key) + 1);
    entries[start..end].to_vec()
}

// How one level's value is read: the checks of `values.rs`, with the context some need.

fn region(problems: &mut Problems, node: &Node, _: &Context<'_>) -> Option<String> {
    values::region(problems, node)
}

fn role_name(problems: &mut Problems, node: &Node, _: &Context<'_>) -> Option<String> {
    values::role_name(problems, node)
}

fn plan_role_name(problems: &mut Problems, node: &Node, _: &Context<'_>) -> Option<String> {
    values::plan_role_name(problems, node)
}

fn external_id(problems: &mut Problems, node: &Node, _: &Context<'_>) -> Option<String> {
    values::external_id(problems, node)
}

fn credentials(problems: &mut Problems, node: &Node, _: &Context<'_>) -> Option<CredentialsMode> {
    values::credentials(problems, node)
}

fn vars(problems: &mut Problems, node: &Node, cx: &Context<'_>) -> Option<Vars> {
    Some(fields::vars(
        problems,
        cx.shared,
        node,
        &cx.level.what("vars"),
    ))
}

fn layer_vars_of(
    problems: &mut Problems,
    node: &Node,
    cx: &Context<'_>,
) -> Option<BTreeMap<String, Vars>> {
    Some(layer_vars(problems, node, cx))
}

/// `layer_vars:` at any level: layer -> its variables, for the layers the config has.
fn layer_vars(problems: &mut Problems, node: &Node, cx: &Context<'_>) -> BTreeMap<String, Vars> {
    let layers = cx.layers;
    let Some(f) = Fields::read(problems, node, "layer_vars", &[]) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for (k, v) in f.entries() {
        let Some(layer) = k.as_str() else { continue };
        if !layers.iter().any(|l| l == layer) {
            problems.add(
                k.pos,
                format!("layer_vars names unknown layer `{layer}`"),
                format!("use one of: {}", layers.join(", ")),
            );
            continue;
        }
        out.insert(
            layer.to_string(),
            fields::vars(problems, cx.shared, v, &format!("layer_vars.{layer}")),
        );
    }
    out
}

fn merge_layer_vars(into: &mut BTreeMap<String, Vars>, from: BTreeMap<String, Vars>) {
    for (layer, vars) in from {
        into.entry(layer).or_default().extend(vars);
    }
}

/// A level's value replaces what it inherits.
fn replace<T>(value: &mut T, over: T) {
    *value = over;
}

fn role_name_or_default(role_name: Option<String>) -> String {
    role_name.unwrap_or_else(|| "OrganizationAccountAccessRole".into())
}

fn credentials_or_default(credentials: Option<CredentialsMode>) -> CredentialsMode {
    credentials.unwrap_or(CredentialsMode::AssumeRole)
}

#[cfg(test)]
mod tests {
    use super::super::keys::{ACCOUNT, DEFAULTS, DOMAIN};
    use super::*;

    /// Each level's list of known keys holds exactly the inherited keys the table gives it,
    /// once (the schema describes exactly that list: `schema::tests`).
    #[test]
    fn each_level_accepts_exactly_the_inherited_keys_the_table_gives_it() {
        for (level, known) in [
            (Level::Defaults, &DEFAULTS[..]),
            (Level::Domain, &DOMAIN[..]),
            (Level::Environment, &ACCOUNT[..]),
        ] {
            let mut once = known.to_vec();
            once.sort_unstable();
            once.dedup();
            assert_eq!(
                once.len(),
                known.len(),
                "{level:?} lists a key twice: {known:?}"
            );
            for (key, levels, _) in TABLE {
                assert_eq!(
                    known.contains(key),
                    levels.contains(&level),
                    "{level:?} and `{key}`"
                );
            }
        }
    }

    /// Every entry gives one example per level, each different from the one before it.
    #[test]
    fn every_entry_has_an_example_per_level() {
        for (key, levels, examples) in TABLE {
            assert_eq!(levels.len(), examples.len(), "`{key}`");
            assert!(examples.windows(2).all(|w| w[0] != w[1]), "`{key}`");
            assert!(
                Level::ALL.starts_with(&levels[..1]),
                "`{key}` starts below defaults"
            );
        }
    }

    /// For every inherited field (read from the table, so a new one is covered): an account
    /// gets the value of the last level that sets it, whichever levels above set it too.
    #[test]
    fn every_inherited_field_is_overridden_by_each_level_below() {
        let dir = tempfile::tempdir().unwrap();
        for layer in ["platform", "static", "dynamic"] {
            std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
        }
        let path = dir.path().join("domains.yaml");
        for (key, levels, examples) in TABLE {
            for set in 1..=levels.len() {
                let at = |level: Level| {
                    levels[..set]
                        .iter()
                        .position(|l| *l == level)
                        .map_or(String::new(), |i| format!("{key}: {}, ", examples[i]))
                };
                // A region is needed somewhere: the environment's own unless it is the field.
                let region = if *key == "region" {
                    String::new()
                } else {
                    "region: eu-west-3, ".to_string()
                };
                let text = format!(
                    "version: 1\n\
                     defaults: {{ {}state: {{ backend: local, path: \"s/{{layer}}/{{account}}\" }} }}\n\
                     domains:\n  - {{ name: shop, team: t, {}environments: {{ \
                     prod: {{ account_id: \"100000000001\", {region}{}}} }} }}\n",
                    at(Level::Defaults),
                    at(Level::Domain),
                    at(Level::Environment),
                );
                let config =
                    crate::config::from_str(&path, &text).unwrap_or_else(|e| panic!("{text}\n{e}"));
                let account = serde_json::to_value(&config.accounts[0]).unwrap();
                let expected: Value = serde_json::from_str(examples[set - 1]).unwrap();
                assert_eq!(
                    account[key],
                    expected,
                    "`{key}` set at {:?}: {text}",
                    &levels[..set]
                );
            }
        }
    }
}
