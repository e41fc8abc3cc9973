//! Adds the entry to the file's text: checks the request, lays the entry out in the file's
//! style after the last domain, and proves the result is a valid config that differs from
//! the old one only by the new domain. Writing the file is the caller's job.

use std::path::Path;

use super::super::model::Config;
use super::super::yaml::{self, NodeKind};
use super::error::AddDomainError;
use super::request::{plan, DomainRequest, NewDomain};
use super::style::{domain_entries, layout, render};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The whole new file.
    pub text: String,
    pub domain: NewDomain,
}

/// `text` is the config file at `path` (relative paths in it resolve from there).
pub fn add_domain(
    path: &Path,
    text: &str,
    request: &DomainRequest,
) -> Result<Added, AddDomainError> {
    let config = super::super::from_str(path, text)
        .map_err(|e| AddDomainError::InvalidConfig(e.to_string()))?;
    let root = yaml::parse(text)
        .ok()
        .flatten()
        .ok_or_else(|| AddDomainError::InvalidConfig("the file holds no document".into()))?;
    let domains = domain_entries(&root).ok_or(AddDomainError::FlowStyleDomains)?;
    if let NodeKind::Seq(items) = &domains.kind {
        for item in items {
            if let NodeKind::Map(fields) = &item.kind {
                if let Some((_, name)) = fields.iter().find(|(k, _)| k.as_str() == Some("name")) {
                    if name.as_str() == Some(request.name.as_str()) {
                        return Err(AddDomainError::Duplicate {
                            name: request.name.clone(),
                            line: name.pos.line,
                        });
                    }
                }
            }
        }
    }
    let domain = plan(&config, request)?;
    let layout = layout(text, domains)?;
    let entry = render(&domain, &layout);

    let mut new_text = String::with_capacity(text.len() + entry.len() + 2);
    new_text.push_str(&text[..layout.insert_at]);
    if layout.needs_newline {
        new_text.push_str(if text.contains("\r\n") { "\r\n" } else { "\n" });
    }
    new_text.push_str(&entry);
    new_text.push_str(&text[layout.insert_at..]);

    let new_config = super::super::from_str(path, &new_text)
        .map_err(|e| AddDomainError::ResultInvalid(e.to_string()))?;
    check_only_added(&config, &new_config, &domain)?;
    Ok(Added {
        text: new_text,
        domain,
    })
}

/// The new config is the old one plus exactly the requested accounts.
fn check_only_added(old: &Config, new: &Config, domain: &NewDomain) -> Result<(), AddDomainError> {
    let unchanged: Vec<_> = new
        .accounts
        .iter()
        .filter(|a| a.domain != domain.name)
        .collect();
    let mut got: Vec<(&str, &str, Option<&str>)> = new
        .accounts
        .iter()
        .filter(|a| a.domain == domain.name)
        .map(|a| {
            (
                a.environment.as_str(),
                a.account_id.as_str(),
                a.network_cidr.as_deref(),
            )
        })
        .collect();
    let mut wanted: Vec<(&str, &str, Option<&str>)> = domain
        .accounts
        .iter()
        .map(|a| {
            (
                a.environment.as_str(),
                a.account_id.as_str(),
                a.network_cidr.as_deref(),
            )
        })
        .collect();
    got.sort();
    wanted.sort();
    let same_old = unchanged.len() == old.accounts.len()
        && unchanged.iter().zip(&old.accounts).all(|(a, b)| *a == b);
    if !same_old || got != wanted || new.domain(&domain.name).is_none() {
        return Err(AddDomainError::ResultInvalid(format!(
            "the new file does not read back as the old accounts plus {}",
            domain.name
        )));
    }
    Ok(())
}
