//! Retrying STS requests: a policy value turned into a backoff iterator, applied only to
//! failures STS calls transient.

use std::future::Future;
use std::time::Duration;

use rand::RngExt;

use super::failure::StsFailure;

/// Exponential backoff with full jitter (each delay is random in `0..=min(max, initial * 2^n)`),
/// as AWS recommends so that fifty accounts throttled together do not retry together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests sent at most, the first included.
    pub max_attempts: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_delay: Duration::from_millis(400),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The delays before the second, third, ... request.
    pub fn delays(&self) -> impl Iterator<Item = Duration> + '_ {
        (0..self.max_attempts.saturating_sub(1)).map(|retry| {
            let ceiling = self
                .initial_delay
                .saturating_mul(1u32 << retry.min(16))
                .min(self.max_delay);
            rand::rng().random_range(Duration::ZERO..=ceiling)
        })
    }

    /// Runs `request` until it succeeds, fails for good, or the attempts run out.
    pub async fn run<T, F, Fut>(&self, mut request: F) -> Result<T, StsFailure>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, StsFailure>>,
    {
        let mut delays = self.delays();
        let mut attempts = 0;
        loop {
            attempts += 1;
            match request().await {
                Ok(value) => return Ok(value),
                Err(mut failure) => {
                    failure.attempts = attempts;
                    match delays.next() {
                        Some(delay) if failure.retryable => {
                            tracing::debug!(%failure, ?delay, "STS request failed; retrying");
                            tokio::time::sleep(delay).await;
                        }
                        _ => return Err(failure),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            initial_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        }
    }

    async fn count_requests(answers: Vec<Result<(), StsFailure>>) -> (Result<(), StsFailure>, u32) {
        let sent = AtomicU32::new(0);
        let result = fast()
            .run(|| {
                let n = sent.fetch_add(1, Ordering::SeqCst) as usize;
                let answer = answers[n.min(answers.len() - 1)].clone();
                async move { answer }
            })
            .await;
        (result, sent.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn throttling_is_retried_until_success() {
        let throttled = StsFailure::new(Some("Throttling"), "Rate exceeded", true);
        let (result, sent) =
            count_requests(vec![Err(throttled.clone()), Err(throttled), Ok(())]).await;
        assert!(result.is_ok());
        assert_eq!(sent, 3);
    }

    #[tokio::test]
    async fn access_denied_is_sent_once() {
        let denied = StsFailure::new(Some("AccessDenied"), "not authorized", false);
        let (result, sent) = count_requests(vec![Err(denied), Ok(())]).await;
        assert_eq!(result.unwrap_err().attempts, 1);
        assert_eq!(sent, 1);
    }

    #[tokio::test]
    async fn attempts_run_out() {
        let down = StsFailure::new(Some("ServiceUnavailable"), "down", true);
        let (result, sent) = count_requests(vec![Err(down)]).await;
        assert_eq!(result.unwrap_err().attempts, 4);
        assert_eq!(sent, 4);
    }

    #[test]
    fn delays_stay_under_the_ceiling() {
        let policy = RetryPolicy::default();
        let delays: Vec<_> = policy.delays().collect();
        assert_eq!(delays.len(), 4);
        assert!(delays.iter().all(|d| *d <= policy.max_delay));
    }
}
