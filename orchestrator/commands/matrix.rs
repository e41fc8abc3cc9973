use std::path::Path;

use crate::cli::MatrixArgs;
use crate::exit::{CliError, CommandResult, Exit};
use crate::github_actions::{append_outputs, GithubActions};
use crate::{matrix, plan};

pub(super) fn run(config_path: &Path, args: MatrixArgs) -> CommandResult {
    let work_dir = super::loading::work_dir_from_env();
    let config = super::loading::load_config_with_vended_ids(config_path, &work_dir)?;
    let (selection, _) = super::selecting::selection_with_changes(&config, &args.selectors)?;
    // By reference: the matrix needs each account's name and id, not a copy of the account.
    let mut plan = plan::select(&config, &selection)?;
    let waiting = super::loading::warn_waiting_for_vending(
        plan.waves
            .iter()
            .flat_map(|w| w.jobs.iter().map(|j| j.account)),
        config_path,
    );
    for wave in &mut plan.waves {
        wave.jobs.retain(|j| !waiting.contains(&j.account.name));
    }
    let max_jobs = usize::from(args.max_jobs);
    let mut waves = matrix::for_selected(&plan);
    if let Some(name) = &args.wave {
        if config.wave(name).is_none() {
            let known: Vec<&str> = config.waves.iter().map(|w| w.name.as_str()).collect();
            return Err(CliError::bad_input(format!(
                "unknown wave `{name}`; the waves are: {}",
                known.join(", ")
            )));
        }
        waves.retain(|(w, _)| w == name);
    }
    let stdout = match (&args.wave, waves.as_slice()) {
        (Some(_), [(_, m)]) => serde_json::to_string(m),
        _ => serde_json::to_string(
            &waves
                .iter()
                .map(|(w, m)| (w.clone(), serde_json::to_value(m).expect("matrix")))
                .collect::<serde_json::Map<_, _>>(),
        ),
    }
    .expect("a matrix always serialises");
    // Checked also without $GITHUB_OUTPUT, so a local run tells the same as CI.
    let outputs = matrix::github_output(&waves, max_jobs, args.chunks.map(usize::from))?;
    if let Some(path) = GithubActions::from_env().output {
        append_outputs(&path, &outputs).map_err(|e| {
            CliError::io(
                format!("cannot write $GITHUB_OUTPUT ({})", path.display()),
                e,
            )
        })?;
    }
    super::stdout::print_stdout(&format!("{stdout}\n"), crate::console::Document::Json)?;
    drop(plan);
    super::leave_to_exit::leave_to_exit(config);
    Ok(Exit::Success)
}
