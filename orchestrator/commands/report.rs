use std::path::Path;

use crate::cli::{MergeArgs, ReportSummaryArgs};
use crate::exit::{CliError, CommandResult, Exit};
use crate::github_actions::GithubActions;
use crate::notify::github::{self, MAX_SUMMARY_BYTES};
use crate::notify::RunLinks;
use crate::report::{merge as merging, read_report, write_atomic};

pub(super) fn merge(config_path: &Path, args: MergeArgs) -> CommandResult {
    let config = if args.include_held_back {
        Some(super::common::load_config(config_path)?)
    } else {
        None
    };
    let (inputs, notes) = merging::collect(&args.inputs, Some(&args.out))?;
    // Plan JSONs share the directories with the reports: one line, not one per plan.
    match notes.as_slice() {
        [] => {}
        [note] => eprintln!("note: {note}"),
        [first, rest @ ..] => eprintln!(
            "note: {first} (and {} more JSON files that are not run reports)",
            rest.len()
        ),
    }
    let count = inputs.len();
    let merged = merging::merge(inputs, &args.out, config.as_ref());
    for warning in &merged.warnings {
        eprintln!("warning: {warning}");
    }
    let mut json = serde_json::to_vec_pretty(&merged.report).expect("a run report serialises");
    json.push(b'\n');
    write_atomic(&args.out, &json)?;
    println!(
        "merged {count} run reports ({} accounts) into {}: outcome {}",
        merged.report.jobs.len(),
        args.out.display(),
        serde_json::to_value(merged.report.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    );
    Ok(Exit::Success)
}

pub(super) fn summary(args: ReportSummaryArgs) -> CommandResult {
    let report = read_report(&args.report)?;
    if GithubActions::from_env().actions {
        github::publish(&report, &args.report).map_err(|e| {
            CliError::failed(format!(
                "cannot write the job summary ($GITHUB_STEP_SUMMARY): {e}"
            ))
        })?;
    } else {
        let links = RunLinks::from_env(report.source.as_ref());
        let path = args.report.display().to_string();
        print!(
            "{}",
            github::job_summary(&report, &links, Some(&path), MAX_SUMMARY_BYTES)
        );
    }
    Ok(Exit::Success)
}
