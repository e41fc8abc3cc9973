//! Runs a workflow's jobs locally, in `needs` order, the way GitHub schedules them: each
//! job's `if:` against the real results of the jobs before it (with GitHub's implicit
//! `success()` over the whole `needs` chain), matrix jobs expanded from `strategy.matrix`
//! and their legs run in parallel up to `max-parallel`, job outputs from `outputs:`.
//!
//! The job that compiles the orchestrator (the one using `build-orchestrator`) is not run:
//! the binary cargo built for this test stands for its artifact, on every step's PATH.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use super::artifacts::Artifacts;
use super::evaluate::{condition, interpolate, interpolate_text, truthy, Scope, Status};
use super::leg::{evaluate_env, LegPlan};
use super::outcome::{Conclusion, JobRun, LegRun, Run};
use super::workflow::{check_job_keys, check_workflow_keys, entries, needs, steps, text, Workflow};
use super::workspace::Checkout;

const BUILD_ACTION: &str = "./.github/actions/build-orchestrator";

/// What the run looks like to the workflow: a push to main of this repository.
const REPOSITORY: &str = "acme/aws-accounts";
const SERVER_URL: &str = "https://github.example";
const RUN_ID: &str = "4242";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

pub struct Rehearsal {
    dir: tempfile::TempDir,
    repo: PathBuf,
    workflow: Workflow,
    checkout: Checkout,
    artifacts: Artifacts,
    bin_dir: PathBuf,
    env: BTreeMap<String, String>,
    vars: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    /// Accounts whose matrix leg's runner is lost: no step runs, nothing is uploaded.
    lost: Vec<String>,
    /// The event that triggered the run (default: a push to main, with no payload).
    event_name: String,
    event: Value,
    /// `inputs` of a `workflow_dispatch` run.
    inputs: Map<String, Value>,
    /// The ref the run is on (default `refs/heads/main`).
    git_ref: String,
    /// A leg to interrupt as GitHub cancels a run: its account, the step, and when.
    cancel: Option<crate::rehearsal::cancel::Cancel>,
    /// Variables in the environment of one account's leg only: (account, name, value).
    leg_env: Vec<(String, String, String)>,
    /// Matrix legs are expanded, named and grouped, but their steps do not run.
    planned_only: bool,
    /// The job that compiles the orchestrator fails (and uploads nothing).
    build_fails: bool,
}

impl Rehearsal {
    /// `.github/workflows/<name>` of this repository, against copies of the sandbox.
    pub fn new(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let bin_dir = dir.path().join("bin");
        std::fs::create_dir_all(&bin_dir).unwrap();
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_orchestrator"),
            bin_dir.join("orchestrator"),
        )
        .unwrap();
        let state_dir = dir.path().join("state");
        std::fs::create_dir_all(&state_dir).unwrap();
        Self {
            workflow: Workflow::read(&repo, name),
            checkout: Checkout::new(&state_dir),
            artifacts: Artifacts::new(dir.path().join("artifacts")),
            repo,
            dir,
            bin_dir,
            env: BTreeMap::new(),
            vars: BTreeMap::new(),
            secrets: BTreeMap::new(),
            lost: Vec::new(),
            event_name: "push".into(),
            event: json!({}),
            inputs: Map::new(),
            git_ref: "refs/heads/main".into(),
            cancel: None,
            leg_env: Vec::new(),
            planned_only: false,
            build_fails: false,
        }
    }

    /// The job that compiles the orchestrator fails, as a broken commit or an unreachable
    /// crates.io makes it: no binary is uploaded for the jobs after it.
    pub fn fail_build(mut self) -> Self {
        self.build_fails = true;
        self
    }

    /// Matrix legs are expanded (matrix, `if:`, name, concurrency group) but none of their
    /// steps runs: for the shape of runs too large to deploy here.
    pub fn legs_planned_only(mut self) -> Self {
        self.planned_only = true;
        self
    }

    pub(crate) fn only_plans_legs(&self) -> bool {
        self.planned_only
    }

    /// A variable in the environment of this account's leg only (as if set on its runner).
    pub fn leg_env(mut self, account: &str, name: &str, value: &str) -> Self {
        self.leg_env
            .push((account.into(), name.into(), value.into()));
        self
    }

    pub(crate) fn leg_env_of(&self, matrix: &Value) -> BTreeMap<String, String> {
        self.leg_env
            .iter()
            .filter(|(account, _, _)| matrix["account"].as_str() == Some(account.as_str()))
            .map(|(_, name, value)| (name.clone(), value.clone()))
            .collect()
    }

    /// A repository variable (`vars.<name>`).
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// An input of a `workflow_dispatch` run (a string, or a boolean for `true`/`false`).
    pub fn input(mut self, name: &str, value: Value) -> Self {
        self.inputs.insert(name.into(), value);
        self
    }

    /// The ref the run is on, e.g. `refs/tags/main` (default `refs/heads/main`).
    pub fn on_ref(mut self, git_ref: &str) -> Self {
        self.git_ref = git_ref.into();
        self
    }

    /// Cancels this account's leg while it runs `step`, `after` a process named
    /// `once_running` appears in the step (e.g. the `sleep` of a layer's apply): the step's
    /// entry process gets SIGINT, then SIGTERM, and the whole process tree is killed 10 s
    /// after the SIGINT if it still runs, as GitHub's runner does.
    pub fn cancel_leg(
        mut self,
        account: &str,
        step: &str,
        once_running: &str,
        after: std::time::Duration,
    ) -> Self {
        self.cancel = Some(crate::rehearsal::cancel::Cancel {
            account: account.into(),
            step: step.into(),
            after,
            once_running: Some(once_running.into()),
        });
        self
    }

    pub(crate) fn cancel_of(
        &self,
        matrix: &Value,
        step: &str,
    ) -> Option<&crate::rehearsal::cancel::Cancel> {
        self.cancel
            .as_ref()
            .filter(|c| c.step == step && matrix["account"].as_str() == Some(c.account.as_str()))
    }

    /// The event of the next `run` (`pull_request` with its payload, `schedule`, ...): the
    /// `github.event` context, and the file at `GITHUB_EVENT_PATH`.
    pub fn set_event(&mut self, name: &str, payload: Value) {
        self.event_name = name.into();
        std::fs::write(self.event_path(), serde_json::to_vec(&payload).unwrap()).unwrap();
        self.event = payload;
    }

    fn event_path(&self) -> PathBuf {
        self.dir.path().join("event.json")
    }

    /// Another commit to the repository before the next `run` (checkouts see every edit).
    pub fn push_edit(&mut self, from: &str, to: &str) {
        self.checkout.edit(from, to);
    }

    /// Every checkout is a git repository whose one commit is the sandbox before the edits
    /// (a pull request's base); returns that commit.
    pub fn with_base_commit(&mut self) -> String {
        self.checkout.commit_base();
        let probe = self.dir.path().join("base-probe");
        super::workspace::Checkout::into(&self.checkout, &probe);
        let head = super::workspace::git_head(&probe);
        std::fs::remove_dir_all(&probe).unwrap();
        head
    }

    /// A variable in the environment of every step (as if set on the runner).
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.insert(name.into(), value.into());
        self
    }

    /// Changes the sandbox's `domains.yaml` as checked out by every job.
    pub fn edit_config(mut self, from: &str, to: &str) -> Self {
        self.checkout.edit(from, to);
        self
    }

    /// The runner of this account's leg is lost (it dies, or GitHub loses contact): as on
    /// GitHub, the leg fails and none of its steps, `if: always()` uploads included, runs.
    pub fn lose_leg(mut self, account: &str) -> Self {
        self.lost.push(account.to_string());
        self
    }

    pub(crate) fn is_lost(&self, matrix: &Value) -> bool {
        matrix["account"]
            .as_str()
            .is_some_and(|a| self.lost.iter().any(|l| l == a))
    }

    pub fn secret(mut self, name: &str, value: &str) -> Self {
        self.secrets.insert(name.into(), value.into());
        self
    }

    /// Everything the run leaves on disk: workspaces, shared state, artifacts.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn repo(&self) -> &Path {
        &self.repo
    }

    pub fn checkout(&self) -> &Checkout {
        &self.checkout
    }

    pub fn artifacts(&self) -> &Artifacts {
        &self.artifacts
    }

    /// Runs every job; a workflow the rehearsal cannot follow faithfully is a panic naming
    /// the job, the step and the reason.
    pub fn run(&self) -> Run {
        let given: BTreeMap<String, String> = self
            .inputs
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect();
        let dispatch = &self.workflow.doc["on"]["workflow_dispatch"];
        let inputs = typed_inputs(&dispatch["inputs"], &given, "workflow_dispatch")
            .unwrap_or_else(|e| panic!("{e}"));
        self.run_workflow(&self.workflow, &inputs, "")
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The jobs of `workflow` in `needs` order, with `inputs` (a dispatch's or a caller's);
    /// `title` prefixes job titles as GitHub shows a called workflow's jobs.
    fn run_workflow(
        &self,
        workflow: &Workflow,
        inputs: &Value,
        title: &str,
    ) -> Result<Run, String> {
        let fail = |e: String| format!("{}: {e}", workflow.file.display());
        check_workflow_keys(&workflow.doc).map_err(fail)?;
        let workflow_env =
            evaluate_env(&workflow.doc["env"], &self.scope(None, "", inputs)).map_err(fail)?;
        let mut run = Run::default();
        for id in workflow.jobs_in_needs_order().map_err(fail)? {
            let job = self
                .job(workflow, &id, &run, &workflow_env, inputs, title)
                .map_err(|e| fail(format!("job `{id}`: {e}")))?;
            run.jobs.insert(id.clone(), job);
            run.order.push(id);
        }
        Ok(run)
    }

    fn job(
        &self,
        workflow: &Workflow,
        id: &str,
        run: &Run,
        workflow_env: &BTreeMap<String, String>,
        inputs: &Value,
        title_prefix: &str,
    ) -> Result<JobRun, String> {
        let job = workflow.job(id);
        check_job_keys(job)?;
        let declared: Vec<String> = entries(&job["outputs"])
            .into_iter()
            .map(|(k, _)| k)
            .collect();

        let mut needs_context = Map::new();
        for need in needs(job) {
            let done = run.job(&need);
            needs_context.insert(
                need,
                json!({"result": done.result.as_str(), "outputs": done.outputs}),
            );
        }
        let needs_context = Value::Object(needs_context);
        let ancestors = workflow.ancestors(id);
        let status = Status {
            success: ancestors
                .iter()
                .all(|a| run.job(a).result == Conclusion::Success),
            failure: ancestors
                .iter()
                .any(|a| run.job(a).result == Conclusion::Failure),
            cancelled: false,
        };
        let scope = self
            .scope(None, id, inputs)
            .with("needs", needs_context.clone(), 3);
        let wanted = condition(
            job.get("if").map(text).as_deref(),
            &scope.clone().with_status(status),
        )
        .map_err(|e| format!("if: {e}"))?;
        if !wanted {
            return Ok(JobRun {
                result: Conclusion::Skipped,
                outputs: declared.into_iter().map(|k| (k, String::new())).collect(),
                legs: Vec::new(),
            });
        }
        if steps(job)
            .iter()
            .any(|s| s.get("uses").map(text).as_deref() == Some(BUILD_ACTION))
        {
            if !declared.is_empty() {
                return Err("the build job's outputs are not rehearsed".into());
            }
            if self.build_fails {
                return Ok(JobRun {
                    result: Conclusion::Failure,
                    outputs: BTreeMap::new(),
                    legs: Vec::new(),
                });
            }
            // What `version: source` downloads; the binary under test stands in for it.
            let binary = self.artifacts().dir().join("orchestrator-binary");
            std::fs::create_dir_all(&binary).unwrap();
            std::fs::write(binary.join("orchestrator"), "the binary under test\n").unwrap();
            return Ok(JobRun {
                result: Conclusion::Success,
                outputs: BTreeMap::new(),
                legs: Vec::new(),
            });
        }
        if let Some(uses) = job.get("uses") {
            let title = match job.get("name") {
                Some(name) => interpolate_text(&text(name), &scope)?,
                None => id.to_string(),
            };
            let title = if title_prefix.is_empty() {
                title
            } else {
                format!("{title_prefix} / {title}")
            };
            return self.call(&text(uses), job, &scope, &title);
        }

        let (matrices, max_parallel) = match job.get("strategy") {
            Some(strategy) => {
                expand_strategy(strategy, &scope).map_err(|e| format!("strategy: {e}"))?
            }
            None => (vec![json!({})], 1),
        };
        let groups =
            check_concurrency(job, &matrices, &scope).map_err(|e| format!("concurrency: {e}"))?;
        let mut legs = parallel(&matrices, max_parallel, |index, matrix| {
            self.leg(&LegPlan {
                job_id: id,
                job,
                index,
                matrix: matrix.clone(),
                needs: &needs_context,
                workflow_env,
                inputs,
                title_prefix,
            })
        })?;

        for (leg, group) in legs.iter_mut().zip(groups) {
            leg.concurrency = group;
        }
        if job.get("strategy").is_some() && !declared.is_empty() {
            return Err("outputs of a matrix job (the last leg wins) are not rehearsed".into());
        }
        let outputs = legs.first().map(|l| l.outputs.clone()).unwrap_or_default();
        // An empty matrix fails the job on GitHub.
        let failed = legs.is_empty() || legs.iter().any(|l| l.conclusion == Conclusion::Failure);
        Ok(JobRun {
            result: if failed {
                Conclusion::Failure
            } else if legs.iter().any(|l| l.conclusion == Conclusion::Cancelled) {
                Conclusion::Cancelled
            } else {
                Conclusion::Success
            },
            outputs,
            legs,
        })
    }

    /// A job that calls a reusable workflow of this repository (`uses: ./.github/workflows/
    /// <file>`): its `with:` checked against the `workflow_call` inputs (types, required,
    /// defaults), then its jobs run as the caller job; the caller fails when one of them does.
    fn call(
        &self,
        uses: &str,
        job: &serde_yaml::Value,
        scope: &Scope,
        title: &str,
    ) -> Result<JobRun, String> {
        let Some(file) = uses.strip_prefix("./.github/workflows/") else {
            return Err(format!(
                "`uses: {uses}`: only reusable workflows of this repository are rehearsed"
            ));
        };
        if job.get("strategy").is_some() || job.get("concurrency").is_some() {
            return Err("a matrix or concurrency on a calling job is not rehearsed".into());
        }
        if job.get("secrets").is_some() {
            return Err("secrets passed to a called workflow are not rehearsed".into());
        }
        let called = Workflow::read(&self.repo, file);
        let call = &called.doc["on"]["workflow_call"];
        if call.as_mapping().is_none() {
            return Err(format!("{file} has no `on: workflow_call`"));
        }
        if call.get("outputs").is_some() || call.get("secrets").is_some() {
            return Err(format!(
                "{file}: workflow_call outputs or secrets are not rehearsed"
            ));
        }
        let with = evaluate_env(&job["with"], scope).map_err(|e| format!("with: {e}"))?;
        let inputs = typed_inputs(&call["inputs"], &with, file)?;
        let Run { mut jobs, order } = self.run_workflow(&called, &inputs, title)?;
        let failed = jobs.values().any(|j| j.result == Conclusion::Failure);
        let cancelled = jobs.values().any(|j| j.result == Conclusion::Cancelled);
        let legs: Vec<LegRun> = order
            .iter()
            .flat_map(|id| jobs.remove(id).map(|j| j.legs).unwrap_or_default())
            .collect();
        Ok(JobRun {
            result: if failed {
                Conclusion::Failure
            } else if cancelled {
                Conclusion::Cancelled
            } else {
                Conclusion::Success
            },
            outputs: BTreeMap::new(),
            legs,
        })
    }

    /// The contexts every expression may use; `github.workspace` only on a runner.
    pub(crate) fn scope(&self, workspace: Option<&Path>, job: &str, inputs: &Value) -> Scope {
        let mut github = json!({
            "repository": REPOSITORY,
            "server_url": SERVER_URL,
            "run_id": RUN_ID,
            "sha": SHA,
            "ref": self.git_ref,
            "ref_name": self.git_ref
                .strip_prefix("refs/heads/")
                .or_else(|| self.git_ref.strip_prefix("refs/tags/"))
                .unwrap_or(&self.git_ref),
            "event_name": self.event_name,
            "event": self.event,
            "job": job,
        });
        if let Some(workspace) = workspace {
            github["workspace"] = json!(workspace.display().to_string());
        }
        Scope::default()
            .with("github", github, 1)
            .with("inputs", inputs.clone(), 1)
            .with("vars", json!(self.vars), 0)
            .with("secrets", json!(self.secrets), 0)
    }

    /// The runner's own environment: a clean one, with `orchestrator` first on PATH.
    pub(crate) fn runner_env(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        let path = std::env::var("PATH").unwrap_or_default();
        env.insert("PATH".into(), format!("{}:{path}", self.bin_dir.display()));
        for name in ["HOME", "LANG", "TMPDIR", "USER"] {
            if let Ok(value) = std::env::var(name) {
                env.insert(name.into(), value);
            }
        }
        env.extend(self.env.clone());
        env
    }

    pub(crate) fn github_env(&self, job: &str) -> BTreeMap<String, String> {
        [
            ("CI", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", REPOSITORY),
            ("GITHUB_SERVER_URL", SERVER_URL),
            ("GITHUB_RUN_ID", RUN_ID),
            ("GITHUB_RUN_ATTEMPT", "1"),
            ("GITHUB_SHA", SHA),
            ("GITHUB_REF", self.git_ref.as_str()),
            ("GITHUB_EVENT_NAME", self.event_name.as_str()),
            (
                "GITHUB_EVENT_PATH",
                &self.event_path().display().to_string(),
            ),
            ("GITHUB_JOB", job),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

/// The `inputs` context from declared inputs (`workflow_call` or `workflow_dispatch`) and the
/// given values: an unknown or missing required input is an error; defaults fill the rest,
/// typed as GitHub types them (`boolean`, `number`, `string`, `choice`).
fn typed_inputs(
    declared: &serde_yaml::Value,
    given: &BTreeMap<String, String>,
    what: &str,
) -> Result<Value, String> {
    let declared = declared.as_mapping().cloned().unwrap_or_default();
    if let Some(unknown) = given
        .keys()
        .find(|k| !declared.contains_key(serde_yaml::Value::String((*k).clone())))
    {
        return Err(format!("{what} has no input `{unknown}`"));
    }
    let mut inputs = Map::new();
    for (name, spec) in &declared {
        let name = text(name);
        let kind = text(&spec["type"]);
        let value = match given.get(&name) {
            Some(given) => given.clone(),
            None if spec["required"].as_bool() == Some(true) => {
                return Err(format!("{what}: the required input `{name}` is not given"))
            }
            None => text(&spec["default"]),
        };
        let typed = match kind.as_str() {
            "string" | "choice" => Value::String(value),
            "boolean" => match value.as_str() {
                "true" => Value::Bool(true),
                "false" | "" => Value::Bool(false),
                other => return Err(format!("input `{name}`: `{other}` is not a boolean")),
            },
            "number" => serde_json::from_str::<serde_json::Number>(&value)
                .map(Value::Number)
                .map_err(|_| format!("input `{name}`: `{value}` is not a number"))?,
            other => return Err(format!("input `{name}`: type `{other}` is not rehearsed")),
        };
        inputs.insert(name, typed);
    }
    Ok(Value::Object(inputs))
}

/// The legs of a matrix job and how many may run at once. Only `fail-fast: false` and
/// `include`-only matrices are rehearsed (the orchestrator emits exactly that).
fn expand_strategy(
    strategy: &serde_yaml::Value,
    scope: &Scope,
) -> Result<(Vec<Value>, usize), String> {
    for key in strategy
        .as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, _)| text(k))
    {
        if !["fail-fast", "max-parallel", "matrix"].contains(&key.as_str()) {
            return Err(format!("`{key}` is not rehearsed"));
        }
    }
    // GitHub's default is fail-fast: true, which cancels the other legs.
    let fail_fast = match strategy.get("fail-fast") {
        None => true,
        Some(v) => truthy(&yaml_value(v, scope)?),
    };
    if fail_fast {
        return Err("fail-fast: true (cancelling the other legs) is not rehearsed".into());
    }
    let matrix = yaml_value(&strategy["matrix"], scope)?;
    let Some(object) = matrix.as_object() else {
        return Err(format!("the matrix is not an object: {matrix}"));
    };
    if let Some(key) = object.keys().find(|k| *k != "include") {
        return Err(format!(
            "matrix key `{key}` (a cross product) is not rehearsed"
        ));
    }
    let legs: Vec<Value> = object
        .get("include")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(leg) = legs.iter().find(|l| !l.is_object()) {
        return Err(format!("a matrix entry is not an object: {leg}"));
    }
    let max_parallel = match strategy.get("max-parallel") {
        None => legs.len().max(1),
        Some(v) => {
            let value = yaml_value(v, scope)?;
            // Checked positive and whole just below; a matrix is never that large.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let max_parallel = value
                .as_f64()
                .filter(|n| *n >= 1.0 && n.fract() == 0.0)
                .ok_or_else(|| format!("max-parallel is not a positive whole number: {value}"))?
                as usize;
            max_parallel
        }
    };
    Ok((legs, max_parallel))
}

/// A YAML value with its expressions evaluated: a string may hold `${{ }}`, a boolean or a
/// number is itself.
fn yaml_value(value: &serde_yaml::Value, scope: &Scope) -> Result<Value, String> {
    match value {
        serde_yaml::Value::String(template) => interpolate(template, scope),
        other => serde_json::to_value(other).map_err(|e| e.to_string()),
    }
}

/// A job's `concurrency`: never cancelled, and a different group for every leg. GitHub keeps
/// only the newest waiting run of a group, so two legs of one run in one group would
/// cancel each other.
fn check_concurrency(
    job: &serde_yaml::Value,
    legs: &[Value],
    scope: &Scope,
) -> Result<Vec<Option<String>>, String> {
    let Some(concurrency) = job.get("concurrency") else {
        return Ok(legs.iter().map(|_| None).collect());
    };
    let (group, cancel) = match concurrency {
        serde_yaml::Value::String(group) => (group.clone(), Value::Bool(false)),
        mapping => (
            text(&mapping["group"]),
            match mapping.get("cancel-in-progress") {
                Some(v) => yaml_value(v, scope)?,
                None => Value::Bool(false),
            },
        ),
    };
    if truthy(&cancel) {
        return Err("cancel-in-progress: true is not rehearsed".into());
    }
    let mut seen = BTreeMap::new();
    let mut groups = Vec::new();
    for leg in legs {
        let scope = scope.clone().with("matrix", leg.clone(), 1);
        let name = interpolate_text(&group, &scope)?;
        if let Some(other) = seen.insert(name.clone(), leg.clone()) {
            return Err(format!("legs {other} and {leg} share the group `{name}`"));
        }
        groups.push(Some(name));
    }
    Ok(groups)
}

/// Runs `leg` for every matrix entry, at most `limit` at a time, results in entry order.
fn parallel(
    matrices: &[Value],
    limit: usize,
    leg: impl Fn(usize, &Value) -> Result<LegRun, String> + Sync,
) -> Result<Vec<LegRun>, String> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<LegRun, String>>>> =
        Mutex::new(matrices.iter().map(|_| None).collect());
    std::thread::scope(|threads| {
        for _ in 0..limit.min(matrices.len()) {
            threads.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(matrix) = matrices.get(i) else {
                    break;
                };
                let done = leg(i, matrix);
                results.lock().unwrap()[i] = Some(done);
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every leg ran"))
        .collect()
}
