//! `report merge`: the per-job run reports uploaded by matrix legs become one run report, as
//! if one `run` had deployed every account, so `notify`, `gate` and the job summary work the
//! same for a matrix deploy as for a local run.
//!
//! Rules: every job of every report is kept; an account in two reports keeps the job of the
//! report that finished later (a re-run leg), with a warning; waves, their failure counts
//! and the outcome are recomputed from the jobs; paths inside the reports (logs, plan JSONs)
//! are rewritten to stay valid next to the merged report.

use std::path::{Component, Path, PathBuf};

use super::build::not_run_layers;
use super::{
    read_report, JobReport, LayerReport, Mode, Outcome, ReportError, RunReport, Source, Status,
    WaveReport, WaveStatus, REPORT_VERSION,
};
use crate::config::{Account, Config};
use crate::events::NotRunReason;
use crate::rules::{self, RunFacts, WaveTally};
use crate::workdir::normalise;

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("{}: cannot list the directory: {source}", path.display())]
    List {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a run report (no `run_id` and `jobs`); pass run report files or directories holding them", path.display())]
    NotAReport { path: PathBuf },
    #[error("no run report found in {}; each matrix leg uploads its report as an artifact", .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    Empty(Vec<PathBuf>),
}

/// A run report and where it was read from.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub report: RunReport,
}

#[derive(Debug, Clone)]
pub struct Merged {
    pub report: RunReport,
    /// Duplicates, disagreements, skipped files: printed, never fatal.
    pub warnings: Vec<String>,
}

/// Reads the run reports among `inputs`: files as given, directories searched recursively
/// (sorted) for `*.json`. In a directory, JSON that is not a run report (a saved plan) is
/// skipped; a file named on the command line must be one. Any unreadable file is an error.
/// `exclude` (the merged report itself) is never read.
pub fn collect(
    inputs: &[PathBuf],
    exclude: Option<&Path>,
) -> Result<(Vec<Input>, Vec<String>), MergeError> {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    let excluded = exclude.and_then(|p| std::path::absolute(p).ok());
    for input in inputs {
        if input.is_dir() {
            let mut files = Vec::new();
            walk(input, &mut files)?;
            files.sort();
            for path in files {
                if excluded.is_some() && std::path::absolute(&path).ok() == excluded {
                    continue;
                }
                match read_candidate(&path)? {
                    Some(report) => found.push(Input { path, report }),
                    None => notes.push(format!("{}: not a run report, skipped", path.display())),
                }
            }
        } else {
            match read_candidate(input)? {
                Some(report) => found.push(Input {
                    path: input.clone(),
                    report,
                }),
                None => {
                    return Err(MergeError::NotAReport {
                        path: input.clone(),
                    })
                }
            }
        }
    }
    Ok((found, notes))
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), MergeError> {
    let list = |source| MergeError::List {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(list)? {
        let path = entry.map_err(list)?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    Ok(())
}

/// `Ok(None)` for JSON that is clearly something else; an error for a broken run report.
fn read_candidate(path: &Path) -> Result<Option<RunReport>, MergeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.into(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| ReportError::Parse {
            path: path.into(),
            source,
        })?;
    let looks_like_report = value.get("run_id").is_some() && value.get("jobs").is_some();
    if !looks_like_report {
        return Ok(None);
    }
    // Read again through the one reader, so the error is the usual one.
    Ok(Some(read_report(path)?))
}

/// What the merged report stands for when no report arrived at all.
#[derive(Debug, Clone, Default)]
pub struct Fallback {
    pub run_id: String,
    pub mode: Option<Mode>,
    pub config: String,
    pub source: Option<Source>,
    /// RFC 3339, now.
    pub now: String,
}

/// Merges `inputs` into one report meant to be written at `out`. With `config`, the accounts
/// of waves that never started because an earlier wave failed beyond its tolerance are added
/// as `skipped` (held back), and waves and tolerances come from the config. Every account of
/// `expected` (the plan of legs) that no input holds is added as `lost` (a failure), or as
/// held back after a wave that held the later ones back. `inputs` may be empty only with
/// `expected`: then `fallback` says what the report stands for.
pub fn merge(
    mut inputs: Vec<Input>,
    out: &Path,
    config: Option<&Config>,
    expected: &[&Account],
    fallback: &Fallback,
) -> Merged {
    let mut warnings = Vec::new();
    // "Later" is the report that finished later; equal times keep the input order.
    inputs.sort_by(|a, b| a.report.finished_at.cmp(&b.report.finished_at));
    let out_dir = absolute_dir(out);

    let mut jobs: Vec<(JobReport, usize)> = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let from_dir = absolute_dir(&input.path);
        for job in &input.report.jobs {
            let mut job = job.clone();
            for layer in &mut job.layers {
                rebase(layer, &from_dir, &out_dir);
            }
            match jobs.iter_mut().find(|(j, _)| j.account == job.account) {
                Some(slot) => {
                    warnings.push(format!(
                        "account {} is in {} and {}; keeping the one from {} (finished later)",
                        job.account,
                        inputs[slot.1].path.display(),
                        input.path.display(),
                        input.path.display()
                    ));
                    *slot = (job, index);
                }
                None => jobs.push((job, index)),
            }
        }
    }
    let mut jobs: Vec<JobReport> = jobs.into_iter().map(|(j, _)| j).collect();

    let mut waves = wave_list(&inputs, &jobs, config, &mut warnings);
    for account in expected {
        if !waves.iter().any(|w| w.name == account.wave) {
            waves.push(WaveReport {
                name: account.wave.clone(),
                status: WaveStatus::Empty,
                failure_tolerance: 0,
                failures: 0,
                reason: None,
            });
        }
    }
    let cancelled = inputs
        .iter()
        .any(|i| i.report.outcome == Outcome::Cancelled);
    add_lost(&mut jobs, &mut waves, expected, cancelled);
    // Jobs in wave order, report order within a wave (the sort is stable).
    jobs.sort_by_key(|j| {
        waves
            .iter()
            .position(|w| w.name == j.wave)
            .unwrap_or(usize::MAX)
    });
    let held_back = recount(&mut waves, &jobs, cancelled);
    if let Some(config) = config {
        add_held_back(&mut jobs, &held_back, config);
    }

    let modes: Vec<Mode> = inputs.iter().map(|i| i.report.mode).collect();
    let mode = if modes.is_empty() {
        fallback.mode.unwrap_or(Mode::Apply)
    } else if modes.iter().all(|m| *m == Mode::Plan) {
        Mode::Plan
    } else {
        if modes.contains(&Mode::Plan) {
            warnings.push(
                "plan-only and apply reports were merged; the merged report is an apply report"
                    .into(),
            );
        }
        Mode::Apply
    };
    let facts = RunFacts {
        mode,
        abandoned: cancelled,
        held_back: waves
            .iter()
            .any(|w| w.status == WaveStatus::Skipped && w.reason.is_some()),
    };
    let outcome = rules::run_outcome(facts, jobs.iter().map(|j| j.status));

    let earliest = inputs
        .iter()
        .min_by(|a, b| a.report.started_at.cmp(&b.report.started_at));
    let Some(earliest) = earliest else {
        // No leg left a report: every expected account is lost (or held back).
        return Merged {
            report: RunReport {
                version: REPORT_VERSION,
                run_id: fallback.run_id.clone(),
                mode,
                outcome,
                started_at: fallback.now.clone(),
                finished_at: fallback.now.clone(),
                duration_ms: 0,
                config: fallback.config.clone(),
                source: fallback.source.clone(),
                action: Default::default(),
                stack: None,
                resumed_from: None,
                waves,
                jobs,
            },
            warnings,
        };
    };
    let started_at = earliest.report.started_at.clone();
    let finished_at = inputs
        .iter()
        .map(|i| i.report.finished_at.clone())
        .max()
        .unwrap_or_default();
    let duration_ms = match (
        humantime::parse_rfc3339_weak(&started_at),
        humantime::parse_rfc3339_weak(&finished_at),
    ) {
        (Ok(a), Ok(b)) => b
            .duration_since(a)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        _ => inputs
            .iter()
            .map(|i| i.report.duration_ms)
            .max()
            .unwrap_or(0),
    };
    let source = inputs
        .iter()
        .filter_map(|i| i.report.source.clone())
        .reduce(|a, b| Source {
            repository: a.repository.or(b.repository),
            commit: a.commit.or(b.commit),
            run_url: a.run_url.or(b.run_url),
            server_url: a.server_url.or(b.server_url),
        });
    Merged {
        report: RunReport {
            version: REPORT_VERSION,
            run_id: earliest.report.run_id.clone(),
            mode,
            outcome,
            started_at,
            finished_at,
            duration_ms,
            config: earliest.report.config.clone(),
            source,
            action: earliest.report.action,
            stack: earliest.report.stack.clone(),
            resumed_from: earliest.report.resumed_from.clone(),
            waves,
            jobs,
        },
        warnings,
    }
}

/// Waves in run order with their tolerances: the config's when given, else every wave the
/// reports list (first mention wins), then any wave only a job names.
fn wave_list(
    inputs: &[Input],
    jobs: &[JobReport],
    config: Option<&Config>,
    warnings: &mut Vec<String>,
) -> Vec<WaveReport> {
    let blank = |name: &str, failure_tolerance: u32| WaveReport {
        name: name.to_string(),
        status: WaveStatus::Empty,
        failure_tolerance,
        failures: 0,
        reason: None,
    };
    let mut waves: Vec<WaveReport> = match config {
        Some(c) => c
            .waves
            .iter()
            .map(|w| blank(&w.name, w.failure_tolerance))
            .collect(),
        None => Vec::new(),
    };
    for wave in inputs.iter().flat_map(|i| &i.report.waves) {
        match waves.iter().find(|w| w.name == wave.name) {
            Some(known)
                if known.failure_tolerance != wave.failure_tolerance && config.is_none() =>
            {
                warnings.push(format!(
                    "wave {} has failure_tolerance {} in one report and {} in another; using {}",
                    wave.name,
                    known.failure_tolerance,
                    wave.failure_tolerance,
                    known.failure_tolerance
                ));
            }
            Some(_) => {}
            None => waves.push(blank(&wave.name, wave.failure_tolerance)),
        }
    }
    for job in jobs {
        if !waves.iter().any(|w| w.name == job.wave) {
            waves.push(blank(&job.wave, 0));
        }
    }
    waves
}

/// Failures, status and reason of every wave, from its jobs, in order, by the same rules as
/// a local run: once a wave holds the next back, every later wave whose jobs never ran says
/// why. `interrupted`: a leg's run was stopped by Ctrl-C or SIGTERM (a cancelled leg).
/// Returns the waves held back and why.
fn recount(
    waves: &mut [WaveReport],
    jobs: &[JobReport],
    interrupted: bool,
) -> Vec<(String, NotRunReason)> {
    let mut halted_by: Option<NotRunReason> = None;
    let mut held_back = Vec::new();
    for wave in waves.iter_mut() {
        let in_wave: Vec<&JobReport> = jobs.iter().filter(|j| j.wave == wave.name).collect();
        let tally = WaveTally::of(in_wave.iter().map(|j| j.status));
        wave.failures = tally.failed;
        wave.reason = None;
        match &halted_by {
            Some(why) if in_wave.iter().all(|j| j.status == why.status()) => {
                wave.status = match why.status() {
                    Status::Cancelled => WaveStatus::Cancelled,
                    _ => WaveStatus::Skipped,
                };
                wave.reason = Some(why.to_string());
                held_back.push((wave.name.clone(), why.clone()));
            }
            _ => wave.status = rules::wave_status(tally),
        }
        if halted_by.is_none() && !in_wave.is_empty() {
            // A wave with cancelled jobs in a stopped run was cut short by the interruption.
            let interrupted_here = interrupted && tally.cancelled > 0;
            halted_by =
                rules::hold_back(&wave.name, tally, wave.failure_tolerance, interrupted_here);
        }
    }
    held_back
}

/// Expected accounts without a job, wave by wave: `lost` while no earlier wave held the
/// later ones back (lost jobs count as failures, so they can hold back a wave themselves),
/// else not run for that wave's reason.
fn add_lost(
    jobs: &mut Vec<JobReport>,
    waves: &mut [WaveReport],
    expected: &[&Account],
    interrupted: bool,
) {
    if expected.is_empty() {
        return;
    }
    let mut present: std::collections::HashSet<String> =
        jobs.iter().map(|j| j.account.clone()).collect();
    for index in 0..waves.len() {
        let held_back = recount(waves, jobs, interrupted);
        let wave = waves[index].name.clone();
        let why = held_back
            .into_iter()
            .find(|(w, _)| *w == wave)
            .map_or(NotRunReason::NoReport, |(_, why)| why);
        for account in expected.iter().filter(|a| a.wave == wave) {
            if present.insert(account.name.clone()) {
                jobs.push(not_run(account, &why));
            }
        }
    }
}

/// The job of an account that never ran (or sent nothing), for `why`.
fn not_run(account: &Account, why: &NotRunReason) -> JobReport {
    JobReport {
        account: account.name.clone(),
        domain: account.domain.clone(),
        environment: account.environment.clone(),
        wave: account.wave.clone(),
        account_id: account.account_id.clone(),
        region: account.region.clone(),
        status: why.status(),
        reason: Some(why.to_string()),
        duration_ms: 0,
        layers: not_run_layers(&account.layers, why),
    }
}

/// Matrix legs of a held-back wave never ran, so they uploaded nothing: their accounts come
/// from the config, every layer with the status and words of why.
fn add_held_back(jobs: &mut Vec<JobReport>, held_back: &[(String, NotRunReason)], config: &Config) {
    for (wave, why) in held_back {
        for account in config.accounts.iter().filter(|a| &a.wave == wave) {
            if jobs.iter().any(|j| j.account == account.name) {
                continue;
            }
            jobs.push(not_run(account, why));
        }
    }
}

/// The directory a file is in, absolute (the file need not exist).
fn absolute_dir(file: &Path) -> PathBuf {
    let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    abs.parent().map(Path::to_path_buf).unwrap_or(abs)
}

fn rebase(layer: &mut LayerReport, from: &Path, to: &Path) {
    for path in [&mut layer.log, &mut layer.plan_json].into_iter().flatten() {
        if Path::new(path.as_str()).is_relative() {
            *path = relative(&normalise(&from.join(&*path)), &normalise(to))
                .to_string_lossy()
                .into_owned();
        }
    }
}

/// `target` relative to directory `base` (both absolute and normalised).
fn relative(target: &Path, base: &Path) -> PathBuf {
    let t: Vec<Component<'_>> = target.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_out_of_the_base() {
        assert_eq!(
            relative(Path::new("/a/legs/x/logs/p.log"), Path::new("/a/out")),
            PathBuf::from("../legs/x/logs/p.log")
        );
        assert_eq!(
            relative(Path::new("/a/out/p.json"), Path::new("/a/out")),
            PathBuf::from("p.json")
        );
    }
}
