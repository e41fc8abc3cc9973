//! The run: waves in order, the jobs of a wave side by side under the `--parallel` limit, and
//! the gate between waves (`rules::hold_back`): a wave that holds the next back leaves every
//! later wave's jobs `skipped` (or `cancelled` after an interrupt) without starting terraform.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::cancel::Cancellation;
use super::context::RunContext;
use super::job::run_job;
use super::options::RunOptions;
use crate::config::Config;
use crate::credentials::CredentialsProvider;
use crate::events::{Event, EventSender, NotRunReason, Status, WaveOutline, WaveStatus};
use crate::plan::{Plan, WavePlan};
use crate::rules::{self, WaveTally};

/// Runs every wave of `plan` and reports through `events`; returns when every job has an
/// outcome and every process has exited. The last event is always `RunFinished`.
pub async fn run(
    plan: &Plan,
    config: Arc<Config>,
    options: RunOptions,
    credentials: Arc<dyn CredentialsProvider>,
    events: EventSender,
    cancel: Cancellation,
) {
    let started = Instant::now();
    let parallel = options.parallel.max(1);
    let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let ctx = Arc::new(RunContext {
        layers_dir: absolute(&config.layers_dir),
        config_root: absolute(&config.root),
        config,
        init_lock: options.serialise_init.then(Default::default),
        options,
        credentials,
        events,
        cancel,
        first_failure: Default::default(),
    });
    ctx.send(Event::RunStarted {
        mode: ctx.options.mode,
        waves: plan
            .waves
            .iter()
            .map(|w| WaveOutline {
                name: w.name.clone(),
                jobs: w.jobs.len(),
                longest_account: w
                    .jobs
                    .iter()
                    .map(|j| j.account.name.len())
                    .max()
                    .unwrap_or(0),
            })
            .collect(),
        parallel,
    });
    // Why later waves do not run, once one is held back.
    let mut halted: Option<NotRunReason> = None;
    for wave in &plan.waves {
        if wave.jobs.is_empty() {
            finish_wave(&ctx, wave, WaveStatus::Empty, 0, None);
        } else if let Some(reason) = halted.clone().or_else(|| {
            ctx.cancel
                .is_interrupted()
                .then_some(NotRunReason::Interrupted)
        }) {
            not_run(&ctx, wave, &reason);
            let status = match reason.status() {
                Status::Cancelled => WaveStatus::Cancelled,
                _ => WaveStatus::Skipped,
            };
            finish_wave(&ctx, wave, status, 0, Some(reason));
        } else {
            let tally = WaveTally::of(run_wave(&ctx, wave, parallel).await);
            finish_wave(&ctx, wave, rules::wave_status(tally), tally.failed, None);
            halted = rules::hold_back_in(
                ctx.options.mode,
                &wave.name,
                tally,
                wave.failure_tolerance,
                ctx.cancel.is_interrupted(),
            )
            .or_else(|| {
                let account = ctx.first_failure().filter(|_| ctx.options.fail_fast)?;
                Some(NotRunReason::FailFast { account })
            });
        }
    }
    ctx.send(Event::RunFinished {
        interrupted: ctx.cancel.is_interrupted(),
        duration: started.elapsed(),
    });
}

/// Runs a wave's jobs, at most `parallel` at once, in plan order; returns every job's status.
async fn run_wave(ctx: &Arc<RunContext>, wave: &WavePlan, parallel: usize) -> Vec<Status> {
    ctx.send(Event::WaveStarted {
        wave: wave.name.clone(),
        jobs: wave.jobs.len(),
    });
    let limit = Arc::new(Semaphore::new(parallel));
    let mut running = JoinSet::new();
    let mut accounts = std::collections::HashMap::new();
    let mut cancel = ctx.cancel.clone();
    let mut statuses = Vec::with_capacity(wave.jobs.len());
    for (index, job) in wave.jobs.iter().enumerate() {
        // Wait for a free slot, unless the run is interrupted meanwhile.
        let permit = tokio::select! {
            biased;
            () = cancel.interrupted() => None,
            permit = limit.clone().acquire_owned() => permit.ok(),
        };
        let Some(permit) = permit else {
            for job in &wave.jobs[index..] {
                statuses.push(job_not_run(
                    ctx,
                    wave,
                    job,
                    NotRunReason::InterruptedBeforeStart,
                ));
            }
            break;
        };
        if ctx.options.fail_fast {
            if let Some(account) = ctx.first_failure() {
                statuses.push(job_not_run(
                    ctx,
                    wave,
                    job,
                    NotRunReason::FailFast { account },
                ));
                continue;
            }
        }
        let task_ctx = Arc::clone(ctx);
        let wave_name = wave.name.clone();
        let job = job.clone();
        let account = job.account.name.clone();
        let handle = running.spawn(async move {
            // Holding the permit for the whole job is what bounds the parallelism.
            let _permit = permit;
            run_job(&task_ctx, &wave_name, &job).await
        });
        accounts.insert(handle.id(), account);
    }
    while let Some(joined) = running.join_next_with_id().await {
        match joined {
            Ok((_, status)) => statuses.push(status),
            Err(e) => {
                // A bug, not a terraform failure; still one job with an outcome.
                statuses.push(Status::Failed);
                let account = accounts.get(&e.id()).cloned().unwrap_or_default();
                ctx.record_failure(&account);
                ctx.send(Event::JobFinished {
                    wave: wave.name.clone(),
                    account,
                    status: Status::Failed,
                    reason: Some(format!("internal error: {e}")),
                    duration: Default::default(),
                });
            }
        }
    }
    statuses
}

fn not_run(ctx: &RunContext, wave: &WavePlan, reason: &NotRunReason) {
    for job in &wave.jobs {
        job_not_run(ctx, wave, job, reason.clone());
    }
}

/// Tells the reporters a job will not start; returns the status it ends with.
fn job_not_run(
    ctx: &RunContext,
    wave: &WavePlan,
    job: &crate::plan::Job,
    reason: NotRunReason,
) -> Status {
    let status = reason.status();
    ctx.send(Event::JobNotRun {
        wave: wave.name.clone(),
        account: job.account.name.clone(),
        layers: job.layers.clone(),
        reason,
    });
    status
}

fn finish_wave(
    ctx: &RunContext,
    wave: &WavePlan,
    status: WaveStatus,
    failures: u32,
    reason: Option<NotRunReason>,
) {
    ctx.send(Event::WaveFinished {
        wave: wave.name.clone(),
        status,
        failures,
        reason,
    });
}
