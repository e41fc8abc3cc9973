//! `orchestrator preflight`: can every selected account be reached? The same check opens
//! `run` and `deploy`.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::aws::{self, StsProvider};
use crate::cli::PreflightArgs;
use crate::exit::{CliError, CommandResult, Exit};

use super::loading::{load_config_with_vended_ids, require_vended, work_dir_from_env};
use super::selecting::plan_for;

pub(super) fn run(config_path: &Path, args: PreflightArgs) -> CommandResult {
    let work_dir = work_dir_from_env();
    let config = load_config_with_vended_ids(config_path, &work_dir)?;
    let plan = plan_for(&config, &args.selectors)?;
    require_vended(plan.jobs().map(|j| &j.account), &work_dir, &config.path)?;
    let accounts = plan
        .waves
        .iter()
        .flat_map(|wave| wave.jobs.iter().map(|job| &job.account));
    let provider =
        StsProvider::new(&config, args.oidc_role_arn, &run_id())?.for_plan(args.plan_only);
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    let report = runtime.block_on(aws::preflight(
        &config,
        accounts,
        &provider,
        usize::from(args.parallel),
    ));
    crate::console::stdout_text(&report.render());
    if report.is_ok() {
        Ok(Exit::Success)
    } else {
        Err(CliError::failed(report.render_failures()))
    }
}

/// Names the sessions in CloudTrail: the GitHub run when there is one, else the time.
fn run_id() -> String {
    match crate::github_actions::GithubActions::from_env().run_id {
        Some(id) => format!("preflight-{id}"),
        None => {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            format!("preflight-{secs}")
        }
    }
}
