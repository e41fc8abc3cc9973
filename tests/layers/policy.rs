//! A small evaluator of IAM policy documents, enough to ask the rendered layers "may this
//! principal do this action on this resource": explicit deny wins, then an allow, else the
//! implicit deny. It knows the condition operators the layers use; an unknown one fails the
//! test rather than being guessed.

use std::collections::BTreeMap;

use serde_json::Value;

/// One request against a policy.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// `("AWS", arn)`, `("Federated", provider arn)` or `("Service", name)`.
    pub principal: (&'a str, &'a str),
    pub action: &'a str,
    pub resource: &'a str,
    /// Condition keys (lower-cased on lookup, as IAM compares them case-insensitively).
    pub context: BTreeMap<String, String>,
}

impl<'a> Request<'a> {
    pub fn new(principal: (&'a str, &'a str), action: &'a str, resource: &'a str) -> Self {
        Self {
            principal,
            action,
            resource,
            context: BTreeMap::new(),
        }
    }

    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.context
            .insert(key.to_ascii_lowercase(), value.to_string());
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

/// Evaluates a resource policy (with `Principal`) or, with `principal_in_policy` false, an
/// identity policy (no `Principal`: it applies to the role it is attached to).
pub fn decide(policy: &Value, request: &Request<'_>, principal_in_policy: bool) -> Decision {
    let mut allowed = false;
    for statement in statements(policy) {
        if !statement_matches(statement, request, principal_in_policy) {
            continue;
        }
        match statement["Effect"].as_str() {
            Some("Deny") => return Decision::ExplicitDeny,
            Some("Allow") => allowed = true,
            other => panic!("statement effect {other:?}"),
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

pub fn statements(policy: &Value) -> Vec<&Value> {
    match &policy["Statement"] {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![&policy["Statement"]],
        other => panic!("no Statement in {other}"),
    }
}

/// A string or a list of strings, as IAM writes either.
pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().expect("a string").to_string())
            .collect(),
        Value::Null => Vec::new(),
        other => panic!("expected a string or a list of strings, got {other}"),
    }
}

fn statement_matches(statement: &Value, request: &Request<'_>, principal_in_policy: bool) -> bool {
    if principal_in_policy {
        assert!(
            statement.get("NotPrincipal").is_none(),
            "NotPrincipal is not evaluated here"
        );
        let matches = match &statement["Principal"] {
            Value::String(s) if s == "*" => true,
            Value::Object(kinds) => kinds.iter().any(|(kind, ids)| {
                kind == request.principal.0
                    && strings(ids)
                        .iter()
                        .any(|id| id == "*" || id == request.principal.1)
            }),
            other => panic!("a resource policy statement without a Principal: {other}"),
        };
        if !matches {
            return false;
        }
    }
    let action_matches = |field: &str| {
        strings(&statement[field])
            .iter()
            .any(|p| wildcard(p, request.action, true))
    };
    let in_actions = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(_), None) => action_matches("Action"),
        (None, Some(_)) => !action_matches("NotAction"),
        _ => panic!("a statement needs exactly one of Action and NotAction: {statement}"),
    };
    if !in_actions {
        return false;
    }
    let resource_matches = |field: &str| {
        strings(&statement[field])
            .iter()
            .any(|p| wildcard(p, request.resource, false))
    };
    let in_resources = match (statement.get("Resource"), statement.get("NotResource")) {
        (Some(_), None) => resource_matches("Resource"),
        (None, Some(_)) => !resource_matches("NotResource"),
        // A trust policy names no resource: the role itself.
        (None, None) => true,
        _ => panic!("Resource and NotResource in one statement: {statement}"),
    };
    in_resources && conditions_hold(&statement["Condition"], request)
}

fn conditions_hold(conditions: &Value, request: &Request<'_>) -> bool {
    let Value::Object(operators) = conditions else {
        return true;
    };
    operators.iter().all(|(operator, keys)| {
        keys.as_object()
            .expect("condition keys")
            .iter()
            .all(|(key, values)| {
                let values = strings(values);
                let Some(actual) = request.context.get(&key.to_ascii_lowercase()) else {
                    // A missing key fails every operator the layers use (none is ...IfExists).
                    return operator.starts_with("StringNot") || operator.starts_with("ArnNot");
                };
                match operator.as_str() {
                    "StringEquals" | "ArnEquals" | "Bool" => values.iter().any(|v| v == actual),
                    "StringNotEquals" | "ArnNotEquals" => values.iter().all(|v| v != actual),
                    "StringLike" | "ArnLike" => values.iter().any(|v| wildcard(v, actual, false)),
                    "StringNotLike" | "ArnNotLike" => {
                        values.iter().all(|v| !wildcard(v, actual, false))
                    }
                    "NumericLessThan" => {
                        let actual: f64 = actual.parse().unwrap();
                        values.iter().any(|v| actual < v.parse::<f64>().unwrap())
                    }
                    other => panic!("condition operator {other} is not evaluated by this test"),
                }
            })
    })
}

/// IAM's `*` and `?` wildcards; actions compare case-insensitively.
pub fn wildcard(pattern: &str, value: &str, case_insensitive: bool) -> bool {
    let (p, v) = if case_insensitive {
        (pattern.to_ascii_lowercase(), value.to_ascii_lowercase())
    } else {
        (pattern.to_string(), value.to_string())
    };
    fn go(p: &[u8], v: &[u8]) -> bool {
        match (p.first(), v.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], v) || (!v.is_empty() && go(p, &v[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &v[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &v[1..]),
            _ => false,
        }
    }
    go(p.as_bytes(), v.as_bytes())
}

#[test]
fn wildcards_match_as_iam_does() {
    assert!(wildcard("s3:Get*", "s3:getobject", true));
    assert!(wildcard(
        "arn:aws:s3:::b/*.tflock",
        "arn:aws:s3:::b/platform/x.tfstate.tflock",
        false
    ));
    assert!(!wildcard(
        "arn:aws:s3:::b/*.tflock",
        "arn:aws:s3:::b/platform/x.tfstate",
        false
    ));
    assert!(wildcard(
        "arn:aws:iam::*:role/R",
        "arn:aws:iam::111111111111:role/R",
        false
    ));
    assert!(!wildcard(
        "arn:aws:iam::*:role/R",
        "arn:aws:iam::111111111111:role/RX",
        false
    ));
}
