//! One runner executing one job (or one matrix leg of it): a fresh workspace, then each
//! step in order with its `if:`, its `env:` and GitHub's default variables; `run:` steps
//! through bash exactly as GitHub starts them, `uses:` steps through tests/rehearsal/actions.rs,
//! `$GITHUB_OUTPUT` read after each step, and the job's `outputs:` at the end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Map, Value};

use super::actions::{self, Action, StepContext};
use super::evaluate::{condition, interpolate_text, Scope, Status};
use super::file_commands;
use super::outcome::{Conclusion, LegRun, StepRun};
use super::runner::Rehearsal;
use super::workflow::{check_step_keys, entries, steps, text};

/// What the job hands to each of its legs.
pub struct LegPlan<'a> {
    pub job_id: &'a str,
    pub job: &'a serde_yaml::Value,
    pub index: usize,
    pub matrix: Value,
    pub needs: &'a Value,
    pub workflow_env: &'a BTreeMap<String, String>,
    /// `inputs` of the workflow (a dispatch's, or a caller's for a reusable workflow).
    pub inputs: &'a Value,
    /// The calling job's title, for a reusable workflow's legs (else empty).
    pub title_prefix: &'a str,
}

/// One runner's directories and what its job gave it.
struct Runner<'a> {
    rehearsal: &'a Rehearsal,
    plan: &'a LegPlan<'a>,
    workspace: PathBuf,
    temp: PathBuf,
    job_env: BTreeMap<String, String>,
}

/// What one step that ran did.
struct Ran {
    ok: bool,
    /// Cancelled as GitHub cancels a step (tests/rehearsal/cancel.rs).
    cancelled: bool,
    log: String,
    outputs: BTreeMap<String, String>,
    summary: String,
}

impl Rehearsal {
    pub(crate) fn leg(&self, plan: &LegPlan<'_>) -> Result<LegRun, String> {
        let dir = self
            .root()
            .join("runners")
            .join(format!("{}-{}", plan.job_id, plan.index));
        let workspace = dir.join("workspace");
        let temp = dir.join("temp");
        std::fs::create_dir_all(&workspace).unwrap();
        std::fs::create_dir_all(&temp).unwrap();
        self.checkout().into(&workspace);

        let base = self
            .scope(Some(&workspace), plan.job_id, plan.inputs)
            .with("needs", plan.needs.clone(), 3)
            .with("matrix", plan.matrix.clone(), 1);
        let title = match plan.job.get("name") {
            Some(name) => interpolate_text(&text(name), &base)?,
            None => plan.job_id.to_string(),
        };
        let title = if plan.title_prefix.is_empty() {
            title
        } else {
            format!("{} / {title}", plan.title_prefix)
        };
        let lost = self.is_lost(&plan.matrix);
        if lost || (self.only_plans_legs() && plan.job.get("strategy").is_some()) {
            return Ok(LegRun {
                title,
                matrix: plan.matrix.clone(),
                steps: Vec::new(),
                summary: String::new(),
                conclusion: if lost {
                    Conclusion::Failure
                } else {
                    Conclusion::Success
                },
                outputs: BTreeMap::new(),
                concurrency: None,
            });
        }
        let runner = Runner {
            rehearsal: self,
            plan,
            job_env: evaluate_env(&plan.job["env"], &base)
                .map_err(|e| format!("{title}, env: {e}"))?,
            workspace,
            temp,
        };

        // Every step id, so `steps.<id>` of a step that has not run is empty, and of a step
        // that does not exist an error.
        let mut steps_context = Map::new();
        for step in steps(plan.job) {
            if let Some(id) = step.get("id") {
                steps_context.insert(
                    text(id),
                    json!({"outputs": {}, "outcome": null, "conclusion": null}),
                );
            }
        }

        let mut runs = Vec::new();
        let mut summary = String::new();
        let mut failed = false;
        let mut cancelled = false;
        for (n, step) in steps(plan.job).iter().enumerate() {
            let name = step_name(step);
            let context = |e: String| format!("{title}, step `{name}`: {e}");
            check_step_keys(step).map_err(context)?;
            let scope = base
                .clone()
                .with("steps", Value::Object(steps_context.clone()), 2);
            let status = Status {
                success: !failed && !cancelled,
                failure: failed,
                cancelled,
            };
            let wanted = condition(
                step.get("if").map(text).as_deref(),
                &scope.clone().with_status(status),
            )
            .map_err(context)?;
            let (conclusion, log, outputs) = if wanted {
                let ran = runner.step(step, n, &scope, &name).map_err(context)?;
                summary.push_str(&ran.summary);
                let conclusion = if ran.cancelled {
                    cancelled = true;
                    Conclusion::Cancelled
                } else if ran.ok {
                    Conclusion::Success
                } else {
                    failed = true;
                    Conclusion::Failure
                };
                (conclusion, ran.log, ran.outputs)
            } else {
                (Conclusion::Skipped, String::new(), BTreeMap::new())
            };
            if let Some(id) = step.get("id") {
                steps_context.insert(
                    text(id),
                    json!({
                        "outputs": outputs,
                        "outcome": conclusion.as_str(),
                        "conclusion": conclusion.as_str(),
                    }),
                );
            }
            runs.push(StepRun {
                name,
                conclusion,
                log,
                outputs,
            });
        }

        let scope = base.with("steps", Value::Object(steps_context), 2);
        let outputs = evaluate_env(&plan.job["outputs"], &scope)
            .map_err(|e| format!("{title}, outputs: {e}"))?;
        Ok(LegRun {
            title,
            matrix: plan.matrix.clone(),
            steps: runs,
            summary,
            conclusion: if failed {
                Conclusion::Failure
            } else if cancelled {
                Conclusion::Cancelled
            } else {
                Conclusion::Success
            },
            outputs,
            concurrency: None,
        })
    }
}

impl Runner<'_> {
    /// Runs one step whose `if:` held.
    fn step(
        &self,
        step: &serde_yaml::Value,
        n: usize,
        scope: &Scope,
        name: &str,
    ) -> Result<Ran, String> {
        let cancel = self.rehearsal.cancel_of(&self.plan.matrix, name);
        let files = StepFiles::new(&self.temp, n);
        let step_env = evaluate_env(&step["env"], scope)?;
        let mut env = self.env(&step_env)?;
        env.extend(files.variables(&self.workspace, &self.temp));
        let mut cancelled = false;
        let (ok, log) = if let Some(uses) = step.get("uses") {
            if cancel.is_some() {
                return Err("cancelling a `uses:` step is not rehearsed".into());
            }
            let with = evaluate_env(&step["with"], scope)?;
            let action = Action::from_uses(&text(uses))?;
            let done = actions::run(
                &action,
                &with,
                &StepContext {
                    repo: self.rehearsal.repo(),
                    workspace: &self.workspace,
                    env: &env,
                    artifacts: self.rehearsal.artifacts(),
                },
            )?;
            match done {
                Ok(log) => (true, log),
                Err(log) => (false, log),
            }
        } else if let Some(script) = step.get("run") {
            let (ok, log, was_cancelled) =
                run_script(&text(script), &self.temp, n, &self.workspace, &env, cancel);
            cancelled = was_cancelled;
            (ok, log)
        } else {
            return Err("a step with neither `run` nor `uses`".into());
        };
        match files.read() {
            Ok((outputs, summary)) => Ok(Ran {
                ok,
                cancelled,
                log,
                outputs,
                summary,
            }),
            Err(FileError::NotRehearsed(e)) => Err(e),
            Err(FileError::Malformed(e)) => Ok(Ran {
                ok: false,
                cancelled,
                log: format!("{log}\n::error::{e}"),
                outputs: BTreeMap::new(),
                summary: String::new(),
            }),
        }
    }

    /// The step's environment: the runner's (PATH with `orchestrator` first, the rehearsal's
    /// own variables), then the workflow's, the job's and the step's `env:`, then GitHub's
    /// default variables, which a workflow cannot override.
    fn env(&self, step_env: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, String> {
        let mut env = self.rehearsal.runner_env();
        env.extend(self.rehearsal.leg_env_of(&self.plan.matrix));
        for layer in [self.plan.workflow_env, &self.job_env, step_env] {
            for (name, value) in layer {
                // GITHUB_TOKEN is no default variable: steps pass the token under that name.
                if (name.starts_with("GITHUB_") && name != "GITHUB_TOKEN")
                    || name.starts_with("RUNNER_")
                {
                    return Err(format!(
                        "`env: {name}` would override GitHub's own variable"
                    ));
                }
                env.insert(name.clone(), value.clone());
            }
        }
        env.extend(self.rehearsal.github_env(self.plan.job_id));
        Ok(env)
    }
}

/// The files GitHub gives each step for its file commands.
struct StepFiles {
    output: PathBuf,
    summary: PathBuf,
    env: PathBuf,
    path: PathBuf,
}

impl StepFiles {
    fn new(temp: &Path, n: usize) -> Self {
        let files = Self {
            output: temp.join(format!("output-{n}")),
            summary: temp.join(format!("summary-{n}.md")),
            env: temp.join(format!("env-{n}")),
            path: temp.join(format!("path-{n}")),
        };
        for file in [&files.output, &files.summary, &files.env, &files.path] {
            std::fs::write(file, "").unwrap();
        }
        files
    }

    /// The variables that name the runner's directories and this step's files.
    fn variables(&self, workspace: &Path, temp: &Path) -> [(String, String); 6] {
        let path = |p: &Path| p.display().to_string();
        [
            ("GITHUB_WORKSPACE".into(), path(workspace)),
            ("RUNNER_TEMP".into(), path(temp)),
            ("GITHUB_OUTPUT".into(), path(&self.output)),
            ("GITHUB_STEP_SUMMARY".into(), path(&self.summary)),
            ("GITHUB_ENV".into(), path(&self.env)),
            ("GITHUB_PATH".into(), path(&self.path)),
        ]
    }

    /// The step's outputs and summary. `$GITHUB_ENV` and `$GITHUB_PATH` would change later
    /// steps, which the rehearsal does not do: using them is an error.
    fn read(&self) -> Result<(BTreeMap<String, String>, String), FileError> {
        for (file, name) in [(&self.env, "GITHUB_ENV"), (&self.path, "GITHUB_PATH")] {
            if !std::fs::read_to_string(file).unwrap_or_default().is_empty() {
                return Err(FileError::NotRehearsed(format!(
                    "the step wrote to ${name}, which the rehearsal does not apply"
                )));
            }
        }
        let outputs = file_commands::parse(&std::fs::read_to_string(&self.output).unwrap())
            .map_err(|e| {
                FileError::Malformed(format!("Unable to process file command 'output': {e}"))
            })?;
        Ok((outputs, std::fs::read_to_string(&self.summary).unwrap()))
    }
}

enum FileError {
    /// A file command the rehearsal does not follow: the rehearsal stops.
    NotRehearsed(String),
    /// A malformed file: the step fails, as on GitHub.
    Malformed(String),
}

/// A `run:` script as GitHub runs it with the default bash shell; with `cancel`, cancelled
/// as the runner cancels it. Returns (succeeded, log, cancelled).
fn run_script(
    script: &str,
    temp: &Path,
    n: usize,
    workspace: &Path,
    env: &BTreeMap<String, String>,
    cancel: Option<&crate::rehearsal::cancel::Cancel>,
) -> (bool, String, bool) {
    let file = temp.join(format!("step-{n}.sh"));
    std::fs::write(&file, script).unwrap();
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&file)
        .current_dir(workspace)
        .env_clear()
        .envs(env);
    let (status, mut log, cancelled) = match cancel {
        None => {
            let output = command.output().unwrap();
            let mut log = String::from_utf8_lossy(&output.stdout).into_owned();
            log.push_str(&String::from_utf8_lossy(&output.stderr));
            (output.status, log, false)
        }
        Some(cancel) => {
            // Output to files: the step's pipes must outlive a killed tree.
            let out = temp.join(format!("step-{n}.log"));
            let log_file = std::fs::File::create(&out).unwrap();
            command
                .stdout(log_file.try_clone().unwrap())
                .stderr(log_file);
            let mut child = crate::rehearsal::cancel::spawn(command);
            let done = crate::rehearsal::cancel::wait_cancelled(&mut child, cancel);
            let status = child.wait().unwrap();
            let mut log = std::fs::read_to_string(&out).unwrap_or_default();
            if done.ended_before {
                log.push_str("\n(the step ended before its cancel)");
            } else {
                log.push_str("\nError: The operation was canceled.");
                for name in &done.killed {
                    log.push_str(&format!("\nkilled at the runner's deadline: {name}"));
                }
            }
            (status, log, !done.ended_before)
        }
    };
    if let Some(code) = status.code().filter(|c| *c != 0) {
        log.push_str(&format!(
            "\nError: Process completed with exit code {code}."
        ));
    }
    (status.success(), log, cancelled)
}

/// An `env:`, `with:` or `outputs:` mapping with its expressions evaluated.
pub fn evaluate_env(
    mapping: &serde_yaml::Value,
    scope: &Scope,
) -> Result<BTreeMap<String, String>, String> {
    entries(mapping)
        .into_iter()
        .map(|(name, template)| {
            interpolate_text(&template, scope)
                .map(|value| (name.clone(), value))
                .map_err(|e| format!("`{name}`: {e}"))
        })
        .collect()
}

/// The name the Actions page shows for a step.
fn step_name(step: &serde_yaml::Value) -> String {
    if let Some(name) = step.get("name") {
        return text(name);
    }
    match (step.get("uses"), step.get("run")) {
        (Some(uses), _) => format!("Run {}", text(uses)),
        (None, Some(run)) => format!("Run {}", text(run).lines().next().unwrap_or("")),
        _ => String::new(),
    }
}
