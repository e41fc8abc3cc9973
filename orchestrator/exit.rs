//! The documented exit codes, the one error type every command returns, and the one place
//! that decides which exit code an error means. `--help` prints the codes from here too.

use std::error::Error as StdError;
use std::process::ExitCode;

use crate::aws::ProviderError;
use crate::changes::ChangeError;
use crate::config::add_domain::AddDomainError;
use crate::config::LoadError;
use crate::events::Outcome;
use crate::matrix::ChunkError;
use crate::notify::slack::WebhookError;
use crate::plan::SelectionError;
use crate::redeploy::ResumeError;
use crate::report::merge::MergeError;
use crate::report::ReportError;
use crate::stacks::{ListError, StackError};
use crate::state_claim::ClaimError;
use crate::summary::github::{GithubError, TargetError};
use crate::summary::render::TooLong;
use crate::summary::CollectError;
use crate::terraform::ProgramNotFound;
use crate::vending::{VendFailure, VendingError};
use crate::work_lock::LockError;
use crate::workdir::ConfigNotFound;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// A job failed, a wave was halted, or preflight failed.
    Failed = 1,
    /// Config, flags, names, plan or report files are wrong.
    BadInput = 2,
    /// Slack or the GitHub API did not take the message.
    Undelivered = 3,
    /// Ctrl-C or SIGTERM.
    Interrupted = 130,
}

impl Exit {
    /// Every documented code, in the order `--help` lists them.
    pub const ALL: [Exit; 5] = [
        Exit::Success,
        Exit::Failed,
        Exit::BadInput,
        Exit::Undelivered,
        Exit::Interrupted,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    /// What the code means: `--help` and README.md's exit-code table say it in these words.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "success",
            Exit::Failed => {
                "a job failed, a wave was halted, preflight found an unreachable account, or an \
                 output (the run report, $GITHUB_OUTPUT) could not be written"
            }
            Exit::BadInput => {
                "bad input: config, flags, account names, plan or report files; nothing was started"
            }
            Exit::Undelivered => {
                "a Slack message or PR comment could not be delivered (the deploy's own outcome is \
                 unchanged)"
            }
            Exit::Interrupted => {
                "interrupted (Ctrl-C / SIGTERM); terraform is stopped gracefully and the run \
                 report still written"
            }
        }
    }
}

impl Exit {
    /// The exit code of a run (`run`, `deploy`, `destroy`) from its outcome: a plan-only
    /// run that found changes fails only with `--fail-on-drift`.
    pub fn of_run(outcome: Outcome, fail_on_drift: bool) -> Exit {
        match outcome {
            Outcome::Succeeded => Exit::Success,
            Outcome::Drifted if fail_on_drift => Exit::Failed,
            Outcome::Drifted => Exit::Success,
            Outcome::Failed | Outcome::Halted => Exit::Failed,
            Outcome::Cancelled => Exit::Interrupted,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// The codes of `notify slack`, which never reports the deploy's own outcome
/// (docs/notifications.md's table says it in these words).
const SLACK_CODES: [(Exit, &str); 3] = [
    (Exit::Success, "posted, or nothing to post (see --on)"),
    (
        Exit::BadInput,
        "bad input: the report or --previous unreadable, the config invalid, SLACK_WEBHOOK_URL \
         (or a team's variable) missing or not an http(s) URL; nothing is posted",
    ),
    (
        Exit::Undelivered,
        "Slack did not take a message (refused, or still failing after the retries); the other \
         audiences' messages are still sent",
    ),
];

/// The codes of `destroy`, said for what it does.
const DESTROY_CODES: [(Exit, &str); 4] = [
    (Exit::Success, "destroyed (or nothing to destroy)"),
    (
        Exit::Failed,
        "a layer failed, the confirmation was declined, or the run report could not be written",
    ),
    (Exit::BadInput, "bad input: nothing was planned"),
    (
        Exit::Interrupted,
        "interrupted (Ctrl-C / SIGTERM); the run report is still written",
    ),
];

/// The `Exit codes:` block of `--help`, from `Exit::ALL`.
pub fn help() -> String {
    help_with("Exit codes:", &Exit::ALL.map(|exit| (exit, exit.meaning())))
}

/// The exit codes of `notify slack`, which never reports the deploy's own outcome.
pub fn slack_help() -> String {
    help_with(
        "Exit codes (the deploy's own outcome is never changed by a notification):",
        &SLACK_CODES,
    )
}

/// The exit codes of `destroy`.
pub fn destroy_help() -> String {
    help_with("Exit codes:", &DESTROY_CODES)
}

fn help_with(title: &str, codes: &[(Exit, &str)]) -> String {
    let mut text = title.to_string();
    for (exit, meaning) in codes {
        text.push_str(&format!("\n  {:<4} {meaning}", exit.code()));
    }
    text
}

/// Why a command could not do its job. Library errors keep their type (`#[from]`), so the
/// exit code is decided once, in `exit()`, and their sources stay available to print.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] LoadError),
    #[error(transparent)]
    Selection(#[from] SelectionError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error(transparent)]
    Changes(#[from] ChangeError),
    #[error(transparent)]
    Vending(#[from] VendingError),
    #[error(transparent)]
    Vend(#[from] VendFailure),
    #[error(transparent)]
    Credentials(#[from] ProviderError),
    #[error(transparent)]
    Terraform(#[from] ProgramNotFound),
    #[error(transparent)]
    AddDomain(#[from] AddDomainError),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    #[error(transparent)]
    Plans(#[from] CollectError),
    #[error(transparent)]
    CommentTooLong(#[from] TooLong),
    #[error(transparent)]
    PullRequest(#[from] TargetError),
    #[error(transparent)]
    Github(#[from] GithubError),
    #[error(transparent)]
    ConfigNotFound(#[from] ConfigNotFound),
    #[error(transparent)]
    WorkDirLocked(#[from] LockError),
    #[error(transparent)]
    StateClaimed(#[from] ClaimError),
    #[error(transparent)]
    Stack(#[from] StackError),
    #[error(transparent)]
    StackListing(#[from] ListError),
    #[error(transparent)]
    Chunks(#[from] ChunkError),
    #[error(transparent)]
    Resume(#[from] ResumeError),
    /// Anything else: the message says what and what to do; `exit` is chosen where it arose.
    #[error("{message}")]
    Other {
        exit: Exit,
        message: String,
        #[source]
        source: Option<Box<dyn StdError + Send + Sync>>,
    },
}

impl CliError {
    /// The one mapping from an error to its documented exit code.
    pub fn exit(&self) -> Exit {
        match self {
            // A report that cannot be written after the work was done loses the run's
            // outcome: a failure. A path refused before anything starts is bad input, said
            // so where it is checked (`check_writable` names the flag to change).
            CliError::Report(ReportError::Write { .. }) => Exit::Failed,
            CliError::Config(_)
            | CliError::Selection(_)
            | CliError::Report(_)
            | CliError::Merge(_)
            | CliError::Changes(_)
            | CliError::Vending(_)
            | CliError::Credentials(_)
            | CliError::Terraform(_)
            | CliError::AddDomain(_)
            | CliError::Webhook(_)
            | CliError::Plans(_)
            | CliError::CommentTooLong(_)
            | CliError::PullRequest(_)
            | CliError::ConfigNotFound(_)
            | CliError::WorkDirLocked(_)
            | CliError::StateClaimed(_)
            | CliError::Stack(_)
            | CliError::StackListing(ListError::NotEnabled(_))
            | CliError::Chunks(_)
            | CliError::Resume(_) => Exit::BadInput,
            // The state backend could not be read, or still holds what a copy left.
            CliError::StackListing(_) => Exit::Failed,
            CliError::Github(_) => Exit::Undelivered,
            // A plan that would open a second account (or close one) is the config's or the
            // layer's to fix: nothing was applied.
            CliError::Vend(VendFailure::Unsafe { .. }) => Exit::BadInput,
            CliError::Vend(VendFailure::Failed(_)) => Exit::Failed,
            CliError::Vend(VendFailure::Interrupted(_)) => Exit::Interrupted,
            CliError::Other { exit, .. } => *exit,
        }
    }

    fn other(exit: Exit, message: impl Into<String>) -> Self {
        CliError::Other {
            exit,
            message: message.into(),
            source: None,
        }
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::other(Exit::BadInput, message)
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self::other(Exit::Failed, message)
    }

    pub fn undelivered(message: impl Into<String>) -> Self {
        Self::other(Exit::Undelivered, message)
    }

    pub fn interrupted(message: impl Into<String>) -> Self {
        Self::other(Exit::Interrupted, message)
    }

    /// An I/O step that failed (writing a file, stdout, starting the runtime): exit 1, with
    /// `context` saying what was being done and the error kept as the source.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        CliError::Other {
            exit: Exit::Failed,
            message: context.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The message, then every cause not already said in it, one `caused by:` line each.
    pub fn report(&self) -> String {
        let mut text = format!("error: {self}");
        let mut cause = self.source();
        // A transparent variant's first source is the wrapped error's own source.
        while let Some(error) = cause {
            let said = error.to_string();
            if !text.contains(&said) {
                text.push_str(&format!("\n  caused by: {said}"));
            }
            cause = error.source();
        }
        text
    }
}

pub type CommandResult = Result<Exit, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_code_with_its_meaning() {
        let help = help();
        for exit in Exit::ALL {
            let line = format!("  {:<4} {}", exit.code(), exit.meaning());
            assert!(help.contains(&line), "{help}");
        }
        assert!(help.contains("\n  130  interrupted"), "{help}");
    }

    /// The Markdown table the docs give for `codes`, in `exit.rs`'s words.
    fn markdown_table(codes: &[(Exit, &str)]) -> String {
        let mut table = String::from("| code | meaning |\n| --- | --- |\n");
        for (exit, meaning) in codes {
            table.push_str(&format!("| {} | {meaning} |\n", exit.code()));
        }
        table
    }

    /// The table under the first `### Exit codes` heading of a Markdown document.
    fn documented_table(doc: &str) -> String {
        let (_, section) = doc
            .split_once("### Exit codes\n")
            .expect("an `### Exit codes` section");
        section
            .lines()
            .skip_while(|line| !line.starts_with('|'))
            .take_while(|line| line.starts_with('|'))
            .map(|line| format!("{line}\n"))
            .collect()
    }

    #[test]
    fn the_docs_give_the_codes_in_these_words() {
        let readme = include_str!("../README.md");
        assert_eq!(
            documented_table(readme),
            markdown_table(&Exit::ALL.map(|exit| (exit, exit.meaning()))),
            "README.md's exit-code table must say what `Exit::meaning` says"
        );
        let notifications = include_str!("../docs/notifications.md");
        assert_eq!(
            documented_table(notifications),
            markdown_table(&SLACK_CODES),
            "docs/notifications.md's exit-code table must say what `SLACK_CODES` says"
        );
    }

    #[test]
    fn a_report_unwritten_after_the_run_fails_the_run() {
        let unwritten = CliError::from(ReportError::Write {
            path: "runs/latest.json".into(),
            source: std::io::Error::other("disk full"),
        });
        assert_eq!(unwritten.exit(), Exit::Failed);
        let unreadable = CliError::from(ReportError::Read {
            path: "report.json".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
        assert_eq!(unreadable.exit(), Exit::BadInput);
    }

    #[test]
    fn destroy_help_gives_its_own_meanings_of_the_documented_codes() {
        let help = destroy_help();
        assert!(help.starts_with("Exit codes:\n  0    destroyed"), "{help}");
        for (exit, meaning) in DESTROY_CODES {
            assert!(Exit::ALL.contains(&exit));
            assert!(
                help.contains(&format!("  {:<4} {meaning}", exit.code())),
                "{help}"
            );
        }
    }

    #[test]
    fn a_run_exits_by_its_outcome_and_drift_fails_only_when_asked() {
        for fail_on_drift in [false, true] {
            let exit = |outcome| Exit::of_run(outcome, fail_on_drift);
            assert_eq!(exit(Outcome::Succeeded), Exit::Success);
            assert_eq!(exit(Outcome::Failed), Exit::Failed);
            assert_eq!(exit(Outcome::Halted), Exit::Failed);
            assert_eq!(exit(Outcome::Cancelled), Exit::Interrupted);
        }
        assert_eq!(Exit::of_run(Outcome::Drifted, false), Exit::Success);
        assert_eq!(Exit::of_run(Outcome::Drifted, true), Exit::Failed);
    }

    #[test]
    fn library_errors_map_to_their_documented_code() {
        let missing = CliError::from(LoadError::Read {
            path: "domains.yaml".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
        assert_eq!(missing.exit(), Exit::BadInput);
        let refused = CliError::from(GithubError::Unauthorized {
            message: "bad credentials".into(),
        });
        assert_eq!(refused.exit(), Exit::Undelivered);
        assert_eq!(CliError::failed("x").exit(), Exit::Failed);
    }

    #[test]
    fn causes_are_printed_once() {
        let error = CliError::io(
            "cannot write the run report",
            std::io::Error::other("disk full"),
        );
        assert_eq!(
            error.report(),
            "error: cannot write the run report\n  caused by: disk full"
        );
        // The config error already says why; its source is not repeated.
        let missing = CliError::from(LoadError::Read {
            path: "domains.yaml".into(),
            source: std::io::Error::other("no such file"),
        });
        assert_eq!(missing.report().matches("no such file").count(), 1);
    }
}
