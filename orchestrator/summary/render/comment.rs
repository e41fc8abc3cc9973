//! The comment itself: headline, every destroy, failed and missing plans, drift and
//! deferred changes, the account x layer table, and collapsed resource lists (accounts with
//! identical changes folded into one), at a given level of detail.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::report::Status;
use crate::summary::model::{AccountSummary, LayerState, NotPlanned, Summary};
use crate::summary::{PlanSummary, ResourceChange};

use super::detail::{has_extras, is_quiet_change, Destroys, Detail, PlanLines, Rows};
use super::markdown::{code, fenced, html, text};
use super::words;

/// The hidden line that identifies our comment among a pull request's comments.
pub const MARKER: &str = "<!-- orchestrator-plan-summary -->";

/// The comment at `detail`; `note` (Markdown, one paragraph) says what was left out.
pub fn render(summary: &Summary, detail: &Detail, note: Option<&str>) -> String {
    let groups = list_groups(summary);
    render_parts(summary, detail, note, &groups).join("")
}

/// The comment in parts: everything before the resource lists, then one part per shown
/// group of resource lists, then the name lines. Joined, they are the comment.
pub(super) fn render_parts(
    summary: &Summary,
    detail: &Detail,
    note: Option<&str>,
    groups: &[Vec<&AccountSummary>],
) -> Vec<String> {
    let mut out = String::new();
    out.push_str(MARKER);
    out.push('\n');
    headline(&mut out, summary);
    if let Some(note) = note {
        out.push_str(&format!("\n> [!NOTE]\n> {note}\n"));
    }
    destroys(&mut out, summary, detail);
    failed(&mut out, summary, detail);
    missing(&mut out, summary, detail);
    bad_plans(&mut out, summary, detail);
    stale_plans(&mut out, summary, detail);
    extras(&mut out, summary, detail);
    table(&mut out, summary, detail);
    let mut parts = vec![out];
    let shown = detail.lists.unwrap_or(usize::MAX).min(groups.len());
    let mut names = String::new();
    name_lines(&mut names, summary, detail, &groups[..shown]);
    if shown > 0 || !names.is_empty() {
        parts.push("\n### Changes by account\n".to_string());
    }
    for group in &groups[..shown] {
        let mut block = String::new();
        resource_list(&mut block, group);
        parts.push(block);
    }
    parts.push(names);
    parts
}

/// Accounts with changes, folded by identical changes, destroying groups first, then in
/// the summary's (deploy) order.
pub(super) fn list_groups(summary: &Summary) -> Vec<Vec<&AccountSummary>> {
    let mut groups: Vec<Vec<&AccountSummary>> = Vec::new();
    let mut by_key: HashMap<u64, Vec<usize>> = HashMap::new();
    for account in summary.accounts.iter().filter(|a| a.counts().has_changes()) {
        let key = fingerprint(account);
        let candidates = by_key.entry(key).or_default();
        match candidates
            .iter()
            .find(|&&g| same_changes(groups[g][0], account))
        {
            Some(&g) => groups[g].push(account),
            None => {
                candidates.push(groups.len());
                groups.push(vec![account]);
            }
        }
    }
    // Stable: within destroying and non-destroying groups, the first account's order stays.
    groups.sort_by_key(|group| !group[0].destroys());
    groups
}

fn changed_plans(account: &AccountSummary) -> impl Iterator<Item = (&str, &PlanSummary)> {
    account
        .plans()
        .filter(|(_, plan)| plan.counts.has_changes())
}

fn fingerprint(account: &AccountSummary) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (layer, plan) in changed_plans(account) {
        layer.hash(&mut hasher);
        plan.resources.hash(&mut hasher);
        plan.outputs.hash(&mut hasher);
    }
    hasher.finish()
}

fn same_changes(a: &AccountSummary, b: &AccountSummary) -> bool {
    changed_plans(a)
        .map(|(l, p)| (l, &p.resources, &p.outputs))
        .eq(changed_plans(b).map(|(l, p)| (l, &p.resources, &p.outputs)))
}

fn headline(out: &mut String, summary: &Summary) {
    if let Some(not_planned) = &summary.not_planned {
        not_computed(out, summary, not_planned);
        return;
    }
    if summary.accounts.is_empty() && summary.bad_plans.is_empty() && summary.stale_plans.is_empty()
    {
        // A push that affects no account replaces the comment about an earlier push: the
        // reviewer must not read that earlier plan as this commit's.
        out.push_str("## Terraform plan: no account affected\n\n");
        out.push_str("No account is affected by this change: there is nothing to plan.\n");
        planned_from(out, summary);
        return;
    }
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
    let mut line = format!("**{}**", totals.terraform_line());
    for (n, one, many) in [
        (totals.replace, "replacement", "replacements"),
        (totals.forget, "to forget", "to forget"),
        (totals.moved, "moved", "moved"),
        (totals.imported, "imported", "imported"),
        (totals.outputs, "output changed", "outputs changed"),
        (totals.other, "other action", "other actions"),
    ] {
        if n > 0 {
            line.push_str(&format!(" · {n} {}", if n == 1 { one } else { many }));
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
    match summary.missing_plans() {
        0 => {}
        1 => warnings.push(":x: **1 plan missing**".to_string()),
        n => warnings.push(format!(":x: **{n} plans missing**")),
    }
    match summary.bad_plans.len() {
        0 => {}
        1 => warnings.push(":warning: **1 plan file unreadable**".to_string()),
        n => warnings.push(format!(":warning: **{n} plan files unreadable**")),
    }
    match summary.stale_plans.len() {
        0 => {}
        1 => warnings.push("1 plan file not in the run report left out".to_string()),
        n => warnings.push(format!("{n} plan files not in the run report left out")),
    }
    if !warnings.is_empty() {
        out.push_str(&format!("\n{}\n", warnings.join(" · ")));
    }
    planned_from(out, summary);
}

/// Error lines quoted at most: a broken domains.yaml can have a problem on every line, and
/// the comment must stay far below GitHub's limit; the run's log has them all.
const NOT_PLANNED_LINES: usize = 40;
/// Characters of one quoted error line at most.
const NOT_PLANNED_LINE_CHARS: usize = 400;

/// The comment for a commit whose accounts could not be planned at all: it replaces the
/// comment about an earlier push, which the reviewer must not read as this commit's.
fn not_computed(out: &mut String, summary: &Summary, not_planned: &NotPlanned) {
    out.push_str("## Terraform plan: could not be computed\n\n");
    let commit = summary
        .commit
        .as_deref()
        .map(|c| {
            format!(
                " for commit {}",
                code(&c.chars().take(12).collect::<String>())
            )
        })
        .unwrap_or_default();
    out.push_str(&format!(
        ":x: **The plan could not be computed{commit}**: the job that works out which accounts \
         to plan failed, so no account was planned. No earlier plan describes this commit.\n"
    ));
    let error: Vec<&String> = not_planned
        .error
        .iter()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let mut lines: Vec<String> = error
        .iter()
        .take(NOT_PLANNED_LINES)
        .map(|line| shorten(line, NOT_PLANNED_LINE_CHARS))
        .collect();
    let more = error.len() - lines.len();
    if more > 0 {
        lines.push(format!("... {more} more lines in the CI run's log"));
    }
    if lines.is_empty() {
        out.push_str("\nThe job left no error message: its log in the CI run says why.\n");
    } else {
        out.push_str("\nThe error:\n\n");
        fenced(out, "", &lines);
    }
    if let Some(url) = &summary.run_url {
        out.push_str(&format!("\n[CI run]({})\n", link_target(url)));
    }
}

/// `line` cut to `max` characters, saying so.
fn shorten(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        return line.to_string();
    }
    let kept: String = line.chars().take(max).collect();
    format!("{kept} [...]")
}

/// The commit and CI run the comment describes.
fn planned_from(out: &mut String, summary: &Summary) {
    let mut source = Vec::new();
    if let Some(commit) = &summary.commit {
        let short: String = commit.chars().take(12).collect();
        source.push(format!("commit {}", code(&short)));
    }
    if let Some(url) = &summary.run_url {
        source.push(format!("[CI run]({})", link_target(url)));
    }
    if !source.is_empty() {
        out.push_str(&format!("\nPlanned from {}\n", source.join(" · ")));
    }
}

/// A URL as a Markdown link target: characters that would end it are percent-encoded.
fn link_target(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('<', "%3C")
        .replace('>', "%3E")
}

fn destroying(summary: &Summary) -> Vec<&AccountSummary> {
    summary.accounts.iter().filter(|a| a.destroys()).collect()
}

fn destroys(out: &mut String, summary: &Summary, detail: &Detail) {
    let destroying = destroying(summary);
    if destroying.is_empty() {
        return;
    }
    out.push_str("\n### Destroys and replacements\n\n");
    match detail.destroys {
        Destroys::Full => {
            // Accounts whose destroys are identical (same layers, addresses and reasons)
            // share one entry: 40 accounts losing the same bucket read as one.
            let mut entries: Vec<(Vec<&AccountSummary>, Vec<String>)> = Vec::new();
            let mut by_lines: HashMap<Vec<String>, usize> = HashMap::new();
            for account in destroying {
                let lines: Vec<String> = account
                    .plans()
                    .flat_map(|(layer, plan)| {
                        by_kind(&plan.resources)
                            .filter(|c| c.kind.destroys())
                            .map(move |c| format!("  - {} {}\n", code(layer), words::resource(c)))
                    })
                    .collect();
                match by_lines.get(&lines) {
                    Some(&e) => entries[e].0.push(account),
                    None => {
                        by_lines.insert(lines.clone(), entries.len());
                        entries.push((vec![account], lines));
                    }
                }
            }
            for (accounts, lines) in entries {
                account_line(out, &accounts);
                for line in lines {
                    out.push_str(&line);
                }
            }
        }
        Destroys::Grouped => {
            // (kind, layer, address) -> accounts, then the addresses destroyed in the same
            // accounts under one entry naming them: an address shared by 40 accounts, or 30
            // addresses shared by the same 40, name those accounts once.
            let mut accounts_of: HashMap<DestroyKey<'_>, (Vec<&str>, &ResourceChange)> =
                HashMap::new();
            let mut order: Vec<DestroyKey<'_>> = Vec::new();
            for account in &destroying {
                for (layer, plan) in account.plans() {
                    for change in plan.resources.iter().filter(|c| c.kind.destroys()) {
                        let key = (change.kind as u8, layer, &*change.address);
                        let (accounts, _) = accounts_of.entry(key).or_insert_with(|| {
                            order.push(key);
                            (Vec::new(), change)
                        });
                        if accounts.last() != Some(&account.name.as_str()) {
                            accounts.push(&account.name);
                        }
                    }
                }
            }
            let mut groups: Vec<(&Vec<&str>, Vec<DestroyKey<'_>>)> = Vec::new();
            let mut group_of: HashMap<&Vec<&str>, usize> = HashMap::new();
            for key in order {
                let accounts = &accounts_of[&key].0;
                match group_of.get(accounts) {
                    Some(&g) => groups[g].1.push(key),
                    None => {
                        group_of.insert(accounts, groups.len());
                        groups.push((accounts, vec![key]));
                    }
                }
            }
            for (accounts, mut keys) in groups {
                let names: Vec<String> = accounts
                    .iter()
                    .map(|a| format!("**{}**", text(a)))
                    .collect();
                if accounts.len() == 1 {
                    out.push_str(&format!("- {}\n", names[0]));
                } else {
                    out.push_str(&format!(
                        "- {} accounts: {}\n",
                        accounts.len(),
                        names.join(", ")
                    ));
                }
                keys.sort_by_key(|key| key.0);
                for key in keys {
                    let change = accounts_of[&key].1;
                    out.push_str(&format!(
                        "  - {} {}\n",
                        code(key.1),
                        words::resource_short(change)
                    ));
                }
            }
        }
        Destroys::Counts => {
            for account in destroying {
                account_line(out, &[account]);
            }
        }
        Destroys::CountsFolded => {
            // Accounts that destroy as many on one line, in the order the first is met.
            let mut lines: Vec<(String, Vec<&AccountSummary>)> = Vec::new();
            for account in destroying {
                let counts = destroy_counts(account);
                match lines.iter_mut().find(|(c, _)| *c == counts) {
                    Some((_, accounts)) => accounts.push(account),
                    None => lines.push((counts, vec![account])),
                }
            }
            for (counts, accounts) in lines {
                let names: Vec<String> = accounts
                    .iter()
                    .map(|a| format!("**{}**", text(&a.name)))
                    .collect();
                if accounts.len() == 1 {
                    out.push_str(&format!("- {}: {counts}\n", names[0]));
                } else {
                    out.push_str(&format!(
                        "- {} accounts, {counts} each: {}\n",
                        accounts.len(),
                        names.join(", ")
                    ));
                }
            }
        }
    }
}

/// "1 to destroy, 2 to replace" for an account.
fn destroy_counts(account: &AccountSummary) -> String {
    let counts = account.counts();
    let mut parts = Vec::new();
    if counts.destroy > 0 {
        parts.push(format!("{} to destroy", counts.destroy));
    }
    if counts.replace > 0 {
        parts.push(format!("{} to replace", counts.replace));
    }
    let others = account
        .plans()
        .flat_map(|(_, p)| &p.resources)
        .filter(|r| r.kind == crate::summary::Kind::OtherDelete)
        .count();
    if others > 0 {
        parts.push(format!("{others} other with delete"));
    }
    parts.join(", ")
}

/// A destroyed or replaced resource across accounts: (kind, layer, address).
type DestroyKey<'a> = (u8, &'a str, &'a str);

/// "- **a**: 1 to destroy, 2 to replace", or for accounts with identical destroys
/// "- **a**, **b** (identical in 2 accounts): ...".
fn account_line(out: &mut String, accounts: &[&AccountSummary]) {
    let counts = destroy_counts(accounts[0]);
    let names: Vec<String> = accounts
        .iter()
        .map(|a| format!("**{}**", text(&a.name)))
        .collect();
    let folded = if accounts.len() > 1 {
        format!(" (identical in {} accounts)", accounts.len())
    } else {
        String::new()
    };
    out.push_str(&format!("- {}{folded}: {counts}\n", names.join(", ")));
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
    if plan_lines(out, detail, failed.len(), "failed plan") {
        return;
    }
    let max = detail.error_lines.unwrap_or(usize::MAX);
    for (account, entry) in failed {
        out.push_str(&format!(
            "- :x: **{}** · {}",
            text(&account.name),
            code(&entry.layer)
        ));
        if detail.plan_lines == PlanLines::Names {
            out.push('\n');
            continue;
        }
        let lines: Vec<String> = match &entry.state {
            LayerState::Failed { reason, error } => {
                if let Some(reason) = reason {
                    out.push_str(&format!(": {}", text(reason)));
                }
                error.iter().take(max).cloned().collect()
            }
            LayerState::Planned(plan) => {
                out.push_str(&match plan.status {
                    crate::summary::PlanStatus::Errored => {
                        ": terraform stopped planning on an error (`errored`); the changes below are partial".to_string()
                    }
                    _ => ": the plan is incomplete (`complete: false`); applying it would not finish the changes".to_string(),
                });
                if plan.counts.has_changes() {
                    out.push_str(&format!(" ({})", text(&words::counts(&plan.counts))));
                }
                plan.diagnostics
                    .iter()
                    .take(max)
                    .map(|d| d.to_string())
                    .collect()
            }
            _ => Vec::new(),
        };
        out.push('\n');
        if !lines.is_empty() {
            fenced(out, "  ", &lines);
        }
    }
}

/// At [`PlanLines::Counts`], the one line that stands for a section's `n` plans; true when
/// it was written (and the section has nothing more).
fn plan_lines(out: &mut String, detail: &Detail, n: usize, what: &str) -> bool {
    if detail.plan_lines != PlanLines::Counts {
        return false;
    }
    let (plans, which) = if n == 1 {
        (format!("1 {what}"), "it is")
    } else {
        (format!("{n} {what}s"), "each is")
    };
    out.push_str(&format!(
        "{plans}: {which} listed in the full version (see the note above).\n"
    ));
    true
}

fn missing(out: &mut String, summary: &Summary, detail: &Detail) {
    let missing: Vec<_> = summary
        .accounts
        .iter()
        .flat_map(|a| a.missing_layers().map(move |l| (a, l)))
        .collect();
    if missing.is_empty() {
        return;
    }
    out.push_str("\n### Missing plans\n\n");
    if plan_lines(out, detail, missing.len(), "missing plan") {
        return;
    }
    for (account, entry) in missing {
        let LayerState::Missing { expected } = &entry.state else {
            continue;
        };
        if detail.plan_lines == PlanLines::Names {
            out.push_str(&format!(
                "- :x: **{}** · {}\n",
                text(&account.name),
                code(&entry.layer)
            ));
            continue;
        }
        let why = match expected {
            Some(path) => format!(
                "the run report names {}, which is not among the plan files",
                code(path)
            ),
            None => "the run report names no plan file for it".to_string(),
        };
        out.push_str(&format!(
            "- :x: **{}** · {}: {why}\n",
            text(&account.name),
            code(&entry.layer)
        ));
    }
}

fn bad_plans(out: &mut String, summary: &Summary, detail: &Detail) {
    if summary.bad_plans.is_empty() {
        return;
    }
    out.push_str("\n### Unreadable plan files\n\n");
    if plan_lines(out, detail, summary.bad_plans.len(), "unreadable plan file") {
        return;
    }
    for bad in &summary.bad_plans {
        if detail.bad_plan_messages {
            out.push_str(&format!("- {}\n", text(&bad.error)));
        } else {
            out.push_str(&format!("- {}\n", code(&bad.path.display().to_string())));
        }
    }
}

/// Plan files of older runs (the run report does not name them): left out of everything
/// above, listed so a reviewer can tell which accounts the comment does not cover.
fn stale_plans(out: &mut String, summary: &Summary, detail: &Detail) {
    if summary.stale_plans.is_empty() || !detail.stale_paths {
        return;
    }
    out.push_str("\n### Plan files not in the run report (left out)\n\n");
    for path in &summary.stale_plans {
        out.push_str(&format!("- {}\n", code(&path.display().to_string())));
    }
}

/// Drift outside terraform, deferred changes, action invocations and action lists this
/// build does not know: not changes of this plan's resources, but a reviewer should see them.
fn extras(out: &mut String, summary: &Summary, detail: &Detail) {
    let plans: Vec<(&AccountSummary, &str, &PlanSummary)> = summary
        .accounts
        .iter()
        .flat_map(|a| a.plans().map(move |(l, p)| (a, l, p)))
        .filter(|(_, _, p)| has_extras(p))
        .collect();
    if plans.is_empty() {
        return;
    }
    out.push_str("\n### Drift, deferred changes and actions\n\n");
    if plan_lines(out, detail, plans.len(), "plan") {
        return;
    }
    for (account, layer, plan) in plans {
        let mut parts = Vec::new();
        let others: Vec<&ResourceChange> = plan
            .resources
            .iter()
            .filter(|r| r.kind.is_other())
            .collect();
        if detail.extra_addresses {
            if !plan.drift.is_empty() {
                let list: Vec<String> = plan
                    .drift
                    .iter()
                    .map(|r| format!("{} {}", drift_word(r), code(&r.address)))
                    .collect();
                parts.push(format!("changed outside terraform: {}", list.join(", ")));
            }
            if !plan.deferred.is_empty() {
                let list: Vec<String> = plan
                    .deferred
                    .iter()
                    .map(|d| {
                        let what = d.kind.map_or("invoke", |kind| kind.label());
                        match &d.reason {
                            Some(reason) => {
                                format!("{what} {} ({})", code(&d.address), text(reason))
                            }
                            None => format!("{what} {}", code(&d.address)),
                        }
                    })
                    .collect();
                parts.push(format!("deferred to a later plan: {}", list.join(", ")));
            }
            if !plan.invocations.is_empty() {
                let list: Vec<String> = plan.invocations.iter().map(|a| code(a)).collect();
                parts.push(format!("actions invoked: {}", list.join(", ")));
            }
            if !others.is_empty() {
                let list: Vec<String> = others.iter().map(|r| words::resource(r)).collect();
                parts.push(format!(
                    "action kinds this summary does not know: {}",
                    list.join(", ")
                ));
            }
        } else {
            for (n, what) in [
                (plan.drift.len(), "changed outside terraform"),
                (plan.deferred.len(), "deferred"),
                (plan.invocations.len(), "actions invoked"),
                (others.len(), "other action kinds"),
            ] {
                if n > 0 {
                    parts.push(format!("{n} {what}"));
                }
            }
        }
        out.push_str(&format!(
            "- **{}** · {}: {}\n",
            text(&account.name),
            code(layer),
            parts.join("; ")
        ));
    }
}

fn drift_word(change: &ResourceChange) -> &'static str {
    match change.kind {
        crate::summary::Kind::Delete => "deleted",
        crate::summary::Kind::Create => "created",
        crate::summary::Kind::Update => "updated",
        _ => change.kind.label(),
    }
}

fn table(out: &mut String, summary: &Summary, detail: &Detail) {
    let rows: Vec<&AccountSummary> = summary
        .accounts
        .iter()
        .filter(|a| match detail.rows {
            Rows::All => true,
            Rows::Changed => !a.is_unchanged(),
            Rows::Notable => !a.is_unchanged() && !is_quiet_change(a),
            Rows::None => false,
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
                Some(LayerState::Planned(plan)) if plan.status.is_failed() => {
                    format!("**{}** {}", plan.status.label(), words::cell(&plan.counts))
                }
                Some(LayerState::Planned(plan)) => words::cell(&plan.counts),
                Some(LayerState::Failed { .. }) => "**failed**".into(),
                Some(LayerState::Missing { .. }) => "**missing**".into(),
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

fn resource_list(out: &mut String, group: &[&AccountSummary]) {
    let first = group[0];
    let names: Vec<String> = group
        .iter()
        .map(|a| format!("<b>{}</b>", html(&a.name)))
        .collect();
    let folded = if group.len() > 1 {
        format!(" · identical in {} accounts", group.len())
    } else {
        String::new()
    };
    out.push_str(&format!(
        "\n<details><summary>{}{folded} · {}</summary>\n",
        names.join(", "),
        html(&words::counts(&first.counts()))
    ));
    for (layer, plan) in changed_plans(first) {
        out.push_str(&format!("\n{}\n", code(layer)));
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

/// The accounts that change without a shown resource list or table row, and those with no
/// changes, by name or only how many.
fn name_lines(
    out: &mut String,
    summary: &Summary,
    detail: &Detail,
    shown: &[Vec<&AccountSummary>],
) {
    let listed: std::collections::HashSet<&str> =
        shown.iter().flatten().map(|a| a.name.as_str()).collect();
    let quiet_rows = matches!(detail.rows, Rows::All | Rows::Changed);
    let quiet: Vec<&AccountSummary> = summary
        .accounts
        .iter()
        .filter(|a| is_quiet_change(a) && !quiet_rows && !listed.contains(a.name.as_str()))
        .collect();
    let unchanged: Vec<&AccountSummary> = summary
        .accounts
        .iter()
        .filter(|a| a.is_unchanged())
        .collect();
    if !quiet.is_empty() {
        names_line(
            out,
            "Changes without destroys",
            &quiet,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn not_planned(error: Vec<String>) -> Summary {
        Summary {
            commit: Some("0123456789abcdef0123".into()),
            run_url: Some("https://github.example/acme/repo/actions/runs/9".into()),
            not_planned: Some(NotPlanned { error }),
            ..Summary::default()
        }
    }

    #[test]
    fn a_commit_that_could_not_be_planned_quotes_a_bounded_error() {
        let error: Vec<String> = (0..100)
            .map(|i| format!("domains.yaml:{i}:1: problem {i} {}", "x".repeat(1_000)))
            .collect();
        let body = render(&not_planned(error), &Detail::FULL, None);
        assert!(body.starts_with(MARKER), "{body}");
        assert!(body.contains("could not be computed for commit `0123456789ab`"));
        assert!(body.contains("domains.yaml:0:1: problem 0"));
        assert!(body.contains("domains.yaml:39:1: problem 39"));
        assert!(!body.contains("problem 40 "), "at most 40 lines");
        assert!(body.contains("... 60 more lines in the CI run's log"));
        assert!(body.contains("[CI run](https://github.example/acme/repo/actions/runs/9)"));
        assert!(body.len() < 40 * (NOT_PLANNED_LINE_CHARS + 20) + 1_000);
    }

    #[test]
    fn a_commit_that_could_not_be_planned_without_an_error_points_to_the_run() {
        let body = render(&not_planned(Vec::new()), &Detail::FULL, None);
        assert!(body.contains("left no error message"), "{body}");
        assert!(!body.contains("```"), "{body}");
    }
}
