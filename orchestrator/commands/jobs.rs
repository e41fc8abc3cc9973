use std::path::Path;

use crate::cli::{Format, JobsArgs};
use crate::exit::{CommandResult, Exit};
use crate::plan::Plan;

pub(super) fn run(config_path: &Path, args: JobsArgs) -> CommandResult {
    let work_dir = super::loading::work_dir_from_env();
    let config = super::loading::load_config_with_vended_ids(config_path, &work_dir)?;
    let (mut plan, changes) = super::selecting::plan_with_changes(&config, &args.selectors)?;
    let waiting =
        super::loading::warn_waiting_for_vending(plan.jobs().map(|j| &j.account), config_path);
    for wave in &mut plan.waves {
        wave.jobs.retain(|j| !waiting.contains(&j.account.name));
    }
    let text = match args.format {
        _ if args.explain => super::selecting::explain(&plan, changes, args.format)?,
        Format::Json => {
            let views: Vec<_> = plan.jobs().map(|j| j.view()).collect();
            serde_json::to_string_pretty(&views).expect("jobs serialise") + "\n"
        }
        Format::Table => table(&plan),
    };
    let kind = match args.format {
        Format::Json => crate::console::Document::Json,
        Format::Table => crate::console::Document::Text,
    };
    super::stdout::print_stdout(&text, kind)?;
    super::leave_to_exit::leave_to_exit((config, plan));
    Ok(Exit::Success)
}

fn table(plan: &Plan) -> String {
    let mut rows = vec![[
        "WAVE".to_string(),
        "ACCOUNT".into(),
        "ACCOUNT ID".into(),
        "REGION".into(),
        "LAYERS".into(),
    ]];
    for job in plan.jobs() {
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
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(&counts_line(plan));
    out
}

/// `3 jobs in 1 wave`: only the waves that have a selected job count.
fn counts_line(plan: &Plan) -> String {
    let waves = plan.waves.iter().filter(|w| !w.jobs.is_empty()).count();
    format!(
        "{} in {}\n",
        crate::notify::format::count(plan.job_count(), "job", "jobs"),
        crate::notify::format::count(waves, "wave", "waves")
    )
}
