use crate::events::{LayerReport, Status};

/// A job's status from its layers': failed over cancelled over skipped; then `changes` if
/// any plan found changes, `succeeded` if anything was applied, else `no-changes`.
pub fn job_status(layers: &[LayerReport]) -> Status {
    let any = |s: Status| layers.iter().any(|l| l.status == s);
    if any(Status::Failed) {
        Status::Failed
    } else if any(Status::Cancelled) {
        Status::Cancelled
    } else if layers.is_empty() || layers.iter().all(|l| l.status == Status::Skipped) {
        Status::Skipped
    } else if any(Status::Changes) {
        Status::Changes
    } else if any(Status::Succeeded) {
        Status::Succeeded
    } else {
        Status::NoChanges
    }
}

/// Whether a job did its work (applied, or planned in a plan-only run). Every other job,
/// failed, cancelled, lost, held back or skipped, is what `--resume` deploys and what stops a
/// later wave's redeploy.
pub fn job_done(status: Status) -> bool {
    matches!(
        status,
        Status::Succeeded | Status::NoChanges | Status::Changes
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_as_bad_as_its_worst_layer() {
        let statuses = |list: &[Status]| {
            let layers: Vec<_> = list
                .iter()
                .map(|s| LayerReport::not_run("x", *s, "-"))
                .collect();
            job_status(&layers)
        };
        use Status::*;
        assert_eq!(statuses(&[Succeeded, NoChanges]), Succeeded);
        assert_eq!(statuses(&[NoChanges, NoChanges]), NoChanges);
        assert_eq!(statuses(&[NoChanges, Changes]), Changes);
        assert_eq!(statuses(&[Failed, Skipped]), Failed);
        assert_eq!(statuses(&[Succeeded, Cancelled]), Cancelled);
        assert_eq!(statuses(&[Skipped, Skipped]), Skipped);
        assert_eq!(statuses(&[]), Skipped);
    }
}
