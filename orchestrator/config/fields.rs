//! Typed reads from YAML nodes that record a problem instead of stopping at it, so one
//! `validate` names every mistake in the file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Duration;

use super::diagnostic::{Diagnostic, Pos};
use super::model::Vars;
use super::shared_values::SharedValues;
use super::yaml::{Node, NodeKind};

/// Collects every problem found while reading the config.
#[derive(Debug, Default)]
pub(super) struct Problems(pub Vec<Diagnostic>);

impl Problems {
    pub(super) fn add(&mut self, pos: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.0.push(Diagnostic::new(pos, message, help));
    }
}

/// A YAML mapping whose keys were checked against the fields it may hold.
pub(super) struct Fields<'a> {
    pub node: &'a Node,
    raw: &'a [(Node, Node)],
    /// Entries of `raw` refused (key not text, duplicate, unknown): they count as absent.
    /// Empty, and so free, in a good file.
    refused: Vec<usize>,
    /// What the mapping is, for messages (`environment `dev``).
    what: Cow<'static, str>,
}

impl<'a> Fields<'a> {
    /// Reads `node` as a mapping of the `known` fields (any field when `known` is empty);
    /// reports unknown and duplicate keys.
    pub(super) fn read(
        problems: &mut Problems,
        node: &'a Node,
        what: impl Into<Cow<'static, str>>,
        known: &[&str],
    ) -> Option<Fields<'a>> {
        let what = what.into();
        let NodeKind::Map(raw) = &node.kind else {
            problems.add(
                node.pos,
                format!("{what} must be a mapping, found {}", node.kind_name()),
                format!("write {what} as `key: value` lines"),
            );
            return None;
        };
        let mut refused = Vec::new();
        // Big user-keyed mappings (vars) get a hash set; small ones are scanned.
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        for (i, (key, _)) in raw.iter().enumerate() {
            let Some(name) = key.as_str() else {
                problems.add(
                    key.pos,
                    format!("a key in {what} is {}, not a name", key.kind_name()),
                    "use plain names as keys",
                );
                refused.push(i);
                continue;
            };
            let first = if raw.len() > 16 {
                seen.insert(name, key.pos)
            } else {
                raw[..i]
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(name))
                    .map(|(k, _)| k.pos)
            };
            if let Some(first) = first {
                problems.add(
                    key.pos,
                    format!(
                        "duplicate key `{name}` in {what} (first at line {})",
                        first.line
                    ),
                    "keep one of them: YAML would silently use the last",
                );
                refused.push(i);
                continue;
            }
            if !known.is_empty() && !known.contains(&name) {
                problems.add(
                    key.pos,
                    format!("unknown field `{name}` in {what}"),
                    suggest(name, known),
                );
                refused.push(i);
            }
        }
        Some(Fields {
            node,
            raw,
            refused,
            what,
        })
    }

    /// The value of `key`; a key written with no value counts as absent.
    pub(super) fn get(&self, key: &str) -> Option<&'a Node> {
        self.entry(key).map(|(_, v)| v).filter(|v| !v.is_null())
    }

    /// The key node itself, even when it has no value (for positions).
    pub(super) fn key(&self, key: &str) -> Option<&'a Node> {
        self.entry(key).map(|(k, _)| k)
    }

    fn entry(&self, key: &str) -> Option<(&'a Node, &'a Node)> {
        self.entries().find(|(k, _)| k.as_str() == Some(key))
    }

    pub(super) fn required(
        &self,
        problems: &mut Problems,
        key: &str,
        example: &str,
    ) -> Option<&'a Node> {
        match self.entry(key) {
            Some((_, v)) if !v.is_null() => Some(v),
            Some((k, _)) => {
                problems.add(
                    k.pos,
                    format!("`{key}` in {} has no value", self.what),
                    format!("write `{key}: {example}`"),
                );
                None
            }
            None => {
                problems.add(
                    self.node.pos,
                    format!("missing required field `{key}` in {}", self.what),
                    format!("add `{key}: {example}`"),
                );
                None
            }
        }
    }

    /// Every accepted entry, in file order (for mappings keyed by user names: environments,
    /// vars).
    pub(super) fn entries(&self) -> impl Iterator<Item = (&'a Node, &'a Node)> + '_ {
        let raw: &'a [(Node, Node)] = self.raw;
        raw.iter()
            .enumerate()
            .filter(|(i, _)| self.refused.is_empty() || !self.refused.contains(i))
            .map(|(_, (k, v))| (k, v))
    }
}

fn suggest(name: &str, known: &[&str]) -> String {
    let closest = known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match closest {
        Some((_, k)) => format!("did you mean `{k}`? (valid fields: {})", known.join(", ")),
        None => format!("remove it (valid fields: {})", known.join(", ")),
    }
}

pub(super) fn string(problems: &mut Problems, node: &Node, what: &str) -> Option<String> {
    match node.as_str() {
        Some(s) if !node.is_null() => Some(s.to_string()),
        _ => {
            problems.add(
                node.pos,
                format!("{what} must be text, found {}", node.kind_name()),
                format!("write {what} as a single value"),
            );
            None
        }
    }
}

pub(super) fn integer(problems: &mut Problems, node: &Node, what: &str) -> Option<i64> {
    let parsed = node.as_str().and_then(|s| s.parse::<i64>().ok());
    if parsed.is_none() {
        problems.add(
            node.pos,
            format!(
                "{what} must be a whole number, found `{}`",
                node.as_str().unwrap_or(node.kind_name())
            ),
            format!("write {what} as a number such as 0 or 3"),
        );
    }
    parsed
}

/// Durations are written like `90s`, `30m` or `1h 30m`; a bare number means seconds. Every
/// duration has bounds (see [`super::durations`]): zero, overflow and absurd values are refused.
pub(super) fn duration(
    problems: &mut Problems,
    node: &Node,
    bounds: &super::durations::Bounds,
) -> Option<Duration> {
    let text = string(problems, node, bounds.what)?;
    match super::durations::parse(bounds, &text) {
        Ok(d) => Some(d),
        Err(refused) => {
            problems.add(node.pos, refused.problem, refused.fix);
            None
        }
    }
}

pub(super) fn string_list(
    problems: &mut Problems,
    node: &Node,
    what: &str,
) -> Option<Vec<(String, Pos)>> {
    let NodeKind::Seq(items) = &node.kind else {
        problems.add(
            node.pos,
            format!("{what} must be a list, found {}", node.kind_name()),
            format!("write {what} as `[a, b]` or as `- a` lines"),
        );
        return None;
    };
    Some(
        items
            .iter()
            .filter_map(|item| {
                string(problems, item, &format!("an entry of {what}")).map(|s| (s, item.pos))
            })
            .collect(),
    )
}

/// `vars`: any mapping, passed to terraform as JSON.
pub(super) fn vars(
    problems: &mut Problems,
    shared: &SharedValues,
    node: &Node,
    what: &str,
) -> Vars {
    let Some(fields) = Fields::read(problems, node, what.to_string(), &[]) else {
        return Vars::new();
    };
    fields
        .entries()
        .filter_map(|(k, v)| {
            let key = k.as_str()?;
            if !is_identifier(key) {
                problems.add(
                    k.pos,
                    format!("`{key}` in {what} is not a valid terraform variable name"),
                    "use letters, digits and `_`, starting with a letter",
                );
                return None;
            }
            let value = match v.shared_text() {
                Some(text) => shared.value(text, || v.to_json().into()),
                None => v.to_json().into(),
            };
            Some((key.to_string(), value))
        })
        .collect()
}

pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_field() {
        assert!(suggest("regoin", &["region", "role_name"]).starts_with("did you mean `region`?"));
        assert!(suggest("zzz", &["region"]).starts_with("remove it"));
    }
}
