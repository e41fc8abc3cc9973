//! What a rehearsed run did: each job's result and outputs, each matrix leg's steps with
//! their logs, and each leg's job summary.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

/// GitHub's words for a job's or step's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    Success,
    Failure,
    Skipped,
    Cancelled,
}

impl Conclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Success => "success",
            Conclusion::Failure => "failure",
            Conclusion::Skipped => "skipped",
            Conclusion::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug)]
pub struct StepRun {
    pub name: String,
    pub conclusion: Conclusion,
    /// stdout then stderr (or what the action did).
    pub log: String,
    pub outputs: BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct LegRun {
    /// The job's `name:` for this leg, e.g. `stage (catalog-dev)`.
    pub title: String,
    pub matrix: Value,
    pub steps: Vec<StepRun>,
    /// Everything the steps appended to `$GITHUB_STEP_SUMMARY`.
    pub summary: String,
    pub conclusion: Conclusion,
    pub outputs: BTreeMap<String, String>,
    /// The leg's concurrency group, when its job has one.
    pub concurrency: Option<String>,
}

impl LegRun {
    pub fn step(&self, name: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("{} has no step `{name}`", self.title))
    }
}

#[derive(Debug)]
pub struct JobRun {
    pub result: Conclusion,
    pub outputs: BTreeMap<String, String>,
    pub legs: Vec<LegRun>,
}

impl JobRun {
    /// The only leg of a job without a matrix.
    pub fn single(&self) -> &LegRun {
        assert_eq!(self.legs.len(), 1, "the job ran {} legs", self.legs.len());
        &self.legs[0]
    }
}

#[derive(Debug, Default)]
pub struct Run {
    pub jobs: BTreeMap<String, JobRun>,
    /// Job ids in the order they ran.
    pub order: Vec<String>,
}

impl Run {
    pub fn job(&self, id: &str) -> &JobRun {
        self.jobs
            .get(id)
            .unwrap_or_else(|| panic!("no job `{id}` in the run"))
    }

    /// Every step's log, as a reader of the Actions page would scroll through it: for
    /// assertion messages.
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        for id in &self.order {
            let job = &self.jobs[id];
            let _ = writeln!(out, "=== job {id}: {}", job.result.as_str());
            for leg in &job.legs {
                let _ = writeln!(out, "--- {}: {}", leg.title, leg.conclusion.as_str());
                for step in &leg.steps {
                    let _ = writeln!(out, "> {} [{}]", step.name, step.conclusion.as_str());
                    for line in step.log.lines() {
                        let _ = writeln!(out, "  {line}");
                    }
                }
            }
        }
        out
    }
}

/// The chunk jobs of one wave (`<wave>-1`, `<wave>-2`, ...) seen as one: GitHub runs a wave
/// of more than 256 accounts as several matrix jobs.
pub struct Wave<'a> {
    pub chunks: Vec<&'a JobRun>,
}

impl<'a> Wave<'a> {
    /// Every leg of every chunk job.
    pub fn legs(&self) -> impl Iterator<Item = &'a LegRun> + '_ {
        self.chunks.iter().flat_map(|c| c.legs.iter())
    }

    /// The leg whose `matrix.name` is `name`, in whichever chunk.
    pub fn leg(&self, name: &str) -> &'a LegRun {
        self.legs()
            .find(|l| l.matrix["name"] == name)
            .unwrap_or_else(|| panic!("no matrix leg `{name}`"))
    }

    /// The `matrix.name` of every leg, sorted.
    pub fn leg_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .legs()
            .filter_map(|l| l.matrix["name"].as_str().map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// Failure if a chunk failed; skipped if every chunk was; cancelled if one was; else
    /// success.
    pub fn result(&self) -> Conclusion {
        let any = |c: Conclusion| self.chunks.iter().any(|j| j.result == c);
        if any(Conclusion::Failure) {
            Conclusion::Failure
        } else if any(Conclusion::Cancelled) {
            Conclusion::Cancelled
        } else if self.chunks.iter().all(|j| j.result == Conclusion::Skipped) {
            Conclusion::Skipped
        } else {
            Conclusion::Success
        }
    }
}

impl Run {
    /// The chunk jobs `<wave>-<n>` of a wave, in order (at least one must exist).
    pub fn wave(&self, wave: &str) -> Wave<'_> {
        let chunks: Vec<&JobRun> = (1..)
            .map_while(|n| self.jobs.get(&format!("{wave}-{n}")))
            .collect();
        assert!(!chunks.is_empty(), "no chunk job `{wave}-1` in the run");
        Wave { chunks }
    }
}
