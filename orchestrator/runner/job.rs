//! One job: one account's layers in order, under the job's deadline. A failed layer stops
//! the account: its later layers are skipped with the reason.

use std::time::{Duration, SystemTime};

use tokio::time::{sleep_until, Instant};

use super::context::RunContext;
use super::layer::{LayerOutcome, LayerRun};
use crate::config::Account;
use crate::credentials::{AccountCredentials, CredentialsError};
use crate::events::Event;
use crate::events::{LayerReport, Status};
use crate::plan::Job;
use crate::rules::job_status;

/// Credentials are asked for again when they expire within this margin: a layer can take
/// that long, and terraform cannot renew them itself.
const CREDENTIALS_MARGIN: Duration = Duration::from_secs(10 * 60);

pub(super) async fn run_job(ctx: &RunContext, wave: &str, job: &Job) -> Status {
    let started = Instant::now();
    let account = &job.account;
    ctx.send(Event::JobStarted {
        wave: wave.to_string(),
        account: account.name.clone(),
        layers: job.layers.clone(),
    });
    let deadline = started + ctx.options.job_timeout;
    let mut credentials = CredentialsCache::default();
    // Once set, the remaining layers do not run, for this reason.
    let mut stopped: Option<(Status, String)> = None;
    let mut reports: Vec<LayerReport> = Vec::with_capacity(job.layers.len());
    for layer in &job.layers {
        let outcome = match &stopped {
            Some((status, reason)) => LayerOutcome::not_run(layer, *status, reason, Vec::new()),
            None if ctx.cancel.is_interrupted() => {
                LayerOutcome::not_run(layer, Status::Cancelled, "interrupted", Vec::new())
            }
            None if Instant::now() >= deadline => {
                LayerOutcome::not_run(layer, Status::Failed, "timeout", Vec::new())
            }
            None => run_layer(ctx, account, layer, deadline, &mut credentials).await,
        };
        if stopped.is_none() {
            stopped = match outcome.report.status {
                Status::Failed => Some((Status::Skipped, format!("layer {layer} failed"))),
                Status::Cancelled => Some((Status::Cancelled, "interrupted".to_string())),
                _ => None,
            };
        }
        ctx.send(Event::LayerFinished {
            account: account.name.clone(),
            report: outcome.report.clone(),
            log: outcome.log,
            plan_json: outcome.plan_json,
        });
        reports.push(outcome.report);
    }
    let status = job_status(&reports);
    if status == Status::Failed {
        ctx.record_failure(&account.name);
    }
    ctx.send(Event::JobFinished {
        wave: wave.to_string(),
        account: account.name.clone(),
        status,
        reason: job_reason(&reports),
        duration: started.elapsed(),
    });
    status
}

async fn run_layer(
    ctx: &RunContext,
    account: &Account,
    layer: &str,
    deadline: Instant,
    credentials: &mut CredentialsCache,
) -> LayerOutcome {
    let mut cancel = ctx.cancel.clone();
    let fetched = tokio::select! {
        fetched = credentials.get(ctx, account) => fetched,
        () = sleep_until(deadline) => {
            return LayerOutcome::not_run(layer, Status::Failed, "timeout", Vec::new());
        }
        () = cancel.interrupted() => {
            return LayerOutcome::not_run(layer, Status::Cancelled, "interrupted", Vec::new());
        }
    };
    match fetched {
        Ok(credentials) => {
            LayerRun {
                ctx,
                account,
                layer,
                deadline,
                credentials,
            }
            .run()
            .await
        }
        Err(e) => {
            LayerOutcome::not_run(layer, Status::Failed, "no credentials", vec![e.to_string()])
        }
    }
}

/// The first layer that failed or was cancelled says why the job did.
fn job_reason(layers: &[LayerReport]) -> Option<String> {
    layers
        .iter()
        .find(|l| matches!(l.status, Status::Failed | Status::Cancelled))
        .map(|l| match &l.reason {
            Some(reason) => format!("{}: {reason}", l.layer),
            None => l.layer.clone(),
        })
}

/// One account's credentials, asked for before each layer and reused while fresh.
#[derive(Default)]
struct CredentialsCache {
    current: Option<AccountCredentials>,
}

impl CredentialsCache {
    async fn get(
        &mut self,
        ctx: &RunContext,
        account: &Account,
    ) -> Result<&AccountCredentials, CredentialsError> {
        let fresh = self.current.as_ref().is_some_and(|c| match c.expires_at {
            None => true,
            Some(expires) => expires > SystemTime::now() + CREDENTIALS_MARGIN,
        });
        if !fresh {
            self.current = Some(ctx.credentials.credentials(account).await?);
        }
        Ok(self.current.get_or_insert_with(AccountCredentials::default))
    }
}
