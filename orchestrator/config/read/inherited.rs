//! The fields an account inherits, declared once: `defaults` -> domain -> environment, each
//! level a layer of optional values applied over the one before (cargo-dist's config layers).
//! `vars` and `layer_vars` merge key by key; the others replace. A new inherited field is
//! one entry in `INHERITED`, one field here, and its line in `overridden`.

use std::collections::BTreeMap;

use super::super::fields::{self, Fields, Problems};
use super::super::model::Vars;
use super::defaults::{layer_vars, merge_layer_vars, Defaults};
use super::values::{external_id, plan_role_name, role_name};

/// The keys a domain and an environment may set to override what they inherit (the key
/// lists in `keys.rs` hold them, and the schema describes them: unit tests check).
#[cfg(test)]
const INHERITED: &[&str] = &[
    "role_name",
    "plan_role_name",
    "external_id",
    "vars",
    "layer_vars",
];

#[derive(Debug, Clone)]
pub(super) struct Inherited {
    pub role_name: String,
    pub plan_role_name: Option<String>,
    pub external_id: Option<String>,
    pub vars: Vars,
    pub layer_vars: BTreeMap<String, Vars>,
}

impl Inherited {
    /// The first layer: what `defaults` sets (or the built-in defaults).
    pub(super) fn from_defaults(defaults: &Defaults) -> Self {
        Self {
            role_name: defaults.role_name.clone(),
            plan_role_name: defaults.plan_role_name.clone(),
            external_id: defaults.external_id.clone(),
            vars: defaults.vars.clone(),
            layer_vars: defaults.layer_vars.clone(),
        }
    }

    /// The next layer: `f` (a domain, or one of its environments: `level` in messages)
    /// over what it inherits.
    pub(super) fn overridden(
        &self,
        problems: &mut Problems,
        f: &Fields<'_>,
        level: &str,
        layers: &[String],
    ) -> Self {
        let mut next = self.clone();
        if let Some(v) = f.get("role_name").and_then(|n| role_name(problems, n)) {
            next.role_name = v;
        }
        if let Some(v) = f
            .get("plan_role_name")
            .and_then(|n| plan_role_name(problems, n))
        {
            next.plan_role_name = Some(v);
        }
        if let Some(v) = f.get("external_id").and_then(|n| external_id(problems, n)) {
            next.external_id = Some(v);
        }
        if let Some(n) = f.get("vars") {
            next.vars
                .extend(fields::vars(problems, n, &format!("{level} vars")));
        }
        if let Some(n) = f.get("layer_vars") {
            merge_layer_vars(&mut next.layer_vars, layer_vars(problems, n, layers));
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::{ACCOUNT, DEFAULTS, DOMAIN};
    use super::*;

    #[test]
    fn every_level_accepts_every_inherited_key() {
        for key in INHERITED {
            for (level, keys) in [
                ("defaults", DEFAULTS),
                ("domain", DOMAIN),
                ("environment", ACCOUNT),
            ] {
                assert!(keys.contains(key), "{level} does not accept `{key}`");
            }
        }
    }
}
