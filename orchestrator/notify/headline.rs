//! The one-line verdict of a run, shared by the Slack header and the job summary title.

use super::format::count;
use super::Digest;
use crate::report::{Mode, Outcome, RunAction};

/// `Deploy halted before prod: 2 accounts failed in stage`, `Drift in 3 accounts`,
/// `Destroy succeeded (copy pr-7)`, ...
pub fn headline(d: &Digest<'_>) -> String {
    let line = verdict(d);
    match &d.report.stack {
        Some(stack) => format!("{line} (copy {stack})"),
        None => line,
    }
}

fn verdict(d: &Digest<'_>) -> String {
    if d.report.action == RunAction::Vend {
        return vend_verdict(d);
    }
    let destroy = d.report.action == RunAction::Destroy;
    let word = match (d.report.mode, destroy) {
        (Mode::Apply, false) => "Deploy",
        (Mode::Plan, false) => "Plan",
        (Mode::Apply, true) => "Destroy",
        (Mode::Plan, true) => "Destroy plan",
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
        // A destroy plan with changes is what was asked for, not drift.
        Outcome::Drifted if destroy => format!(
            "Destroy plan: {} to destroy",
            count(d.drift.len(), "account", "accounts")
        ),
        Outcome::Drifted => format!("Drift in {}", count(d.drift.len(), "account", "accounts")),
        Outcome::Succeeded => match (d.report.mode, destroy) {
            (Mode::Apply, false) => "Deploy succeeded".to_string(),
            (Mode::Plan, false) => "Plan: no drift".to_string(),
            (Mode::Apply, true) => "Destroy succeeded".to_string(),
            (Mode::Plan, true) => "Destroy plan: nothing to destroy".to_string(),
        },
    }
}

/// `orchestrator vend` ran one layer for the whole organisation: no accounts to count, and a
/// plan with changes is accounts to create or import, not drift.
fn vend_verdict(d: &Digest<'_>) -> String {
    let word = match d.report.mode {
        Mode::Apply => "Account vending",
        Mode::Plan => "Account vending plan",
    };
    match d.outcome() {
        Outcome::Succeeded if d.report.mode == Mode::Plan => format!("{word}: no changes"),
        Outcome::Succeeded => format!("{word} succeeded"),
        Outcome::Drifted => format!("{word}: changes to apply"),
        Outcome::Failed | Outcome::Halted => format!("{word} failed"),
        Outcome::Cancelled => format!("{word} cancelled"),
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
