//! The run report of `orchestrator vend`: one job, the organisation, whose one layer is the
//! account vending layer, in a wave of its own. The vending layer runs outside a plan (no
//! runner, no events), so its report is built here from what the layer did, or, for a vend
//! stopped before terraform started, from why.

use std::path::Path;
use std::time::SystemTime;

use super::build::{relative, rfc3339};
use super::model::*;
use crate::rules::{self, RunFacts, WaveTally};

/// The one wave of a vend report.
pub const VEND_WAVE: &str = "vend";

/// The region of the vend job: AWS Organizations belongs to no region.
const GLOBAL: &str = "global";

/// The report of a vend whose layer ended as `layer` says. `account` is the job's name (the
/// organisation's, the `{account}` of the layer's state); the layer's log is recorded
/// relative to the report.
pub fn vend(
    context: super::ReportContext,
    account: &str,
    mut layer: LayerReport,
    started_at: SystemTime,
    finished_at: SystemTime,
) -> RunReport {
    let report_dir = context.report_path.parent().unwrap_or(Path::new(""));
    layer.log = layer.log.map(|log| relative(Path::new(&log), report_dir));
    let status = rules::job_status(std::slice::from_ref(&layer));
    let tally = WaveTally::of([status]);
    let facts = RunFacts {
        mode: context.mode,
        abandoned: false,
        held_back: false,
    };
    RunReport {
        version: REPORT_VERSION,
        run_id: context.run_id,
        mode: context.mode,
        outcome: rules::run_outcome(facts, [status]),
        started_at: rfc3339(started_at),
        finished_at: rfc3339(finished_at),
        duration_ms: millis(started_at, finished_at),
        config: context.config,
        source: context.source,
        action: RunAction::Vend,
        stack: None,
        resumed_from: None,
        waves: vec![WaveReport {
            name: VEND_WAVE.to_string(),
            status: rules::wave_status(tally),
            failure_tolerance: 0,
            failures: tally.failed,
            reason: None,
        }],
        jobs: vec![JobReport {
            account: account.to_string(),
            domain: String::new(),
            environment: String::new(),
            wave: VEND_WAVE.to_string(),
            account_id: String::new(),
            region: GLOBAL.to_string(),
            status,
            reason: layer.reason.clone(),
            duration_ms: layer.duration_ms,
            layers: vec![layer],
        }],
    }
}

/// The report of a vend stopped before its first terraform command: the layer `failed`
/// (or `cancelled` when `interrupted`) with `why`, no attempt.
pub fn vend_not_started(
    context: super::ReportContext,
    account: &str,
    layer: &str,
    why: &str,
    interrupted: bool,
) -> RunReport {
    let now = SystemTime::now();
    let status = if interrupted {
        Status::Cancelled
    } else {
        Status::Failed
    };
    let mut layer = LayerReport::not_run(layer, status, why);
    layer.error = vec![why.to_string()];
    vend(context, account, layer, now, now)
}

fn millis(from: SystemTime, to: SystemTime) -> u64 {
    let elapsed = to.duration_since(from).unwrap_or_default();
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ReportContext;

    fn context(mode: Mode) -> ReportContext {
        ReportContext {
            run_id: "local-1".into(),
            mode,
            config: "domains.yaml".into(),
            source: None,
            report_path: "/w/.orchestrator/runs/local-1/report.json".into(),
            action: RunAction::Vend,
            stack: None,
            resumed_from: None,
        }
    }

    fn layer(status: Status) -> LayerReport {
        let mut layer = LayerReport::not_run("organization", status, "");
        layer.reason = None;
        layer.log = Some("/w/.orchestrator/logs/organization/organization.log".into());
        layer
    }

    #[test]
    fn the_layer_decides_the_job_the_wave_and_the_outcome() {
        let t = SystemTime::UNIX_EPOCH;
        let cases = [
            (
                Mode::Apply,
                Status::Succeeded,
                Outcome::Succeeded,
                WaveStatus::Succeeded,
            ),
            (
                Mode::Plan,
                Status::Changes,
                Outcome::Drifted,
                WaveStatus::Succeeded,
            ),
            (
                Mode::Apply,
                Status::Failed,
                Outcome::Failed,
                WaveStatus::Failed,
            ),
            (
                Mode::Apply,
                Status::Cancelled,
                Outcome::Cancelled,
                WaveStatus::Cancelled,
            ),
        ];
        for (mode, status, outcome, wave) in cases {
            let report = vend(context(mode), "organization", layer(status), t, t);
            assert_eq!(report.action, RunAction::Vend);
            assert_eq!(report.outcome, outcome, "{status:?}");
            assert_eq!(report.jobs[0].status, status);
            assert_eq!(report.jobs[0].wave, VEND_WAVE);
            assert_eq!(report.waves[0].status, wave, "{status:?}");
            let log = report.jobs[0].layers[0].log.as_deref();
            assert_eq!(log, Some("../../logs/organization/organization.log"));
        }
    }

    #[test]
    fn a_vend_that_never_started_says_why() {
        let report = vend_not_started(
            context(Mode::Apply),
            "organization",
            "organization",
            "cannot prepare the layer",
            false,
        );
        assert_eq!(report.outcome, Outcome::Failed);
        let layer = &report.jobs[0].layers[0];
        assert!(layer.attempts.is_empty());
        assert_eq!(layer.error, ["cannot prepare the layer"]);
        let report = vend_not_started(context(Mode::Apply), "org", "organization", "stop", true);
        assert_eq!(report.outcome, Outcome::Cancelled);
    }
}
