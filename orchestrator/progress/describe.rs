//! The words every display uses for the same event, so bars, log lines and GitHub groups
//! say the same thing.

use std::time::Duration;

use crate::report::{ChangeCounts, LayerReport, Status, WaveStatus};

pub fn status(status: Status) -> &'static str {
    match status {
        Status::Succeeded => "succeeded",
        Status::NoChanges => "no changes",
        Status::Changes => "changes",
        Status::Skipped => "skipped",
        Status::Cancelled => "cancelled",
        Status::Failed => "failed",
    }
}

pub fn wave_status(status: WaveStatus) -> &'static str {
    match status {
        WaveStatus::Succeeded => "succeeded",
        WaveStatus::Failed => "failed",
        WaveStatus::Skipped => "skipped",
        WaveStatus::Cancelled => "cancelled",
        WaveStatus::Empty => "empty",
    }
}

/// `1 job`, `2 jobs`.
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `1.2s`, `42s`, `3m05s`: short enough for a progress line.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 10 {
        format!("{:.1}s", d.as_secs_f64())
    } else if secs < 60 {
        format!("{secs}s")
    } else {
        format!("{}m{:02}s", secs / 60, secs % 60)
    }
}

pub fn millis(ms: u64) -> String {
    duration(Duration::from_millis(ms))
}

pub fn changes(c: &ChangeCounts) -> String {
    format!("+{} ~{} -{}", c.add, c.change, c.destroy)
}

/// `catalog-dev platform: succeeded in 2.1s (+1 ~0 -0)` or `...: failed in 3.0s: timeout`.
pub fn layer(account: &str, report: &LayerReport) -> String {
    let mut line = format!("{account} {}: {}", report.layer, status(report.status));
    if !report.attempts.is_empty() {
        line.push_str(&format!(" in {}", millis(report.duration_ms)));
    }
    if report.attempts.len() > 1 {
        line.push_str(&format!(" after {} attempts", report.attempts.len()));
    }
    match (&report.reason, &report.changes) {
        (Some(reason), _) => line.push_str(&format!(": {reason}")),
        (None, Some(c)) if report.status != Status::NoChanges => {
            line.push_str(&format!(" ({})", changes(c)));
        }
        _ => {}
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_short() {
        assert_eq!(duration(Duration::from_millis(1234)), "1.2s");
        assert_eq!(duration(Duration::from_secs(42)), "42s");
        assert_eq!(duration(Duration::from_secs(185)), "3m05s");
    }
}
