//! `--resume REPORT`: the accounts a run report left failed, cancelled, lost or held back,
//! checked against today's config, as a plan selection that keeps each account's layers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::config::Config;
use crate::plan::Selection;
use crate::report::{Mode, ResumedFrom, RunReport, Status};

/// Why the report cannot be resumed with this config: bad input (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error(
        "{report}: the report of `orchestrator vend`, not of a roll-out; run `{vend}` again \
         instead (the latest roll-out's report is under the work dir's runs/)"
    )]
    Vend { report: String, vend: String },
    #[error("{report}: a {was} run; resume it {with} (a resume does what the run set out to do)")]
    ModeDiffers {
        report: String,
        was: &'static str,
        with: &'static str,
    },
    #[error(
        "{report}: cannot resume: the config changed since that run, so which accounts it \
         left undone is ambiguous:\n{}\nrevert those changes, or deploy the accounts by name \
         (`orchestrator deploy --accounts ...`)",
        problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
    )]
    ConfigChanged {
        report: String,
        problems: Vec<String>,
    },
}

/// One account the resume deploys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumed {
    pub account: String,
    pub wave: String,
    pub layers: Vec<String>,
    /// What the report says happened to it: `failed`, `held back`, `cancelled`, ...
    pub was: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumePlan {
    pub from: ResumedFrom,
    /// The report's outcome word (`halted`, `failed`, ...).
    pub outcome: String,
    /// In the config's wave order.
    pub accounts: Vec<Resumed>,
    /// Accounts the report shows done: not touched.
    pub untouched: usize,
    /// Accounts of the config the report does not mention (added since, or not selected
    /// then): not deployed, but named so nobody is surprised.
    pub not_in_report: Vec<String>,
    /// Accounts the report left undone that `--accounts` (a matrix leg) leaves to others.
    pub not_selected: Vec<String>,
}

impl ResumePlan {
    /// Reads `report` against `config`; `report_shown` names it in messages.
    pub fn new(
        report: &RunReport,
        report_shown: &str,
        config: &Config,
        mode: Mode,
    ) -> Result<Self, ResumeError> {
        if report.action == crate::report::RunAction::Vend {
            return Err(ResumeError::Vend {
                report: report_shown.into(),
                vend: crate::workdir::command_hint(&config.path, "vend"),
            });
        }
        if report.mode != mode {
            let (was, with) = match report.mode {
                Mode::Plan => ("plan-only", "with --plan-only"),
                Mode::Apply => ("deploy", "without --plan-only"),
            };
            return Err(ResumeError::ModeDiffers {
                report: report_shown.into(),
                was,
                with,
            });
        }
        let mut problems = Vec::new();
        let mut chosen: BTreeMap<&str, (&str, Vec<String>, String)> = BTreeMap::new();
        for job in report.unfinished_jobs() {
            let Some(account) = config.accounts.iter().find(|a| a.name == job.account) else {
                problems.push(format!(
                    "{} ({}) is no longer in the config",
                    job.account,
                    was(report, job)
                ));
                continue;
            };
            if account.wave != job.wave {
                problems.push(format!(
                    "{} moved from wave {} to wave {}",
                    job.account, job.wave, account.wave
                ));
            }
            let layers: Vec<String> = job.layers.iter().map(|l| l.layer.clone()).collect();
            for layer in layers.iter().filter(|l| !account.layers.contains(l)) {
                problems.push(format!(
                    "{}: layer {layer} is no longer one of its layers ({})",
                    job.account,
                    account.layers.join(", ")
                ));
            }
            chosen.insert(&job.account, (&account.wave, layers, was(report, job)));
        }
        let reported_waves: BTreeSet<&str> = report.waves.iter().map(|w| w.name.as_str()).collect();
        for wave in reported_waves.iter().filter(|w| config.wave(w).is_none()) {
            problems.push(format!("wave {wave} is no longer in the config"));
        }
        if !problems.is_empty() {
            return Err(ResumeError::ConfigChanged {
                report: report_shown.into(),
                problems,
            });
        }
        // The config's order: waves in order, accounts in file order within a wave.
        let mut accounts = Vec::new();
        for wave in &config.waves {
            for account in config.accounts.iter().filter(|a| a.wave == wave.name) {
                if let Some((_, layers, was)) = chosen.get(account.name.as_str()) {
                    // The config's layer order, restricted to the layers the run had.
                    let layers = account
                        .layers
                        .iter()
                        .filter(|l| layers.contains(l))
                        .cloned()
                        .collect();
                    accounts.push(Resumed {
                        account: account.name.clone(),
                        wave: wave.name.clone(),
                        layers,
                        was: was.clone(),
                    });
                }
            }
        }
        let in_report: BTreeSet<&str> = report.jobs.iter().map(|j| j.account.as_str()).collect();
        let not_in_report = config
            .accounts
            .iter()
            .filter(|a| !in_report.contains(a.name.as_str()))
            .map(|a| a.name.clone())
            .collect();
        Ok(Self {
            from: ResumedFrom {
                run_id: report.run_id.clone(),
                report: report_shown.into(),
            },
            outcome: report.outcome.word().to_string(),
            untouched: report.jobs.len() - report.unfinished_jobs().count(),
            accounts,
            not_in_report,
            not_selected: Vec::new(),
        })
    }

    /// Exactly the resumed (account, layers) pairs.
    pub fn selection(&self) -> Selection {
        Selection {
            accounts: self.accounts.iter().map(|a| a.account.clone()).collect(),
            changed: Some(
                self.accounts
                    .iter()
                    .map(|a| (a.account.clone(), a.layers.iter().cloned().collect()))
                    .collect(),
            ),
            ..Selection::default()
        }
    }

    /// Narrowed to these accounts (a matrix leg's `--accounts`).
    pub fn only(&mut self, names: &[String]) {
        let (kept, left): (Vec<Resumed>, Vec<Resumed>) = std::mem::take(&mut self.accounts)
            .into_iter()
            .partition(|a| names.contains(&a.account));
        self.accounts = kept;
        self.not_selected = left.into_iter().map(|a| a.account).collect();
    }

    /// What the resume will do, printed before anything starts.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Resuming run {} ({}, report {}):",
            self.from.run_id, self.outcome, self.from.report
        );
        if self.accounts.is_empty() {
            let _ = writeln!(
                out,
                "  nothing to resume: every account of that run is done"
            );
        }
        let width = self
            .accounts
            .iter()
            .map(|a| a.account.len())
            .max()
            .unwrap_or(0);
        let was_width = self.accounts.iter().map(|a| a.was.len()).max().unwrap_or(0);
        let mut wave: Option<&str> = None;
        for a in &self.accounts {
            if wave != Some(a.wave.as_str()) {
                let n = self.accounts.iter().filter(|b| b.wave == a.wave).count();
                let _ = writeln!(
                    out,
                    "  wave {}: {}",
                    a.wave,
                    crate::notify::format::count(n, "account", "accounts")
                );
                wave = Some(&a.wave);
            }
            let _ = writeln!(
                out,
                "    {:<width$}  {:<was_width$}  {}",
                a.account,
                a.was,
                a.layers.join(", ")
            );
        }
        let _ = writeln!(
            out,
            "  not touched: {} the report shows done",
            crate::notify::format::count(self.untouched, "account", "accounts")
        );
        if !self.not_selected.is_empty() {
            let _ = writeln!(
                out,
                "  not selected by --accounts: {} left undone ({})",
                crate::notify::format::count(self.not_selected.len(), "account", "accounts"),
                names(&self.not_selected, 8)
            );
        }
        if !self.not_in_report.is_empty() {
            let _ = writeln!(
                out,
                "  not deployed: {} not in that report ({})",
                crate::notify::format::count(self.not_in_report.len(), "account", "accounts"),
                names(&self.not_in_report, 8)
            );
        }
        out
    }
}

/// What the report says happened to the job, in the words of the terminal summary.
fn was(report: &RunReport, job: &crate::report::JobReport) -> String {
    let held_back = job.status == Status::Skipped
        && report
            .waves
            .iter()
            .any(|w| w.name == job.wave && w.status == crate::report::WaveStatus::Skipped);
    if held_back {
        "held back".into()
    } else {
        job.status.word().to_string()
    }
}

fn names(names: &[String], shown: usize) -> String {
    if names.len() <= shown {
        names.join(", ")
    } else {
        format!(
            "{}, and {} more",
            names[..shown].join(", "),
            names.len() - shown
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::*;

    const CONFIG: &str = "version: 1
defaults: { region: eu-west-1, credentials: none, layers: [platform, static], layers_dir: layers,
  state: { backend: local, path: 's/{layer}/{account}.tfstate' } }
waves:
  - { name: stage, environments: [dev, stage] }
  - { name: prod, environments: [prod] }
domains:
  - name: catalog
    team: catalog
    environments:
      stage: { account_id: '100000000002' }
      prod: { account_id: '100000000003' }
  - name: payments
    team: payments
    environments:
      stage: { account_id: '100000000012' }
      prod: { account_id: '100000000013' }
";

    fn config(text: &str) -> Config {
        let dir = tempfile::tempdir().unwrap();
        for layer in ["platform", "static"] {
            std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
            std::fs::write(dir.path().join("layers").join(layer).join("main.tf"), "").unwrap();
        }
        let path = dir.path().join("domains.yaml");
        std::fs::write(&path, text).unwrap();
        let config = crate::config::load(&path).unwrap();
        std::mem::forget(dir);
        config
    }

    fn job(account: &str, wave: &str, status: Status) -> JobReport {
        let (domain, environment) = account.split_once('-').unwrap();
        JobReport {
            account: account.into(),
            domain: domain.into(),
            environment: environment.into(),
            wave: wave.into(),
            account_id: "100000000002".into(),
            region: "eu-west-1".into(),
            status,
            reason: None,
            duration_ms: 0,
            layers: ["platform", "static"]
                .iter()
                .map(|l| LayerReport {
                    layer: (*l).into(),
                    status,
                    reason: None,
                    duration_ms: 0,
                    attempts: Vec::new(),
                    error: Vec::new(),
                    changes: None,
                    plan_json: None,
                    log: None,
                    health_checks: Vec::new(),
                    recovery: None,
                })
                .collect(),
        }
    }

    fn halted() -> RunReport {
        let wave = |name: &str, status| WaveReport {
            name: name.into(),
            status,
            failure_tolerance: 0,
            failures: 0,
            reason: None,
        };
        RunReport {
            version: REPORT_VERSION,
            run_id: "local-1".into(),
            mode: Mode::Apply,
            outcome: Outcome::Halted,
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: "2026-01-01T00:01:00Z".into(),
            duration_ms: 60_000,
            config: "domains.yaml".into(),
            source: None,
            action: Default::default(),
            stack: None,
            resumed_from: None,
            waves: vec![
                wave("stage", WaveStatus::Failed),
                wave("prod", WaveStatus::Skipped),
            ],
            jobs: vec![
                job("catalog-stage", "stage", Status::Succeeded),
                job("payments-stage", "stage", Status::Failed),
                job("catalog-prod", "prod", Status::Skipped),
                job("payments-prod", "prod", Status::Skipped),
            ],
        }
    }

    #[test]
    fn a_halted_run_resumes_the_failed_and_the_held_back_in_wave_order() {
        let plan = ResumePlan::new(&halted(), "r.json", &config(CONFIG), Mode::Apply).unwrap();
        let names: Vec<&str> = plan.accounts.iter().map(|a| a.account.as_str()).collect();
        assert_eq!(names, ["payments-stage", "catalog-prod", "payments-prod"]);
        assert_eq!(plan.untouched, 1);
        insta::assert_snapshot!(plan.render());
        let selection = plan.selection();
        assert_eq!(selection.accounts.len(), 3);
    }

    /// A matrix leg's `--accounts`: the undone accounts it leaves to other legs are named.
    #[test]
    fn a_leg_names_the_undone_accounts_it_leaves_to_others() {
        let mut plan = ResumePlan::new(&halted(), "r.json", &config(CONFIG), Mode::Apply).unwrap();
        plan.only(&["catalog-prod".to_string()]);
        let names: Vec<&str> = plan.accounts.iter().map(|a| a.account.as_str()).collect();
        assert_eq!(names, ["catalog-prod"]);
        assert!(
            plan.render().contains(
                "  not selected by --accounts: 2 accounts left undone (payments-stage, payments-prod)"
            ),
            "{}",
            plan.render()
        );
    }

    #[test]
    fn a_removed_account_or_layer_makes_the_report_ambiguous() {
        let changed = CONFIG
            .replace("layers: [platform, static]", "layers: [platform]")
            .replace("      prod: { account_id: '100000000013' }\n", "");
        let err = ResumePlan::new(&halted(), "r.json", &config(&changed), Mode::Apply)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("payments-prod (held back) is no longer in the config"),
            "{err}"
        );
        assert!(
            err.contains("payments-stage: layer static is no longer one of its layers"),
            "{err}"
        );
        assert!(err.contains("r.json: cannot resume"), "{err}");
    }

    #[test]
    fn a_plan_only_report_resumes_only_as_plan_only() {
        let err = ResumePlan::new(&halted(), "r.json", &config(CONFIG), Mode::Plan)
            .unwrap_err()
            .to_string();
        assert!(err.contains("resume it without --plan-only"), "{err}");
    }
}
