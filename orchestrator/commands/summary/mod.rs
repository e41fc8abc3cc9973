//! `orchestrator summary`: many plans -> one Markdown comment on stdout, the full version
//! to `--full` and the job summary, and with `--post` onto the pull request.

mod flags;

use std::path::Path;

use self::flags::{check_destinations, check_source_flags};
use crate::cli::SummaryArgs;
use crate::console::eprintln;
use crate::exit::{CliError, CommandResult, Exit};
use crate::github_actions::GithubActions;
use crate::report::write_atomic;
use crate::summary::comment_limit::fit_comment;
use crate::summary::github::{post_comment, PullRequest};
use crate::summary::render::{render, Detail, FullVersion};
use crate::summary::{collect, destroy_list, CollectOptions, DeployOrder, StepSummary, Summary};

pub(super) fn run(config: &Path, args: SummaryArgs) -> CommandResult {
    check_source_flags(&args)?;
    check_destinations(&args)?;
    let mut summary = match &args.not_planned {
        Some(error_file) => not_planned(error_file)?,
        None => {
            let order = DeployOrder::of_config(config);
            collect(CollectOptions {
                inputs: &args.inputs,
                report: args.report.as_deref(),
                keep_going: args.keep_going,
                order: order.as_ref(),
            })?
        }
    };
    let actions = GithubActions::from_env();
    if let Some(commit) = args.commit.clone().or_else(|| actions.head_commit()) {
        summary.commit = Some(commit);
    }
    if let Some(url) = args.run_url.clone().or_else(|| actions.run_url()) {
        summary.run_url = Some(url);
    }
    // Checked before anything is written, so a missing token leaves nothing half done.
    let target = args
        .post
        .then(|| PullRequest::from_actions(args.pr, &actions))
        .transpose()?;

    let full_text = render(&summary, &Detail::FULL, None);
    let step_summary = actions.step_summary.clone().map(|path| {
        StepSummary::new(
            path,
            &summary,
            &full_text,
            args.full.clone(),
            args.destroy_list.clone(),
        )
    });
    let full = FullVersion {
        file: args.full.clone(),
        step_summary: step_summary.as_ref().is_some_and(|s| s.complete),
        run_url: summary.run_url.clone(),
        destroy_list: args.destroy_list.clone(),
    };
    let comment = fit_comment(&summary, args.max_chars, &full)?;

    if let Some(path) = &args.full {
        write_atomic(path, full_text.as_bytes())?;
    }
    if let Some(path) = &args.destroy_list {
        let mut json = serde_json::to_vec_pretty(&destroy_list(&summary))
            .map_err(|e| CliError::failed(format!("cannot write the destroy list: {e}")))?;
        json.push(b'\n');
        write_atomic(path, &json)?;
    }
    if let Some(step_summary) = step_summary {
        step_summary.append();
    }
    // Plan addresses and terraform's values are data: neutralised (Markdown reads the same).
    crate::console::stdout_document(&comment.text, crate::console::Document::Text)
        .map_err(|e| CliError::failed(format!("cannot write the comment to stdout: {e}")))?;

    if let Some((pr, token)) = target {
        post(&pr, token, args.comment_author.as_deref(), &comment.text)?;
    }
    if summary.bad_plans.is_empty() {
        Ok(Exit::Success)
    } else {
        // --keep-going: the comment lists them; the exit code still says the input was bad.
        for bad in &summary.bad_plans {
            eprintln!("error: {}", bad.error);
        }
        Ok(Exit::BadInput)
    }
}

/// `--not-planned FILE`: a summary of no plan that quotes why (FILE may be empty when the
/// failed job said nothing).
fn not_planned(error_file: &Path) -> Result<Summary, CliError> {
    let bytes = std::fs::read(error_file).map_err(|e| {
        CliError::bad_input(format!(
            "--not-planned {}: cannot read it: {e}; give the error output of the job that planned the legs (an empty file when there is none)",
            error_file.display()
        ))
    })?;
    Ok(Summary::not_planned(&bytes))
}

fn post(
    pr: &PullRequest,
    token: crate::credentials::Secret,
    author: Option<&str>,
    body: &str,
) -> Result<(), CliError> {
    match post_comment(pr, token, author, body) {
        Ok(posted) => {
            let verb = posted.action.as_str();
            let place = posted
                .url
                .unwrap_or_else(|| format!("comment {}", posted.id));
            eprintln!(
                "{verb} the plan summary on {}#{}: {place}",
                pr.repository, pr.number
            );
            Ok(())
        }
        Err(e) => Err(CliError::undelivered(format!(
            "{}#{}: the plan summary was not posted: {e}",
            pr.repository, pr.number
        ))),
    }
}
