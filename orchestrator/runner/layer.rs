//! One layer of one account: its files prepared, then attempts (see `attempt.rs`) until one
//! succeeds, a real error, the job's deadline or an interrupt; transient failures are retried
//! after the retry policy's next delay. A layer that applied then passes its health checks
//! (see `health_check.rs`) or fails.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::{sleep, sleep_until, Instant};

use super::attempt_end::{final_failure, FailureKind};
use super::context::RunContext;
use super::left_behind::LeftBehind;
use super::log_file::LayerLog;
use super::process::Limits;
use crate::config::Account;
use crate::credentials::AccountCredentials;
use crate::events::Event;
use crate::events::{Attempt, AttemptOutcome, LayerReport, Mode, Status};
use crate::terraform::{self, BackendConfig, LayerWorkspace, Site, Transient};

/// A layer's result, with the files the run report points to.
#[derive(Debug)]
pub(super) struct LayerOutcome {
    pub report: LayerReport,
    pub log: Option<PathBuf>,
    pub plan_json: Option<PathBuf>,
}

impl LayerOutcome {
    /// A layer that did not run at all (skipped, cancelled, or failed before terraform).
    pub(super) fn not_run(layer: &str, status: Status, reason: &str, error: Vec<String>) -> Self {
        Self {
            report: LayerReport {
                layer: layer.to_string(),
                status,
                reason: Some(reason.to_string()),
                duration_ms: 0,
                attempts: Vec::new(),
                error,
                changes: None,
                plan_json: None,
                log: None,
                health_checks: Vec::new(),
                recovery: None,
            },
            log: None,
            plan_json: None,
        }
    }
}

/// Where one layer runs.
pub(super) struct LayerRun<'a> {
    pub ctx: &'a RunContext,
    pub account: &'a Account,
    pub layer: &'a str,
    pub deadline: Instant,
    pub credentials: &'a AccountCredentials,
}

impl LayerRun<'_> {
    pub(super) async fn run(&self) -> LayerOutcome {
        let started = Instant::now();
        let ctx = self.ctx;
        let copy = ctx.options.copy_of(self.layer);
        let ws = LayerWorkspace::for_copy(
            &ctx.options.work_dir,
            &ctx.config_root,
            &ctx.layers_dir,
            &self.account.name,
            self.layer,
            copy,
        );
        let backend = BackendConfig::render_copy(
            &ctx.config.state,
            &ctx.config_root,
            self.account,
            self.layer,
            copy,
        );
        let mut inputs = self.account.inputs(self.layer, ctx.config.network_layer());
        if let Some(stacks) = ctx.config.stacks.as_ref().filter(|s| s.layer == self.layer) {
            inputs.insert(stacks.variable.clone(), copy.unwrap_or_default().into());
        }
        let prepared = ws
            .prepare(&inputs)
            .and_then(|()| LayerLog::create(&ws.log_file));
        let mut log = match prepared {
            Ok(log) => log,
            Err(e) => {
                let message = format!("cannot prepare {}: {e}", ws.data_dir.display());
                return LayerOutcome::not_run(
                    self.layer,
                    Status::Failed,
                    &message,
                    vec![message.clone()],
                );
            }
        };
        let site = Site {
            terraform: &ctx.options.terraform,
            workspace: &ws,
            account: &self.account.name,
            layer: self.layer,
            local_state: backend.local_path().map(Path::new),
        };
        // State an earlier apply could not save: planning or applying against the backend's
        // older state would fork it, so the layer waits for the operator to push it back.
        if terraform::has_errored_state(&ws) {
            let (recovery, lines) = site.errored_state(true);
            for line in &lines {
                log.note(&format!("[orchestrator] {line}"));
            }
            let mut outcome = LayerOutcome::not_run(
                self.layer,
                Status::Failed,
                "errored.tfstate of an earlier apply waits to be pushed back",
                lines,
            );
            outcome.report.recovery = Some(Box::new(recovery));
            outcome.log = Some(log.path().to_path_buf());
            return outcome;
        }
        let longest_hold = ctx
            .options
            .job_timeout
            .saturating_add(ctx.options.grace_period);
        let limits = Limits {
            deadline: self.deadline,
            grace: ctx.options.grace_period,
            cancel: ctx.cancel.clone(),
            output: ctx.options.output,
        };
        let mut backoff = ctx.options.retry.backoff();
        let mut attempts = Vec::new();
        let mut number = 0;
        loop {
            number += 1;
            let attempt_started = Instant::now();
            let result = self.attempt(number, &ws, &backend, &mut log, &limits).await;
            let duration_ms = millis(attempt_started.elapsed());
            let failure = match result {
                Ok(done) => {
                    let attempt = Attempt {
                        number,
                        duration_ms,
                        outcome: AttemptOutcome::Succeeded,
                        exit_code: done.exit_code,
                        error: Vec::new(),
                    };
                    self.attempt_finished(&attempt, None);
                    attempts.push(attempt);
                    let mut report = LayerReport {
                        layer: self.layer.to_string(),
                        status: done.status,
                        reason: None,
                        duration_ms: 0,
                        attempts,
                        error: Vec::new(),
                        changes: Some(done.changes),
                        plan_json: None,
                        log: None,
                        health_checks: Vec::new(),
                        recovery: None,
                    };
                    // Whether or not the plan had changes: what was deployed must be healthy
                    // (a destroyed layer has nothing left to check).
                    if ctx.options.mode == Mode::Apply && !ctx.options.destroy {
                        self.check_health(number, &ws, &mut log, &limits, &mut report)
                            .await;
                    }
                    report.duration_ms = millis(started.elapsed());
                    return LayerOutcome {
                        report,
                        log: Some(log.path().to_path_buf()),
                        plan_json: done.plan_json,
                    };
                }
                Err(failure) => failure,
            };
            let mut error = failure.error_lines(ctx.options.job_timeout);
            let left = LeftBehind::of(&failure, &ws, site.is_remote(), longest_hold);
            let transient = failure.transient().filter(|_| !left.stops_retries());
            let retry_in = transient.and_then(|_| backoff.next());
            let outcome = match (&failure.kind, retry_in) {
                (_, Some(_)) => AttemptOutcome::Transient,
                (FailureKind::TimedOut, _) => AttemptOutcome::Timeout,
                (FailureKind::Interrupted { .. }, _) => AttemptOutcome::Cancelled,
                _ => AttemptOutcome::Failed,
            };
            let attempt = Attempt {
                number,
                duration_ms,
                outcome,
                exit_code: failure.exit_code,
                error: error.clone(),
            };
            self.attempt_finished(&attempt, retry_in);
            attempts.push(attempt);
            let stopped = match retry_in {
                Some(delay) => {
                    log.note(&format!(
                        "[orchestrator] {}: attempt {} in {}",
                        transient.map(Transient::as_str).unwrap_or("transient"),
                        number + 1,
                        humantime::format_duration(Duration::from_secs(delay.as_secs().max(1)))
                    ));
                    self.pause(delay, &limits).await
                }
                None => Some(final_failure(&failure, transient, number)),
            };
            if let Some((status, reason)) = stopped {
                let reason = match status {
                    Status::Failed => left.reason(&failure.step.to_string()).unwrap_or(reason),
                    _ => reason,
                };
                let (recovery, lines) = left.recovery(&site);
                for line in &lines {
                    log.note(&format!("[orchestrator] {line}"));
                }
                error.splice(0..0, lines);
                log.note(&format!("[orchestrator] {}: {reason}", status.as_str()));
                return LayerOutcome {
                    report: LayerReport {
                        layer: self.layer.to_string(),
                        status,
                        reason: Some(reason),
                        duration_ms: millis(started.elapsed()),
                        attempts,
                        error,
                        changes: None,
                        plan_json: None,
                        log: None,
                        health_checks: Vec::new(),
                        recovery: recovery.map(Box::new),
                    },
                    log: Some(log.path().to_path_buf()),
                    plan_json: None,
                };
            }
        }
    }

    /// Waits before the next attempt; `Some` when the run was interrupted or the job's time
    /// ran out meanwhile.
    async fn pause(&self, delay: Duration, limits: &Limits) -> Option<(Status, String)> {
        let mut cancel = limits.cancel.clone();
        tokio::select! {
            () = sleep(delay) => None,
            () = sleep_until(limits.deadline) => Some((Status::Failed, "timeout".to_string())),
            () = cancel.interrupted() => Some((Status::Cancelled, "interrupted".to_string())),
        }
    }

    fn attempt_finished(&self, attempt: &Attempt, retry_in: Option<Duration>) {
        self.ctx.send(Event::AttemptFinished {
            account: self.account.name.clone(),
            layer: self.layer.to_string(),
            attempt: attempt.clone(),
            retry_in,
        });
    }
}

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
