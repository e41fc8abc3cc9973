//! The Slack message for one audience: what happened, what broke and why, what was held
//! back, what drifted, and how to redeploy; always within Slack's limits (see `blocks`).

use super::audience::team_prefix;
pub use super::audience::Audience;
use super::blocks::{Block, Message, MAX_BLOCKS, MAX_FALLBACK_TEXT, MAX_TOTAL_TEXT};
use super::composer::Composer;
use super::mrkdwn::escape;
use super::recovery::recovery_message;
use super::sections::{
    context_lines, drift_text, failure_sections, fields, held_back_text, names_list,
    not_finished_text, redeploy_section, summary_sentence,
};
use crate::notify::error_lines::cut;
use crate::notify::format::count;
use crate::notify::{headline, Digest, NextCommands, RunLinks};
use crate::report::Outcome;

/// What kind of message to write.
#[derive(Debug, Clone)]
pub enum Kind<'p> {
    /// The full account of the run.
    Report,
    /// A short all-clear: this run succeeded after `previous` did not.
    Recovery { previous: &'p Digest<'p> },
}

pub fn build(
    digest: &Digest<'_>,
    links: &RunLinks,
    commands: &NextCommands,
    audience: Audience<'_>,
    kind: &Kind<'_>,
) -> Message {
    match kind {
        Kind::Report => report_message(digest, links, commands, audience),
        Kind::Recovery { previous } => recovery_message(digest, previous, links, audience),
    }
}

fn report_message(
    d: &Digest<'_>,
    links: &RunLinks,
    commands: &NextCommands,
    audience: Audience<'_>,
) -> Message {
    let outcome = d.outcome();
    let head = vec![
        Block::header(&headline(d, outcome, links, audience)),
        Block::section(&summary_sentence(d, outcome, audience)),
        Block::fields(fields(d, links)),
    ];
    let mut tail = Vec::new();
    if let Some(section) = redeploy_section(d, links, commands) {
        tail.push(section);
    }
    tail.push(Block::context(context_lines(d, audience)));

    let used_blocks = head.len() + tail.len();
    let used_chars: usize = head.iter().chain(&tail).map(Block::text_chars).sum();
    let mut middle = Composer::new(
        MAX_BLOCKS - used_blocks,
        MAX_TOTAL_TEXT.saturating_sub(used_chars),
    );
    // Bounded sections first, so the failure groups take whatever room is left.
    let mut after_failures = Vec::new();
    if !d.held_back.is_empty() {
        after_failures.push(Block::section(&held_back_text(d)));
    }
    if !d.not_finished.is_empty() {
        after_failures.push(Block::section(&not_finished_text(d)));
    }
    if !d.drift.is_empty() {
        after_failures.push(Block::section(&drift_text(d)));
    }
    let reserved_blocks = after_failures.len() + 1;
    let reserved_chars: usize = after_failures.iter().map(Block::text_chars).sum();
    if !d.failures.is_empty() {
        middle.push(Block::Divider);
        failure_sections(d, &mut middle, reserved_blocks, reserved_chars);
    }
    if !after_failures.is_empty() {
        middle.push(Block::Divider);
    }
    for block in after_failures {
        middle.push(block);
    }

    let mut blocks = head;
    blocks.extend(middle.blocks);
    blocks.extend(tail);
    Message {
        text: fallback_text(d, outcome, links, audience),
        blocks,
    }
}

fn headline(d: &Digest<'_>, outcome: Outcome, links: &RunLinks, audience: Audience<'_>) -> String {
    format!(
        "{} {}{}",
        headline::slack_emoji(outcome),
        team_prefix(audience),
        headline_text(d, links)
    )
}

/// The verdict and the repository, without emoji (the fallback text starts with it).
fn headline_text(d: &Digest<'_>, links: &RunLinks) -> String {
    let mut text = headline::headline(d);
    if let Some(repo) = &links.repository {
        text.push_str(&format!(" · {repo}"));
    }
    text
}

fn fallback_text(
    d: &Digest<'_>,
    outcome: Outcome,
    links: &RunLinks,
    audience: Audience<'_>,
) -> String {
    let mut text = escape(&format!(
        "{}{}",
        team_prefix(audience),
        headline_text(d, links)
    ));
    if let Some(short) = links.short_commit() {
        text.push_str(&format!(" at {short}"));
    }
    let failed: Vec<String> = d
        .failures
        .iter()
        .map(|f| match f.layer {
            Some(l) => format!("{} ({l})", f.job.account),
            None => f.job.account.clone(),
        })
        .collect();
    if !failed.is_empty() {
        text.push_str(&format!(": {}", escape(&plain_names(&failed, 5))));
    }
    if !d.held_back.is_empty() {
        text.push_str(&format!(
            "; {} held back",
            count(d.held_back.len(), "account", "accounts")
        ));
    }
    if outcome == Outcome::Drifted {
        let drifted: Vec<String> = d.drift.iter().map(|x| x.job.account.clone()).collect();
        text.push_str(&format!(": {}", escape(&plain_names(&drifted, 5))));
    }
    // The link last, and never cut.
    match &links.run_url {
        Some(url) => format!(
            "{} {url}",
            cut(
                &text,
                MAX_FALLBACK_TEXT.saturating_sub(url.chars().count() + 1)
            )
        ),
        None => cut(&text, MAX_FALLBACK_TEXT),
    }
}

fn plain_names(names: &[String], shown: usize) -> String {
    names_list(names, shown)
}
