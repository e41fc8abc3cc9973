//! One plain log line per event (tracing, target `orchestrator::progress`): for CI logs and
//! anything that is not a terminal.

use super::describe;
use super::destroys::{self, PlannedDestroys};
use super::reporter::Reporter;
use crate::events::Event;
use crate::report::{HealthOutcome, Mode, Status};

#[derive(Debug, Default)]
pub struct LogLines {
    destroys: PlannedDestroys,
}

impl Reporter for LogLines {
    fn event(&mut self, event: &Event) {
        self.destroys.event(event);
        match event {
            Event::RunStarted {
                mode,
                waves,
                parallel,
            } => {
                let jobs: usize = waves.iter().map(|w| w.jobs).sum();
                // Waves the selection left empty (only prod selected) are not waves to run.
                let with_jobs = waves.iter().filter(|w| w.jobs > 0).count();
                let mode = match mode {
                    Mode::Apply => "apply",
                    Mode::Plan => "plan only",
                };
                tracing::info!(
                    target: "orchestrator::progress",
                    "run ({mode}): {} in {}, {parallel} at a time",
                    describe::count(jobs, "job"),
                    describe::count(with_jobs, "wave")
                );
            }
            Event::WaveStarted { wave, jobs } => {
                tracing::info!(
                    target: "orchestrator::progress",
                    "wave {wave}: {}",
                    describe::count(*jobs, "job")
                );
            }
            Event::JobStarted {
                account, layers, ..
            } => {
                tracing::info!(
                    target: "orchestrator::progress",
                    "{account}: started ({})",
                    layers.join(", ")
                );
            }
            Event::Step {
                account,
                layer,
                attempt,
                step,
            } => {
                let attempt = if *attempt > 1 {
                    format!(" (attempt {attempt})")
                } else {
                    String::new()
                };
                tracing::info!(target: "orchestrator::progress", "{account} {layer}: {step}{attempt}");
            }
            Event::AttemptFinished {
                account,
                layer,
                attempt,
                retry_in: Some(delay),
            } => {
                tracing::warn!(
                    target: "orchestrator::progress",
                    "{account} {layer}: attempt {} failed ({}), retrying in {}",
                    attempt.number,
                    attempt.error.first().map(String::as_str).unwrap_or("transient error"),
                    describe::duration(*delay)
                );
            }
            Event::AttemptFinished { .. } => {}
            Event::HealthCheckStarted {
                account,
                layer,
                url,
            } => {
                tracing::info!(target: "orchestrator::progress", "{account} {layer}: health check {url}");
            }
            Event::HealthCheckFinished {
                account,
                layer,
                check,
            } => {
                let line = describe::health_check(account, layer, check);
                if check.outcome == HealthOutcome::Passed {
                    tracing::info!(target: "orchestrator::progress", "{line}");
                } else {
                    tracing::warn!(target: "orchestrator::progress", "{line}");
                }
            }
            Event::LayerFinished {
                account, report, ..
            } => {
                let line = describe::layer(account, report);
                if report.status == Status::Failed {
                    tracing::error!(target: "orchestrator::progress", "{line}");
                    for error in &report.error {
                        tracing::error!(target: "orchestrator::progress", "  {error}");
                    }
                } else {
                    tracing::info!(target: "orchestrator::progress", "{line}");
                }
            }
            Event::JobFinished {
                account,
                status,
                reason,
                duration,
                ..
            } => {
                let reason = reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                let destroy = self.destroys.of(account);
                if destroy > 0 {
                    tracing::warn!(
                        target: "orchestrator::progress",
                        "{account}: {} in {}{reason}; {}",
                        describe::status(*status),
                        describe::duration(*duration),
                        destroys::note(destroy)
                    );
                } else {
                    tracing::info!(
                        target: "orchestrator::progress",
                        "{account}: {} in {}{reason}",
                        describe::status(*status),
                        describe::duration(*duration)
                    );
                }
            }
            Event::JobNotRun {
                account, reason, ..
            } => {
                tracing::info!(
                    target: "orchestrator::progress",
                    "{account}: {} ({reason})",
                    describe::status(reason.status())
                );
            }
            Event::WaveFinished {
                wave,
                status,
                failures,
                reason,
            } => {
                let detail = match reason {
                    Some(reason) => format!(" ({reason})"),
                    None if *failures > 0 => format!(" ({failures} failed)"),
                    None => String::new(),
                };
                tracing::info!(
                    target: "orchestrator::progress",
                    "wave {wave}: {}{detail}",
                    describe::wave_status(*status)
                );
            }
            Event::RunFinished { .. } => {}
        }
    }
}
