use std::path::Path;

use crate::cli::GateArgs;
use crate::console::{eprintln, println};
use crate::exit::{CliError, CommandResult, Exit};
use crate::github_actions::{append_outputs, GithubActions};
use crate::notify::format::{and_list, count};
use crate::report::{read_report, Status};
use crate::rules::{self, WaveTally};

/// Decides whether the wave after `--wave` may start: its failed (or cancelled) jobs must be
/// within the wave's `failure_tolerance` from the config. The decision is an output, not an
/// exit code, so the workflow's gate job itself succeeds either way.
pub(super) fn run(config_path: &Path, args: GateArgs) -> CommandResult {
    let config = super::loading::load_config(config_path)?;
    let Some(wave) = config.waves.iter().find(|w| w.name == args.wave) else {
        let known: Vec<&str> = config.waves.iter().map(|w| w.name.as_str()).collect();
        return Err(CliError::bad_input(format!(
            "unknown wave `{}`; the waves in {} are: {}",
            args.wave,
            config.path.display(),
            known.join(", ")
        )));
    };
    let report = read_report(&args.report)?;
    let jobs: Vec<_> = report.jobs.iter().filter(|j| j.wave == wave.name).collect();
    // The one rule: failed and cancelled jobs count against the tolerance.
    let tally = WaveTally::of(jobs.iter().map(|j| j.status));
    let proceed = rules::hold_back(&wave.name, tally, wave.failure_tolerance, false).is_none();
    let failed: Vec<String> = jobs
        .iter()
        .filter(|j| j.status.is_failure() || j.status == Status::Cancelled)
        .map(|j| j.account.clone())
        .collect();
    if jobs.is_empty() {
        eprintln!(
            "warning: {} has no job of wave {}; nothing failed, so it proceeds",
            args.report.display(),
            wave.name
        );
    }

    if let Some(path) = GithubActions::from_env().output {
        let outputs = [
            ("proceed", proceed.to_string()),
            ("failures", failed.len().to_string()),
        ];
        append_outputs(&path, &outputs).map_err(|e| {
            CliError::io(
                format!("cannot write $GITHUB_OUTPUT ({})", path.display()),
                e,
            )
        })?;
    }

    let failures = if failed.is_empty() {
        "no failure".to_string()
    } else {
        let shown = if failed.len() > 10 {
            format!("{} and {} more", failed[..10].join(", "), failed.len() - 10)
        } else {
            and_list(&failed)
        };
        format!("{} ({shown})", count(failed.len(), "failure", "failures"))
    };
    println!(
        "wave {}: {} of {}, tolerance {}: {}",
        wave.name,
        failures,
        count(jobs.len(), "job", "jobs"),
        wave.failure_tolerance,
        if proceed {
            "the next wave may start"
        } else {
            "the next wave is held back"
        }
    );
    println!("proceed={proceed}");
    Ok(Exit::Success)
}
