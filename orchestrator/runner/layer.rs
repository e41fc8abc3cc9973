//! One layer of one account: attempts of `init`, `plan -out`, then `apply` of that plan (or
//! `show -json` for plan-only runs), retried after transient failures.

use std::path::PathBuf;
use std::time::Duration;

use tokio::time::{sleep, sleep_until, Instant};

use super::context::RunContext;
use super::log_file::LayerLog;
use super::process::{self, Ending, Finished, Limits};
use crate::config::Account;
use crate::credentials::AccountCredentials;
use crate::events::{Event, Step};
use crate::report::{Attempt, ChangeCounts, LayerReport, Mode, Status};
use crate::terraform::{self, BackendConfig, LayerWorkspace, TerraformCommand, Transient};

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
            },
            log: None,
            plan_json: None,
        }
    }
}

/// What a successful attempt found.
struct Done {
    status: Status,
    exit_code: Option<i32>,
    changes: ChangeCounts,
    plan_json: Option<PathBuf>,
}

/// Why an attempt stopped.
struct Failure {
    step: Step,
    kind: FailureKind,
    exit_code: Option<i32>,
    output: String,
}

enum FailureKind {
    /// terraform exited with an error.
    Exit,
    TimedOut,
    Interrupted,
    /// We could not run terraform or use what it wrote.
    Local(String),
}

impl Failure {
    fn local(step: Step, message: String) -> Self {
        Self {
            step,
            kind: FailureKind::Local(message),
            exit_code: None,
            output: String::new(),
        }
    }

    fn transient(&self) -> Option<Transient> {
        match self.kind {
            FailureKind::Exit => terraform::classify(&self.output),
            _ => None,
        }
    }

    fn error_lines(&self, job_timeout: Duration) -> Vec<String> {
        match &self.kind {
            FailureKind::Exit => terraform::error_lines(&self.output),
            FailureKind::TimedOut => vec![format!(
                "timed out during terraform {} (job timeout {})",
                self.step,
                humantime::format_duration(job_timeout)
            )],
            FailureKind::Interrupted => vec![format!("interrupted during terraform {}", self.step)],
            FailureKind::Local(message) => vec![message.clone()],
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
        let ws = LayerWorkspace::new(
            &ctx.options.work_dir,
            &ctx.layers_dir,
            &self.account.name,
            self.layer,
        );
        let backend = BackendConfig::render(
            &ctx.config.state,
            &ctx.config_root,
            self.account,
            self.layer,
        );
        let inputs = self.account.inputs(self.layer, ctx.config.network_layer());
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
        let limits = Limits {
            deadline: self.deadline,
            grace: ctx.options.grace_period,
            cancel: ctx.cancel.clone(),
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
                        outcome: "succeeded".into(),
                        exit_code: done.exit_code,
                        error: Vec::new(),
                    };
                    self.attempt_finished(&attempt, None);
                    attempts.push(attempt);
                    return LayerOutcome {
                        report: LayerReport {
                            layer: self.layer.to_string(),
                            status: done.status,
                            reason: None,
                            duration_ms: millis(started.elapsed()),
                            attempts,
                            error: Vec::new(),
                            changes: Some(done.changes),
                            plan_json: None,
                            log: None,
                        },
                        log: Some(log.path().to_path_buf()),
                        plan_json: done.plan_json,
                    };
                }
                Err(failure) => failure,
            };
            let error = failure.error_lines(ctx.options.job_timeout);
            let transient = failure.transient();
            let retry_in = transient.and_then(|_| backoff.next());
            let outcome = match (&failure.kind, retry_in) {
                (_, Some(_)) => "transient",
                (FailureKind::TimedOut, _) => "timeout",
                (FailureKind::Interrupted, _) => "cancelled",
                _ => "failed",
            };
            let attempt = Attempt {
                number,
                duration_ms,
                outcome: outcome.into(),
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
                log.note(&format!("[orchestrator] {}: {reason}", status_word(status)));
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

    async fn attempt(
        &self,
        number: u32,
        ws: &LayerWorkspace,
        backend: &BackendConfig,
        log: &mut LayerLog,
        limits: &Limits,
    ) -> Result<Done, Failure> {
        let tf = &self.ctx.options.terraform;
        let init = tf.init(ws, backend, ws.needs_reconfigure(backend));
        let warming = match &self.ctx.init_gate {
            Some(gate) => gate.enter(self.layer).await,
            None => None,
        };
        self.step(number, Step::Init, &init, None, log, limits)
            .await?;
        if let Some(warming) = warming {
            warming.done();
        }
        ws.record_backend(backend).map_err(|e| {
            Failure::local(
                Step::Init,
                format!("cannot write {}: {e}", ws.backend_record().display()),
            )
        })?;

        let plan = self
            .step(number, Step::Plan, &tf.plan(ws), None, log, limits)
            .await?;
        let has_changes = plan.exit_code == Some(2);
        let mut changes = terraform::from_plan_output(&plan.output).unwrap_or_default();
        let mut done = Done {
            status: if has_changes {
                Status::Changes
            } else {
                Status::NoChanges
            },
            exit_code: plan.exit_code,
            changes,
            plan_json: None,
        };
        match self.ctx.options.mode {
            Mode::Plan => {
                let path = self.save_plan_json(number, ws, log, limits).await?;
                changes = read_counts(&path)?;
                done.changes = changes;
                done.plan_json = Some(path);
            }
            Mode::Apply if has_changes => {
                let apply = self
                    .step(number, Step::Apply, &tf.apply(ws), None, log, limits)
                    .await?;
                done.status = Status::Succeeded;
                done.exit_code = apply.exit_code;
            }
            Mode::Apply => {}
        }
        // The plan file may hold sensitive values; it has served its purpose.
        let _ = std::fs::remove_file(ws.plan_file());
        Ok(done)
    }

    /// `terraform show -json` of the saved plan, next to the run report.
    async fn save_plan_json(
        &self,
        number: u32,
        ws: &LayerWorkspace,
        log: &mut LayerLog,
        limits: &Limits,
    ) -> Result<PathBuf, Failure> {
        let dir = self.ctx.options.plans_dir.join(&self.account.name);
        let path = dir.join(format!("{}.json", self.layer));
        let partial = dir.join(format!(".{}.json.partial", self.layer));
        std::fs::create_dir_all(&dir).map_err(|e| {
            Failure::local(Step::Show, format!("cannot create {}: {e}", dir.display()))
        })?;
        let show = self.ctx.options.terraform.show_json(ws);
        self.step(number, Step::Show, &show, Some(&partial), log, limits)
            .await?;
        std::fs::rename(&partial, &path).map_err(|e| {
            Failure::local(Step::Show, format!("cannot write {}: {e}", path.display()))
        })?;
        Ok(path)
    }

    /// Runs one command; exit codes other than 0 (and 2 for `plan -detailed-exitcode`) fail.
    async fn step(
        &self,
        number: u32,
        step: Step,
        cmd: &TerraformCommand,
        stdout_to: Option<&std::path::Path>,
        log: &mut LayerLog,
        limits: &Limits,
    ) -> Result<Finished, Failure> {
        let stopped = |kind| Failure {
            step,
            kind,
            exit_code: None,
            output: String::new(),
        };
        // Checked before starting anything: a stopped job starts no new process.
        if limits.cancel.is_interrupted() {
            return Err(stopped(FailureKind::Interrupted));
        }
        if Instant::now() >= limits.deadline {
            return Err(stopped(FailureKind::TimedOut));
        }
        self.ctx.send(Event::Step {
            account: self.account.name.clone(),
            layer: self.layer.to_string(),
            attempt: number,
            step,
        });
        let cmd = cmd.clone().with_credentials(self.credentials);
        let finished = process::run(&cmd, stdout_to, log, limits)
            .await
            .map_err(|e| {
                Failure::local(step, format!("cannot run `{}`: {e}", cmd.program.display()))
            })?;
        let ok = match finished.exit_code {
            Some(0) => true,
            Some(2) => step == Step::Plan,
            _ => false,
        };
        if ok && finished.ending == Ending::Exited {
            return Ok(finished);
        }
        Err(Failure {
            step,
            kind: match finished.ending {
                Ending::Exited => FailureKind::Exit,
                Ending::TimedOut => FailureKind::TimedOut,
                Ending::Interrupted => FailureKind::Interrupted,
            },
            exit_code: finished.exit_code,
            output: finished.output,
        })
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

/// The status and reason of a layer whose last attempt failed.
fn final_failure(
    failure: &Failure,
    transient: Option<Transient>,
    attempts: u32,
) -> (Status, String) {
    match (&failure.kind, transient) {
        (FailureKind::TimedOut, _) => (Status::Failed, "timeout".into()),
        (FailureKind::Interrupted, _) => (Status::Cancelled, "interrupted".into()),
        (FailureKind::Local(_), _) => (
            Status::Failed,
            format!("terraform {} could not run", failure.step),
        ),
        (FailureKind::Exit, Some(kind)) => (
            Status::Failed,
            format!(
                "terraform {} failed: {kind}, {attempts} attempts",
                failure.step
            ),
        ),
        (FailureKind::Exit, None) => (Status::Failed, format!("terraform {} failed", failure.step)),
    }
}

fn read_counts(path: &std::path::Path) -> Result<ChangeCounts, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::local(Step::Show, format!("cannot read {}: {e}", path.display())))?;
    terraform::from_plan_json(&bytes).map_err(|e| {
        Failure::local(
            Step::Show,
            format!("{} is not a terraform plan: {e}", path.display()),
        )
    })
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Cancelled => "cancelled",
        _ => "failed",
    }
}

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
