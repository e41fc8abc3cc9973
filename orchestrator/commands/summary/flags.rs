//! `summary`'s flags that name files or land in the comment, checked before anything is
//! read or written.

use crate::cli::SummaryArgs;
use crate::exit::CliError;
use crate::github_actions::is_commit_id;

/// `--commit` and `--run-url` land in the comment as code and a link: only a commit id and
/// an http(s) URL are taken, so nothing else can be made to look like one.
pub(super) fn check_source_flags(args: &SummaryArgs) -> Result<(), CliError> {
    if let Some(commit) = &args.commit {
        if !is_commit_id(commit) {
            return Err(CliError::bad_input(format!(
                "--commit {commit:?} is not a commit id: give 4 to 64 hexadecimal digits (git rev-parse HEAD)"
            )));
        }
    }
    if let Some(url) = &args.run_url {
        let scheme = url.starts_with("https://") || url.starts_with("http://");
        if !scheme
            || url.contains(|c: char| c.is_whitespace() || c.is_control() || "<>\"`".contains(c))
        {
            return Err(CliError::bad_input(format!(
                "--run-url {url:?} is not an http(s) URL: give the run's page, e.g. https://github.com/OWNER/REPO/actions/runs/ID"
            )));
        }
    }
    Ok(())
}

/// `--full` and `--destroy-list` name files, two different ones: refused before anything is
/// read or written, so a bad path never leaves one written and the other not.
pub(super) fn check_destinations(args: &SummaryArgs) -> Result<(), CliError> {
    let flags = [
        ("--full", &args.full),
        ("--destroy-list", &args.destroy_list),
    ];
    for (flag, path) in flags {
        let Some(path) = path else { continue };
        if path.is_dir() || path.file_name().is_none() {
            return Err(CliError::bad_input(format!(
                "{flag} {}: not a file name; give a file, e.g. {flag} plan-summary/{}",
                path.display(),
                if flag == "--full" {
                    "full.md"
                } else {
                    "destroys.json"
                }
            )));
        }
    }
    if let (Some(full), Some(list)) = (&args.full, &args.destroy_list) {
        if full == list {
            return Err(CliError::bad_input(format!(
                "--full and --destroy-list both name {}: give two different files",
                full.display()
            )));
        }
    }
    Ok(())
}
