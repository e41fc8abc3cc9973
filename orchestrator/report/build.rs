//! Builds the run report from the runner's events: the report is one more consumer of the
//! event stream, like the progress bars.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use super::model::*;
use crate::events::{Event, NotRunReason};
use crate::plan::Plan;
use crate::rules::{self, RunFacts, WaveTally};
use crate::workdir::normalise;

/// Everything the report says besides what the events tell.
#[derive(Debug, Clone)]
pub struct ReportContext {
    pub run_id: String,
    pub mode: Mode,
    pub config: String,
    pub source: Option<Source>,
    /// Where the report will be written: logs and plan JSONs are recorded relative to it.
    pub report_path: PathBuf,
    pub action: RunAction,
    /// `--stack NAME`: the copy the run worked on.
    pub stack: Option<String>,
    pub resumed_from: Option<ResumedFrom>,
}

pub struct ReportBuilder {
    context: ReportContext,
    started_at: SystemTime,
    waves: Vec<WaveReport>,
    jobs: Vec<JobReport>,
    index: HashMap<String, usize>,
    interrupted: bool,
    duration_ms: Option<u64>,
}

impl ReportBuilder {
    /// Every job of the plan is in the report from the start, so a job the events never
    /// mention (a run stopped before it) still has an outcome.
    pub fn new(context: ReportContext, plan: &Plan, started_at: SystemTime) -> Self {
        let mut jobs = Vec::new();
        let mut index = HashMap::new();
        for job in plan.jobs() {
            let a = &job.account;
            index.insert(a.name.clone(), jobs.len());
            jobs.push(JobReport {
                account: a.name.clone(),
                domain: a.domain.clone(),
                environment: a.environment.clone(),
                wave: a.wave.clone(),
                account_id: a.account_id.clone(),
                region: a.region.clone(),
                status: NotRunReason::RunEnded.status(),
                reason: Some(NotRunReason::RunEnded.to_string()),
                duration_ms: 0,
                layers: not_run_layers(&job.layers, &NotRunReason::RunEnded),
            });
        }
        let waves = plan
            .waves
            .iter()
            .map(|w| WaveReport {
                name: w.name.clone(),
                status: if w.jobs.is_empty() {
                    WaveStatus::Empty
                } else {
                    WaveStatus::Cancelled
                },
                failure_tolerance: w.failure_tolerance,
                failures: 0,
                reason: None,
            })
            .collect();
        Self {
            context,
            started_at,
            waves,
            jobs,
            index,
            interrupted: false,
            duration_ms: None,
        }
    }

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::JobStarted {
                account, layers, ..
            } => {
                if let Some(job) = self.job(account) {
                    job.layers = layers
                        .iter()
                        .map(|l| {
                            LayerReport::not_run(
                                l,
                                NotRunReason::Interrupted.status(),
                                &NotRunReason::Interrupted.to_string(),
                            )
                        })
                        .collect();
                }
            }
            Event::LayerFinished {
                account,
                report,
                log,
                plan_json,
            } => {
                let base = self.report_dir();
                let mut report = report.clone();
                report.log = log.as_deref().map(|p| relative(p, &base));
                report.plan_json = plan_json.as_deref().map(|p| relative(p, &base));
                if let Some(job) = self.job(account) {
                    match job.layers.iter_mut().find(|l| l.layer == report.layer) {
                        Some(slot) => *slot = report,
                        None => job.layers.push(report),
                    }
                }
            }
            Event::JobFinished {
                account,
                status,
                reason,
                duration,
                ..
            } => {
                if let Some(job) = self.job(account) {
                    job.status = *status;
                    job.reason = reason.clone();
                    job.duration_ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
                }
            }
            Event::JobNotRun {
                account,
                layers,
                reason,
                ..
            } => {
                self.not_run(account, layers, reason);
            }
            Event::WaveFinished {
                wave,
                status,
                failures,
                reason,
            } => {
                if let Some(w) = self.waves.iter_mut().find(|w| &w.name == wave) {
                    w.status = *status;
                    w.failures = *failures;
                    w.reason = reason.as_ref().map(ToString::to_string);
                }
            }
            Event::RunFinished {
                interrupted,
                duration,
            } => {
                self.interrupted |= *interrupted;
                self.duration_ms = Some(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX));
            }
            Event::RunStarted { .. }
            | Event::WaveStarted { .. }
            | Event::Step { .. }
            | Event::AttemptFinished { .. }
            // A layer's health checks arrive in its `LayerFinished` report.
            | Event::HealthCheckStarted { .. }
            | Event::HealthCheckFinished { .. } => {}
        }
    }

    /// The report as it stands; callable at any time (a report is written even when the
    /// run was stopped half-way).
    pub fn report(&self, finished_at: SystemTime) -> RunReport {
        let duration_ms = self.duration_ms.unwrap_or_else(|| {
            let elapsed = finished_at
                .duration_since(self.started_at)
                .unwrap_or_default();
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        });
        RunReport {
            version: REPORT_VERSION,
            run_id: self.context.run_id.clone(),
            mode: self.context.mode,
            outcome: self.outcome(),
            started_at: rfc3339(self.started_at),
            finished_at: rfc3339(finished_at),
            duration_ms,
            config: self.context.config.clone(),
            source: self.context.source.clone(),
            action: self.context.action,
            stack: self.context.stack.clone(),
            resumed_from: self.context.resumed_from.clone(),
            waves: self.waves.clone(),
            jobs: self.jobs.clone(),
        }
    }

    fn outcome(&self) -> Outcome {
        let facts = RunFacts {
            mode: self.context.mode,
            // No `RunFinished`: the run was abandoned half-way.
            abandoned: self.duration_ms.is_none(),
            held_back: self.waves.iter().any(|w| w.status == WaveStatus::Skipped),
        };
        rules::run_outcome(facts, self.jobs.iter().map(|j| j.status))
    }

    /// A job that never started: every layer with the status and words of `reason`.
    pub(super) fn not_run(&mut self, account: &str, layers: &[String], reason: &NotRunReason) {
        if let Some(job) = self.job(account) {
            job.status = reason.status();
            job.reason = Some(reason.to_string());
            job.duration_ms = 0;
            job.layers = not_run_layers(layers, reason);
        }
    }

    /// Every wave's status and failures from its jobs, with `reason` for each (a run that
    /// never started any job), and the run ended.
    pub(super) fn close_unstarted(&mut self, reason: &str, interrupted: bool) {
        for wave in &mut self.waves {
            let tally = WaveTally::of(
                self.jobs
                    .iter()
                    .filter(|j| j.wave == wave.name)
                    .map(|j| j.status),
            );
            wave.status = rules::wave_status(tally);
            wave.failures = tally.failed;
            if tally.jobs > 0 {
                wave.reason = Some(reason.to_string());
            }
        }
        self.interrupted |= interrupted;
        self.duration_ms = Some(0);
    }

    fn job(&mut self, account: &str) -> Option<&mut JobReport> {
        self.index.get(account).map(|&i| &mut self.jobs[i])
    }

    fn report_dir(&self) -> PathBuf {
        self.context
            .report_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// Every layer of a job that never started, with the status and words of `reason`.
pub(crate) fn not_run_layers(layers: &[String], reason: &NotRunReason) -> Vec<LayerReport> {
    let text = reason.to_string();
    layers
        .iter()
        .map(|l| LayerReport::not_run(l, reason.status(), &text))
        .collect()
}

pub(super) fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// `path` relative to `base` (both absolute, or both relative to the same directory), with
/// `/` separators; `path` unchanged when they share nothing. Both are normalised first
/// (`runs/<id>/../../plans` is `plans`): a run's own directory may not exist yet.
pub fn relative(path: &Path, base: &Path) -> String {
    let (path, base) = (normalise(path), normalise(base));
    let path_parts: Vec<Component<'_>> = path.components().collect();
    let base_parts: Vec<Component<'_>> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 && path.is_absolute() {
        return path.display().to_string();
    }
    let mut parts: Vec<String> = base_parts[common..]
        .iter()
        .map(|_| "..".to_string())
        .collect();
    parts.extend(
        path_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::plan::Selection;
    use std::time::Duration;

    const CONFIG: &str = r#"
version: 1
defaults:
  region: eu-west-1
  credentials: none
  layers: [platform, static]
  layers_dir: layers
  state: { backend: local, path: "state/{layer}/{account}.tfstate" }
waves:
  - { name: stage, environments: [stage] }
  - { name: prod, environments: [prod] }
domains:
  - name: catalog
    team: catalog
    environments:
      stage: { account_id: "100000000002" }
      prod:  { account_id: "100000000003" }
"#;

    fn plan() -> Plan {
        let dir = tempfile::tempdir().unwrap();
        for layer in ["platform", "static"] {
            std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
        }
        let config = config::from_str(&dir.path().join("domains.yaml"), CONFIG).unwrap();
        crate::plan::build(&config, &Selection::default()).unwrap()
    }

    fn builder(mode: Mode) -> ReportBuilder {
        let context = ReportContext {
            run_id: "local-1".into(),
            mode,
            config: "domains.yaml".into(),
            source: None,
            report_path: "/w/.orchestrator/report.json".into(),
            action: RunAction::Deploy,
            stack: None,
            resumed_from: None,
        };
        ReportBuilder::new(context, &plan(), SystemTime::UNIX_EPOCH)
    }

    fn layer(name: &str, status: Status) -> LayerReport {
        LayerReport {
            layer: name.into(),
            status,
            reason: None,
            duration_ms: 10,
            attempts: Vec::new(),
            error: Vec::new(),
            changes: None,
            plan_json: None,
            log: None,
            health_checks: Vec::new(),
            recovery: None,
        }
    }

    fn finished(builder: &mut ReportBuilder, account: &str, layers: &[(&str, Status)]) {
        let reports: Vec<LayerReport> = layers.iter().map(|(n, s)| layer(n, *s)).collect();
        for report in &reports {
            builder.apply(&Event::LayerFinished {
                account: account.into(),
                report: report.clone(),
                log: Some(format!("/w/.orchestrator/logs/{account}/{}.log", report.layer).into()),
                plan_json: None,
            });
        }
        builder.apply(&Event::JobFinished {
            wave: "stage".into(),
            account: account.into(),
            status: rules::job_status(&reports),
            reason: None,
            duration: Duration::from_secs(2),
        });
    }

    #[test]
    fn a_halted_run_reports_every_later_job_skipped_with_the_reason() {
        let mut b = builder(Mode::Apply);
        finished(
            &mut b,
            "catalog-stage",
            &[("platform", Status::Failed), ("static", Status::Skipped)],
        );
        let reason = "wave stage had 1 failed job, more than its failure_tolerance of 0";
        let held_back = NotRunReason::HeldBack {
            wave: "stage".into(),
            failed: 1,
            cancelled: 0,
            tolerance: 0,
        };
        b.apply(&Event::WaveFinished {
            wave: "stage".into(),
            status: WaveStatus::Failed,
            failures: 1,
            reason: None,
        });
        b.apply(&Event::JobNotRun {
            wave: "prod".into(),
            account: "catalog-prod".into(),
            layers: vec!["platform".into(), "static".into()],
            reason: held_back.clone(),
        });
        b.apply(&Event::WaveFinished {
            wave: "prod".into(),
            status: WaveStatus::Skipped,
            failures: 0,
            reason: Some(held_back),
        });
        b.apply(&Event::RunFinished {
            interrupted: false,
            duration: Duration::from_secs(3),
        });
        let report = b.report(SystemTime::UNIX_EPOCH + Duration::from_secs(3));
        assert_eq!(report.outcome, Outcome::Halted);
        assert_eq!(report.duration_ms, 3000);
        assert_eq!(report.started_at, "1970-01-01T00:00:00Z");
        let prod = &report.jobs[1];
        assert_eq!(prod.status, Status::Skipped);
        assert!(prod
            .layers
            .iter()
            .all(|l| l.status == Status::Skipped && l.reason.as_deref() == Some(reason)));
        let stage = &report.jobs[0];
        assert_eq!(stage.status, Status::Failed);
        assert_eq!(
            stage.layers[0].log.as_deref(),
            Some("logs/catalog-stage/platform.log")
        );
    }

    #[test]
    fn plan_only_changes_without_failure_are_drift() {
        let mut b = builder(Mode::Plan);
        finished(
            &mut b,
            "catalog-stage",
            &[("platform", Status::Changes), ("static", Status::NoChanges)],
        );
        finished(
            &mut b,
            "catalog-prod",
            &[
                ("platform", Status::NoChanges),
                ("static", Status::NoChanges),
            ],
        );
        b.apply(&Event::RunFinished {
            interrupted: false,
            duration: Duration::from_secs(1),
        });
        assert_eq!(b.report(SystemTime::UNIX_EPOCH).outcome, Outcome::Drifted);
    }

    #[test]
    fn an_interrupted_run_is_cancelled_and_unstarted_jobs_say_so() {
        let mut b = builder(Mode::Apply);
        finished(
            &mut b,
            "catalog-stage",
            &[
                ("platform", Status::Succeeded),
                ("static", Status::Cancelled),
            ],
        );
        let report = b.report(SystemTime::UNIX_EPOCH);
        assert_eq!(
            report.outcome,
            Outcome::Cancelled,
            "no RunFinished: abandoned"
        );
        assert_eq!(report.jobs[1].status, Status::Cancelled);
        b.apply(&Event::RunFinished {
            interrupted: true,
            duration: Duration::from_secs(1),
        });
        assert_eq!(b.report(SystemTime::UNIX_EPOCH).outcome, Outcome::Cancelled);
    }

    #[test]
    fn a_ctrl_c_after_every_job_finished_changes_nothing() {
        let mut b = builder(Mode::Apply);
        finished(
            &mut b,
            "catalog-stage",
            &[
                ("platform", Status::Succeeded),
                ("static", Status::Succeeded),
            ],
        );
        finished(
            &mut b,
            "catalog-prod",
            &[
                ("platform", Status::NoChanges),
                ("static", Status::NoChanges),
            ],
        );
        b.apply(&Event::RunFinished {
            interrupted: true,
            duration: Duration::from_secs(1),
        });
        assert_eq!(b.report(SystemTime::UNIX_EPOCH).outcome, Outcome::Succeeded);
    }

    #[test]
    fn paths_are_recorded_relative_to_the_report() {
        let base = Path::new("/w/.orchestrator");
        assert_eq!(
            relative(Path::new("/w/.orchestrator/logs/a/p.log"), base),
            "logs/a/p.log"
        );
        assert_eq!(
            relative(Path::new("/w/work/logs/a/p.log"), base),
            "../work/logs/a/p.log"
        );
    }
}
