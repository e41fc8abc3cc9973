//! Which display suits where the orchestrator runs.

use super::bars::Bars;
use super::github::GithubGroups;
use super::lines::LogLines;
use super::reporter::{Reporter, Reporters};
use crate::runner::OutputLimits;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A terminal outside CI that can redraw (not `TERM=dumb`): progress bars.
    Bars,
    /// CI or a pipe: one log line per event.
    Lines,
    /// GitHub Actions: log lines, and each layer's output folded in a `::group::`.
    Github,
}

impl Style {
    pub fn detect() -> Self {
        if crate::github_actions::GithubActions::from_env().actions {
            Style::Github
        } else if crate::terminal::Terminal::stderr().bars() {
            Style::Bars
        } else {
            Style::Lines
        }
    }

    /// `output`: how much of a layer's log may be shown, as the run's caps say.
    pub fn reporter(self, output: OutputLimits) -> Box<dyn Reporter> {
        match self {
            Style::Bars => Box::new(Bars::new()),
            Style::Lines => Box::new(LogLines::default()),
            Style::Github => Box::new(Reporters(vec![
                Box::new(LogLines::default()),
                Box::new(GithubGroups::new(output)),
            ])),
        }
    }
}
