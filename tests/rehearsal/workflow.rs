//! A workflow file as the rehearsal reads it: jobs in `needs` order, and every key of a job
//! or step checked against the ones the rehearsal knows how to honour (or may ignore, with
//! the reason), so a workflow that grows a `continue-on-error` or a `container` fails here
//! instead of being rehearsed as something it is not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

/// Job keys the rehearsal honours, and those it may ignore because they change nothing in
/// what runs locally (the runner image, the time limit, the token's permissions, which
/// are checked by tests/workflows.rs, and the environment's reviewers).
/// `uses`, `with` and `secrets` call a reusable workflow (tests/rehearsal/runner.rs).
const JOB_KEYS: [&str; 15] = [
    "name",
    "needs",
    "if",
    "env",
    "outputs",
    "steps",
    "strategy",
    "concurrency",
    "runs-on",
    "timeout-minutes",
    "permissions",
    "environment",
    "uses",
    "with",
    "secrets",
];

const STEP_KEYS: [&str; 7] = ["name", "id", "if", "env", "run", "uses", "with"];

pub struct Workflow {
    pub file: PathBuf,
    pub doc: Value,
}

impl Workflow {
    pub fn read(repo: &Path, name: &str) -> Self {
        let file = repo.join(".github/workflows").join(name);
        let doc = serde_yaml::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        Self { file, doc }
    }

    pub fn job(&self, id: &str) -> &Value {
        &self.doc["jobs"][id]
    }

    /// Job ids, each after every job it needs (file order among equals).
    pub fn jobs_in_needs_order(&self) -> Result<Vec<String>, String> {
        let jobs = self.doc["jobs"]
            .as_mapping()
            .ok_or("the workflow has no jobs")?;
        let ids: Vec<String> = jobs.keys().map(text).collect();
        let mut ordered: Vec<String> = Vec::new();
        while ordered.len() < ids.len() {
            let ready = ids.iter().find(|id| {
                !ordered.contains(id) && needs(self.job(id)).iter().all(|n| ordered.contains(n))
            });
            match ready {
                Some(id) => ordered.push(id.clone()),
                None => return Err("the jobs' `needs` form a cycle or name a missing job".into()),
            }
        }
        Ok(ordered)
    }

    /// Every job this one needs, directly or through others.
    pub fn ancestors(&self, id: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut pending = needs(self.job(id));
        while let Some(next) = pending.pop() {
            if found.insert(next.clone()) {
                pending.extend(needs(self.job(&next)));
            }
        }
        found
    }
}

pub fn needs(job: &Value) -> Vec<String> {
    match &job["needs"] {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items.iter().map(text).collect(),
        _ => Vec::new(),
    }
}

pub fn steps(job: &Value) -> &[Value] {
    job["steps"].as_sequence().map_or(&[], Vec::as_slice)
}

pub fn check_job_keys(job: &Value) -> Result<(), String> {
    check_keys(job, &JOB_KEYS, "job")
}

pub fn check_step_keys(step: &Value) -> Result<(), String> {
    check_keys(step, &STEP_KEYS, "step")
}

/// Workflow keys. `defaults` must name exactly `run: shell: bash`: run steps are rehearsed as
/// GitHub runs that shell (`bash --noprofile --norc -eo pipefail`, tests/rehearsal/leg.rs),
/// and a workflow without it runs on GitHub as `bash -e`, without pipefail, which the
/// rehearsal would not reproduce.
pub fn check_workflow_keys(doc: &Value) -> Result<(), String> {
    check_keys(
        doc,
        &[
            "name",
            "run-name",
            "on",
            "permissions",
            "concurrency",
            "defaults",
            "env",
            "jobs",
        ],
        "workflow",
    )?;
    let defaults = &doc["defaults"];
    let shell_only = defaults.as_mapping().is_some_and(|m| m.len() == 1)
        && defaults["run"].as_mapping().is_some_and(|m| m.len() == 1)
        && text(&defaults["run"]["shell"]) == "bash";
    if !shell_only {
        return Err(
            "`defaults: run: shell: bash` (and nothing else in `defaults`) is what the rehearsal runs run steps as; without it GitHub runs them without pipefail".into(),
        );
    }
    Ok(())
}

fn check_keys(value: &Value, known: &[&str], what: &str) -> Result<(), String> {
    for key in value
        .as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, _)| text(k))
    {
        if !known.contains(&key.as_str()) {
            return Err(format!(
                "the {what} key `{key}` is not rehearsed; teach tests/rehearsal what it does"
            ));
        }
    }
    Ok(())
}

/// A scalar as GitHub reads it into a string (`overwrite: true` is "true").
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => serde_yaml::to_string(other).unwrap(),
    }
}

/// A mapping's entries as (key, value text), in file order.
pub fn entries(value: &Value) -> Vec<(String, String)> {
    value
        .as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, v)| (text(k), text(v)))
        .collect()
}
