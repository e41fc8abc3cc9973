//! The text of each part of a report message: the summary sentence, the fields, one section
//! per error group, the held-back accounts, drift, the redeploy command and the context line.

use super::audience::{every_account, Audience};
use super::blocks::Block;
use super::composer::Composer;
use super::grouping::{self, ErrorGroup};
use super::mrkdwn::{code, code_block, escape, link, truncate};
use crate::notify::format::{and_list, changes_text, count, duration, status_word};
use crate::notify::{Digest, Drift, NextCommands, RunLinks, Scope};
use crate::report::{JobReport, Mode, Outcome, Status};

/// One failed error group's section; long enough for a dozen names and eight error lines.
const GROUP_CHARS: usize = 1500;
/// Sections listing accounts (held back, not finished).
const LIST_CHARS: usize = 1500;
const DRIFT_CHARS: usize = 2500;
/// Distinct errors shown in full; more is a wall nobody reads, and the run report has them.
const MAX_ERROR_GROUPS: usize = 15;
/// Account names listed before "and N more".
pub(super) const NAMES_SHOWN: usize = 12;

pub(super) fn summary_sentence(d: &Digest<'_>, outcome: Outcome, audience: Audience<'_>) -> String {
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
pub(super) fn status_line(d: &Digest<'_>) -> String {
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

pub(super) fn fields(d: &Digest<'_>, links: &RunLinks) -> Vec<String> {
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

pub(super) fn failure_sections(
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

pub(super) fn held_back_text(d: &Digest<'_>) -> String {
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

pub(super) fn not_finished_text(d: &Digest<'_>) -> String {
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

pub(super) fn drift_text(d: &Digest<'_>) -> String {
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

/// How to finish: redeploy one failed (or drifted) account, resume the roll-out, each as a
/// command to paste (with `--config` when the config is not the default).
pub(super) fn redeploy_section(
    d: &Digest<'_>,
    links: &RunLinks,
    commands: &NextCommands,
) -> Option<Block> {
    let one = if let Some(f) = d.failures.first() {
        Some((
            &f.job.account,
            format!(
                "*{}* once the cause is fixed:",
                commands.redeploy_title(true)
            ),
        ))
    } else {
        d.drift.first().map(|drift| {
            (
                &drift.job.account,
                format!("*{}*:", commands.redeploy_title(false)),
            )
        })
    };
    let resume = commands.resume();
    let mut parts = Vec::new();
    if let Some((account, title)) = one {
        let mut text = format!("{title}\n{}", code_block(&[commands.redeploy(account)]));
        if let Some(url) = links
            .redeploy_workflow_url()
            .filter(|_| commands.workflow_redeploys())
        {
            // With this run's id as `resume`, the workflow redeploys the account only if this
            // run left it undone.
            let resume = links
                .github_run_id()
                .filter(|_| commands.resume().is_some())
                .map(|id| format!(" and resume {}", code(id)))
                .unwrap_or_default();
            text.push_str(&format!(
                "\nor run the {} with account {}{resume}.",
                link(&url, "redeploy workflow"),
                code(account)
            ));
        }
        parts.push(text);
    }
    if let Some(resume) = resume {
        parts.push(format!(
            "*Resume the roll-out* once the cause is fixed ({} left undone, nothing that \
             succeeded runs again):\n{}",
            count(commands.unfinished(), "account", "accounts"),
            code_block(&[resume])
        ));
    }
    if parts.is_empty() {
        return None;
    }
    Some(Block::section(&parts.join("\n")))
}

pub(super) fn context_lines(d: &Digest<'_>, audience: Audience<'_>) -> Vec<String> {
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
pub(super) fn names_list(names: &[String], shown: usize) -> String {
    if names.len() <= shown {
        return and_list(names);
    }
    format!(
        "{} and {} more",
        names[..shown].join(", "),
        names.len() - shown
    )
}
