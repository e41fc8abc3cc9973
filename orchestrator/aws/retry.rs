//! Retrying STS requests with the crate's one backoff (`backoff::RetryPolicy`), applied only
//! to failures STS calls transient (`StsFailure::retryable`).

use std::future::Future;
use std::time::Duration;

use super::failure::StsFailure;
use crate::backoff::{Jitter, RetryPolicy};

/// STS's policy: four retries after the first request, from 400ms doubling to 10s, with
/// full jitter as AWS recommends, so fifty accounts throttled together do not retry together.
pub const STS_RETRY: RetryPolicy = RetryPolicy::Exponential {
    retries: 4,
    initial: Duration::from_millis(400),
    max_delay: Duration::from_secs(10),
    jitter: Jitter::Full,
};

/// Runs `request` until it succeeds, fails for good (not `retryable`), or `policy`'s
/// retries run out; the failure records how many requests were sent.
pub async fn with_retries<T, F, Fut>(policy: &RetryPolicy, mut request: F) -> Result<T, StsFailure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StsFailure>>,
{
    let mut delays = policy.backoff();
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn fast() -> RetryPolicy {
        RetryPolicy::Exponential {
            retries: 3,
            initial: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            jitter: Jitter::Full,
        }
    }

    async fn count_requests(answers: Vec<Result<(), StsFailure>>) -> (Result<(), StsFailure>, u32) {
        let sent = AtomicU32::new(0);
        let result = with_retries(&fast(), || {
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
    fn five_requests_at_most_each_wait_under_ten_seconds() {
        let delays: Vec<_> = STS_RETRY.backoff().collect();
        assert_eq!(delays.len(), 4);
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(10)));
    }
}
