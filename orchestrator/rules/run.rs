use crate::events::{Mode, Outcome, Status};

/// What the run's outcome is decided from.
#[derive(Debug, Clone, Copy)]
pub struct RunFacts {
    pub mode: Mode,
    /// The run never finished (no `RunFinished`: abandoned half-way).
    pub abandoned: bool,
    /// A wave held the later ones back (a wave `skipped` with a reason).
    pub held_back: bool,
}

/// The run's outcome: cancelled if it was abandoned or a job was cancelled (a Ctrl-C after
/// every job had finished stopped nothing); halted if a wave held the next back; failed if
/// a job failed; drifted if a plan-only run found changes; else succeeded.
pub fn run_outcome(facts: RunFacts, jobs: impl IntoIterator<Item = Status> + Clone) -> Outcome {
    let any = |s: Status| jobs.clone().into_iter().any(|j| j == s);
    if facts.abandoned || any(Status::Cancelled) {
        Outcome::Cancelled
    } else if facts.held_back {
        Outcome::Halted
    } else if any(Status::Failed) || any(Status::Lost) {
        Outcome::Failed
    } else if facts.mode == Mode::Plan && any(Status::Changes) {
        Outcome::Drifted
    } else {
        Outcome::Succeeded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(mode: Mode) -> RunFacts {
        RunFacts {
            mode,
            abandoned: false,
            held_back: false,
        }
    }

    #[test]
    fn the_worst_thing_that_happened_decides() {
        use Status::*;
        let ok = facts(Mode::Apply);
        assert_eq!(run_outcome(ok, [Succeeded, NoChanges]), Outcome::Succeeded);
        assert_eq!(run_outcome(ok, [Succeeded, Failed]), Outcome::Failed);
        assert_eq!(run_outcome(ok, [Failed, Cancelled]), Outcome::Cancelled);
        let held = RunFacts {
            held_back: true,
            ..ok
        };
        assert_eq!(run_outcome(held, [Failed, Skipped]), Outcome::Halted);
        assert_eq!(run_outcome(facts(Mode::Plan), [Changes]), Outcome::Drifted);
        let abandoned = RunFacts {
            abandoned: true,
            ..ok
        };
        assert_eq!(run_outcome(abandoned, [Succeeded]), Outcome::Cancelled);
    }
}
