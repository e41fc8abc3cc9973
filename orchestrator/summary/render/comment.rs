//! The comment itself: headline, destroys first, failed plans, the account x layer table,
//! and a collapsed resource list per account, at a given level of detail.

use crate::report::Status;
use crate::summary::model::{AccountSummary, LayerState, Summary};
use crate::summary::ResourceChange;

use super::detail::{is_quiet_change, Detail, ResourceLists};
use super::markdown::{code, fenced, html, text};
use super::words;

/// The hidden line that identifies our comment among a pull request's comments.
pub const MARKER: &str = "<!-- orchestrator-plan-summary -->";

/// The comment at `detail`; `note` (Markdown, one paragraph) says what was left out.
pub fn render(summary: &Summary, detail: &Detail, note: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(MARKER);
    out.push('\n');
    headline(&mut out, summary);
    if let Some(note) = note {
        out.push_str(&format!("\n> [!NOTE]\n> {note}\n"));
    }
    destroys(&mut out, summary, detail);
    failed(&mut out, summary, detail);
    bad_plans(&mut out, summary, detail);
    table(&mut out, summary, detail);
    resource_lists(&mut out, summary, detail);
    out
}

fn headline(out: &mut String, summary: &Summary) {
    let total = summary.accounts.len();
    let changed = summary
        .accounts
        .iter()
        .filter(|a| a.counts().has_changes())
        .count();
    let accounts = if total == 1 { "account" } else { "accounts" };
    out.push_str(&format!(
        "## Terraform plan: {total} {accounts}, {changed} with changes\n\n"
    ));
    let totals = summary.totals();
    let mut line = format!(
        "**{} to add, {} to change, {} to destroy, {} to replace**",
        totals.add, totals.change, totals.destroy, totals.replace
    );
    for (n, what) in [
        (totals.forget, "to forget"),
        (totals.moved, "moved"),
        (totals.imported, "imported"),
        (
            totals.outputs,
            if totals.outputs == 1 {
                "output changed"
            } else {
                "outputs changed"
            },
        ),
    ] {
        if n > 0 {
            line.push_str(&format!(" · {n} {what}"));
        }
    }
    out.push_str(&line);
    out.push('\n');

    let mut warnings = Vec::new();
    match summary.failed_plans() {
        0 => {}
        1 => warnings.push(":x: **1 plan failed**".to_string()),
        n => warnings.push(format!(":x: **{n} plans failed**")),
    }
    match summary.bad_plans.len() {
        0 => {}
        1 => warnings.push(":warning: **1 plan file unreadable**".to_string()),
        n => warnings.push(format!(":warning: **{n} plan files unreadable**")),
    }
    if let Some(url) = &summary.run_url {
        warnings.push(format!("[CI run]({})", url.replace([' ', ')'], "")));
    }
    if !warnings.is_empty() {
        out.push_str(&format!("\n{}\n", warnings.join(" · ")));
    }
}

fn destroys(out: &mut String, summary: &Summary, detail: &Detail) {
    let destroying: Vec<&AccountSummary> =
        summary.accounts.iter().filter(|a| a.destroys()).collect();
    if destroying.is_empty() {
        return;
    }
    out.push_str("\n### Destroys and replacements\n\n");
    for account in destroying {
        let counts = account.counts();
        out.push_str(&format!(
            "- **{}**: {}\n",
            text(&account.name),
            destroy_words(counts.destroy, counts.replace)
        ));
        let limit = detail.destroy_addresses.unwrap_or(usize::MAX);
        let mut shown = 0;
        let mut hidden = 0;
        for entry in &account.layers {
            let LayerState::Planned(plan) = &entry.state else {
                continue;
            };
            for change in by_kind(&plan.resources).filter(|c| c.kind.destroys()) {
                if shown < limit {
                    out.push_str(&format!(
                        "  - {} {}\n",
                        code(&entry.layer),
                        words::resource(change)
                    ));
                    shown += 1;
                } else {
                    hidden += 1;
                }
            }
        }
        if hidden > 0 && shown > 0 {
            out.push_str(&format!("  - and {hidden} more\n"));
        }
    }
}

fn destroy_words(destroy: u64, replace: u64) -> String {
    let mut parts = Vec::new();
    if destroy > 0 {
        parts.push(format!("{destroy} to destroy"));
    }
    if replace > 0 {
        parts.push(format!("{replace} to replace"));
    }
    parts.join(", ")
}

fn failed(out: &mut String, summary: &Summary, detail: &Detail) {
    let failed: Vec<_> = summary
        .accounts
        .iter()
        .flat_map(|a| a.failed_layers().map(move |l| (a, l)))
        .collect();
    if failed.is_empty() {
        return;
    }
    out.push_str("\n### Failed plans\n\n");
    for (account, entry) in failed {
        let LayerState::Failed { reason, error } = &entry.state else {
            continue;
        };
        out.push_str(&format!(
            "- **{}** · {}",
            text(&account.name),
            code(&entry.layer)
        ));
        if let Some(reason) = reason {
            out.push_str(&format!(": {}", text(reason)));
        }
        out.push('\n');
        let lines = &error[..error.len().min(detail.error_lines.unwrap_or(usize::MAX))];
        if !lines.is_empty() {
            fenced(out, "  ", lines);
        }
    }
}

fn bad_plans(out: &mut String, summary: &Summary, detail: &Detail) {
    if summary.bad_plans.is_empty() {
        return;
    }
    out.push_str("\n### Unreadable plan files\n\n");
    for bad in &summary.bad_plans {
        if detail.bad_plan_messages {
            out.push_str(&format!("- {}\n", text(&bad.error)));
        } else {
            out.push_str(&format!("- {}\n", code(&bad.path.display().to_string())));
        }
    }
}

fn table(out: &mut String, summary: &Summary, detail: &Detail) {
    if !detail.table {
        return;
    }
    let rows: Vec<&AccountSummary> = summary
        .accounts
        .iter()
        .filter(|a| {
            if a.is_unchanged() {
                detail.unchanged_rows
            } else if is_quiet_change(a) {
                detail.changed_rows
            } else {
                true
            }
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("\n### Plans by account\n\n| account |");
    for layer in &summary.layers {
        out.push_str(&format!(" {} |", text(layer)));
    }
    out.push_str("\n| --- |");
    out.push_str(&" --- |".repeat(summary.layers.len()));
    out.push('\n');
    for account in rows {
        let name = text(&account.name);
        if account.destroys() {
            out.push_str(&format!("| **{name}** |"));
        } else {
            out.push_str(&format!("| {name} |"));
        }
        for layer in &summary.layers {
            let cell = match account.layer(layer) {
                None => String::new(),
                Some(LayerState::Planned(plan)) => words::cell(&plan.counts),
                Some(LayerState::Failed { .. }) => "**failed**".into(),
                Some(LayerState::NotPlanned { status, .. }) => match status {
                    Status::Cancelled => "cancelled".into(),
                    _ => "skipped".into(),
                },
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out.push_str("\n`+` add · `~` change · `-` destroy · `±` replace\n");
}

fn resource_lists(out: &mut String, summary: &Summary, detail: &Detail) {
    let listed: Vec<&AccountSummary> = summary
        .accounts
        .iter()
        .filter(|a| a.counts().has_changes())
        .filter(|a| match detail.resource_lists {
            ResourceLists::All => true,
            ResourceLists::Destroying => a.destroys(),
            ResourceLists::None => false,
        })
        .collect();
    let quiet_unlisted: Vec<&AccountSummary> = summary
        .accounts
        .iter()
        .filter(|a| is_quiet_change(a) && !(detail.table && detail.changed_rows))
        .collect();
    let unchanged: Vec<&AccountSummary> = summary
        .accounts
        .iter()
        .filter(|a| a.is_unchanged())
        .collect();
    if listed.is_empty() && quiet_unlisted.is_empty() && unchanged.is_empty() {
        return;
    }
    out.push_str("\n### Changes by account\n");
    for account in listed {
        out.push_str(&format!(
            "\n<details><summary><b>{}</b> · {}</summary>\n",
            html(&account.name),
            html(&words::counts(&account.counts()))
        ));
        for entry in &account.layers {
            let LayerState::Planned(plan) = &entry.state else {
                continue;
            };
            if !plan.counts.has_changes() {
                continue;
            }
            out.push_str(&format!("\n{}\n", code(&entry.layer)));
            for change in by_kind(&plan.resources) {
                out.push_str(&format!("- {}\n", words::resource(change)));
            }
            for output in &plan.outputs {
                out.push_str(&format!(
                    "- output {} ({})\n",
                    code(&output.name),
                    output.kind.label()
                ));
            }
        }
        out.push_str("\n</details>\n");
    }
    if !quiet_unlisted.is_empty() {
        names_line(
            out,
            "Changes without destroys",
            &quiet_unlisted,
            detail.changed_names,
        );
    }
    if !unchanged.is_empty() {
        names_line(out, "No changes", &unchanged, detail.unchanged_names);
    }
}

/// Many accounts folded into one line: by name, or only how many.
fn names_line(out: &mut String, label: &str, accounts: &[&AccountSummary], names: bool) {
    let n = accounts.len();
    let what = if n == 1 { "account" } else { "accounts" };
    if names {
        let names: Vec<String> = accounts.iter().map(|a| text(&a.name)).collect();
        out.push_str(&format!(
            "\n**{label}** in {n} {what}: {}\n",
            names.join(", ")
        ));
    } else {
        out.push_str(&format!("\n**{label}** in {n} {what}.\n"));
    }
}

/// A layer's resources, destroys first, in plan (address) order within each kind.
fn by_kind(resources: &[ResourceChange]) -> impl Iterator<Item = &ResourceChange> {
    let mut sorted: Vec<&ResourceChange> = resources.iter().collect();
    sorted.sort_by_key(|change| change.kind);
    sorted.into_iter()
}
