//! The words every display uses for the same event, so bars, log lines and GitHub groups
//! say the same thing.

use std::time::Duration;

use crate::report::{
    ChangeCounts, HealthCheckReport, HealthOutcome, LayerReport, Status, WaveStatus,
};

/// The width of the status column: the longest status word, so `no changes` lines up.
pub(super) fn status_width() -> usize {
    Status::ALL
        .iter()
        .map(|s| s.word().len())
        .max()
        .unwrap_or(0)
}

pub(super) fn status(status: Status) -> &'static str {
    status.word()
}

pub(super) fn wave_status(status: WaveStatus) -> &'static str {
    status.as_str()
}

/// `1 job`, `2 jobs`.
pub(super) fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `1.2s`, `42s`, `3m05s`: short enough for a progress line.
pub(super) fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 10 {
        format!("{:.1}s", d.as_secs_f64())
    } else if secs < 60 {
        format!("{secs}s")
    } else {
        format!("{}m{:02}s", secs / 60, secs % 60)
    }
}

pub(super) fn millis(ms: u64) -> String {
    duration(Duration::from_millis(ms))
}

pub(super) fn changes(c: &ChangeCounts) -> String {
    format!("+{} ~{} -{}", c.add, c.change, c.destroy)
}

/// `catalog-dev platform: succeeded in 2.1s (+1 ~0 -0)` or `...: failed in 3.0s: timeout`.
pub(super) fn layer(account: &str, report: &LayerReport) -> String {
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

/// `catalog-dev dynamic: health check passed (200) in 1.2s`, or `...: health check failed
/// (503) after 12 requests in 5.0s` (the layer's line that follows says why).
pub(super) fn health_check(account: &str, layer: &str, check: &HealthCheckReport) -> String {
    let seen = match check.status {
        Some(status) => format!(" ({status})"),
        None if check.attempts > 0 => " (no answer)".to_string(),
        None => String::new(),
    };
    let took = if check.attempts > 1 {
        format!(
            " after {} in {}",
            count(check.attempts as usize, "request"),
            millis(check.duration_ms)
        )
    } else {
        format!(" in {}", millis(check.duration_ms))
    };
    let what = match check.outcome {
        HealthOutcome::Passed => format!("passed{seen}{took}"),
        HealthOutcome::Failed => format!("failed{seen}{took}"),
        HealthOutcome::NoUrl => format!("failed: no URL in output {}", check.output),
        HealthOutcome::Timeout => format!("stopped by the job timeout{seen}{took}"),
        HealthOutcome::Cancelled => format!("interrupted{seen}{took}"),
    };
    format!("{account} {layer}: health check {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(outcome: HealthOutcome, status: Option<u16>, attempts: u32) -> HealthCheckReport {
        HealthCheckReport {
            output: "health_url".into(),
            url: Some("http://127.0.0.1:8080/health".into()),
            expect_status: 200,
            outcome,
            status,
            attempts,
            duration_ms: 1234,
        }
    }

    #[test]
    fn health_checks_say_what_they_saw() {
        let line = |c| health_check("catalog-dev", "dynamic", &c);
        assert_eq!(
            line(check(HealthOutcome::Passed, Some(200), 1)),
            "catalog-dev dynamic: health check passed (200) in 1.2s"
        );
        assert_eq!(
            line(check(HealthOutcome::Failed, Some(503), 4)),
            "catalog-dev dynamic: health check failed (503) after 4 requests in 1.2s"
        );
        assert_eq!(
            line(check(HealthOutcome::Failed, None, 1)),
            "catalog-dev dynamic: health check failed (no answer) in 1.2s"
        );
        assert_eq!(
            line(check(HealthOutcome::NoUrl, None, 0)),
            "catalog-dev dynamic: health check failed: no URL in output health_url"
        );
    }

    #[test]
    fn durations_are_short() {
        assert_eq!(duration(Duration::from_millis(1234)), "1.2s");
        assert_eq!(duration(Duration::from_secs(42)), "42s");
        assert_eq!(duration(Duration::from_secs(185)), "3m05s");
    }
}
