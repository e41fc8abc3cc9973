//! Retrying, in one place: a `RetryPolicy` value (how many retries after the first attempt,
//! how the delays grow, which jitter) turned into a `Backoff` iterator of delays, and the one
//! `Retry-After` parser. Each caller keeps only its own "is this retryable?".

mod policy;
mod retry_after;

pub use policy::{Backoff, Jitter, RetryPolicy};
pub use retry_after::{parse_retry_after, retry_after};
