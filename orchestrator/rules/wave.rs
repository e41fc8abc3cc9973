use crate::events::{Mode, NotRunReason, Status, WaveStatus};

/// How the jobs of one wave ended, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WaveTally {
    pub jobs: u32,
    pub failed: u32,
    pub cancelled: u32,
    pub skipped: u32,
}

impl WaveTally {
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Self {
        let mut tally = WaveTally::default();
        for status in statuses {
            tally.jobs += 1;
            match status {
                // A lost leg may have applied anything, or nothing: never a success.
                Status::Failed | Status::Lost => tally.failed += 1,
                Status::Cancelled => tally.cancelled += 1,
                Status::Skipped => tally.skipped += 1,
                Status::Succeeded | Status::NoChanges | Status::Changes => {}
            }
        }
        tally
    }
}

/// A wave's status from its jobs': empty, cancelled if any job was, failed if any job
/// failed (within tolerance or not), skipped if none ran, else succeeded.
pub fn wave_status(tally: WaveTally) -> WaveStatus {
    if tally.jobs == 0 {
        WaveStatus::Empty
    } else if tally.cancelled > 0 {
        WaveStatus::Cancelled
    } else if tally.failed > 0 {
        WaveStatus::Failed
    } else if tally.skipped == tally.jobs {
        WaveStatus::Skipped
    } else {
        WaveStatus::Succeeded
    }
}

/// Whether the wave `wave` (with `tolerance`) holds every later wave back, and why. Failed
/// and cancelled jobs both count against the tolerance (see the module comment). When the
/// run was `interrupted` and failures alone stay within the tolerance, the later jobs are
/// cancelled by the interruption rather than held back by the wave.
pub fn hold_back(
    wave: &str,
    tally: WaveTally,
    tolerance: u32,
    interrupted: bool,
) -> Option<NotRunReason> {
    let held_back = || NotRunReason::HeldBack {
        wave: wave.to_string(),
        failed: tally.failed,
        cancelled: tally.cancelled,
        tolerance,
    };
    if tally.failed > tolerance {
        Some(held_back())
    } else if interrupted {
        Some(NotRunReason::Interrupted)
    } else if tally.failed + tally.cancelled > tolerance {
        Some(held_back())
    } else {
        None
    }
}

/// [`hold_back`] for a run in `mode`: a plan applies nothing, so in a plan-only run a failed
/// plan holds nothing back (every wave is planned and the report still names each failed
/// plan); only an interruption stops it.
pub fn hold_back_in(
    mode: Mode,
    wave: &str,
    tally: WaveTally,
    tolerance: u32,
    interrupted: bool,
) -> Option<NotRunReason> {
    match (mode, hold_back(wave, tally, tolerance, interrupted)?) {
        (Mode::Plan, NotRunReason::HeldBack { .. }) => None,
        (_, reason) => Some(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(failed: u32, cancelled: u32) -> WaveTally {
        WaveTally {
            jobs: 5,
            failed,
            cancelled,
            skipped: 0,
        }
    }

    #[test]
    fn a_failed_plan_holds_nothing_back_but_an_interruption_still_stops() {
        assert_eq!(
            hold_back_in(Mode::Plan, "stage", tally(2, 0), 0, false),
            None
        );
        assert_eq!(
            hold_back_in(Mode::Plan, "stage", tally(0, 1), 0, true),
            Some(NotRunReason::Interrupted)
        );
        assert!(hold_back_in(Mode::Apply, "stage", tally(2, 0), 0, false).is_some());
    }

    #[test]
    fn failures_within_tolerance_let_the_next_wave_start() {
        assert_eq!(hold_back("stage", tally(1, 0), 1, false), None);
        assert_eq!(hold_back("stage", tally(0, 0), 0, false), None);
    }

    #[test]
    fn cancelled_jobs_count_against_the_tolerance() {
        assert_eq!(
            hold_back("stage", tally(1, 1), 1, false),
            Some(NotRunReason::HeldBack {
                wave: "stage".into(),
                failed: 1,
                cancelled: 1,
                tolerance: 1
            })
        );
        assert_eq!(
            hold_back("stage", tally(1, 1), 1, false).unwrap().status(),
            Status::Skipped
        );
    }

    #[test]
    fn an_interruption_cancels_what_failures_did_not_hold_back() {
        assert_eq!(
            hold_back("stage", tally(0, 2), 0, true),
            Some(NotRunReason::Interrupted)
        );
        assert!(matches!(
            hold_back("stage", tally(2, 0), 0, true),
            Some(NotRunReason::HeldBack { .. })
        ));
    }

    #[test]
    fn a_wave_is_as_bad_as_its_worst_job() {
        use Status::*;
        let status = |s: &[Status]| wave_status(WaveTally::of(s.iter().copied()));
        assert_eq!(status(&[]), WaveStatus::Empty);
        assert_eq!(
            status(&[Succeeded, Failed, Cancelled]),
            WaveStatus::Cancelled
        );
        assert_eq!(status(&[Succeeded, Failed]), WaveStatus::Failed);
        assert_eq!(status(&[Skipped, Skipped]), WaveStatus::Skipped);
        assert_eq!(status(&[Skipped, NoChanges]), WaveStatus::Succeeded);
    }
}
