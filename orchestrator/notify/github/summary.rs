//! The Markdown job summary: the verdict, each failure with its error lines, drift, and a
//! table of every account. GitHub refuses a step summary over 1 MiB, so a large run is
//! shortened in steps (succeeded rows counted instead of listed, then held-back rows, then
//! fewer failures shown) and the summary says what it left out.

use std::fmt::Write;

use crate::notify::format::{changes_text, count, duration, status_word};
use crate::notify::headline::{emoji, headline};
use crate::notify::{Digest, NextCommands, RunLinks, Scope};
use crate::report::{JobReport, RunReport, Status};

/// GitHub's limit for one step's summary.
pub const MAX_SUMMARY_BYTES: usize = crate::github_actions::MAX_STEP_SUMMARY_BYTES;

/// How much to leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shortening {
    collapse_succeeded: bool,
    collapse_held_back: bool,
    /// Failures (details and table rows) shown in full; the rest are named in one line.
    failures_shown: usize,
    drift_shown: usize,
}

/// The summary of `report`, at most `max_bytes` long. `report_path` is named so readers know
/// where every detail is.
pub fn job_summary(
    report: &RunReport,
    links: &RunLinks,
    report_path: Option<&str>,
    max_bytes: usize,
) -> String {
    let d = Digest::new(report, Scope::All);
    let mut s = Shortening {
        collapse_succeeded: false,
        collapse_held_back: false,
        failures_shown: d.failures.len(),
        drift_shown: d.drift.len(),
    };
    let mut steps = 0;
    loop {
        let text = render(&d, links, report_path, s);
        if text.len() <= max_bytes {
            return text;
        }
        steps += 1;
        if !s.collapse_succeeded {
            s.collapse_succeeded = true;
        } else if !s.collapse_held_back {
            s.collapse_held_back = true;
        } else if s.failures_shown > 0 || s.drift_shown > 0 {
            s.failures_shown /= 2;
            s.drift_shown /= 2;
        } else {
            return cut_to(&text, max_bytes, report_path);
        }
        debug_assert!(steps < 100);
    }
}

fn render(d: &Digest<'_>, links: &RunLinks, report_path: Option<&str>, s: Shortening) -> String {
    let mut out = String::new();
    let commands = NextCommands::new(d.report, report_path);
    let report = d.report;
    let _ = writeln!(out, "## {} {}\n", emoji(d.outcome()), headline(d));

    let mut facts = Vec::new();
    if let (Some(repo), Some(url)) = (&links.repository, links.repository_url()) {
        facts.push(format!("[{repo}]({url})"));
    }
    match (links.short_commit(), links.commit_url()) {
        (Some(c), Some(url)) => facts.push(format!("commit [`{c}`]({url})")),
        (Some(c), None) => facts.push(format!("commit `{c}`")),
        _ => {}
    }
    if let Some(url) = &links.run_url {
        facts.push(format!("[CI run]({url})"));
    }
    facts.push(format!("run `{}`", cell(&report.run_id)));
    facts.push(duration(report.duration_ms));
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    let _ = writeln!(out, "{}\n", status_counts(d));

    let shortened = s.collapse_succeeded
        || s.failures_shown < d.failures.len()
        || s.drift_shown < d.drift.len();
    if shortened {
        let _ = writeln!(
            out,
            "> [!NOTE]\n> Shortened to stay under GitHub's 1 MiB summary limit: {}.{}\n",
            left_out(d, s),
            report_path
                .map(|p| format!(" The run report `{}` has every account.", cell(p)))
                .unwrap_or_default()
        );
    }

    if !d.failures.is_empty() {
        let _ = writeln!(out, "### Failed\n");
        for f in d.failures.iter().take(s.failures_shown) {
            let layer = f.layer.map(|l| format!(" / `{l}`")).unwrap_or_default();
            let attempts = match f.attempts {
                0 | 1 => String::new(),
                n => format!(" ({n} attempts)"),
            };
            let _ = writeln!(
                out,
                "**`{}`**{layer}{attempts}\n\n{}\n",
                f.job.account,
                fenced(&f.lines)
            );
        }
        let rest = d.failures.len().saturating_sub(s.failures_shown);
        if rest > 0 {
            let _ = writeln!(
                out,
                "…and {} more.\n",
                count(rest, "failed account", "failed accounts")
            );
        }
        if let Some(f) = d.failures.first() {
            let _ = writeln!(
                out,
                "{} once the cause is fixed: {}{}\n",
                if commands.workflow_redeploys() {
                    "Redeploy one account"
                } else {
                    commands.redeploy_title(true)
                },
                inline_code(&commands.redeploy(&f.job.account)),
                links
                    .redeploy_workflow_url()
                    .filter(|_| commands.workflow_redeploys())
                    .map(|u| {
                        let resume = links
                            .github_run_id()
                            .filter(|_| commands.resume().is_some())
                            .map(|id| format!(" with resume `{id}`"))
                            .unwrap_or_default();
                        format!(" or the [redeploy workflow]({u}){resume}.")
                    })
                    .unwrap_or_default()
            );
        }
    }
    if let Some(resume) = commands.resume() {
        let _ = writeln!(
            out,
            "Resume the roll-out once the cause is fixed ({} left undone; nothing that succeeded runs again): {}\n",
            count(commands.unfinished(), "account", "accounts"),
            inline_code(&resume)
        );
    }

    if !d.held_back.is_empty() {
        let names: Vec<String> = d
            .held_back
            .iter()
            .map(|j| format!("`{}`", j.account))
            .collect();
        let shown = if s.collapse_held_back {
            20
        } else {
            names.len()
        };
        let more = names.len().saturating_sub(shown);
        let _ = writeln!(
            out,
            "### Held back\n\n{}{}\n",
            names[..shown.min(names.len())].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }

    if !d.drift.is_empty() {
        let total = d.drift_total();
        let _ = writeln!(
            out,
            "### Drift\n\n{} with changes: {}.\n\n| Account | Layers | Add | Change | Destroy |\n| --- | --- | ---: | ---: | ---: |",
            count(d.drift.len(), "account", "accounts"),
            changes_text(&total)
        );
        for drift in d.drift.iter().take(s.drift_shown) {
            let (a, c, x) = drift
                .changes
                .map(|c| {
                    (
                        c.add.to_string(),
                        c.change.to_string(),
                        c.destroy.to_string(),
                    )
                })
                .unwrap_or_else(|| ("?".into(), "?".into(), "?".into()));
            let _ = writeln!(
                out,
                "| `{}` | {} | {a} | {c} | {x} |",
                drift.job.account,
                cell(&drift.layers.join(", "))
            );
        }
        let rest = d.drift.len().saturating_sub(s.drift_shown);
        if rest > 0 {
            let _ = writeln!(
                out,
                "| *and {} more* | | | | |",
                count(rest, "account", "accounts")
            );
        }
        out.push('\n');
    }

    let _ = writeln!(
        out,
        "### Accounts\n\n| Account | Wave | Status | Layers | Duration | Attempts |\n| --- | --- | --- | --- | ---: | ---: |"
    );
    let failed_rows_shown: Vec<&str> = d
        .failures
        .iter()
        .take(s.failures_shown)
        .map(|f| f.job.account.as_str())
        .collect();
    let drift_rows_shown: Vec<&str> = d
        .drift
        .iter()
        .take(s.drift_shown)
        .map(|x| x.job.account.as_str())
        .collect();
    let held = |j: &JobReport| d.held_back.iter().any(|h| std::ptr::eq(*h, j));
    let mut collapsed_ok = 0;
    let mut collapsed_held = 0;
    let mut collapsed_other = 0;
    for job in &d.jobs {
        let ok = matches!(job.status, Status::Succeeded | Status::NoChanges);
        let hidden = (ok && s.collapse_succeeded)
            || (held(job) && s.collapse_held_back)
            || (job.status.is_failure() && !failed_rows_shown.contains(&job.account.as_str()))
            || (job.status == Status::Changes && !drift_rows_shown.contains(&job.account.as_str()));
        if !hidden {
            out.push_str(&row(job, held(job)));
        } else if ok {
            collapsed_ok += 1;
        } else if held(job) {
            collapsed_held += 1;
        } else {
            collapsed_other += 1;
        }
    }
    for (n, what) in [
        (collapsed_ok, "succeeded or without changes"),
        (collapsed_held, "held back"),
        (collapsed_other, "not listed (see above)"),
    ] {
        if n > 0 {
            let _ = writeln!(
                out,
                "| *{} {what}* | | | | | |",
                count(n, "account", "accounts")
            );
        }
    }
    out
}

fn row(job: &JobReport, held_back: bool) -> String {
    let status = if held_back {
        format!("{} held back", symbol(Status::Skipped))
    } else {
        format!("{} {}", symbol(job.status), status_word(job.status))
    };
    let layers: Vec<String> = job
        .layers
        .iter()
        .map(|l| format!("{} {}", symbol(l.status), cell(&l.layer)))
        .collect();
    let attempts: usize = job.layers.iter().map(|l| l.attempts.len()).sum();
    let took = if job.duration_ms == 0 && attempts == 0 {
        "–".to_string()
    } else {
        duration(job.duration_ms)
    };
    format!(
        "| `{}` | {} | {status} | {} | {} | {attempts} |\n",
        cell(&job.account),
        cell(&job.wave),
        layers.join(" · "),
        took
    )
}

fn symbol(status: Status) -> &'static str {
    match status {
        Status::Succeeded => "✅",
        Status::NoChanges => "➖",
        Status::Changes => "🟠",
        Status::Skipped => "⏭️",
        Status::Cancelled => "⚪",
        Status::Failed => "❌",
        Status::Lost => "❓",
    }
}

fn status_counts(d: &Digest<'_>) -> String {
    let held = d.held_back.len();
    let mut parts = Vec::new();
    for (status, n) in d.counts() {
        let n = if status == Status::Skipped {
            n - held.min(n)
        } else {
            n
        };
        if n > 0 {
            parts.push(format!("{} {n} {}", symbol(status), status_word(status)));
        }
    }
    if held > 0 {
        parts.push(format!("{} {held} held back", symbol(Status::Skipped)));
    }
    format!(
        "**{}** · {}",
        count(d.jobs.len(), "account", "accounts"),
        parts.join(" · ")
    )
}

fn left_out(d: &Digest<'_>, s: Shortening) -> String {
    let mut parts = Vec::new();
    if s.collapse_succeeded {
        parts.push("succeeded accounts are counted, not listed".to_string());
    }
    if s.collapse_held_back && !d.held_back.is_empty() {
        parts.push("held-back accounts are counted".to_string());
    }
    if s.failures_shown < d.failures.len() {
        parts.push(format!(
            "{} of {} failures are shown",
            s.failures_shown,
            d.failures.len()
        ));
    }
    if s.drift_shown < d.drift.len() {
        parts.push(format!(
            "{} of {} drifted accounts are shown",
            s.drift_shown,
            d.drift.len()
        ));
    }
    parts.join("; ")
}

/// A table cell: no `|` or line break may end it early.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// A command as inline code that pastes as written: the fence is longer than any backtick
/// run inside (commands hold no newline, but a path could).
fn inline_code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A fenced block whose fence is longer than any backtick run inside.
fn fenced(lines: &[String]) -> String {
    let body = lines.join("\n");
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{body}\n{fence}")
}

/// The last resort: cut at a line end and say so.
fn cut_to(text: &str, max_bytes: usize, report_path: Option<&str>) -> String {
    let note = format!(
        "\n\n> [!WARNING]\n> Cut to stay under GitHub's 1 MiB summary limit.{}\n",
        report_path
            .map(|p| format!(" The run report `{}` has every account.", cell(p)))
            .unwrap_or_default()
    );
    let budget = max_bytes.saturating_sub(note.len());
    let mut end = budget.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').unwrap_or(end);
    format!("{}{note}", &text[..end])
}
