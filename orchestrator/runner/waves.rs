//! The run: waves in order, the jobs of a wave side by side under the `--parallel` limit, and
//! the gate between waves: a wave whose failures exceed its tolerance holds back every later
//! wave, whose jobs are reported `skipped` without starting any terraform.

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
use crate::events::{Event, EventSender, WaveOutline};
use crate::plan::{Plan, WavePlan};
use crate::report::{Mode, Status, WaveStatus};

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
            })
            .collect(),
        parallel,
    });
    // Why later waves do not run, once one is held back.
    let mut halted: Option<String> = None;
    for wave in &plan.waves {
        if wave.jobs.is_empty() {
            finish_wave(&ctx, wave, WaveStatus::Empty, 0, None);
        } else if let Some(reason) = &halted {
            not_run(&ctx, wave, Status::Skipped, reason);
            finish_wave(&ctx, wave, WaveStatus::Skipped, 0, Some(reason.clone()));
        } else if ctx.cancel.is_interrupted() {
            not_run(&ctx, wave, Status::Cancelled, "interrupted");
            finish_wave(&ctx, wave, WaveStatus::Cancelled, 0, None);
        } else {
            let failures = run_wave(&ctx, wave, parallel).await;
            let status = if ctx.cancel.is_interrupted() {
                WaveStatus::Cancelled
            } else if failures > 0 {
                WaveStatus::Failed
            } else {
                WaveStatus::Succeeded
            };
            finish_wave(&ctx, wave, status, failures, None);
            // A plan applies nothing, so a failed plan has nothing to hold back: plan-only
            // runs plan every wave, and the report still names each failed plan.
            let applies = ctx.options.mode == Mode::Apply;
            if applies && failures > wave.failure_tolerance {
                halted = Some(format!(
                    "wave {} had {failures} failed job{}, more than its failure_tolerance of {}",
                    wave.name,
                    if failures == 1 { "" } else { "s" },
                    wave.failure_tolerance
                ));
            } else if ctx.options.fail_fast {
                if let Some(account) = ctx.first_failure() {
                    halted = Some(format!("--fail-fast: {account} failed"));
                }
            }
        }
    }
    ctx.send(Event::RunFinished {
        interrupted: ctx.cancel.is_interrupted(),
        duration: started.elapsed(),
    });
}

/// Runs a wave's jobs, at most `parallel` at once, in plan order; returns how many failed.
async fn run_wave(ctx: &Arc<RunContext>, wave: &WavePlan, parallel: usize) -> u32 {
    ctx.send(Event::WaveStarted {
        wave: wave.name.clone(),
        jobs: wave.jobs.len(),
    });
    let limit = Arc::new(Semaphore::new(parallel));
    let mut running = JoinSet::new();
    let mut accounts = std::collections::HashMap::new();
    let mut cancel = ctx.cancel.clone();
    for (index, job) in wave.jobs.iter().enumerate() {
        // Wait for a free slot, unless the run is interrupted meanwhile.
        let permit = tokio::select! {
            biased;
            () = cancel.interrupted() => None,
            permit = limit.clone().acquire_owned() => permit.ok(),
        };
        let Some(permit) = permit else {
            for job in &wave.jobs[index..] {
                job_not_run(
                    ctx,
                    wave,
                    job,
                    Status::Cancelled,
                    "interrupted before it started",
                );
            }
            break;
        };
        if ctx.options.fail_fast {
            if let Some(account) = ctx.first_failure() {
                job_not_run(
                    ctx,
                    wave,
                    job,
                    Status::Skipped,
                    &format!("--fail-fast: {account} failed"),
                );
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
    let mut failures = 0;
    while let Some(joined) = running.join_next_with_id().await {
        match joined {
            Ok((_, Status::Failed)) => failures += 1,
            Ok(_) => {}
            Err(e) => {
                // A bug, not a terraform failure; still one job with an outcome.
                failures += 1;
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
    failures
}

fn not_run(ctx: &RunContext, wave: &WavePlan, status: Status, reason: &str) {
    for job in &wave.jobs {
        job_not_run(ctx, wave, job, status, reason);
    }
}

fn job_not_run(
    ctx: &RunContext,
    wave: &WavePlan,
    job: &crate::plan::Job,
    status: Status,
    reason: &str,
) {
    ctx.send(Event::JobNotRun {
        wave: wave.name.clone(),
        account: job.account.name.clone(),
        layers: job.layers.clone(),
        status,
        reason: reason.to_string(),
    });
}

fn finish_wave(
    ctx: &RunContext,
    wave: &WavePlan,
    status: WaveStatus,
    failures: u32,
    reason: Option<String>,
) {
    ctx.send(Event::WaveFinished {
        wave: wave.name.clone(),
        status,
        failures,
        reason,
    });
}
