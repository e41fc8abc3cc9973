//! One run of the account vending layer, as the management account: init, plan, the plan
//! checked (an account with an id is never created or destroyed), apply, and the ids it
//! outputs recorded. Every terraform command runs supervised like a layer of a run (its own
//! process group, the job timeout, Ctrl-C forwarded), and what happened is returned as the
//! layer's result for the run report.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{
    backend, existing_ids, inputs, record_output, vending_plan, Recorded, VendingPlan,
    EXISTING_IDS_VARIABLE, VENDING_ACCOUNT,
};
use crate::config::{AccountVending, Config};
use crate::credentials::AccountCredentials;
use crate::events::{Attempt, AttemptOutcome, ChangeCounts, LayerReport, Mode, Status, Step};
use crate::runner::{Cancellation, Stopped, Supervised};
use crate::terraform::{LayerWorkspace, Terraform, TerraformCommand};
use crate::workdir::shown;

/// The output of the vending layer that maps account names to ids.
pub const ACCOUNT_IDS_OUTPUT: &str = "account_ids";

/// Everything `vend` needs, resolved from the flags and the config.
pub struct VendOptions {
    pub terraform: Terraform,
    /// `plan` for `--plan-only`: nothing applied, no id recorded.
    pub mode: Mode,
    /// Absolute: where the layer's data dir, log and the recorded ids live.
    pub work_dir: PathBuf,
    /// The management account's own credentials (no role is assumed).
    pub credentials: AccountCredentials,
    /// From terraform's SIGINT (deadline, Ctrl-C) to its SIGKILL.
    pub grace_period: Duration,
}

/// What `vend` did.
pub struct Vended {
    /// The vending layer's result, `None` when no terraform command was started; its `log`
    /// is absolute.
    pub layer: Option<LayerReport>,
    /// The plan, once it was read.
    pub plan: Option<VendingPlan>,
    /// Whether the plan had changes (it is applied either way: the ids are read after).
    pub changes: bool,
    /// The ids recorded (apply).
    pub recorded: Option<Recorded>,
    /// Why `vend` did not do everything it was asked.
    pub failure: Option<VendFailure>,
}

/// Why `vend` stopped.
#[derive(Debug, thiserror::Error)]
pub enum VendFailure {
    /// The plan would open a second account for, or close, an account with an id in
    /// domains.yaml: nothing was applied (the layer must import them).
    #[error(
        "{config}: {} already exist but the plan of layer {layer} creates or destroys them; \
         nothing was applied. The layer must import existing accounts: declare \
         `variable \"{EXISTING_IDS_VARIABLE}\" {{ type = map(string) }}` and \
         `import {{ for_each = var.{EXISTING_IDS_VARIABLE}; to = <account resource>[each.key]; \
         id = each.value }}` (see layers/README.md, Account vending)",
        accounts.join(", ")
    )]
    Unsafe {
        config: String,
        layer: String,
        /// `catalog-dev (account_id 100000000001)`.
        accounts: Vec<String>,
    },
    /// terraform failed or ran out of time, or its result could not be used.
    #[error("{0}")]
    Failed(String),
    /// Ctrl-C or SIGTERM.
    #[error("{0}")]
    Interrupted(String),
}

/// Runs the vending layer of `config`; `show_plan` sees the plan (and the layer's log) before
/// anything is applied. Never returns early without a result: a failure is in `Vended`.
pub async fn vend(
    config: &Config,
    vending: &AccountVending,
    options: &VendOptions,
    cancel: Cancellation,
    show_plan: impl FnOnce(&VendingPlan, &Path),
) -> Vended {
    let mut vended = Vended {
        layer: None,
        plan: None,
        changes: false,
        recorded: None,
        failure: None,
    };
    let mut run = match Run::start(config, vending, options, cancel) {
        Ok(run) => run,
        Err(failure) => {
            vended.failure = Some(failure);
            return vended;
        }
    };
    let stop = run
        .steps(config, vending, options, &mut vended, show_plan)
        .await
        .err();
    if let Some(stop) = &stop {
        if vended.failure.is_none() {
            vended.failure = Some(if stop.status == Status::Cancelled {
                VendFailure::Interrupted(stop.message.clone())
            } else {
                VendFailure::Failed(stop.message.clone())
            });
        }
    }
    vended.layer = Some(run.layer_report(&vended, stop));
    vended
}

/// The vending layer's workspace and its supervised terraform, with what the run report
/// keeps of it.
struct Run {
    ws: LayerWorkspace,
    tf: Supervised,
    started: Instant,
    /// The step going on, or the last one.
    step: Step,
    exit_code: Option<i32>,
    /// The plan's resource counts, once it was read.
    counts: Option<ChangeCounts>,
    mode: Mode,
    layer: String,
    job_timeout: Duration,
}

/// Why a step stopped, as the run report keeps it: the attempt's outcome, the layer's
/// status and reason, the error lines.
struct Stop {
    outcome: AttemptOutcome,
    status: Status,
    reason: String,
    error: Vec<String>,
    /// What `vend` says on stderr: what stopped, and where the full log is.
    message: String,
}

impl Run {
    /// Prepares the layer's workspace; a failure here starts no terraform.
    fn start(
        config: &Config,
        vending: &AccountVending,
        options: &VendOptions,
        cancel: Cancellation,
    ) -> Result<Self, VendFailure> {
        let absolute = |path: &Path| {
            std::path::absolute(path)
                .map_err(|e| VendFailure::Failed(format!("{}: {e}", path.display())))
        };
        let (root, layers_dir) = (absolute(&config.root)?, absolute(&config.layers_dir)?);
        let ws = LayerWorkspace::new(
            &options.work_dir,
            &root,
            &layers_dir,
            VENDING_ACCOUNT,
            &vending.layer,
        );
        ws.prepare(&inputs(config, vending)).map_err(|e| {
            VendFailure::Failed(format!("cannot prepare {}: {e}", ws.data_dir.display()))
        })?;
        let tf = Supervised::new(
            &ws.log_file,
            config.execution.job_timeout,
            options.grace_period,
            cancel,
        )
        .map_err(|e| VendFailure::Failed(format!("cannot write {}: {e}", ws.log_file.display())))?;
        Ok(Self {
            ws,
            tf,
            started: Instant::now(),
            step: Step::Init,
            exit_code: None,
            counts: None,
            mode: options.mode,
            layer: vending.layer.clone(),
            job_timeout: config.execution.job_timeout,
        })
    }

    async fn steps(
        &mut self,
        config: &Config,
        vending: &AccountVending,
        options: &VendOptions,
        vended: &mut Vended,
        show_plan: impl FnOnce(&VendingPlan, &Path),
    ) -> Result<(), Stop> {
        let tf = &options.terraform;
        let root = std::path::absolute(&config.root).unwrap_or_else(|_| config.root.clone());
        let backend = backend(config, &root, &vending.layer);
        let init = tf.init(&self.ws, &backend, self.ws.needs_reconfigure(&backend));
        self.step(Step::Init, init, options, None, &[0]).await?;
        self.ws.record_backend(&backend).map_err(|e| {
            local(
                Step::Init,
                format!("{}: {e}", self.ws.backend_record().display()),
            )
        })?;
        let planned = self
            .step(Step::Plan, tf.plan(&self.ws), options, None, &[0, 2])
            .await?;
        vended.changes = planned == 2;
        let plan_json = self.ws.output_file("plan");
        let show = tf.show_json(&self.ws);
        self.step(Step::Show, show, options, Some(&plan_json), &[0])
            .await?;
        let read = crate::summary::read_plan(&plan_json);
        // The plan may hold sensitive values: it is read once, never kept.
        let _ = std::fs::remove_file(&plan_json);
        let read = read.map_err(|e| local(Step::Show, format!("layer {}: {e}", vending.layer)))?;
        self.counts = Some(read.counts.terraform_line());
        let plan = vending_plan(config, &read);
        show_plan(&plan, &self.ws.log_file);
        let found = plan.unsafe_for(&existing_ids(config));
        vended.plan = Some(plan);
        if !found.is_empty() {
            let failure = VendFailure::Unsafe {
                config: shown(&config.path),
                layer: vending.layer.clone(),
                accounts: found
                    .iter()
                    .map(|(account, id)| format!("{account} (account_id {id})"))
                    .collect(),
            };
            let stop = local(Step::Plan, failure.to_string());
            vended.failure = Some(failure);
            return Err(stop);
        }
        if options.mode == Mode::Plan {
            return Ok(());
        }
        self.step(Step::Apply, tf.apply(&self.ws), options, None, &[0])
            .await?;
        let ids_file = self.ws.output_file(ACCOUNT_IDS_OUTPUT);
        let output = tf.output_json(&self.ws, ACCOUNT_IDS_OUTPUT);
        self.step(Step::Output, output, options, Some(&ids_file), &[0])
            .await
            .map_err(|mut stop| {
                if stop.outcome == AttemptOutcome::Failed {
                    let hint = format!(
                        "does the layer declare an `{ACCOUNT_IDS_OUTPUT}` output (account name \
                         -> id)?"
                    );
                    stop.message = format!("{}\n{hint}", stop.message);
                    stop.error.push(hint);
                }
                stop
            })?;
        let bytes = std::fs::read(&ids_file).map_err(|e| {
            local(
                Step::Output,
                format!("cannot read {}: {e}", ids_file.display()),
            )
        });
        let _ = std::fs::remove_file(&ids_file);
        let recorded = record_output(config, &options.work_dir, ACCOUNT_IDS_OUTPUT, &bytes?)
            .map_err(|e| local(Step::Output, format!("layer {}: {e}", vending.layer)))?;
        let missing = (!recorded.missing.is_empty()).then(|| {
            format!(
                "the `{ACCOUNT_IDS_OUTPUT}` output of {} has no id for {}",
                vending.layer,
                recorded.missing.join(", ")
            )
        });
        vended.recorded = Some(recorded);
        match missing {
            Some(message) => Err(local(Step::Output, message)),
            None => Ok(()),
        }
    }

    /// Runs one terraform command with the management credentials.
    async fn step(
        &mut self,
        step: Step,
        command: TerraformCommand,
        options: &VendOptions,
        stdout_to: Option<&Path>,
        allowed: &[i32],
    ) -> Result<i32, Stop> {
        self.step = step;
        let command = command.with_credentials(&options.credentials);
        let ran = self.tf.run(&command, stdout_to, allowed).await;
        match ran {
            Ok(code) => {
                self.exit_code = Some(code);
                Ok(code)
            }
            Err(stopped) => Err(self.stopped(step, &command, stopped)),
        }
    }

    fn stopped(&mut self, step: Step, command: &TerraformCommand, stopped: Stopped) -> Stop {
        let log = self.ws.log_file.display();
        match stopped {
            Stopped::Failed { exit_code, output } => {
                self.exit_code = exit_code;
                let code = exit_code.map_or("killed".to_string(), |c| format!("exit {c}"));
                let tail: Vec<&str> = output.lines().rev().take(20).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                let mut error = crate::terraform::error_lines(&output);
                if error.is_empty() {
                    error.push(format!("{command} failed ({code})"));
                }
                Stop {
                    outcome: AttemptOutcome::Failed,
                    status: Status::Failed,
                    reason: format!("terraform {step} failed"),
                    error,
                    message: format!(
                        "{command} failed ({code}):\n{}\nfull log: {log}",
                        tail.join("\n")
                    ),
                }
            }
            Stopped::TimedOut => Stop {
                outcome: AttemptOutcome::Timeout,
                status: Status::Failed,
                reason: "timeout".into(),
                error: vec![format!(
                    "timed out during terraform {step} (job timeout {})",
                    humantime::format_duration(self.job_timeout)
                )],
                message: format!(
                    "{command} did not finish within the job timeout (defaults.timeout); full \
                     log: {log}"
                ),
            },
            Stopped::Interrupted => Stop {
                outcome: AttemptOutcome::Cancelled,
                status: Status::Cancelled,
                reason: "interrupted".into(),
                error: vec![format!("interrupted during terraform {step}")],
                message: format!("interrupted during {command}; full log: {log}"),
            },
            Stopped::Io(e) => local(step, format!("cannot run {command}: {e}")),
        }
    }

    /// The layer as the run report keeps it; `stop` is why it did not finish.
    fn layer_report(&self, vended: &Vended, stop: Option<Stop>) -> LayerReport {
        let duration_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (outcome, status, reason, error) = match stop {
            Some(stop) => (
                stop.outcome,
                stop.status,
                Some(stop.reason),
                // What the report, Slack and the job summary keep: credentials blanked out.
                stop.error
                    .iter()
                    .map(|l| crate::secrets::redact(l).into_owned())
                    .collect(),
            ),
            None => {
                let status = match (vended.changes, self.mode) {
                    (true, Mode::Apply) => Status::Succeeded,
                    (true, Mode::Plan) => Status::Changes,
                    (false, _) => Status::NoChanges,
                };
                (
                    AttemptOutcome::Succeeded,
                    status,
                    None,
                    Vec::<String>::new(),
                )
            }
        };
        LayerReport {
            layer: self.layer.clone(),
            status,
            reason,
            duration_ms,
            attempts: vec![Attempt {
                number: 1,
                duration_ms,
                outcome,
                exit_code: self.exit_code,
                error: error.clone(),
            }],
            error,
            changes: self.counts,
            plan_json: None,
            log: Some(self.ws.log_file.display().to_string()),
            health_checks: Vec::new(),
            recovery: None,
        }
    }
}

/// A step that stopped on our side (a file, the plan's check): the layer failed, and
/// `message` says why.
fn local(step: Step, message: String) -> Stop {
    Stop {
        outcome: AttemptOutcome::Failed,
        status: Status::Failed,
        reason: format!("terraform {step} failed"),
        error: vec![message.clone()],
        message,
    }
}
