//! Single values with a format of their own: account ids, regions, IAM names, modes.

use super::super::fields::{self, Problems};
use super::super::model::CredentialsMode;
use super::super::names;
use super::super::yaml::{Node, NodeKind};

pub(super) fn account_id(problems: &mut Problems, node: &Node) -> Option<String> {
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
                "quote it, account_id: \"{value}\", so it stays text (as a number, leading zeros are lost)"
            ),
        );
        return None;
    }
    let digits_only = value.chars().all(|c| c.is_ascii_digit());
    if value.len() != 12 || !digits_only {
        let what = if digits_only {
            format!("has {} digits", value.len())
        } else {
            "is not made of digits".to_string()
        };
        problems.add(
            node.pos,
            format!("account_id \"{value}\" {what}, but an AWS account id is exactly 12 digits"),
            "copy the id from the AWS console, quoted",
        );
        return None;
    }
    Some(value.to_string())
}

pub(super) fn region(problems: &mut Problems, node: &Node) -> Option<String> {
    let r = fields::string(problems, node, "region")?;
    if !names::is_valid_region(&r) {
        problems.add(
            node.pos,
            format!("region `{r}` is not an AWS region name"),
            "write one such as us-east-1 or eu-west-2",
        );
        return None;
    }
    Some(r)
}

pub(super) fn role_name(problems: &mut Problems, node: &Node) -> Option<String> {
    iam_role_name(problems, node, "role_name")
}

/// The read-only role of `--plan-only` runs; the same rules as `role_name`.
pub(super) fn plan_role_name(problems: &mut Problems, node: &Node) -> Option<String> {
    iam_role_name(problems, node, "plan_role_name")
}

fn iam_role_name(problems: &mut Problems, node: &Node, key: &str) -> Option<String> {
    let r = fields::string(problems, node, key)?;
    let ok = !r.is_empty()
        && r.len() <= 64
        && r.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if !ok {
        problems.add(
            node.pos,
            format!("invalid {key} `{r}`"),
            "IAM role names are 1-64 characters of letters, digits and +=,.@_-",
        );
        return None;
    }
    Some(r)
}

pub(super) fn external_id(problems: &mut Problems, node: &Node) -> Option<String> {
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

pub(super) fn credentials(problems: &mut Problems, node: &Node) -> Option<CredentialsMode> {
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
