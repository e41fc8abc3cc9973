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
    pub fn detect() -> Self {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        if env("GITHUB_ACTIONS").as_deref() == Some("true") {
            Style::Github
        } else if env("CI").is_none() && std::io::stderr().is_terminal() {
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
                Box::new(GithubGroups::new(std::io::stdout())),
            ])),
        }
    }
}
