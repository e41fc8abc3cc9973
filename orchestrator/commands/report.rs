use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::cli::{MergeArgs, ReportSummaryArgs};
use crate::config::{Account, Config};
use crate::console::{eprintln, print, println};
use crate::exit::{CliError, CommandResult, Exit};
use crate::github_actions::GithubActions;
use crate::notify::github::{self, MAX_SUMMARY_BYTES};
use crate::notify::RunLinks;
use crate::report::{merge as merging, read_report, write_atomic, Mode, Status};

pub(super) fn merge(config_path: &Path, args: MergeArgs) -> CommandResult {
    let config = if args.include_held_back || !args.expect.is_empty() {
        Some(super::loading::load_config(config_path)?)
    } else {
        None
    };
    let expected = match &config {
        Some(config) => expected_accounts(config, &args.expect)?,
        None => Vec::new(),
    };
    let (inputs, notes) = merging::collect(&args.inputs, Some(&args.out))?;
    if inputs.is_empty() && args.expect.is_empty() {
        return Err(merging::MergeError::Empty(args.inputs.clone()).into());
    }
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
    let fallback = merging::Fallback {
        run_id: crate::report::run_id(&GithubActions::from_env()),
        mode: args.plan_only.then_some(Mode::Plan),
        config: config_path.display().to_string(),
        source: crate::report::source(&GithubActions::from_env()),
        now: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
    };
    // Only with --include-held-back do accounts outside the legs come from the config.
    let held_back_from = config.as_ref().filter(|_| args.include_held_back);
    let merged = merging::merge(inputs, &args.out, held_back_from, &expected, &fallback);
    let lost: Vec<&str> = merged
        .report
        .jobs
        .iter()
        .filter(|j| j.status == Status::Lost)
        .map(|j| j.account.as_str())
        .collect();
    if !lost.is_empty() {
        eprintln!(
            "error: no run report from {} account(s), counted as lost: {}",
            lost.len(),
            lost.join(" ")
        );
    }
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

/// The accounts of the legs files, each known to the config (the legs were planned from it).
fn expected_accounts<'c>(
    config: &'c Config,
    files: &[PathBuf],
) -> Result<Vec<&'c Account>, CliError> {
    let by_name: HashMap<&str, &Account> = config
        .accounts
        .iter()
        .map(|a| (a.name.as_str(), a))
        .collect();
    let mut seen = HashSet::new();
    let mut expected = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| {
            CliError::bad_input(format!(
                "{}: cannot read the legs file: {e}",
                file.display()
            ))
        })?;
        let names = crate::matrix::accounts_of_legs(&text)
            .map_err(|e| CliError::bad_input(format!("{}: {e}", file.display())))?;
        for name in names {
            let Some(account) = by_name.get(name.as_str()) else {
                return Err(CliError::bad_input(format!(
                    "{}: account `{name}` is not in {}; pass the legs file computed from this config",
                    file.display(),
                    config.path.display()
                )));
            };
            if seen.insert(name) {
                expected.push(*account);
            }
        }
    }
    Ok(expected)
}

pub(super) fn summary(args: ReportSummaryArgs) -> CommandResult {
    let report = read_report(&args.report)?;
    if GithubActions::from_env().actions {
        github::publish(&report, &args.report)
            .map_err(|e| CliError::io("cannot write the job summary ($GITHUB_STEP_SUMMARY)", e))?;
    } else {
        let links = RunLinks::from_env(report.source.as_ref());
        let path = crate::workdir::shown(&args.report);
        print!(
            "{}",
            github::job_summary(&report, &links, Some(&path), MAX_SUMMARY_BYTES)
        );
    }
    Ok(Exit::Success)
}
