//! The documented exit codes, and the one error type every command returns.

use std::process::ExitCode;

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

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// A command that could not do its job; the message is printed to stderr as it is.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
}

impl CliError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::BadInput,
            message: message.into(),
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Failed,
            message: message.into(),
        }
    }

    pub fn undelivered(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Undelivered,
            message: message.into(),
        }
    }
}

impl From<crate::config::LoadError> for CliError {
    fn from(e: crate::config::LoadError) -> Self {
        Self::bad_input(e.to_string())
    }
}

impl From<crate::plan::SelectionError> for CliError {
    fn from(e: crate::plan::SelectionError) -> Self {
        Self::bad_input(e.to_string())
    }
}

pub type CommandResult = Result<Exit, CliError>;
