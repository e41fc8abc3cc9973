//! Retries as a policy value, turned into an iterator of delays: a caller asks the iterator
//! for the next delay after a retryable failure and stops when it runs dry. `retries` never
//! counts the first attempt: a policy with `retries: 3` makes at most four attempts.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, RngExt};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// The same delay before every retry.
    Fixed { retries: u32, delay: Duration },
    /// The delay doubles from `initial` up to `max_delay`, then `jitter` spreads it so that
    /// callers that failed together (one throttled API, one held lock) do not retry in
    /// lockstep.
    Exponential {
        retries: u32,
        initial: Duration,
        max_delay: Duration,
        jitter: Jitter,
    },
}

/// How a delay is spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Exactly the computed delay.
    None,
    /// Random in the upper half: never much sooner than asked.
    Half,
    /// Random in `0..=delay` ("full jitter", as AWS recommends for its APIs).
    Full,
}

impl RetryPolicy {
    /// The default for terraform runs: `retries` attempts after the first, from `initial`
    /// doubling to at most two minutes, with jitter.
    pub fn exponential(retries: u32, initial: Duration) -> Self {
        RetryPolicy::Exponential {
            retries,
            initial,
            max_delay: Duration::from_secs(120).max(initial),
            jitter: Jitter::Half,
        }
    }

    pub fn retries(&self) -> u32 {
        match *self {
            RetryPolicy::Fixed { retries, .. } | RetryPolicy::Exponential { retries, .. } => {
                retries
            }
        }
    }

    /// Seeded from the OS: every layer draws its own delays.
    pub fn backoff(&self) -> Backoff<StdRng> {
        self.backoff_with(rand::make_rng::<StdRng>())
    }

    pub fn backoff_with<R: Rng>(&self, rng: R) -> Backoff<R> {
        Backoff {
            policy: *self,
            done: 0,
            rng,
        }
    }
}

/// The delays before each retry; as many as the policy allows.
#[derive(Debug)]
pub struct Backoff<R> {
    policy: RetryPolicy,
    done: u32,
    rng: R,
}

impl<R: Rng> Iterator for Backoff<R> {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if self.done >= self.policy.retries() {
            return None;
        }
        let n = self.done;
        self.done += 1;
        Some(match self.policy {
            RetryPolicy::Fixed { delay, .. } => delay,
            RetryPolicy::Exponential {
                initial,
                max_delay,
                jitter,
                ..
            } => {
                let delay = initial
                    .saturating_mul(2u32.saturating_pow(n))
                    .min(max_delay);
                match jitter {
                    Jitter::None => delay,
                    Jitter::Half => delay.mul_f64(self.rng.random_range(0.5..=1.0)),
                    Jitter::Full => self.rng.random_range(Duration::ZERO..=delay),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn fixed_gives_the_same_delay_retries_times() {
        let policy = RetryPolicy::Fixed {
            retries: 3,
            delay: Duration::from_secs(2),
        };
        assert_eq!(
            policy.backoff().collect::<Vec<_>>(),
            [Duration::from_secs(2); 3]
        );
    }

    #[test]
    fn exponential_doubles_up_to_the_cap() {
        let policy = RetryPolicy::Exponential {
            retries: 6,
            initial: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            jitter: Jitter::None,
        };
        let secs: Vec<u64> = policy.backoff().map(|d| d.as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 10, 10]);
    }

    #[test]
    fn jitter_stays_in_the_upper_half_of_each_delay() {
        let policy = RetryPolicy::Exponential {
            retries: 8,
            initial: Duration::from_secs(4),
            max_delay: Duration::from_secs(60),
            jitter: Jitter::Half,
        };
        for seed in 0..50 {
            let plain = RetryPolicy::Exponential {
                retries: 8,
                initial: Duration::from_secs(4),
                max_delay: Duration::from_secs(60),
                jitter: Jitter::None,
            };
            let jittered = policy.backoff_with(StdRng::seed_from_u64(seed));
            for (with, without) in jittered.zip(plain.backoff()) {
                assert!(
                    with <= without && with >= without / 2,
                    "{with:?} vs {without:?}"
                );
            }
        }
        let a: Vec<_> = policy.backoff_with(StdRng::seed_from_u64(1)).collect();
        let b: Vec<_> = policy.backoff_with(StdRng::seed_from_u64(2)).collect();
        assert_ne!(a, b, "two jobs do not retry in lockstep");
    }

    #[test]
    fn full_jitter_stays_under_each_delay() {
        let policy = RetryPolicy::Exponential {
            retries: 4,
            initial: Duration::from_millis(400),
            max_delay: Duration::from_secs(10),
            jitter: Jitter::Full,
        };
        let ceilings = [400, 800, 1600, 3200].map(Duration::from_millis);
        for seed in 0..20 {
            let delays: Vec<_> = policy.backoff_with(StdRng::seed_from_u64(seed)).collect();
            assert_eq!(delays.len(), 4, "retries, not attempts");
            for (delay, ceiling) in delays.iter().zip(ceilings) {
                assert!(*delay <= ceiling, "{delay:?} > {ceiling:?}");
            }
        }
    }

    #[test]
    fn no_retries_means_no_delay() {
        assert_eq!(
            RetryPolicy::exponential(0, Duration::from_secs(5))
                .backoff()
                .count(),
            0
        );
    }
}
