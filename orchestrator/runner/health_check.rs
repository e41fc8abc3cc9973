//! The health checks of a layer that applied (`defaults.health_check`): each check naming
//! the layer reads its URL from the layer's output (`terraform output -json`, in the data dir
//! and with the credentials of the apply), then polls it until it answers the expected
//! status, the check's timeout expires, the job's deadline passes or the run is interrupted.
//! The first check that does not pass fails the layer, so the job stops there like after any
//! other failure (and a stage account's failed check holds back prod).

use std::time::Duration;

use tokio::time::{sleep_until, Instant};

use super::attempt_end::FailureKind;
use super::layer::{millis, LayerRun};
use super::log_file::LayerLog;
use super::process::Limits;
use crate::backoff::{Jitter, RetryPolicy};
use crate::config::HealthCheck;
use crate::events::{Event, Step};
use crate::events::{HealthCheckReport, HealthOutcome, LayerReport, Status};
use crate::health::{Answer, HealthUrl, Probe};
use crate::terraform::LayerWorkspace;

/// Pauses between requests: quick at first (a service that is up answers the first or the
/// second), then every two seconds at most, jittered so that accounts checked together do
/// not poll in lockstep.
const POLL: RetryPolicy = RetryPolicy::Exponential {
    retries: u32::MAX,
    initial: Duration::from_millis(250),
    max_delay: Duration::from_secs(2),
    jitter: Jitter::Half,
};

/// Why a check did not pass: what it means for the layer.
struct Unhealthy {
    outcome: HealthOutcome,
    status: Status,
    reason: String,
    error: Vec<String>,
}

impl Unhealthy {
    fn failed(outcome: HealthOutcome, reason: String, error: Vec<String>) -> Self {
        Self {
            outcome,
            status: Status::Failed,
            reason,
            error,
        }
    }

    /// The job's deadline passed: the same reason as anywhere else in a job.
    fn timeout(error: Vec<String>) -> Self {
        Self::failed(HealthOutcome::Timeout, "timeout".into(), error)
    }

    fn interrupted(error: Vec<String>) -> Self {
        Self {
            outcome: HealthOutcome::Cancelled,
            status: Status::Cancelled,
            reason: "interrupted".into(),
            error,
        }
    }
}

impl LayerRun<'_> {
    /// Runs this layer's checks in order, each recorded in `report`; the first that does not
    /// pass turns `report` into a failure (or a cancellation) and the rest do not run.
    pub(super) async fn check_health(
        &self,
        attempt: u32,
        ws: &LayerWorkspace,
        log: &mut LayerLog,
        limits: &Limits,
        report: &mut LayerReport,
    ) {
        let checks = self.ctx.config.health_checks.iter();
        for check in checks.filter(|c| c.layer == self.layer) {
            let started = Instant::now();
            let mut record = HealthCheckReport {
                output: check.output.clone(),
                url: None,
                expect_status: check.expect_status,
                outcome: HealthOutcome::Passed,
                status: None,
                attempts: 0,
                duration_ms: 0,
            };
            let verdict = self
                .check(attempt, check, ws, log, limits, &mut record)
                .await;
            record.duration_ms = millis(started.elapsed());
            if let Err(unhealthy) = &verdict {
                record.outcome = unhealthy.outcome;
            }
            self.ctx.send(Event::HealthCheckFinished {
                account: self.account.name.clone(),
                layer: self.layer.to_string(),
                check: record.clone(),
            });
            let unhealthy = match verdict {
                Ok(()) => {
                    log.note(&format!(
                        "[orchestrator] health check passed: {} answered {} ({})",
                        record.url.as_deref().unwrap_or_default(),
                        check.expect_status,
                        requests(record.attempts)
                    ));
                    None
                }
                Err(unhealthy) => Some(unhealthy),
            };
            report.health_checks.push(record);
            if let Some(unhealthy) = unhealthy {
                log.note(&format!(
                    "[orchestrator] {}: {}",
                    unhealthy.status.as_str(),
                    unhealthy.reason
                ));
                report.status = unhealthy.status;
                report.reason = Some(unhealthy.reason);
                report.error = unhealthy.error;
                return;
            }
        }
    }

    /// One check: the URL from the output, then the polling; fills in what `record` saw.
    async fn check(
        &self,
        attempt: u32,
        check: &HealthCheck,
        ws: &LayerWorkspace,
        log: &mut LayerLog,
        limits: &Limits,
        record: &mut HealthCheckReport,
    ) -> Result<(), Unhealthy> {
        let url = self.read_url(attempt, check, ws, log, limits).await?;
        let shown = url.redacted();
        record.url = Some(shown.clone());
        let mut probe = Probe::new(url, check.expect_status, POLL.backoff()).map_err(|e| {
            Unhealthy::failed(
                HealthOutcome::Failed,
                "health check: cannot make an HTTP client".into(),
                vec![e.without_url().to_string()],
            )
        })?;
        let timeout = humantime::format_duration(check.timeout);
        log.note(&format!(
            "[orchestrator] health check: GET {shown} until it answers {} (at most {timeout})",
            check.expect_status
        ));
        self.ctx.send(Event::HealthCheckStarted {
            account: self.account.name.clone(),
            layer: self.layer.to_string(),
            url: shown.clone(),
        });
        let mut cancel = limits.cancel.clone();
        let passed = tokio::select! {
            biased;
            () = cancel.interrupted() => Err(Unhealthy::interrupted(vec![format!(
                "interrupted during the health check of {shown}"
            )])),
            () = sleep_until(limits.deadline) => Err(Unhealthy::timeout(vec![format!(
                "timed out during the health check of {shown} (job timeout {})",
                humantime::format_duration(self.ctx.options.job_timeout)
            )])),
            passed = probe.until_healthy(check.timeout) => Ok(passed),
        };
        record.attempts = probe.requests();
        record.status = probe.last_status();
        let requests = requests(probe.requests());
        let summary = |last: &str| format!("GET {shown}: {last}; {requests} in {timeout}");
        match (passed?, probe.last()) {
            (true, _) => Ok(()),
            (false, Some(Answer::Status(status))) => Err(Unhealthy::failed(
                HealthOutcome::Failed,
                format!(
                    "health check: {shown} answered {status}, expected {}",
                    check.expect_status
                ),
                vec![summary(&format!("answered {status}"))],
            )),
            (false, Some(Answer::NoAnswer(why))) => Err(Unhealthy::failed(
                HealthOutcome::Failed,
                format!("health check: no answer from {shown} within {timeout}"),
                vec![summary(why)],
            )),
            // A timeout of zero: not even one request.
            (false, None) => Err(Unhealthy::failed(
                HealthOutcome::Failed,
                format!("health check: no answer from {shown} within {timeout}"),
                Vec::new(),
            )),
        }
    }

    /// `terraform output -json <output>` into a file of its own (the value may be a secret),
    /// read and removed.
    async fn read_url(
        &self,
        attempt: u32,
        check: &HealthCheck,
        ws: &LayerWorkspace,
        log: &mut LayerLog,
        limits: &Limits,
    ) -> Result<HealthUrl, Unhealthy> {
        let name = &check.output;
        let cmd = self.ctx.options.terraform.output_json(ws, name);
        let file = ws.output_file(name);
        let ran = self
            .step(attempt, Step::Output, &cmd, Some(&file), log, limits)
            .await;
        let json = std::fs::read(&file);
        let _ = std::fs::remove_file(&file);
        if let Err(failure) = ran {
            let error = failure.error_lines(self.ctx.options.job_timeout);
            let missing = format!("Output \"{name}\" not found");
            return Err(match &failure.kind {
                FailureKind::TimedOut => Unhealthy::timeout(error),
                FailureKind::Interrupted { .. } => Unhealthy::interrupted(error),
                FailureKind::Exit if failure.output.contains(&missing) => Unhealthy::failed(
                    HealthOutcome::NoUrl,
                    format!(
                        "health check: layer {} has no output {name}; declare it, or fix \
                         health_check.output",
                        self.layer
                    ),
                    error,
                ),
                FailureKind::Exit | FailureKind::Local(_) => Unhealthy::failed(
                    HealthOutcome::NoUrl,
                    format!("health check: cannot read output {name} (terraform output failed)"),
                    error,
                ),
            });
        }
        let json = json.map_err(|e| {
            Unhealthy::failed(
                HealthOutcome::NoUrl,
                format!("health check: cannot read output {name}"),
                vec![format!("cannot read {}: {e}", file.display())],
            )
        })?;
        HealthUrl::from_output_json(name, &json).map_err(|e| {
            Unhealthy::failed(
                HealthOutcome::NoUrl,
                format!("health check: {e}"),
                Vec::new(),
            )
        })
    }
}

fn requests(n: u32) -> String {
    match n {
        1 => "1 request".to_string(),
        n => format!("{n} requests"),
    }
}
