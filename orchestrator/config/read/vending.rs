//! `defaults.account_vending`: the layer that creates the accounts (`orchestrator vend`), and
//! what it needs. With it, an account may omit `account_id`.

use std::path::Path;

use super::super::fields::{self, Fields, Problems};
use super::super::model::AccountVending;
use super::super::names;
use super::super::yaml::Node;
use super::keys::ACCOUNT_VENDING;

pub(super) fn read_account_vending(
    problems: &mut Problems,
    node: &Node,
    layers_dir: &Path,
    check_contents: bool,
) -> Option<AccountVending> {
    let f = Fields::read(problems, node, "account_vending", ACCOUNT_VENDING)?;
    let layer_node = f.required(problems, "layer", "organization");
    let layer = layer_node.and_then(|n| {
        let layer = fields::string(problems, n, "account_vending.layer")?;
        if !names::is_valid_name(&layer) {
            problems.add(
                n.pos,
                format!("invalid layer name `{layer}`"),
                names::NAME_RULE,
            );
            return None;
        }
        if !layers_dir.join(&layer).is_dir() {
            problems.add(
                n.pos,
                format!(
                    "unknown layer `{layer}`: there is no directory {}",
                    layers_dir.join(&layer).display()
                ),
                "create the organization layer's directory under layers_dir, or fix the name",
            );
            return None;
        }
        if let Some(empty) = super::defaults::no_terraform(layers_dir, &layer, check_contents) {
            problems.add(n.pos, empty, super::defaults::NO_TERRAFORM_HINT);
            return None;
        }
        Some(layer)
    });
    let email_domain = f
        .required(problems, "email_domain", "example.com")
        .and_then(|n| {
            let d = fields::string(problems, n, "account_vending.email_domain")?;
            let ok = d.contains('.')
                && !d.starts_with('.')
                && !d.ends_with('.')
                && d.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-".contains(c));
            if !ok {
                problems.add(
                    n.pos,
                    format!("invalid email_domain `{d}`"),
                    "write the mail domain of the accounts' root users, such as example.com",
                );
                return None;
            }
            Some(d)
        });
    let root_id = f.required(problems, "root_id", "r-ab12").and_then(|n| {
        let r = fields::string(problems, n, "account_vending.root_id")?;
        let ok = r.strip_prefix("r-").is_some_and(|rest| {
            (4..=32).contains(&rest.len())
                && rest
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
        if !ok {
            problems.add(
                n.pos,
                format!("invalid root_id `{r}`"),
                "write the organisation root's id, such as r-ab12 (aws organizations list-roots)",
            );
            return None;
        }
        Some(r)
    });
    Some(AccountVending {
        layer: layer?,
        email_domain: email_domain?,
        root_id: root_id?,
    })
}
