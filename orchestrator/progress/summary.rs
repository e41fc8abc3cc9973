//! The summary that ends stdout: how the run ended, counts per status, what failed and why,
//! the slowest jobs, the wall time and where the run report is.

use std::fmt::Write;

use super::describe;
use crate::report::{Outcome, RunReport, Status, WaveStatus};

const SLOWEST: usize = 5;

pub fn render(report: &RunReport, report_path: &str) -> String {
    let mut out = String::new();
    let outcome = match report.outcome {
        Outcome::Succeeded => "succeeded",
        Outcome::Failed => "failed",
        Outcome::Halted => "halted",
        Outcome::Cancelled => "cancelled",
        Outcome::Drifted => "found changes",
    };
    let waves = report
        .waves
        .iter()
        .filter(|w| w.status != WaveStatus::Empty)
        .count();
    let _ = writeln!(
        out,
        "Run {outcome} in {}: {} in {}",
        describe::millis(report.duration_ms),
        plural(report.jobs.len(), "job"),
        plural(waves, "wave")
    );
    for wave in &report.waves {
        if let Some(reason) = &wave.reason {
            let _ = writeln!(
                out,
                "  wave {} {}: {reason}",
                wave.name,
                describe::wave_status(wave.status)
            );
        }
    }
    let _ = writeln!(
        out,
        "  jobs:   {}",
        counts(report.jobs.iter().map(|j| j.status))
    );
    let _ = writeln!(
        out,
        "  layers: {}",
        counts(
            report
                .jobs
                .iter()
                .flat_map(|j| j.layers.iter().map(|l| l.status))
        )
    );
    let failed: Vec<_> = report.failed_jobs().collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "Failed:");
        for job in failed {
            let _ = writeln!(
                out,
                "  {} ({})",
                job.account,
                job.reason.as_deref().unwrap_or("failed")
            );
            for layer in job.layers.iter().filter(|l| l.status == Status::Failed) {
                for line in layer.error.iter().take(3) {
                    let _ = writeln!(out, "    {line}");
                }
                if let Some(log) = &layer.log {
                    let _ = writeln!(out, "    log: {log}");
                }
            }
        }
    }
    let mut ran: Vec<_> = report.jobs.iter().filter(|j| j.duration_ms > 0).collect();
    ran.sort_by(|a, b| {
        b.duration_ms
            .cmp(&a.duration_ms)
            .then(a.account.cmp(&b.account))
    });
    if !ran.is_empty() {
        let slowest: Vec<String> = ran
            .iter()
            .take(SLOWEST)
            .map(|j| format!("{} {}", j.account, describe::millis(j.duration_ms)))
            .collect();
        let _ = writeln!(out, "Slowest: {}", slowest.join(", "));
    }
    let _ = writeln!(out, "Report: {report_path}");
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `7 succeeded, 1 failed, 4 skipped`, in the order of [`Status`].
fn counts(statuses: impl Iterator<Item = Status>) -> String {
    let mut counted: Vec<(Status, usize)> = Vec::new();
    for status in statuses {
        match counted.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => counted.push((status, 1)),
        }
    }
    counted.sort();
    if counted.is_empty() {
        return "none".to_string();
    }
    counted
        .iter()
        .map(|(s, n)| format!("{n} {}", describe::status(*s)))
        .collect::<Vec<_>>()
        .join(", ")
}
