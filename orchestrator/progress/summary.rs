//! The summary that ends stdout: how the run ended, counts per status, what failed and why,
//! the slowest jobs, the wall time and where the run report is.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::describe;
use crate::report::{Mode, Outcome, RunReport, Status, WaveStatus};
use crate::workdir;

const SLOWEST: usize = 5;
/// Held-back accounts named before the rest are counted.
const HELD_BACK_NAMED: usize = 20;

/// Where the summary points: the run report (its logs are relative to it), the copy the
/// user asked for with `--report`, and the config (named in the printed resume command when
/// it is not the default).
pub struct SummaryPaths {
    /// The run's own report, `<work dir>/runs/<run id>/report.json`: never overwritten by a
    /// later run, so the resume command names it.
    pub report: PathBuf,
    /// `--report`'s copy: the file the user asked for, named first on the `Report:` line.
    pub requested: Option<PathBuf>,
    pub config: PathBuf,
    /// Report files that could not be written: never announced, never resumed from.
    pub unwritten: Vec<PathBuf>,
}

impl SummaryPaths {
    fn written(&self, path: &Path) -> bool {
        !self.unwritten.iter().any(|p| p == path)
    }

    /// The report a resume reads: the run's own, else `--report`'s copy; `None` when
    /// neither could be written.
    fn resumable(&self) -> Option<&Path> {
        std::iter::once(&self.report)
            .chain(&self.requested)
            .find(|p| self.written(p))
            .map(PathBuf::as_path)
    }
}

pub fn render(report: &RunReport, paths: &SummaryPaths) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    render_from(report, paths, &cwd)
}

/// The summary with every path shown as it opens from `cwd`.
pub fn render_from(report: &RunReport, paths: &SummaryPaths, cwd: &Path) -> String {
    let report_dir = paths.report.parent().unwrap_or(Path::new(""));
    let shown = |p: &Path| workdir::shown_from(&cwd.join(p), cwd);
    let mut out = String::new();
    let outcome = report.outcome.word();
    let waves = report
        .waves
        .iter()
        .filter(|w| w.status != WaveStatus::Empty)
        .count();
    let _ = writeln!(
        out,
        "Run {outcome} in {}: {} in {}",
        describe::millis(report.duration_ms),
        describe::count(report.jobs.len(), "job"),
        describe::count(waves, "wave")
    );
    if let Some(from) = &report.resumed_from {
        let _ = writeln!(out, "  resumed from run {} ({})", from.run_id, from.report);
    }
    for wave in &report.waves {
        if let Some(reason) = &wave.reason {
            let _ = writeln!(
                out,
                "  wave {} {}: {reason}",
                wave.name,
                describe::wave_status(wave.status)
            );
        }
    }
    let _ = writeln!(
        out,
        "  jobs:   {}",
        counts(report.jobs.iter().map(|j| j.status))
    );
    let _ = writeln!(
        out,
        "  layers: {}",
        counts(
            report
                .jobs
                .iter()
                .flat_map(|j| j.layers.iter().map(|l| l.status))
        )
    );
    if report.mode == Mode::Plan {
        let destroying: Vec<String> = report
            .jobs
            .iter()
            .filter_map(|j| {
                let n: u32 = j
                    .layers
                    .iter()
                    .filter_map(|l| l.changes.map(|c| c.destroy))
                    .sum();
                (n > 0).then(|| format!("{} ({n})", j.account))
            })
            .collect();
        if !destroying.is_empty() {
            let _ = writeln!(
                out,
                "  plans that destroy (resources): {}",
                destroying.join(", ")
            );
        }
    }
    let failed: Vec<_> = report.failed_jobs().collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "Failed:");
        for job in failed {
            let _ = writeln!(
                out,
                "  {} ({})",
                job.account,
                job.reason.as_deref().unwrap_or("failed")
            );
            for layer in job.layers.iter().filter(|l| l.status == Status::Failed) {
                for line in layer.error.iter().take(3) {
                    let _ = writeln!(out, "    {line}");
                }
                if let Some(log) = &layer.log {
                    let _ = writeln!(out, "    log: {}", shown(&report_dir.join(log)));
                }
            }
        }
    }
    let mut ran: Vec<_> = report.jobs.iter().filter(|j| j.duration_ms > 0).collect();
    ran.sort_by(|a, b| {
        b.duration_ms
            .cmp(&a.duration_ms)
            .then(a.account.cmp(&b.account))
    });
    if !ran.is_empty() {
        let slowest: Vec<String> = ran
            .iter()
            .take(SLOWEST)
            .map(|j| format!("{} {}", j.account, describe::millis(j.duration_ms)))
            .collect();
        let _ = writeln!(out, "Slowest: {}", slowest.join(", "));
    }
    held_back(&mut out, report);
    let unfinished = report.unfinished_jobs().count();
    let resumable = paths.resumable().map(shown);
    if let Some(report_path) =
        resumable.filter(|_| unfinished > 0 && report.outcome != Outcome::Succeeded)
    {
        let _ = writeln!(
            out,
            "Resume once the cause is fixed ({} left undone): {}",
            describe::count(unfinished, "account"),
            workdir::command_hint(
                &paths.config,
                &format!(
                    "run --resume {report_path}{}",
                    if report.mode == Mode::Plan {
                        " --plan-only"
                    } else {
                        ""
                    }
                )
            )
        );
    }
    out.push_str(&report_line(paths, cwd));
    out
}

/// `Report: <--report's file> (also kept as <its own>)`, or `Report: <its own>`: where the
/// run report is, as it opens from `cwd`; the last line of every run's summary (and of
/// `vend`).
/// A file that could not be written is never named as the report: only as not written.
pub fn report_line(paths: &SummaryPaths, cwd: &Path) -> String {
    let shown = |p: &Path| workdir::shown_from(&cwd.join(p), cwd);
    let report_path = shown(&paths.report);
    let own = paths.written(&paths.report);
    match &paths.requested {
        Some(requested) if *requested != paths.report => {
            let asked = shown(requested);
            match (paths.written(requested), own) {
                (true, true) => format!("Report: {asked} (also kept as {report_path})\n"),
                (true, false) => format!("Report: {asked} (not kept as {report_path})\n"),
                (false, true) => format!("Report: {report_path} (not written to {asked})\n"),
                (false, false) => {
                    format!("Report: not written (neither {asked} nor {report_path})\n")
                }
            }
        }
        _ if own => format!("Report: {report_path}\n"),
        _ => format!("Report: not written ({report_path})\n"),
    }
}

/// `Held back (wave prod): catalog-prod, payments-prod`: the accounts a halted wave kept
/// from running, by name, so nobody has to open the report to know what is still to do.
fn held_back(out: &mut String, report: &RunReport) {
    for wave in report
        .waves
        .iter()
        .filter(|w| w.status == WaveStatus::Skipped)
    {
        let names: Vec<&str> = report
            .jobs
            .iter()
            .filter(|j| j.wave == wave.name && j.status == Status::Skipped)
            .map(|j| j.account.as_str())
            .collect();
        if names.is_empty() {
            continue;
        }
        let shown: Vec<&str> = names.iter().copied().take(HELD_BACK_NAMED).collect();
        let more = names.len() - shown.len();
        let _ = writeln!(
            out,
            "Held back (wave {}): {}{}",
            wave.name,
            shown.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        );
    }
}

/// `7 succeeded, 1 failed, 4 skipped`, in the order of [`Status`].
fn counts(statuses: impl Iterator<Item = Status>) -> String {
    let mut counted: Vec<(Status, usize)> = Vec::new();
    for status in statuses {
        match counted.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => counted.push((status, 1)),
        }
    }
    counted.sort();
    if counted.is_empty() {
        return "none".to_string();
    }
    counted
        .iter()
        .map(|(s, n)| format!("{n} {}", describe::status(*s)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::*;

    fn job(
        account: &str,
        wave: &str,
        status: Status,
        duration_ms: u64,
        layers: Vec<LayerReport>,
    ) -> JobReport {
        let (domain, environment) = account.split_once('-').unwrap();
        JobReport {
            account: account.into(),
            domain: domain.into(),
            environment: environment.into(),
            wave: wave.into(),
            account_id: "100000000001".into(),
            region: "eu-west-1".into(),
            status,
            reason: match status {
                Status::Failed => Some("platform: terraform apply failed".into()),
                Status::Skipped => {
                    Some("wave stage had 1 failed job, more than its failure_tolerance of 0".into())
                }
                _ => None,
            },
            duration_ms,
            layers,
        }
    }

    fn layer(name: &str, status: Status) -> LayerReport {
        LayerReport {
            layer: name.into(),
            status,
            reason: None,
            duration_ms: 1000,
            attempts: Vec::new(),
            error: if status == Status::Failed {
                vec![
                    "Error: local-exec provisioner error (main.tf line 36)".into(),
                    "Error running command: exit status 1".into(),
                ]
            } else {
                Vec::new()
            },
            changes: None,
            plan_json: None,
            log: (status == Status::Failed)
                .then(|| format!("../../logs/payments-stage/{name}.log")),
            health_checks: Vec::new(),
            recovery: None,
        }
    }

    fn halted_report() -> RunReport {
        RunReport {
            version: REPORT_VERSION,
            run_id: "local-1".into(),
            mode: Mode::Apply,
            outcome: Outcome::Halted,
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: "2026-01-01T00:00:42Z".into(),
            duration_ms: 42_300,
            config: "domains.yaml".into(),
            source: None,
            action: Default::default(),
            stack: None,
            resumed_from: None,
            waves: vec![
                WaveReport {
                    name: "stage".into(),
                    status: WaveStatus::Failed,
                    failure_tolerance: 0,
                    failures: 1,
                    reason: None,
                },
                WaveReport {
                    name: "prod".into(),
                    status: WaveStatus::Skipped,
                    failure_tolerance: 0,
                    failures: 0,
                    reason: Some(
                        "wave stage had 1 failed job, more than its failure_tolerance of 0".into(),
                    ),
                },
            ],
            jobs: vec![
                job(
                    "catalog-stage",
                    "stage",
                    Status::Succeeded,
                    31_000,
                    vec![
                        layer("platform", Status::Succeeded),
                        layer("static", Status::NoChanges),
                    ],
                ),
                job(
                    "payments-stage",
                    "stage",
                    Status::Failed,
                    4_200,
                    vec![
                        layer("platform", Status::Failed),
                        layer("static", Status::Skipped),
                    ],
                ),
                job(
                    "commerce-stage",
                    "stage",
                    Status::NoChanges,
                    12_500,
                    vec![
                        layer("platform", Status::NoChanges),
                        layer("static", Status::NoChanges),
                    ],
                ),
                job(
                    "catalog-prod",
                    "prod",
                    Status::Skipped,
                    0,
                    vec![
                        layer("platform", Status::Skipped),
                        layer("static", Status::Skipped),
                    ],
                ),
            ],
        }
    }

    #[test]
    fn a_halted_run_says_what_failed_and_what_was_held_back() {
        let paths = SummaryPaths {
            report: "/repo/sandbox/.orchestrator/runs/local-1/report.json".into(),
            requested: None,
            config: "sandbox/domains.yaml".into(),
            unwritten: Vec::new(),
        };
        insta::assert_snapshot!(render_from(&halted_report(), &paths, Path::new("/repo")));
    }

    /// `--report out/run.json`: the file the user asked for is the one named, and the kept
    /// copy the resume command reads (never overwritten by a later run) is named beside it.
    #[test]
    fn the_report_line_names_the_file_asked_for_and_the_kept_copy() {
        let paths = SummaryPaths {
            report: "/repo/sandbox/.orchestrator/runs/local-1/report.json".into(),
            requested: Some("/repo/out/run.json".into()),
            config: "sandbox/domains.yaml".into(),
            unwritten: Vec::new(),
        };
        let text = render_from(&halted_report(), &paths, Path::new("/repo"));
        let last = text.lines().last().unwrap();
        assert_eq!(
            last,
            "Report: out/run.json (also kept as sandbox/.orchestrator/runs/local-1/report.json)"
        );
        assert!(
            text.contains("run --resume sandbox/.orchestrator/runs/local-1/report.json"),
            "{text}"
        );
    }

    /// A report file that could not be written is never named as the report, and the resume
    /// command reads one that was.
    #[test]
    fn a_report_that_could_not_be_written_is_not_announced_nor_resumed_from() {
        let own = PathBuf::from("/repo/sandbox/.orchestrator/runs/local-1/report.json");
        let asked = PathBuf::from("/repo/out/run.json");
        let paths = |unwritten: Vec<PathBuf>| SummaryPaths {
            report: own.clone(),
            requested: Some(asked.clone()),
            config: "sandbox/domains.yaml".into(),
            unwritten,
        };
        let text = render_from(
            &halted_report(),
            &paths(vec![own.clone()]),
            Path::new("/repo"),
        );
        assert_eq!(
            text.lines().last().unwrap(),
            "Report: out/run.json (not kept as sandbox/.orchestrator/runs/local-1/report.json)"
        );
        assert!(text.contains("run --resume out/run.json"), "{text}");
        let text = render_from(
            &halted_report(),
            &paths(vec![own.clone(), asked.clone()]),
            Path::new("/repo"),
        );
        assert_eq!(
            text.lines().last().unwrap(),
            "Report: not written (neither out/run.json nor sandbox/.orchestrator/runs/local-1/report.json)"
        );
        assert!(!text.contains("--resume"), "{text}");
    }
}
