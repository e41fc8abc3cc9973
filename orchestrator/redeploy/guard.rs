//! `deploy` of a later-wave account runs that account only: the waves before it are not run.
//! When the run reports kept in the work dir show that a same-domain account of an earlier
//! wave failed or was held back (and no later report shows it done), deploying it would
//! push to prod what stage rejected: refused unless `--force`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::config::Config;
use crate::plan::Plan;
use crate::report::{Mode, RunReport, Status};

/// A run report read from the work dir.
pub struct PreviousReport {
    pub path: PathBuf,
    pub report: RunReport,
}

/// One reason not to deploy `account`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub account: String,
    /// The same domain's account of an earlier wave.
    pub earlier: String,
    pub earlier_wave: String,
    /// `failed`, `held back`, `cancelled`, ...
    pub was: String,
    pub report: PathBuf,
}

/// `deploy: catalog-prod is in wave prod; the earlier wave stage is not run by this command`
/// for every selected job whose wave has waves before it, unless this command also runs every
/// same-domain account of those waves (they go first, with the gates); `None` when none is.
pub fn earlier_waves_note(config: &Config, plan: &Plan) -> Option<String> {
    let selected: BTreeSet<&str> = plan.jobs().map(|j| j.account.name.as_str()).collect();
    let mut lines = Vec::new();
    for wave in plan.waves.iter().filter(|w| !w.jobs.is_empty()) {
        let position = config.waves.iter().position(|w| w.name == wave.name)?;
        if position == 0 {
            continue;
        }
        let earlier: Vec<&str> = config.waves[..position]
            .iter()
            .map(|w| w.name.as_str())
            .collect();
        let accounts: Vec<&str> = wave
            .jobs
            .iter()
            .filter(|j| {
                earlier_accounts(config, &j.account.domain, position)
                    .any(|a| !selected.contains(a.name.as_str()))
            })
            .map(|j| j.account.name.as_str())
            .collect();
        if accounts.is_empty() {
            continue;
        }
        lines.push(format!(
            "note: {} {} in wave {}; {} {} not run by this command",
            accounts.join(", "),
            if accounts.len() == 1 { "is" } else { "are" },
            wave.name,
            if earlier.len() == 1 {
                format!("the earlier wave {}", earlier[0])
            } else {
                format!("the earlier waves {}", earlier.join(", "))
            },
            if earlier.len() == 1 { "is" } else { "are" },
        ));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The accounts of `domain` in the waves before the one at `position`.
fn earlier_accounts<'a>(
    config: &'a Config,
    domain: &'a str,
    position: usize,
) -> impl Iterator<Item = &'a crate::config::Account> + 'a {
    config.accounts.iter().filter(move |a| {
        a.domain == domain
            && config
                .waves
                .iter()
                .position(|w| w.name == a.wave)
                .is_some_and(|i| i < position)
    })
}

/// For each selected later-wave account, the same domain's earlier-wave accounts whose
/// latest deploy report (by start time) shows them failed, cancelled, lost or held back.
pub fn find_blockers(config: &Config, plan: &Plan, reports: &[PreviousReport]) -> Vec<Blocker> {
    let wave_index = |name: &str| config.waves.iter().position(|w| w.name == name);
    let mut applied: Vec<&PreviousReport> = reports
        .iter()
        .filter(|r| r.report.mode == Mode::Apply)
        .collect();
    // Newest first: the latest word on an account is the one that counts.
    applied.sort_by(|a, b| b.report.started_at.cmp(&a.report.started_at));
    // An earlier-wave account this command also runs goes first, behind the wave's gate.
    let selected: BTreeSet<&str> = plan.jobs().map(|j| j.account.name.as_str()).collect();
    let mut blockers = Vec::new();
    for job in plan.jobs() {
        let Some(index) = wave_index(&job.account.wave) else {
            continue;
        };
        let earlier = earlier_accounts(config, &job.account.domain, index)
            .filter(|a| !selected.contains(a.name.as_str()));
        for account in earlier {
            let latest = applied.iter().find_map(|r| {
                r.report
                    .jobs
                    .iter()
                    .find(|j| j.account == account.name)
                    .map(|j| (*r, j))
            });
            let Some((previous, earlier_job)) = latest else {
                continue;
            };
            if crate::rules::job_done(earlier_job.status) {
                continue;
            }
            let held_back = earlier_job.status == Status::Skipped;
            blockers.push(Blocker {
                account: job.account.name.clone(),
                earlier: account.name.clone(),
                earlier_wave: account.wave.clone(),
                was: if held_back {
                    "held back".into()
                } else {
                    earlier_job.status.word().to_string()
                },
                report: previous.path.clone(),
            });
        }
    }
    blockers
}

/// What `deploy` of later-wave accounts says and does about the earlier waves it does not run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct EarlierWaves {
    /// That earlier waves are not run.
    pub note: Option<String>,
    /// `--force` deploys although an earlier wave is not done.
    pub warning: Option<String>,
    /// A kept run report shows the same domain's earlier-wave account undone: refused.
    pub refusal: Option<String>,
}

/// Reads the run reports kept in `work` (its `runs/` and the latest) and checks the plan's
/// later-wave accounts against them (never for a plan-only deploy, which changes nothing).
pub fn check_earlier_waves(
    config: &Config,
    plan: &Plan,
    work: &crate::workdir::WorkDir,
    force: bool,
    plan_only: bool,
) -> EarlierWaves {
    let Some(note) = earlier_waves_note(config, plan) else {
        return EarlierWaves::default();
    };
    let mut checked = EarlierWaves {
        note: Some(note),
        ..EarlierWaves::default()
    };
    if plan_only {
        return checked;
    }
    let mut paths = work.run_reports();
    paths.push(work.latest_report());
    let previous: Vec<PreviousReport> = paths
        .into_iter()
        .filter_map(|path| {
            crate::report::read_report(&path)
                .ok()
                .map(|report| PreviousReport { path, report })
        })
        .collect();
    let blockers = find_blockers(config, plan, &previous);
    if blockers.is_empty() {
        return checked;
    }
    let shown = crate::workdir::shown;
    let lines: Vec<String> = blockers
        .iter()
        .map(|b| {
            format!(
                "  {}: {} (wave {}, same domain) {} in {}",
                b.account,
                b.earlier,
                b.earlier_wave,
                b.was,
                shown(&b.report)
            )
        })
        .collect();
    if force {
        checked.warning = Some(format!(
            "warning: --force: deploying although an earlier wave is not done:\n{}",
            lines.join("\n")
        ));
        return checked;
    }
    let report = shown(&blockers[0].report);
    let rerun = |rest: &str| crate::workdir::command_hint(&config.path, rest);
    checked.refusal = Some(format!(
        "refusing to deploy: an earlier wave of the same domain is not done:\n{}\n\
         deploy it first (`{}`), finish that run (`{}`), or pass --force to deploy anyway",
        lines.join("\n"),
        rerun(&format!("deploy --accounts {}", blockers[0].earlier)),
        rerun(&format!("run --resume {report}")),
    ));
    checked
}
