//! Whether a run report deserves a message (`--on failure|always|change`), and which kind.

use super::message::Kind;
use crate::notify::Digest;
use crate::report::Outcome;

/// `--on`: when to post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A job failed, a wave was halted, or the run was cancelled.
    Failure,
    /// Every run.
    Always,
    /// Failures and drift.
    Change,
}

#[derive(Debug, Clone)]
pub enum Decision<'p> {
    Post(Kind<'p>),
    /// Nothing to say; the reason is printed.
    Skip(&'static str),
}

/// `previous` is the previous run's report seen by the same audience: when it went wrong and
/// this run succeeded, the message is a short recovery note, whatever `when` says, so the
/// people who saw the failure also see it is over.
pub fn decide<'p>(
    when: When,
    current: &Digest<'_>,
    previous: Option<&'p Digest<'p>>,
) -> Decision<'p> {
    let outcome = current.outcome();
    if current.jobs.is_empty() {
        return Decision::Skip("no account of this audience is in the report");
    }
    if outcome == Outcome::Succeeded {
        if let Some(previous) = previous.filter(|p| went_wrong(p.outcome()) && !p.jobs.is_empty()) {
            return Decision::Post(Kind::Recovery { previous });
        }
    }
    let post = match when {
        When::Always => true,
        When::Failure => went_wrong(outcome),
        When::Change => went_wrong(outcome) || outcome == Outcome::Drifted,
    };
    if post {
        Decision::Post(Kind::Report)
    } else {
        Decision::Skip(match when {
            When::Failure => "nothing failed (--on failure)",
            _ => "nothing failed or drifted (--on change)",
        })
    }
}

fn went_wrong(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Failed | Outcome::Halted | Outcome::Cancelled
    )
}
