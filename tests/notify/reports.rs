//! A small builder of run reports shaped like the runner's (report/model.rs), with fixed
//! times and durations so snapshots are stable.

use std::path::{Path, PathBuf};

use orchestrator::events::AttemptOutcome;
use orchestrator::report::{
    Attempt, ChangeCounts, JobReport, LayerReport, Mode, Outcome, RunReport, Status, WaveReport,
    WaveStatus, REPORT_VERSION,
};

pub const LAYERS: [&str; 3] = ["platform", "static", "dynamic"];

/// The error lines the runner records for terraform's real shape of a failed apply
/// (colours, a warning frame, then the error frame): reduced by the one reducer.
pub fn terraform_error(summary: &str, detail: &str) -> Vec<String> {
    let output: Vec<String> = vec![
        "\u{1b}[0m\u{1b}[1mterraform_data.deploy: Creating...\u{1b}[0m".to_string(),
        "╷".into(),
        "│ \u{1b}[1m\u{1b}[33mWarning: \u{1b}[0m\u{1b}[0m\u{1b}[1mUnable to open CLI configuration file".into(),
        "│ ".into(),
        "│ The CLI configuration file at \"/nonexistent\" does not exist.".into(),
        "╵".into(),
        "╷".into(),
        format!("│ \u{1b}[31mError: \u{1b}[0m\u{1b}[0m\u{1b}[1m{summary}\u{1b}[0m"),
        "│ ".into(),
        "│   with terraform_data.deploy,".into(),
        "│   on main.tf line 20, in resource \"terraform_data\" \"deploy\":".into(),
        "│ ".into(),
        format!("│ {detail}"),
        "╵".into(),
    ];
    orchestrator::terraform::error_lines(&output.join("\n"))
}

pub struct ReportBuilder {
    report: RunReport,
    tolerance: [u32; 2],
}

impl ReportBuilder {
    pub fn new() -> Self {
        Self {
            report: RunReport {
                version: REPORT_VERSION,
                run_id: "20250501T100000Z-4f2a".into(),
                mode: Mode::Apply,
                outcome: Outcome::Succeeded,
                started_at: "2025-05-01T10:00:00Z".into(),
                finished_at: "2025-05-01T10:04:12Z".into(),
                duration_ms: 252_000,
                config: "domains.yaml".into(),
                source: None,
                action: Default::default(),
                stack: None,
                resumed_from: None,
                waves: Vec::new(),
                jobs: Vec::new(),
            },
            tolerance: [0, 0],
        }
    }

    /// The config the run named (`--config`), as the report records it.
    pub fn config(mut self, path: &str) -> Self {
        self.report.config = path.into();
        self
    }

    pub fn plan_only(mut self) -> Self {
        self.report.mode = Mode::Plan;
        self
    }

    pub fn run_id(mut self, id: &str) -> Self {
        self.report.run_id = id.into();
        self
    }

    pub fn finished_at(mut self, at: &str) -> Self {
        self.report.finished_at = at.into();
        self
    }

    pub fn stage_tolerance(mut self, n: u32) -> Self {
        self.tolerance[0] = n;
        self
    }

    fn push(mut self, account: &str, status: Status, layers: Vec<LayerReport>) -> Self {
        let (domain, env) = account
            .rsplit_once('-')
            .expect("accounts are <domain>-<env>");
        let n = self.report.jobs.len() as u64;
        self.report.jobs.push(JobReport {
            account: account.into(),
            domain: domain.into(),
            environment: env.into(),
            wave: if env == "prod" { "prod" } else { "stage" }.into(),
            account_id: format!("{:012}", 100_000_000_000 + n),
            region: "eu-west-1".into(),
            status,
            reason: None,
            duration_ms: layers.iter().map(|l| l.duration_ms).sum(),
            layers,
        });
        self
    }

    pub fn succeeded(self, account: &str) -> Self {
        let layers = LAYERS
            .iter()
            .map(|l| layer(l, Status::Succeeded, 1))
            .collect();
        self.push(account, Status::Succeeded, layers)
    }

    pub fn no_changes(self, account: &str) -> Self {
        let layers = LAYERS
            .iter()
            .map(|l| layer(l, Status::NoChanges, 1))
            .collect();
        self.push(account, Status::NoChanges, layers)
    }

    /// `failed_layer` fails after `attempts` attempts with terraform output `error`; the
    /// layers before it succeeded, the ones after are skipped.
    pub fn failed(
        self,
        account: &str,
        failed_layer: &str,
        attempts: u32,
        error: Vec<String>,
    ) -> Self {
        let mut seen = false;
        let mut layers = Vec::new();
        for name in LAYERS
            .iter()
            .copied()
            .chain((!LAYERS.contains(&failed_layer)).then_some(failed_layer))
        {
            if seen {
                let mut l = layer(name, Status::Skipped, 0);
                l.reason = Some(format!("layer {failed_layer} failed"));
                layers.push(l);
            } else if name == failed_layer {
                seen = true;
                let mut l = layer(name, Status::Failed, attempts);
                l.error = error.clone();
                if let Some(last) = l.attempts.last_mut() {
                    last.outcome = AttemptOutcome::Failed;
                    last.exit_code = Some(1);
                    last.error = error.clone();
                }
                l.log = Some(format!("logs/{account}/{name}.log"));
                layers.push(l);
            } else {
                layers.push(layer(name, Status::Succeeded, 1));
            }
        }
        self.push(account, Status::Failed, layers)
    }

    /// Held back: its wave never started.
    pub fn held_back(self, account: &str) -> Self {
        let layers = LAYERS
            .iter()
            .map(|l| {
                let mut l = layer(l, Status::Skipped, 0);
                l.reason = Some("wave stage had 1 failed job (tolerance 0)".into());
                l
            })
            .collect();
        let mut b = self.push(account, Status::Skipped, layers);
        b.report.jobs.last_mut().unwrap().reason =
            Some("wave stage had 1 failed job (tolerance 0)".into());
        b
    }

    /// Plan-only: `changes` per layer (add, change, destroy); other layers have none.
    pub fn drifted(self, account: &str, changes: &[(&str, u32, u32, u32)]) -> Self {
        let layers = LAYERS
            .iter()
            .map(|name| match changes.iter().find(|c| c.0 == *name) {
                Some(&(_, add, change, destroy)) => {
                    let mut l = layer(name, Status::Changes, 1);
                    l.changes = Some(ChangeCounts {
                        add,
                        change,
                        destroy,
                    });
                    l.plan_json = Some(format!("plans/{account}/{name}.json"));
                    l
                }
                None => {
                    let mut l = layer(name, Status::NoChanges, 1);
                    l.changes = Some(ChangeCounts::default());
                    l
                }
            })
            .collect();
        self.push(account, Status::Changes, layers)
    }

    pub fn build(mut self) -> RunReport {
        let mut halted = false;
        for (i, name) in ["stage", "prod"].iter().enumerate() {
            let jobs: Vec<&JobReport> = self
                .report
                .jobs
                .iter()
                .filter(|j| j.wave == *name)
                .collect();
            let failures =
                u32::try_from(jobs.iter().filter(|j| j.status == Status::Failed).count()).unwrap();
            let all_skipped = !jobs.is_empty() && jobs.iter().all(|j| j.status == Status::Skipped);
            let (status, reason) = if halted && all_skipped {
                (
                    WaveStatus::Skipped,
                    Some("wave stage failed beyond its tolerance".to_string()),
                )
            } else if jobs.is_empty() {
                (WaveStatus::Empty, None)
            } else if failures > 0 {
                (WaveStatus::Failed, None)
            } else {
                (WaveStatus::Succeeded, None)
            };
            if failures > self.tolerance[i] {
                halted = true;
            }
            self.report.waves.push(WaveReport {
                name: name.to_string(),
                status,
                failure_tolerance: self.tolerance[i],
                failures,
                reason,
            });
        }
        let any = |s: Status| self.report.jobs.iter().any(|j| j.status == s);
        self.report.outcome = if self
            .report
            .waves
            .iter()
            .any(|w| w.status == WaveStatus::Skipped)
        {
            Outcome::Halted
        } else if any(Status::Failed) {
            Outcome::Failed
        } else if any(Status::Changes) {
            Outcome::Drifted
        } else {
            Outcome::Succeeded
        };
        self.report
    }

    pub fn write(self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, serde_json::to_vec_pretty(&self.build()).unwrap()).unwrap();
        path
    }
}

fn layer(name: &str, status: Status, attempts: u32) -> LayerReport {
    let attempts: Vec<Attempt> = (1..=attempts)
        .map(|n| Attempt {
            number: n,
            duration_ms: 20_000,
            outcome: if n < attempts {
                AttemptOutcome::Transient
            } else {
                AttemptOutcome::Succeeded
            },
            exit_code: Some(if n < attempts { 1 } else { 0 }),
            error: Vec::new(),
        })
        .collect();
    LayerReport {
        layer: name.into(),
        status,
        reason: None,
        duration_ms: attempts.iter().map(|a| a.duration_ms).sum(),
        attempts,
        error: Vec::new(),
        changes: None,
        plan_json: None,
        log: None,
        health_checks: Vec::new(),
        recovery: None,
    }
}
