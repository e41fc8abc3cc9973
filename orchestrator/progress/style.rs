//! Which display suits where the orchestrator runs.

use std::io::IsTerminal;

use super::bars::Bars;
use super::github::GithubGroups;
use super::lines::LogLines;
use super::reporter::{Reporter, Reporters};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A terminal outside CI: progress bars.
    Bars,
    /// CI or a pipe: one log line per event.
    Lines,
    /// GitHub Actions: log lines, and each layer's output folded in a `::group::`.
    Github,
}

impl Style {
    #[allow(clippy::disallowed_methods)] // asks whether stderr is a terminal, writes nothing
    pub fn detect() -> Self {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        if crate::github_actions::GithubActions::from_env().actions {
            Style::Github
        } else if !ci && std::io::stderr().is_terminal() {
            Style::Bars
        } else {
            Style::Lines
        }
    }

    pub fn reporter(self) -> Box<dyn Reporter> {
        match self {
            Style::Bars => Box::new(Bars::new()),
            Style::Lines => Box::new(LogLines),
            Style::Github => Box::new(Reporters(vec![
                Box::new(LogLines),
                Box::new(GithubGroups::new()),
            ])),
        }
    }
}
