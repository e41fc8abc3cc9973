//! What the `plan -destroy` of every selected layer lets happen next.

use crate::report::{Outcome, RunReport, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPlan {
    /// A plan failed or was interrupted: its report is the destroy's, nothing is destroyed.
    PlansFailed,
    /// `--plan-only`: the preview is all that was asked.
    PlanOnly,
    /// Every selected layer's state is empty: nothing to confirm or destroy (a copy's empty
    /// state is still removed).
    NothingToDestroy,
    /// Ask (unless `--yes`), then destroy.
    Destroy,
}

impl AfterPlan {
    pub fn of(planned: &RunReport, plan_only: bool) -> Self {
        if !matches!(planned.outcome, Outcome::Succeeded | Outcome::Drifted) {
            AfterPlan::PlansFailed
        } else if plan_only {
            AfterPlan::PlanOnly
        } else if planned.jobs.iter().all(|j| j.status == Status::NoChanges) {
            AfterPlan::NothingToDestroy
        } else {
            AfterPlan::Destroy
        }
    }

    /// Whether the plans are worth showing as a preview of what goes.
    pub fn shows_preview(self) -> bool {
        self != AfterPlan::PlansFailed
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// (account, job status, [(layer, layer status)]).
    pub(in crate::destroy) type Job<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

    /// A destroy's plan report with `jobs`.
    pub(in crate::destroy) fn planned(outcome: &str, jobs: &[Job<'_>]) -> RunReport {
        let jobs: Vec<_> = jobs
            .iter()
            .map(|(account, status, layers)| {
                let layers: Vec<_> = layers
                    .iter()
                    .map(|(layer, status)| {
                        serde_json::json!({"layer": layer, "status": status,
                            "duration_ms": 0, "attempts": []})
                    })
                    .collect();
                serde_json::json!({"account": account, "domain": "catalog",
                    "environment": "dev", "wave": "stage", "account_id": "111111111111",
                    "region": "eu-west-1", "status": status, "duration_ms": 0,
                    "layers": layers})
            })
            .collect();
        serde_json::from_value(serde_json::json!({"version": 1, "run_id": "local-1",
            "mode": "plan", "outcome": outcome, "started_at": "", "finished_at": "",
            "duration_ms": 0, "config": "domains.yaml", "action": "destroy",
            "waves": [], "jobs": jobs}))
        .unwrap()
    }

    #[test]
    fn only_plans_that_all_came_through_with_something_to_destroy_lead_to_a_destroy() {
        let empty = planned(
            "succeeded",
            &[("a", "no-changes", &[]), ("b", "no-changes", &[])],
        );
        let some = planned(
            "drifted",
            &[("a", "no-changes", &[]), ("b", "changes", &[])],
        );
        let failed = planned("failed", &[("a", "failed", &[]), ("b", "no-changes", &[])]);
        let cancelled = planned("cancelled", &[("a", "cancelled", &[])]);
        assert_eq!(AfterPlan::of(&some, false), AfterPlan::Destroy);
        assert_eq!(AfterPlan::of(&empty, false), AfterPlan::NothingToDestroy);
        assert_eq!(AfterPlan::of(&some, true), AfterPlan::PlanOnly);
        assert_eq!(AfterPlan::of(&empty, true), AfterPlan::PlanOnly);
        for plan_only in [false, true] {
            assert_eq!(AfterPlan::of(&failed, plan_only), AfterPlan::PlansFailed);
            assert_eq!(AfterPlan::of(&cancelled, plan_only), AfterPlan::PlansFailed);
        }
        assert!(!AfterPlan::PlansFailed.shows_preview());
        assert!(AfterPlan::NothingToDestroy.shows_preview());
    }
}
