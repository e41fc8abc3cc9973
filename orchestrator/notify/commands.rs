//! The commands a notification tells the operator to run once the cause is fixed: redeploy
//! one account, resume the roll-out. Each carries `--config` when the run's config is not the
//! default, so it works pasted where the run was started.

use std::path::PathBuf;

use crate::report::{Mode, Outcome, RunAction, RunReport};
use crate::workdir::{command_hint, shell_word};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextCommands {
    /// The config as the run named it (the report's `config`).
    config: PathBuf,
    /// The run report as the reader reaches it; without it there is nothing to resume from.
    report: Option<String>,
    /// `run --resume` of a plan-only run plans again.
    plan_only: bool,
    /// Accounts the run left failed, cancelled, lost or held back.
    unfinished: usize,
    finished_well: bool,
    /// A vend report: the one thing to run again is `vend`.
    vend: bool,
}

impl NextCommands {
    /// `report_path` as the reader should see it (already relative to where they stand).
    pub fn new(report: &RunReport, report_path: Option<&str>) -> Self {
        Self {
            config: PathBuf::from(&report.config),
            report: report_path.map(str::to_string),
            plan_only: report.mode == Mode::Plan,
            unfinished: report.unfinished_jobs().count(),
            finished_well: matches!(report.outcome, Outcome::Succeeded | Outcome::Drifted),
            vend: report.action == RunAction::Vend,
        }
    }

    /// `orchestrator [--config X] deploy --accounts <account>`; `vend` for the organisation's
    /// job of a vend report.
    pub fn redeploy(&self, account: &str) -> String {
        if self.vend {
            return command_hint(&self.config, "vend");
        }
        command_hint(&self.config, &format!("deploy --accounts {account}"))
    }

    /// `orchestrator [--config X] run --resume <report>`, when the run left accounts undone.
    pub fn resume(&self) -> Option<String> {
        // A vend is one job: running `vend` again is its resume (see `redeploy`).
        if self.vend || self.finished_well || self.unfinished == 0 {
            return None;
        }
        let report = self.report.as_deref()?;
        let plan_only = if self.plan_only { " --plan-only" } else { "" };
        Some(command_hint(
            &self.config,
            &format!("run --resume {}{plan_only}", shell_word(report)),
        ))
    }

    /// What `redeploy` does, as a title over its command: for a `failed` account, or one
    /// whose plan has changes.
    pub fn redeploy_title(&self, failed: bool) -> &'static str {
        match (self.vend, failed) {
            (true, true) => "Run account vending again",
            (true, false) => "Apply the account vending plan",
            (false, true) => "Redeploy one failed account",
            (false, false) => "Apply the code to one drifted account",
        }
    }

    /// Whether the redeploy workflow does what `redeploy` says (it deploys accounts; it
    /// does not vend).
    pub fn workflow_redeploys(&self) -> bool {
        !self.vend
    }

    /// How many accounts `resume` would run.
    pub fn unfinished(&self) -> usize {
        self.unfinished
    }
}
