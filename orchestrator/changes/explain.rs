//! `jobs --explain`: every job, and for each of its layers the changed files that put it
//! there; then what left the config, and the changed files that affect nothing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::change_set::{ChangeSet, Reason};
use super::config_diff::Removed;
use crate::plan::{JobView, Plan};

/// The table a person reads.
pub fn table(plan: &Plan, changes: &ChangeSet) -> String {
    let mut out = format!(
        "Changes since {} ({}): {} changed file{}\n",
        changes.since,
        short(&changes.commit),
        changes.files.len(),
        plural(changes.files.len())
    );
    let mut rows = vec![[
        "WAVE".to_string(),
        "ACCOUNT".into(),
        "ACCOUNT ID".into(),
        "REGION".into(),
        "LAYERS".into(),
    ]];
    let jobs: Vec<_> = plan.jobs().collect();
    for job in &jobs {
        let a = &job.account;
        rows.push([
            a.wave.clone(),
            a.name.clone(),
            a.account_id.clone(),
            a.region.clone(),
            job.layers.join(","),
        ]);
    }
    let mut widths = [0usize; 5];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |row: &[String; 5]| {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        cells.join("  ").trim_end().to_string() + "\n"
    };
    out.push_str(&line(&rows[0]));
    for (job, row) in jobs.iter().zip(&rows[1..]) {
        out.push_str(&line(row));
        for layer in &job.layers {
            for (why, files) in grouped(changes.reasons_for(&job.account.name, layer)) {
                out.push_str(&format!("    {layer} <- {why}: {files}\n"));
            }
        }
    }
    out.push_str(&format!(
        "{} job{} in {} wave{}\n",
        plan.job_count(),
        plural(plan.job_count()),
        plan.waves.len(),
        plural(plan.waves.len())
    ));
    if !changes.removed.is_empty() {
        out.push_str("\nRemoved from the config but still deployed:\n");
        for removed in &changes.removed {
            out.push_str(&format!("  {}\n", removed.message()));
        }
    }
    if !changes.unused.is_empty() {
        out.push_str("\nChanged files that affect no account:\n");
        for file in &changes.unused {
            out.push_str(&format!("  {file}\n"));
        }
    }
    if !changes.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for note in &changes.notes {
            out.push_str(&format!("  {note}\n"));
        }
    }
    out
}

/// `jobs --explain --format json`: `{since, commit, jobs: [job + because], removed, unused_files, notes}`.
pub fn json(plan: &Plan, changes: &ChangeSet) -> String {
    let view = Explained {
        since: &changes.since,
        commit: &changes.commit,
        jobs: plan
            .jobs()
            .map(|job| ExplainedJob {
                job: job.view(),
                because: job
                    .layers
                    .iter()
                    .map(|layer| {
                        let reasons = changes
                            .reasons_for(&job.account.name, layer)
                            .into_iter()
                            .map(ReasonView::from)
                            .collect();
                        (layer.as_str(), reasons)
                    })
                    .collect(),
            })
            .collect(),
        removed: changes.removed.iter().map(RemovedView::from).collect(),
        unused_files: &changes.unused,
        notes: &changes.notes,
    };
    serde_json::to_string_pretty(&view).expect("an explanation serialises") + "\n"
}

#[derive(Serialize)]
struct Explained<'a> {
    since: &'a str,
    commit: &'a str,
    jobs: Vec<ExplainedJob<'a>>,
    removed: Vec<RemovedView<'a>>,
    unused_files: &'a [String],
    notes: &'a [String],
}

#[derive(Serialize)]
struct ExplainedJob<'a> {
    #[serde(flatten)]
    job: JobView<'a>,
    /// layer -> the changes that put it in this job.
    because: BTreeMap<&'a str, Vec<ReasonView<'a>>>,
}

#[derive(Serialize)]
struct ReasonView<'a> {
    file: &'a str,
    change: String,
    why: &'a str,
}

impl<'a> From<&'a Reason> for ReasonView<'a> {
    fn from(r: &'a Reason) -> Self {
        Self {
            file: &r.file,
            change: r.change.to_string(),
            why: &r.why,
        }
    }
}

#[derive(Serialize)]
struct RemovedView<'a> {
    #[serde(flatten)]
    removed: &'a Removed,
    message: String,
}

impl<'a> From<&'a Removed> for RemovedView<'a> {
    fn from(removed: &'a Removed) -> Self {
        Self {
            removed,
            message: removed.message(),
        }
    }
}

/// At most this many files are named per reason in the table; the JSON names them all.
const FILES_PER_LINE: usize = 4;

/// Reasons with the same `why` on one line: a layer with thirty changed files reads as one
/// line, not thirty.
fn grouped(reasons: Vec<&Reason>) -> Vec<(&str, String)> {
    let mut groups: Vec<(&str, Vec<&Reason>)> = Vec::new();
    for reason in reasons {
        match groups.iter_mut().find(|(why, _)| *why == reason.why) {
            Some((_, list)) => list.push(reason),
            None => groups.push((&reason.why, vec![reason])),
        }
    }
    groups
        .into_iter()
        .map(|(why, list)| {
            let mut files: Vec<String> = list
                .iter()
                .take(FILES_PER_LINE)
                .map(|r| format!("{} ({})", r.file, r.change))
                .collect();
            if list.len() > FILES_PER_LINE {
                files.push(format!(
                    "and {} more (`--format json` lists them)",
                    list.len() - FILES_PER_LINE
                ));
            }
            (why, files.join(", "))
        })
        .collect()
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
