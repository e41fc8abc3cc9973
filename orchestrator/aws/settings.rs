//! What an `StsProvider` was asked for, fixed when it is built.

use super::mask::Masker;
use super::session::Purpose;
use crate::backoff::RetryPolicy;

#[derive(Debug, Clone)]
pub(super) struct Settings {
    /// Assume this role with the GitHub OIDC token first, and use it as the base credentials.
    pub oidc_role_arn: Option<String>,
    /// Goes into every session name, so CloudTrail ties each session to its run.
    pub run_id: String,
    /// Overrides AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL (which the SDK honours by itself).
    pub endpoint_url: Option<String>,
    pub retry: RetryPolicy,
    /// Plan-only runs assume each account's `plan_role_name` (when set) instead of `role_name`.
    pub purpose: Purpose,
    pub masker: Masker,
}
