//! The short all-clear sent on the first success after a failure (`--previous`).

use super::audience::{commit_phrase, every_account, run_word, team_prefix, Audience};
use super::blocks::{Block, Message, MAX_FALLBACK_TEXT};
use super::mrkdwn::{code, escape, link};
use super::sections::{names_list, NAMES_SHOWN};
use crate::notify::error_lines::cut;
use crate::notify::{headline, Digest, RunLinks};
use crate::report::Outcome;

pub(super) fn recovery_message(
    d: &Digest<'_>,
    previous: &Digest<'_>,
    links: &RunLinks,
    audience: Audience<'_>,
) -> Message {
    let word = run_word(d);
    let mut header = format!(
        "{} {}{word} recovered",
        headline::slack_emoji(Outcome::Succeeded),
        team_prefix(audience)
    );
    if let Some(repo) = &links.repository {
        header.push_str(&format!(" · {repo}"));
    }
    let previously: Vec<String> = previous
        .failures
        .iter()
        .map(|f| code(&f.job.account))
        .collect();
    let mut text = format!(
        "{} succeeded{}. The previous run (`{}`) {}",
        every_account(d, audience),
        commit_phrase(links),
        escape(&previous.report.run_id),
        if previous.outcome() == Outcome::Cancelled {
            "was cancelled"
        } else {
            "failed"
        }
    );
    if previously.is_empty() {
        text.push('.');
    } else {
        text.push_str(&format!(" in {}.", names_list(&previously, NAMES_SHOWN)));
    }
    if let Some(url) = &links.run_url {
        text.push_str(&format!(" {}", link(url, "CI run")));
    }
    let fallback = format!(
        "{}{word} recovered: {} succeeded after the previous run failed",
        team_prefix(audience),
        every_account(d, audience).to_lowercase(),
    );
    Message {
        text: cut(&fallback, MAX_FALLBACK_TEXT),
        blocks: vec![Block::header(&header), Block::section(&text)],
    }
}
