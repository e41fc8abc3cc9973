//! Who reads a Slack message, and the phrases that change with the reader.

use super::mrkdwn::link;
use crate::notify::{Digest, RunLinks};
use crate::report::Mode;

/// Who reads the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience<'a> {
    /// The platform channel (`SLACK_WEBHOOK_URL`): every account.
    Platform,
    /// One domain's team: its accounts only.
    Team {
        domain: &'a str,
        channel: Option<&'a str>,
    },
}

pub(super) fn run_word(d: &Digest<'_>) -> &'static str {
    match d.report.mode {
        Mode::Apply => "Deploy",
        Mode::Plan => "Plan",
    }
}

pub(super) fn team_prefix(audience: Audience<'_>) -> String {
    match audience {
        Audience::Platform => String::new(),
        Audience::Team { domain, .. } => format!("{domain} · "),
    }
}

pub(super) fn every_account(d: &Digest<'_>, audience: Audience<'_>) -> String {
    let n = d.jobs.len();
    match (audience, n) {
        (Audience::Team { domain, .. }, 1) => format!("The {domain} account"),
        (Audience::Team { domain, .. }, _) => format!("All {n} {domain} accounts"),
        (Audience::Platform, 1) => "The account".to_string(),
        (Audience::Platform, _) => format!("All {n} accounts"),
    }
}

pub(super) fn commit_phrase(links: &RunLinks) -> String {
    match (links.short_commit(), links.commit_url()) {
        (Some(short), Some(url)) => format!(" at {}", link(&url, short)),
        (Some(short), None) => format!(" at `{short}`"),
        _ => String::new(),
    }
}
