//! How the file writes its domain entries (indentation, flow or block accounts, aligned
//! keys, blank lines, line endings), where the list ends, and the new entry in that style.

use super::super::yaml::{Node, NodeKind};
use super::error::AddDomainError;
use super::request::NewDomain;

/// The layout of the last entry of `domains:`, which the new entry copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Layout {
    /// Column (from 0) of the `-` that starts an entry.
    dash: usize,
    /// Spaces between the `-` and the entry's first key.
    after_dash: usize,
    /// How much deeper environment keys sit than `environments:`.
    env_step: usize,
    /// Accounts written on one line as `{ account_id: ... }` (else as block lines).
    flow_accounts: bool,
    /// `{ a: 1 }` rather than `{a: 1}`.
    brace_space: bool,
    /// Environment keys padded so that their values start this many columns after the key
    /// starts (`dev:   {` under `stage: {`).
    align: Option<usize>,
    /// How much deeper block account fields sit than their environment key.
    field_step: usize,
    /// Entries are separated by a blank line.
    blank_between: bool,
    newline: &'static str,
    /// Byte offset where the new entry goes: the start of the line after the last entry.
    pub insert_at: usize,
    /// The file ends right after the last entry, without a final newline.
    pub needs_newline: bool,
}

/// The entries of `domains:` in the tree.
pub(super) fn domain_entries(root: &Node) -> Option<&Node> {
    let NodeKind::Map(entries) = &root.kind else {
        return None;
    };
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some("domains"))
        .map(|(_, v)| v)
}

pub(super) fn layout(text: &str, domains: &Node) -> Result<Layout, AddDomainError> {
    let lines: Vec<&str> = text.split('\n').collect();
    let at = |line: usize, col: usize| -> String {
        lines
            .get(line - 1)
            .map(|l| l.chars().skip(col - 1).collect())
            .unwrap_or_default()
    };
    if at(domains.pos.line(), domains.pos.col()).starts_with('[') {
        return Err(AddDomainError::FlowStyleDomains);
    }
    let NodeKind::Seq(items) = &domains.kind else {
        return Err(AddDomainError::FlowStyleDomains);
    };
    let last = items.last().ok_or(AddDomainError::FlowStyleDomains)?;
    let NodeKind::Map(fields) = &last.kind else {
        return Err(AddDomainError::FlowStyleDomains);
    };
    if at(last.pos.line(), last.pos.col()).starts_with('{') {
        return Err(AddDomainError::FlowStyleDomains);
    }

    // `  - name: x`: the dash sits before the first key on the same line.
    let entry_line = lines[last.pos.line() - 1];
    let before_key: String = entry_line.chars().take(last.pos.col() - 1).collect();
    let (dash, after_dash) = match before_key.trim_end().strip_suffix('-') {
        Some(indent) if indent.trim().is_empty() => {
            let dash = indent.chars().count();
            (dash, last.pos.col() - 1 - dash - 1)
        }
        _ => (last.pos.col().saturating_sub(3), 1),
    };

    let mut env_step = 2;
    let mut field_step = 2;
    let mut flow_accounts = true;
    let mut brace_space = true;
    let mut align = None;
    if let Some((env_key, envs)) = fields
        .iter()
        .find(|(k, _)| k.as_str() == Some("environments"))
    {
        if let NodeKind::Map(accounts) = &envs.kind {
            if let Some((first_key, first_value)) = accounts.first() {
                if first_key.pos.line() > env_key.pos.line() {
                    env_step = first_key.pos.col().saturating_sub(env_key.pos.col()).max(1);
                }
                let value_text = at(first_value.pos.line(), first_value.pos.col());
                flow_accounts = value_text.starts_with('{');
                brace_space = !value_text.starts_with("{}") && value_text[1..].starts_with(' ');
                if let (false, NodeKind::Map(account_fields)) = (flow_accounts, &first_value.kind) {
                    if let Some((k, _)) = account_fields.first() {
                        field_step = k.pos.col().saturating_sub(first_key.pos.col()).max(1);
                    }
                }
            }
            let offsets: Vec<usize> = accounts
                .iter()
                .filter(|(k, v)| k.pos.line() == v.pos.line())
                .map(|(k, v)| v.pos.col() - k.pos.col())
                .collect();
            let padded = accounts.iter().any(|(k, v)| {
                let key_len = k.as_str().map_or(0, |s| s.chars().count());
                v.pos.line() == k.pos.line() && v.pos.col() > k.pos.col() + key_len + 2
            });
            if flow_accounts
                && padded
                && offsets.len() == accounts.len()
                && offsets.iter().all(|o| *o == offsets[0])
            {
                align = Some(offsets[0]);
            }
        }
    }

    let is_comment = |l: &str| l.trim_start().starts_with('#');
    let indent = |l: &str| l.chars().take_while(|c| *c == ' ').count();
    let blank = |l: &str| l.trim().is_empty();

    // Does a blank line come before the last entry (above any comment lines over it)?
    // The line above the entry (0-based), while there is one.
    let mut above = last.pos.line().checked_sub(2);
    while let Some(line) = above.filter(|&l| is_comment(lines[l])) {
        above = line.checked_sub(1);
    }
    let blank_between = items.len() > 1 && above.is_some_and(|l| blank(lines[l]));

    // The entry ends at its last line of content; comments as deep as its fields belong to
    // it, blank lines and shallower comments after it belong to what follows.
    let mut last_line = last.pos.line() - 1;
    for (i, line) in lines.iter().enumerate().skip(last.pos.line()) {
        if blank(line) {
            continue;
        }
        if indent(line) > dash {
            last_line = i;
        } else if !is_comment(line) {
            break;
        }
    }
    let insert_at: usize = lines[..=last_line].iter().map(|l| l.len() + 1).sum();
    let (insert_at, needs_newline) = if insert_at > text.len() {
        (text.len(), true)
    } else {
        (insert_at, false)
    };
    Ok(Layout {
        dash,
        after_dash,
        env_step,
        flow_accounts,
        brace_space,
        align,
        field_step,
        blank_between,
        newline: if text.contains("\r\n") { "\r\n" } else { "\n" },
        insert_at,
        needs_newline,
    })
}

/// The new entry's lines, each ending with the file's newline.
pub(super) fn render(domain: &NewDomain, layout: &Layout) -> String {
    let key_indent = " ".repeat(layout.dash + 1 + layout.after_dash);
    let env_indent = format!("{key_indent}{}", " ".repeat(layout.env_step));
    let field_indent = format!("{env_indent}{}", " ".repeat(layout.field_step));
    let mut lines: Vec<String> = Vec::new();
    if layout.blank_between {
        lines.push(String::new());
    }
    lines.push(format!(
        "{}-{}name: {}",
        " ".repeat(layout.dash),
        " ".repeat(layout.after_dash),
        scalar(&domain.name)
    ));
    lines.push(format!("{key_indent}team: {}", scalar(&domain.team)));
    if let Some(channel) = &domain.slack_channel {
        lines.push(format!("{key_indent}slack_channel: {}", quoted(channel)));
    }
    lines.push(format!("{key_indent}environments:"));
    // Values start at the same column as in the entries above, or further right when a
    // new key is longer.
    let offset = layout.align.map(|existing| {
        let longest = domain
            .accounts
            .iter()
            .map(|a| scalar(&a.environment).chars().count() + 2)
            .max()
            .unwrap_or(0);
        existing.max(longest)
    });
    let (open, close) = if layout.brace_space {
        ("{ ", " }")
    } else {
        ("{", "}")
    };
    for account in &domain.accounts {
        let env = scalar(&account.environment);
        // An account without id (account vending creates it) has no `account_id` line.
        let id = (!account.account_id.is_empty()).then(|| quoted(&account.account_id));
        if layout.flow_accounts {
            let pad = match offset {
                Some(offset) => " ".repeat(offset - env.chars().count() - 2),
                None => String::new(),
            };
            let mut fields = Vec::new();
            if let Some(id) = &id {
                fields.push(format!("account_id: {id}"));
            }
            if let Some(cidr) = &account.network_cidr {
                fields.push(format!("network: {open}cidr: {cidr}{close}"));
            }
            let value = if fields.is_empty() {
                "{}".to_string()
            } else {
                format!("{open}{}{close}", fields.join(", "))
            };
            lines.push(format!("{env_indent}{env}:{pad} {value}"));
        } else if id.is_none() && account.network_cidr.is_none() {
            lines.push(format!("{env_indent}{env}: {{}}"));
        } else {
            lines.push(format!("{env_indent}{env}:"));
            if let Some(id) = &id {
                lines.push(format!("{field_indent}account_id: {id}"));
            }
            if let Some(cidr) = &account.network_cidr {
                lines.push(format!("{field_indent}network:"));
                lines.push(format!(
                    "{field_indent}{}cidr: {cidr}",
                    " ".repeat(layout.field_step)
                ));
            }
        }
    }
    let mut out = String::new();
    for line in lines {
        out.push_str(&line);
        out.push_str(layout.newline);
    }
    out
}

/// A value written plain when YAML reads it back as the same text, quoted otherwise.
fn scalar(value: &str) -> String {
    const WORDS: &[&str] = &["null", "true", "false", "yes", "no", "on", "off", "y", "n"];
    let plain = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && !WORDS.contains(&value.to_ascii_lowercase().as_str());
    if plain {
        value.to_string()
    } else {
        quoted(value)
    }
}

/// A double-quoted YAML scalar (JSON string syntax is valid YAML).
fn quoted(value: &str) -> String {
    serde_json::to_string(value).expect("a string serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_only_when_yaml_would_change_them() {
        assert_eq!(scalar("catalog"), "catalog");
        assert_eq!(scalar("partner-engineering"), "partner-engineering");
        assert_eq!(scalar("no"), "\"no\"");
        assert_eq!(scalar("Null"), "\"Null\"");
        assert_eq!(scalar("Partner Engineering"), "\"Partner Engineering\"");
        assert_eq!(scalar("1e3"), "\"1e3\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(quoted("#x\"y"), "\"#x\\\"y\"");
    }
}
