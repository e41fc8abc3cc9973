//! One attempt at a layer: `init`, `plan -out`, then `apply` of exactly that plan (or
//! `show -json` of it in plan-only runs), and why an attempt stopped.

use std::path::{Path, PathBuf};

use tokio::time::Instant;

use super::attempt_end::{Done, Failure, FailureKind};
use super::layer::LayerRun;
use super::log_file::LayerLog;
use super::process::{self, Ending, Finished, Limits};
use crate::events::{ChangeCounts, Mode, Status};
use crate::events::{Event, Step};
use crate::terraform::{self, BackendConfig, LayerWorkspace, TerraformCommand};

impl LayerRun<'_> {
    pub(super) async fn attempt(
        &self,
        number: u32,
        ws: &LayerWorkspace,
        backend: &BackendConfig,
        log: &mut LayerLog,
        limits: &Limits,
    ) -> Result<Done, Failure> {
        let tf = &self.ctx.options.terraform;
        let init = tf.init(ws, backend, ws.needs_reconfigure(backend));
        {
            let _one_init_at_a_time = match &self.ctx.init_lock {
                Some(lock) => Some(lock.lock().await),
                None => None,
            };
            self.step(number, Step::Init, &init, None, log, limits)
                .await?;
        }
        ws.record_backend(backend).map_err(|e| {
            Failure::local(
                Step::Init,
                format!("cannot write {}: {e}", ws.backend_record().display()),
            )
        })?;

        let plan = if self.ctx.options.destroy {
            tf.plan_destroy(ws)
        } else {
            tf.plan(ws)
        };
        let plan = self
            .step(number, Step::Plan, &plan, None, log, limits)
            .await?;
        let has_changes = plan.exit_code == Some(2);
        let mut done = Done {
            status: if has_changes {
                Status::Changes
            } else {
                Status::NoChanges
            },
            exit_code: plan.exit_code,
            changes: terraform::from_plan_output(&plan.output).unwrap_or_default(),
            plan_json: None,
        };
        match self.ctx.options.mode {
            Mode::Plan => {
                let path = self.save_plan_json(number, ws, log, limits).await?;
                done.changes = read_counts(&path)?;
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
        let name = terraform::copy_file_name(self.layer, self.ctx.options.copy_of(self.layer));
        let path = dir.join(format!("{name}.json"));
        let partial = dir.join(format!(".{name}.json.partial"));
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
    pub(super) async fn step(
        &self,
        number: u32,
        step: Step,
        cmd: &TerraformCommand,
        stdout_to: Option<&Path>,
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
            return Err(stopped(FailureKind::Interrupted { killed_after: None }));
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
                Ending::Interrupted => FailureKind::Interrupted {
                    killed_after: finished.killed_after_grace.then_some(limits.grace),
                },
            },
            exit_code: finished.exit_code,
            output: finished.output,
        })
    }
}

fn read_counts(path: &Path) -> Result<ChangeCounts, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::local(Step::Show, format!("cannot read {}: {e}", path.display())))?;
    terraform::from_plan_json(&bytes).map_err(|e| {
        Failure::local(
            Step::Show,
            format!("{} is not a terraform plan: {e}", path.display()),
        )
    })
}
