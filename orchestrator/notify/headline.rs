//! The one-line verdict of a run, shared by the Slack header and the job summary title.

use super::format::count;
use super::Digest;
use crate::report::{Mode, Outcome};

/// `Deploy halted before prod: 2 accounts failed in stage`, `Drift in 3 accounts`, ...
pub fn headline(d: &Digest<'_>) -> String {
    let word = match d.report.mode {
        Mode::Apply => "Deploy",
        Mode::Plan => "Plan",
    };
    let failed = d.failures.len();
    match d.outcome() {
        Outcome::Halted => {
            let before = d
                .held_back_waves()
                .first()
                .map(|w| format!(" before {w}"))
                .unwrap_or_default();
            let wave = d
                .halted_wave
                .map(|w| format!(" in {}", w.name))
                .unwrap_or_default();
            if failed > 0 {
                format!(
                    "{word} halted{before}: {} failed{wave}",
                    count(failed, "account", "accounts")
                )
            } else {
                format!("{word} halted{before}")
            }
        }
        Outcome::Failed => format!("{word} failed: {}", count(failed, "account", "accounts")),
        Outcome::Cancelled => format!("{word} cancelled"),
        Outcome::Drifted => format!("Drift in {}", count(d.drift.len(), "account", "accounts")),
        Outcome::Succeeded => match d.report.mode {
            Mode::Apply => "Deploy succeeded".to_string(),
            Mode::Plan => "Plan: no drift".to_string(),
        },
    }
}

/// A Slack emoji code for the outcome.
pub fn slack_emoji(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Halted | Outcome::Failed => ":red_circle:",
        Outcome::Cancelled => ":white_circle:",
        Outcome::Drifted => ":large_orange_circle:",
        Outcome::Succeeded => ":large_green_circle:",
    }
}

/// The same as a Unicode emoji, for Markdown.
pub fn emoji(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Halted | Outcome::Failed => "🔴",
        Outcome::Cancelled => "⚪",
        Outcome::Drifted => "🟠",
        Outcome::Succeeded => "🟢",
    }
}
