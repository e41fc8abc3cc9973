//! What the runner asks for before each layer: the environment that gives terraform one
//! account's AWS credentials. The STS implementation lives in `aws`; `NoCredentials` serves
//! accounts that need none (the sandbox).

use std::fmt;
use std::time::SystemTime;

use futures::future::BoxFuture;

use crate::config::Account;

/// A secret value: never printed, not even by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself; call only where it is handed to a child process or a request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Environment variables for one account's terraform process.
#[derive(Debug, Clone, Default)]
pub struct AccountCredentials {
    /// e.g. AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION.
    pub env: Vec<(String, Secret)>,
    /// When these stop working; the runner asks again when less than 10 minutes remain.
    pub expires_at: Option<SystemTime>,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{account}: {message}")]
pub struct CredentialsError {
    pub account: String,
    /// The STS error code, when there is one (AccessDenied, ...).
    pub code: Option<String>,
    pub message: String,
}

pub trait CredentialsProvider: Send + Sync {
    fn credentials<'a>(
        &'a self,
        account: &'a Account,
    ) -> BoxFuture<'a, Result<AccountCredentials, CredentialsError>>;
}

/// For accounts with `credentials: none`: terraform gets no AWS variables at all.
pub struct NoCredentials;

impl CredentialsProvider for NoCredentials {
    fn credentials<'a>(
        &'a self,
        _account: &'a Account,
    ) -> BoxFuture<'a, Result<AccountCredentials, CredentialsError>> {
        Box::pin(async { Ok(AccountCredentials::default()) })
    }
}
