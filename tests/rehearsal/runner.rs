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
        }
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
        let fail = |e: String| -> ! { panic!("{}: {e}", self.workflow.file.display()) };
        check_workflow_keys(&self.workflow.doc).unwrap_or_else(|e| fail(e));
        let workflow_env = evaluate_env(&self.workflow.doc["env"], &self.scope(None, ""))
            .unwrap_or_else(|e| fail(e));
        let mut run = Run::default();
        for id in self
            .workflow
            .jobs_in_needs_order()
            .unwrap_or_else(|e| fail(e))
        {
            let job = self
                .job(&id, &run, &workflow_env)
                .unwrap_or_else(|e| fail(format!("job `{id}`: {e}")));
            run.jobs.insert(id.clone(), job);
            run.order.push(id);
        }
        run
    }

    fn job(
        &self,
        id: &str,
        run: &Run,
        workflow_env: &BTreeMap<String, String>,
    ) -> Result<JobRun, String> {
        let job = self.workflow.job(id);
        check_job_keys(job)?;
        let declared: Vec<String> = entries(&job["outputs"])
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        if steps(job)
            .iter()
            .any(|s| s.get("uses").map(text).as_deref() == Some(BUILD_ACTION))
        {
            if !declared.is_empty() {
                return Err("the build job's outputs are not rehearsed".into());
            }
            return Ok(JobRun {
                result: Conclusion::Success,
                outputs: BTreeMap::new(),
                legs: Vec::new(),
            });
        }

        let mut needs_context = Map::new();
        for need in needs(job) {
            let done = run.job(&need);
            needs_context.insert(
                need,
                json!({"result": done.result.as_str(), "outputs": done.outputs}),
            );
        }
        let needs_context = Value::Object(needs_context);
        let ancestors = self.workflow.ancestors(id);
        let status = Status {
            success: ancestors
                .iter()
                .all(|a| run.job(a).result == Conclusion::Success),
            failure: ancestors
                .iter()
                .any(|a| run.job(a).result == Conclusion::Failure),
        };
        let scope = self.scope(None, id).with("needs", needs_context.clone(), 3);
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

        let (matrices, max_parallel) = match job.get("strategy") {
            Some(strategy) => {
                expand_strategy(strategy, &scope).map_err(|e| format!("strategy: {e}"))?
            }
            None => (vec![json!({})], 1),
        };
        check_concurrency(job, &matrices, &scope).map_err(|e| format!("concurrency: {e}"))?;
        let legs = parallel(&matrices, max_parallel, |index, matrix| {
            self.leg(&LegPlan {
                job_id: id,
                job,
                index,
                matrix: matrix.clone(),
                needs: &needs_context,
                workflow_env,
            })
        })?;

        if job.get("strategy").is_some() && !declared.is_empty() {
            return Err("outputs of a matrix job (the last leg wins) are not rehearsed".into());
        }
        let outputs = legs.first().map(|l| l.outputs.clone()).unwrap_or_default();
        // An empty matrix fails the job on GitHub.
        let failed = legs.is_empty() || legs.iter().any(|l| l.conclusion == Conclusion::Failure);
        Ok(JobRun {
            result: if failed {
                Conclusion::Failure
            } else {
                Conclusion::Success
            },
            outputs,
            legs,
        })
    }

    /// The contexts every expression may use; `github.workspace` only on a runner.
    pub(crate) fn scope(&self, workspace: Option<&Path>, job: &str) -> Scope {
        let mut github = json!({
            "repository": REPOSITORY,
            "server_url": SERVER_URL,
            "run_id": RUN_ID,
            "sha": SHA,
            "ref": "refs/heads/main",
            "event_name": self.event_name,
            "event": self.event,
            "job": job,
        });
        if let Some(workspace) = workspace {
            github["workspace"] = json!(workspace.display().to_string());
        }
        Scope::default()
            .with("github", github, 1)
            .with("inputs", json!({}), 1)
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
            ("GITHUB_REF", "refs/heads/main"),
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
fn check_concurrency(job: &serde_yaml::Value, legs: &[Value], scope: &Scope) -> Result<(), String> {
    let Some(concurrency) = job.get("concurrency") else {
        return Ok(());
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
    for leg in legs {
        let scope = scope.clone().with("matrix", leg.clone(), 1);
        let name = interpolate_text(&group, &scope)?;
        if let Some(other) = seen.insert(name.clone(), leg.clone()) {
            return Err(format!("legs {other} and {leg} share the group `{name}`"));
        }
    }
    Ok(())
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
