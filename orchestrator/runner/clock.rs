//! Deadline arithmetic that cannot panic. The config and the flags bound every duration, but
//! `Instant + Duration` panics on overflow, so a deadline past what the clock can hold means
//! "never" rather than a crash in the middle of a deploy.

use std::time::Duration;

use tokio::time::Instant;

/// About 30 years: later than any run, and well inside what an `Instant` can hold.
const NEVER: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

/// `from + d`, or a point no run will reach when that is not representable.
pub(crate) fn after(from: Instant, d: Duration) -> Instant {
    from.checked_add(d)
        .or_else(|| from.checked_add(NEVER))
        .unwrap_or(from)
}

/// `now + d`, never panicking.
pub(crate) fn in_(d: Duration) -> Instant {
    after(Instant::now(), d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_duration_is_a_far_deadline_not_a_panic() {
        let now = Instant::now();
        assert!(after(now, Duration::MAX) > now + Duration::from_secs(365 * 24 * 3600));
        assert_eq!(
            after(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
        assert!(in_(Duration::from_secs(u64::MAX)) > now);
    }
}
