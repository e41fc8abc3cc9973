//! AWS credentials through STS: base credentials (the SDK's default chain, or GitHub OIDC),
//! one assumed role per account, and the preflight that checks every account before a run.

mod base;
mod child_env;
mod failure;
mod hint;
mod mask;
mod oidc;
mod preflight;
mod provider;
mod retry;
mod session;
mod settings;
mod state_bucket;

pub use child_env::{is_base_credential_env, management_credentials};
pub use failure::{code, StsFailure};
pub use preflight::{preflight, BaseFailure, PreflightFailure, PreflightReport, ReachableAccount};
pub use provider::{AssumedRole, Identity, ProviderError, StsProvider, REFRESH_MARGIN};
pub use retry::{with_retries, STS_RETRY};
pub use session::{role_arn, role_name, session_name, Purpose, CHAINED_SESSION_LIMIT};
pub use state_bucket::{StateBucket, StateObject};
