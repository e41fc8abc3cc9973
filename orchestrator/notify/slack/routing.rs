//! Who gets which accounts. The platform webhook (`SLACK_WEBHOOK_URL`) gets every account.
//! A domain's team gets a message of its own accounts when the environment holds a webhook
//! named after the domain: `SLACK_WEBHOOK_URL_<DOMAIN>`, the domain name uppercased with `-`
//! turned into `_` (domain `data-platform` -> `SLACK_WEBHOOK_URL_DATA_PLATFORM`). The
//! domain's `slack_channel` in domains.yaml names that webhook's channel; webhooks never
//! live in domains.yaml, which anyone can read.

use super::audience::Audience;
use super::webhook::{Webhook, WebhookError};
use crate::config::Domain;
use crate::notify::Scope;
use crate::report::RunReport;

pub const PLATFORM_WEBHOOK_VAR: &str = "SLACK_WEBHOOK_URL";

/// The variable holding a domain team's webhook.
pub fn team_webhook_var(domain: &str) -> String {
    format!(
        "{PLATFORM_WEBHOOK_VAR}_{}",
        domain.to_ascii_uppercase().replace('-', "_")
    )
}

#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub audience: Audience<'a>,
    pub scope: Scope<'a>,
    pub webhook: Webhook,
}

impl Target<'_> {
    /// `platform channel` or `catalog team (#catalog-deploys)`, for messages.
    pub fn label(&self) -> String {
        match self.audience {
            Audience::Platform => "the platform channel".to_string(),
            Audience::Team {
                domain,
                channel: Some(c),
            } => format!("the {domain} team ({c})"),
            Audience::Team { domain, .. } => format!("the {domain} team"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Routing<'a> {
    /// The platform first, then teams in report order.
    pub targets: Vec<Target<'a>>,
    /// Things worth saying about the routing (a channel without a webhook, ...).
    pub notes: Vec<String>,
}

/// `env` answers an environment variable's value. A missing or malformed platform webhook,
/// or a malformed team webhook, is an error; a team without one is a note.
pub fn route<'a>(
    report: &'a RunReport,
    domains: &'a [Domain],
    env: impl Fn(&str) -> Option<String>,
) -> Result<Routing<'a>, WebhookError> {
    let platform = Webhook::parse(PLATFORM_WEBHOOK_VAR, env(PLATFORM_WEBHOOK_VAR))?;
    let mut routing = Routing {
        targets: Vec::new(),
        notes: Vec::new(),
    };
    let mut seen: Vec<&str> = Vec::new();
    for job in &report.jobs {
        let domain = job.domain.as_str();
        if seen.contains(&domain) {
            continue;
        }
        seen.push(domain);
        let channel = domains
            .iter()
            .find(|d| d.name == domain)
            .and_then(|d| d.slack_channel.as_deref());
        let variable = team_webhook_var(domain);
        match Webhook::parse(&variable, env(&variable)) {
            Ok(hook) if hook.same_url(&platform) => routing.notes.push(format!(
                "{variable} is the platform webhook itself: the {domain} accounts are in the platform message"
            )),
            Ok(webhook) => routing.targets.push(Target {
                audience: Audience::Team { domain, channel },
                scope: Scope::Domain(domain),
                webhook,
            }),
            Err(WebhookError::Missing { .. }) => {
                if let Some(channel) = channel {
                    routing.notes.push(format!(
                        "domain {domain} names {channel} but {variable} is not set: its accounts are in the platform message only"
                    ));
                }
            }
            Err(e) => return Err(e),
        }
    }
    routing.targets.insert(
        0,
        Target {
            audience: Audience::Platform,
            scope: Scope::All,
            webhook: platform,
        },
    );
    Ok(routing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_follow_the_domain() {
        assert_eq!(team_webhook_var("catalog"), "SLACK_WEBHOOK_URL_CATALOG");
        assert_eq!(
            team_webhook_var("data-platform"),
            "SLACK_WEBHOOK_URL_DATA_PLATFORM"
        );
    }
}
