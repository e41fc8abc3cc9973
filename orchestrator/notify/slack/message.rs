//! The Slack message for one audience: what happened, what broke and why, what was held
//! back, what drifted, and how to redeploy; always within Slack's limits (see `blocks`).

use super::blocks::{Block, Message, MAX_BLOCKS, MAX_FALLBACK_TEXT, MAX_TOTAL_TEXT};
use super::grouping::{self, ErrorGroup};
use super::mrkdwn::{code, code_block, escape, link, truncate};
use crate::notify::error_lines::cut;
use crate::notify::format::{and_list, count, duration};
use crate::notify::{headline, Digest, Drift, RunLinks, Scope};
use crate::report::{ChangeCounts, JobReport, Mode, Outcome, Status};

/// One failed error group's section; long enough for a dozen names and eight error lines.
const GROUP_CHARS: usize = 1500;
/// Sections listing accounts (held back, not finished).
const LIST_CHARS: usize = 1500;
const DRIFT_CHARS: usize = 2500;
/// Distinct errors shown in full; more is a wall nobody reads, and the run report has them.
const MAX_ERROR_GROUPS: usize = 15;
/// Account names listed before "and N more".
const NAMES_SHOWN: usize = 12;

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
    audience: Audience<'_>,
    kind: &Kind<'_>,
) -> Message {
    match kind {
        Kind::Report => report_message(digest, links, audience),
        Kind::Recovery { previous } => recovery_message(digest, previous, links, audience),
    }
}

/// Adds blocks while they fit the block count and the total text budget.
struct Composer {
    blocks: Vec<Block>,
    blocks_left: usize,
    chars_left: usize,
}

impl Composer {
    fn new(blocks_left: usize, chars_left: usize) -> Self {
        Self {
            blocks: Vec::new(),
            blocks_left,
            chars_left,
        }
    }

    fn fits(&self, block: &Block) -> bool {
        self.blocks_left > 0 && block.text_chars() <= self.chars_left
    }

    fn push(&mut self, block: Block) -> bool {
        if !self.fits(&block) {
            return false;
        }
        self.blocks_left -= 1;
        self.chars_left -= block.text_chars();
        self.blocks.push(block);
        true
    }
}

fn report_message(d: &Digest<'_>, links: &RunLinks, audience: Audience<'_>) -> Message {
    let outcome = d.outcome();
    let head = vec![
        Block::header(&headline(d, outcome, links, audience)),
        Block::section(&summary_sentence(d, outcome, audience)),
        Block::fields(fields(d, links)),
    ];
    let mut tail = Vec::new();
    if let Some(section) = redeploy_section(d, links) {
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

fn recovery_message(
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

fn run_word(d: &Digest<'_>) -> &'static str {
    match d.report.mode {
        Mode::Apply => "Deploy",
        Mode::Plan => "Plan",
    }
}

fn team_prefix(audience: Audience<'_>) -> String {
    match audience {
        Audience::Platform => String::new(),
        Audience::Team { domain, .. } => format!("{domain} · "),
    }
}

fn every_account(d: &Digest<'_>, audience: Audience<'_>) -> String {
    let n = d.jobs.len();
    match (audience, n) {
        (Audience::Team { domain, .. }, 1) => format!("The {domain} account"),
        (Audience::Team { domain, .. }, _) => format!("All {n} {domain} accounts"),
        (Audience::Platform, 1) => "The account".to_string(),
        (Audience::Platform, _) => format!("All {n} accounts"),
    }
}

fn commit_phrase(links: &RunLinks) -> String {
    match (links.short_commit(), links.commit_url()) {
        (Some(short), Some(url)) => format!(" at {}", link(&url, short)),
        (Some(short), None) => format!(" at `{short}`"),
        _ => String::new(),
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

fn summary_sentence(d: &Digest<'_>, outcome: Outcome, audience: Audience<'_>) -> String {
    let total = d.jobs.len();
    let whose = match audience {
        Audience::Platform => String::new(),
        Audience::Team { domain, .. } => format!("{domain} "),
    };
    let of_total = |n: usize| {
        format!(
            "{n} of {total} {whose}{}",
            if total == 1 { "account" } else { "accounts" }
        )
    };
    let failed_in = {
        let waves: Vec<String> = d.failed_waves().iter().map(|w| code(w)).collect();
        if waves.is_empty() {
            String::new()
        } else {
            format!(
                " in {} {}",
                if waves.len() == 1 { "wave" } else { "waves" },
                and_list(&waves)
            )
        }
    };
    let mut text = match outcome {
        Outcome::Halted => {
            let mut t = if d.failures.is_empty() {
                String::from("The run was halted")
            } else {
                format!("*{} failed*{failed_in}", of_total(d.failures.len()))
            };
            if let Some(w) = d.halted_wave {
                let held: Vec<String> = d.held_back_waves().iter().map(|w| code(w)).collect();
                let only_this_wave = d.failed_waves() == [w.name.as_str()];
                let beyond = if only_this_wave && d.scope == Scope::All {
                    format!(", beyond its tolerance of {}", w.failure_tolerance)
                } else {
                    format!(
                        "; wave {} had {} in all, beyond its tolerance of {}",
                        code(&w.name),
                        count(w.failures as usize, "failure", "failures"),
                        w.failure_tolerance
                    )
                };
                t.push_str(&format!(
                    "{beyond}, so {} did not start",
                    if held.is_empty() {
                        "the later waves".to_string()
                    } else {
                        format!(
                            "{} {}",
                            if held.len() == 1 { "wave" } else { "waves" },
                            and_list(&held)
                        )
                    }
                ));
            }
            if !d.held_back.is_empty() {
                t.push_str(&format!(
                    ": *{} held back*",
                    count(d.held_back.len(), "account", "accounts")
                ));
            }
            t.push('.');
            t
        }
        Outcome::Failed => {
            let within: Vec<String> = d
                .report
                .waves
                .iter()
                .filter(|w| w.failures > 0 && w.failures <= w.failure_tolerance)
                .map(|w| format!("{} (tolerance {})", code(&w.name), w.failure_tolerance))
                .collect();
            let mut t = format!("*{} failed*{failed_in}", of_total(d.failures.len()));
            if !within.is_empty() {
                t.push_str(&format!(
                    "; within the tolerance of {}, so the later waves ran",
                    and_list(&within)
                ));
            }
            t.push('.');
            t
        }
        Outcome::Cancelled => format!(
            "The run was cancelled (Ctrl-C or SIGTERM): {} did not finish.",
            count(d.not_finished.len(), "account", "accounts")
        ),
        Outcome::Drifted => {
            let total_changes = d.drift_total();
            format!(
                "The plan found changes in *{}*: {}. Nothing was applied.",
                of_total(d.drift.len()),
                changes_text(&total_changes)
            )
        }
        Outcome::Succeeded => match d.report.mode {
            Mode::Apply => format!("{} succeeded.", every_account(d, audience)),
            Mode::Plan => format!(
                "{} match their code: every plan is empty.",
                every_account(d, audience)
            ),
        },
    };
    text.push_str(&format!("\n{}", status_line(d)));
    text
}

/// `9 succeeded · 2 failed · 6 held back`.
fn status_line(d: &Digest<'_>) -> String {
    let mut parts = Vec::new();
    let held = d.held_back.len();
    for (status, n) in d.counts() {
        let n = if status == Status::Skipped {
            n - held.min(n)
        } else {
            n
        };
        if n > 0 {
            parts.push(format!("{n} {}", status_word(status)));
        }
    }
    if held > 0 {
        parts.push(format!("{held} held back"));
    }
    parts.join(" · ")
}

pub fn status_word(status: Status) -> &'static str {
    match status {
        Status::Succeeded => "succeeded",
        Status::NoChanges => "no changes",
        Status::Changes => "changes",
        Status::Skipped => "skipped",
        Status::Cancelled => "cancelled",
        Status::Failed => "failed",
    }
}

fn fields(d: &Digest<'_>, links: &RunLinks) -> Vec<String> {
    let mut fields = Vec::new();
    if let (Some(repo), Some(url)) = (&links.repository, links.repository_url()) {
        fields.push(format!("*Repository*\n{}", link(&url, repo)));
    }
    match (links.short_commit(), links.commit_url()) {
        (Some(short), Some(url)) => fields.push(format!("*Commit*\n{}", link(&url, short))),
        (Some(short), None) => fields.push(format!("*Commit*\n`{short}`")),
        _ => {}
    }
    if let Some(url) = &links.run_url {
        fields.push(format!("*CI run*\n{}", link(url, "Open the run")));
    }
    let waves = d.failed_waves();
    if !waves.is_empty() {
        let described: Vec<String> = waves
            .iter()
            .map(|w| {
                let failures = d.failures.iter().filter(|f| f.job.wave == *w).count();
                format!("{} ({failures})", code(w))
            })
            .collect();
        fields.push(format!("*Failed wave*\n{}", described.join(", ")));
    }
    fields.push(format!(
        "*Mode*\n{}",
        match d.report.mode {
            Mode::Apply => "apply",
            Mode::Plan => "plan only",
        }
    ));
    fields.push(format!("*Duration*\n{}", duration(d.report.duration_ms)));
    fields
}

fn failure_sections(
    d: &Digest<'_>,
    out: &mut Composer,
    reserved_blocks: usize,
    reserved_chars: usize,
) {
    let groups = grouping::by_error(&d.failures);
    // Room kept for the "and N more" line that may follow.
    const MORE_CHARS: usize = 800;
    let mut shown = 0;
    for group in groups.iter().take(MAX_ERROR_GROUPS) {
        let block = Block::section(&group_text(group));
        let fits = out.blocks_left > reserved_blocks + 1
            && block.text_chars() + reserved_chars + MORE_CHARS <= out.chars_left;
        if !fits || !out.push(block) {
            break;
        }
        shown += 1;
    }
    let rest = &groups[shown..];
    if rest.is_empty() {
        return;
    }
    let accounts: Vec<String> = rest
        .iter()
        .flat_map(|g| g.failures.iter().map(|f| code(&f.job.account)))
        .collect();
    let text = format!(
        "…and {} more {} in {}: {}. The run report and the CI run have every error.",
        rest.len(),
        if rest.len() == 1 { "error" } else { "errors" },
        count(accounts.len(), "account", "accounts"),
        names_list(&accounts, NAMES_SHOWN)
    );
    out.push(Block::section(&truncate(&text, MORE_CHARS)));
}

fn group_text(group: &ErrorGroup<'_, '_>) -> String {
    let layer = group
        .layer
        .map(|l| format!(" · layer {}", code(l)))
        .unwrap_or_else(|| " · before any layer".to_string());
    let first = group.failures[0];
    let head = if group.failures.len() == 1 {
        let attempts = match first.attempts {
            0 | 1 => String::new(),
            n => format!(" · {n} attempts"),
        };
        format!("*{}*{layer}{attempts}", code(&first.job.account))
    } else {
        let names: Vec<String> = group
            .failures
            .iter()
            .map(|f| code(&f.job.account))
            .collect();
        format!(
            "*{}*{layer}: {}",
            count(names.len(), "account", "accounts"),
            names_list(&names, NAMES_SHOWN)
        )
    };
    truncate(&format!("{head}\n{}", code_block(group.lines)), GROUP_CHARS)
}

fn held_back_text(d: &Digest<'_>) -> String {
    let names: Vec<String> = d.held_back.iter().map(|j| code(&j.account)).collect();
    let waves: Vec<String> = d.held_back_waves().iter().map(|w| code(w)).collect();
    let why = d
        .halted_wave
        .map(|w| format!(" after wave {} failed", code(&w.name)))
        .unwrap_or_default();
    truncate(
        &format!(
            "*Held back* ({} {} did not start{why}): {}",
            if waves.len() == 1 { "wave" } else { "waves" },
            and_list(&waves),
            names_list(&names, 40)
        ),
        LIST_CHARS,
    )
}

fn not_finished_text(d: &Digest<'_>) -> String {
    let describe = |j: &&JobReport| match (&j.status, &j.reason) {
        (_, Some(reason)) => format!("{} ({})", code(&j.account), escape(reason)),
        (Status::Cancelled, None) => format!("{} (cancelled)", code(&j.account)),
        _ => format!("{} (not started)", code(&j.account)),
    };
    let names: Vec<String> = d.not_finished.iter().map(describe).collect();
    truncate(
        &format!("*Did not finish*: {}", names_list(&names, 20)),
        LIST_CHARS,
    )
}

fn drift_text(d: &Digest<'_>) -> String {
    let total = d.drift_total();
    let mut text = format!(
        "*Drift* · {} with changes in their plan: {}",
        count(d.drift.len(), "account", "accounts"),
        changes_text(&total)
    );
    let lines: Vec<String> = d.drift.iter().map(drift_line).collect();
    // Whole lines only; the rest are counted.
    let mut shown = 0;
    for line in &lines {
        if text.chars().count() + line.chars().count() + 60 > DRIFT_CHARS {
            break;
        }
        text.push('\n');
        text.push_str(line);
        shown += 1;
    }
    if shown < lines.len() {
        text.push_str(&format!(
            "\n• and {} more",
            count(lines.len() - shown, "account", "accounts")
        ));
    }
    text
}

fn drift_line(drift: &Drift<'_>) -> String {
    let layers: Vec<String> = drift.layers.iter().map(|l| code(l)).collect();
    let changes = drift
        .changes
        .map(|c| changes_text(&c))
        .unwrap_or_else(|| "changes (no counts recorded)".to_string());
    let in_layers = if layers.is_empty() {
        String::new()
    } else {
        format!(" in {}", and_list(&layers))
    };
    format!("• {}: {changes}{in_layers}", code(&drift.job.account))
}

/// `2 to add, 1 to change, 0 to destroy`, terraform's own words.
pub fn changes_text(c: &ChangeCounts) -> String {
    format!(
        "{} to add, {} to change, {} to destroy",
        c.add, c.change, c.destroy
    )
}

fn redeploy_section(d: &Digest<'_>, links: &RunLinks) -> Option<Block> {
    let (account, title) = if let Some(f) = d.failures.first() {
        (
            &f.job.account,
            "*Redeploy one failed account* once the cause is fixed:",
        )
    } else if let Some(drift) = d.drift.first() {
        (
            &drift.job.account,
            "*Apply the code to one drifted account*:",
        )
    } else {
        return None;
    };
    let mut text = format!(
        "{title}\n{}",
        code_block(&[format!("orchestrator deploy --accounts {account}")])
    );
    if let Some(url) = links.redeploy_workflow_url() {
        text.push_str(&format!(
            "\nor run the {} with account {}.",
            link(&url, "redeploy workflow"),
            code(account)
        ));
    }
    Some(Block::section(&text))
}

fn context_lines(d: &Digest<'_>, audience: Audience<'_>) -> Vec<String> {
    let mut lines = vec![format!(
        "Run `{}` · config `{}` · {}",
        escape(&d.report.run_id),
        escape(&d.report.config),
        count(d.jobs.len(), "account", "accounts"),
    )];
    if let Audience::Team { domain, channel } = audience {
        let channel = channel
            .map(|c| format!(" ({})", escape(c)))
            .unwrap_or_default();
        lines.push(format!(
            "Only the {} accounts{channel}; the platform channel gets every account.",
            escape(domain)
        ));
    }
    lines
}

/// `a, b, c and 9 more` (names are already mrkdwn).
fn names_list(names: &[String], shown: usize) -> String {
    if names.len() <= shown {
        return and_list(names);
    }
    format!(
        "{} and {} more",
        names[..shown].join(", "),
        names.len() - shown
    )
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
