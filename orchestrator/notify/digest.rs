//! A run report read once for people: what failed and why, what was held back, what drifted.
//! Slack messages and the GitHub job summary are both written from a `Digest`.

use std::collections::BTreeMap;

use super::error_lines;
use crate::report::{ChangeCounts, JobReport, Outcome, RunReport, Status, WaveReport, WaveStatus};

/// How many error lines a failure carries; enough to read terraform's summary line, its
/// `with`/`on` location and the provider's message.
pub const ERROR_LINES: usize = 8;

/// Which accounts a reader cares about: everything (the platform team) or one domain's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    All,
    Domain(&'a str),
}

impl Scope<'_> {
    pub fn includes(&self, job: &JobReport) -> bool {
        match self {
            Scope::All => true,
            Scope::Domain(d) => job.domain == *d,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Digest<'a> {
    pub report: &'a RunReport,
    pub scope: Scope<'a>,
    /// The jobs in scope, in report order.
    pub jobs: Vec<&'a JobReport>,
    pub failures: Vec<Failure<'a>>,
    /// Jobs of waves that never started because an earlier wave failed beyond its tolerance.
    pub held_back: Vec<&'a JobReport>,
    /// Jobs cancelled, or skipped for another reason (`--fail-fast`).
    pub not_finished: Vec<&'a JobReport>,
    pub drift: Vec<Drift<'a>>,
    /// The first wave whose failures exceeded its tolerance (whole run, not only this scope).
    pub halted_wave: Option<&'a WaveReport>,
}

/// One failed job: the layer that failed and its first meaningful error lines.
#[derive(Debug, Clone)]
pub struct Failure<'a> {
    pub job: &'a JobReport,
    /// `None` when the job failed before any layer ran (credentials, for instance).
    pub layer: Option<&'a str>,
    /// Why, in one word, when the runner said (`timeout`, ...).
    pub reason: Option<&'a str>,
    pub lines: Vec<String>,
    pub attempts: usize,
}

/// One account whose plan has changes.
#[derive(Debug, Clone)]
pub struct Drift<'a> {
    pub job: &'a JobReport,
    pub layers: Vec<&'a str>,
    /// Summed over its layers; `None` when no layer recorded counts.
    pub changes: Option<ChangeCounts>,
}

impl<'a> Digest<'a> {
    pub fn new(report: &'a RunReport, scope: Scope<'a>) -> Self {
        let jobs: Vec<&JobReport> = report.jobs.iter().filter(|j| scope.includes(j)).collect();
        let halted_wave = halted_wave(report);
        let halted_index = halted_wave.and_then(|w| wave_index(report, &w.name));
        let held = |job: &JobReport| {
            job.status == Status::Skipped
                && halted_index.is_some_and(|h| wave_index(report, &job.wave).is_none_or(|i| i > h))
        };
        let failures = jobs
            .iter()
            .filter(|j| j.status.is_failure())
            .map(|j| failure(j))
            .collect();
        let held_back = jobs.iter().copied().filter(|j| held(j)).collect();
        let not_finished = jobs
            .iter()
            .copied()
            .filter(|j| j.status == Status::Cancelled || (j.status == Status::Skipped && !held(j)))
            .collect();
        let drift = jobs
            .iter()
            .filter(|j| j.status == Status::Changes)
            .map(|j| drift(j))
            .collect();
        Self {
            report,
            scope,
            jobs,
            failures,
            held_back,
            not_finished,
            drift,
            halted_wave,
        }
    }

    /// The outcome as this scope sees it: the run's own for everything; for one domain,
    /// what happened to its accounts (a domain whose accounts all succeeded is `Succeeded`
    /// even when another domain failed).
    pub fn outcome(&self) -> Outcome {
        if self.scope == Scope::All {
            return self.report.outcome;
        }
        if !self.held_back.is_empty() {
            Outcome::Halted
        } else if !self.failures.is_empty() {
            if self.report.outcome == Outcome::Halted {
                Outcome::Halted
            } else {
                Outcome::Failed
            }
        } else if !self.not_finished.is_empty() {
            Outcome::Cancelled
        } else if !self.drift.is_empty() {
            Outcome::Drifted
        } else {
            Outcome::Succeeded
        }
    }

    /// How many jobs in scope ended with each status.
    pub fn counts(&self) -> BTreeMap<Status, usize> {
        let mut counts = BTreeMap::new();
        for job in &self.jobs {
            *counts.entry(job.status).or_insert(0) += 1;
        }
        counts
    }

    /// Waves (in run order) where a job in scope failed.
    pub fn failed_waves(&self) -> Vec<&'a str> {
        let mut waves: Vec<&str> = Vec::new();
        for f in &self.failures {
            if !waves.contains(&f.job.wave.as_str()) {
                waves.push(&f.job.wave);
            }
        }
        waves.sort_by_key(|w| wave_index(self.report, w).unwrap_or(usize::MAX));
        waves
    }

    /// The drift of every account in scope, summed.
    pub fn drift_total(&self) -> ChangeCounts {
        self.drift.iter().filter_map(|d| d.changes).sum()
    }

    /// Wave names after `halted_wave` whose jobs were held back, in order.
    pub fn held_back_waves(&self) -> Vec<&'a str> {
        let mut waves: Vec<&str> = Vec::new();
        for j in &self.held_back {
            if !waves.contains(&j.wave.as_str()) {
                waves.push(&j.wave);
            }
        }
        waves
    }
}

pub fn wave_index(report: &RunReport, wave: &str) -> Option<usize> {
    report.waves.iter().position(|w| w.name == wave)
}

/// The wave that held the later ones back: the last wave that ran before the first wave
/// held back (the rules' decision, as recorded); for older reports, the first wave whose
/// failures exceeded its tolerance.
fn halted_wave(report: &RunReport) -> Option<&WaveReport> {
    let first_held = report
        .waves
        .iter()
        .position(|w| w.status == WaveStatus::Skipped && w.reason.is_some());
    first_held
        .and_then(|i| {
            report.waves[..i]
                .iter()
                .rev()
                .find(|w| matches!(w.status, WaveStatus::Failed | WaveStatus::Cancelled))
        })
        .or_else(|| {
            report
                .waves
                .iter()
                .find(|w| w.failures > w.failure_tolerance)
        })
        .or_else(|| {
            (report.outcome == Outcome::Halted)
                .then(|| report.waves.iter().find(|w| w.failures > 0))
                .flatten()
        })
}

fn failure(job: &JobReport) -> Failure<'_> {
    let layer = job.layers.iter().find(|l| l.status.is_failure());
    let mut lines = layer
        .map(|l| error_lines::shown(&l.error, ERROR_LINES))
        .unwrap_or_default();
    if lines.is_empty() {
        if let Some(last) = layer.and_then(|l| l.attempts.last()) {
            lines = error_lines::shown(&last.error, ERROR_LINES);
        }
    }
    let reason = layer
        .and_then(|l| l.reason.as_deref())
        .or(job.reason.as_deref());
    if lines.is_empty() {
        lines.push(match reason {
            Some(r) => r.to_string(),
            None => "failed without error output (see the layer's log)".to_string(),
        });
    }
    Failure {
        job,
        layer: layer.map(|l| l.layer.as_str()),
        reason,
        lines,
        attempts: layer.map_or(0, |l| l.attempts.len()),
    }
}

fn drift(job: &JobReport) -> Drift<'_> {
    let layers: Vec<_> = job
        .layers
        .iter()
        .filter(|l| l.status == Status::Changes)
        .collect();
    let counted: Vec<ChangeCounts> = layers.iter().filter_map(|l| l.changes).collect();
    Drift {
        job,
        layers: layers.iter().map(|l| l.layer.as_str()).collect(),
        changes: (!counted.is_empty()).then(|| counted.into_iter().sum()),
    }
}
