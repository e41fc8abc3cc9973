//! `StsProvider`: each account's own short-lived credentials, assumed from the base
//! credentials and kept until less than ten minutes remain.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use futures::future::BoxFuture;

use crate::config::{Account, Config, CredentialsMode};
use crate::credentials::{AccountCredentials, CredentialsError, CredentialsProvider, Secret};

use super::base::Base;
use super::failure::StsFailure;
use super::hint;
use super::mask::Masker;
use super::retry::{with_retries, STS_RETRY};
use super::session::{self, Purpose};
use super::settings::Settings;
use crate::backoff::RetryPolicy;

/// Credentials with less than this left are assumed again before the next layer starts.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(10 * 60);

/// One account's assumed-role session. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct AssumedRole {
    pub access_key_id: Secret,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expires_at: SystemTime,
    /// `arn:aws:sts::<id>:assumed-role/<role>/<session>`, as STS reported it.
    pub assumed_role_arn: Option<String>,
}

impl AssumedRole {
    fn fresh(&self) -> bool {
        self.expires_at > SystemTime::now() + REFRESH_MARGIN
    }

    /// What terraform gets: these credentials and the account's region, nothing else.
    pub fn account_env(&self, region: &str) -> AccountCredentials {
        AccountCredentials {
            env: vec![
                ("AWS_ACCESS_KEY_ID".into(), self.access_key_id.clone()),
                (
                    "AWS_SECRET_ACCESS_KEY".into(),
                    self.secret_access_key.clone(),
                ),
                ("AWS_SESSION_TOKEN".into(), self.session_token.clone()),
                ("AWS_REGION".into(), Secret::new(region)),
                ("AWS_DEFAULT_REGION".into(), Secret::new(region)),
            ],
            expires_at: Some(self.expires_at),
        }
    }

    fn sdk_credentials(&self) -> Credentials {
        Credentials::new(
            self.access_key_id.expose(),
            self.secret_access_key.expose(),
            Some(self.session_token.expose().to_string()),
            Some(self.expires_at),
            "orchestrator-account-role",
        )
    }
}

/// Who a set of credentials belongs to, from GetCallerIdentity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

/// Gives every account with `credentials: assume_role` its own session on
/// `arn:aws:iam::<account_id>:role/<role_name>`, and accounts with `credentials: none`
/// nothing at all. Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct StsProvider {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    /// Loaded on first use, so a run where every account has `credentials: none` never
    /// needs AWS; renewed when OIDC base credentials are about to expire.
    base: tokio::sync::Mutex<Option<Arc<Base>>>,
    sessions: Mutex<HashMap<String, AssumedRole>>,
}

impl std::fmt::Debug for StsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StsProvider")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

/// The provider cannot be built from what it was given (bad input, exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("{given_by}: `{arn}` is not an IAM role ARN; use arn:aws:iam::<12-digit account id>:role/<name>")]
    InvalidOidcRoleArn { arn: String, given_by: String },
}

impl StsProvider {
    /// `oidc_role_arn` (from `--oidc-role-arn`) wins over the config's `defaults.oidc_role_arn`;
    /// `run_id` goes into every session name. No AWS call happens until credentials are needed.
    pub fn new(
        config: &Config,
        oidc_role_arn: Option<String>,
        run_id: &str,
    ) -> Result<Self, ProviderError> {
        let from_flag = oidc_role_arn.filter(|arn| !arn.trim().is_empty());
        let given_by = if from_flag.is_some() {
            "--oidc-role-arn".to_string()
        } else {
            format!("{}: defaults.oidc_role_arn", config.path.display())
        };
        let oidc_role_arn = from_flag.or_else(|| config.oidc_role_arn.clone());
        if let Some(arn) = &oidc_role_arn {
            if !is_role_arn(arn) {
                return Err(ProviderError::InvalidOidcRoleArn {
                    arn: arn.clone(),
                    given_by,
                });
            }
        }
        Ok(Self::from_settings(Settings {
            oidc_role_arn,
            run_id: run_id.to_string(),
            endpoint_url: None,
            retry: STS_RETRY,
            purpose: Purpose::Deploy,
            masker: Masker::from_env(),
        }))
    }

    /// Sends STS requests to `url` instead of what AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL say.
    pub fn with_endpoint_url(self, url: impl Into<String>) -> Self {
        let mut settings = self.inner.settings.clone();
        settings.endpoint_url = Some(url.into());
        Self::from_settings(settings)
    }

    pub fn with_retry_policy(self, retry: RetryPolicy) -> Self {
        let mut settings = self.inner.settings.clone();
        settings.retry = retry;
        Self::from_settings(settings)
    }

    /// For `--plan-only` runs: assume each account's `plan_role_name` (when it has one),
    /// in sessions named `orchestrator-plan-<account>-<run id>`.
    pub fn for_plan(self, plan_only: bool) -> Self {
        let mut settings = self.inner.settings.clone();
        settings.purpose = Purpose::from_plan_only(plan_only);
        Self::from_settings(settings)
    }

    /// Which role this provider assumes: the deploy role or the plan role.
    pub fn purpose(&self) -> Purpose {
        self.inner.settings.purpose
    }

    fn from_settings(settings: Settings) -> Self {
        Self {
            inner: Arc::new(Inner {
                settings,
                base: tokio::sync::Mutex::default(),
                sessions: Mutex::default(),
            }),
        }
    }

    pub fn uses_oidc(&self) -> bool {
        self.inner.settings.oidc_role_arn.is_some()
    }

    async fn base(&self) -> Result<Arc<Base>, StsFailure> {
        let mut base = self.inner.base.lock().await;
        if let Some(current) = base.as_ref() {
            if !current.expires_within(REFRESH_MARGIN) {
                return Ok(current.clone());
            }
        }
        let fresh = Arc::new(Base::load(&self.inner.settings).await?);
        *base = Some(fresh.clone());
        Ok(fresh)
    }

    /// The account's session: the cached one while more than ten minutes remain, else a new
    /// AssumeRole.
    pub async fn assume(&self, account: &Account) -> Result<AssumedRole, StsFailure> {
        if let Some(session) = self.cached(&account.name) {
            return Ok(session);
        }
        let base = self.base().await?;
        let session = self.assume_role(&base, account).await?;
        self.inner
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(account.name.clone(), session.clone());
        Ok(session)
    }

    fn cached(&self, account: &str) -> Option<AssumedRole> {
        let sessions = self
            .inner
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        sessions.get(account).filter(|s| s.fresh()).cloned()
    }

    async fn assume_role(&self, base: &Base, account: &Account) -> Result<AssumedRole, StsFailure> {
        let settings = &self.inner.settings;
        let client = base.client(&account.region);
        let role_arn = session::role_arn(account, settings.purpose);
        let session_name = session::session_name(&account.name, &settings.run_id, settings.purpose);
        let duration = session::duration_seconds(account.session_duration, base.chained);
        let output = with_retries(&settings.retry, || {
            let request = client
                .assume_role()
                .role_arn(&role_arn)
                .role_session_name(&session_name)
                .duration_seconds(duration)
                .set_external_id(account.external_id.clone());
            async move { request.send().await.map_err(|e| StsFailure::from_sdk(&e)) }
        })
        .await?;
        let credentials = output.credentials().ok_or_else(|| {
            StsFailure::new(None, "AssumeRole answered without credentials", false)
        })?;
        // Announced before anything else can see them.
        for secret in [
            credentials.access_key_id(),
            credentials.secret_access_key(),
            credentials.session_token(),
        ] {
            settings.masker.mask(secret);
        }
        let expires_at = SystemTime::try_from(*credentials.expiration())
            .unwrap_or_else(|_| SystemTime::now() + REFRESH_MARGIN);
        Ok(AssumedRole {
            access_key_id: Secret::new(credentials.access_key_id()),
            secret_access_key: Secret::new(credentials.secret_access_key()),
            session_token: Secret::new(credentials.session_token()),
            expires_at,
            assumed_role_arn: output.assumed_role_user().map(|u| u.arn().to_string()),
        })
    }

    /// Who the base credentials are (the OIDC role, or what the default chain found).
    pub async fn base_identity(&self) -> Result<Identity, StsFailure> {
        let base = self.base().await?;
        let client = base.client(&base.region);
        self.caller_identity(&client).await
    }

    /// Who `session` really is, asked in the account's region with the session itself.
    pub async fn account_identity(
        &self,
        account: &Account,
        session: &AssumedRole,
    ) -> Result<Identity, StsFailure> {
        let base = self.base().await?;
        let client = base.client_as(session.sdk_credentials(), &account.region);
        self.caller_identity(&client).await
    }

    async fn caller_identity(&self, client: &aws_sdk_sts::Client) -> Result<Identity, StsFailure> {
        let output = with_retries(&self.inner.settings.retry, || async {
            client
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| StsFailure::from_sdk(&e))
        })
        .await?;
        Ok(Identity {
            account: output.account().unwrap_or_default().to_string(),
            arn: output.arn().unwrap_or_default().to_string(),
        })
    }
}

impl CredentialsProvider for StsProvider {
    fn credentials<'a>(
        &'a self,
        account: &'a Account,
    ) -> BoxFuture<'a, Result<AccountCredentials, CredentialsError>> {
        Box::pin(async move {
            match account.credentials {
                CredentialsMode::None => Ok(AccountCredentials::default()),
                CredentialsMode::AssumeRole => self
                    .assume(account)
                    .await
                    .map(|session| session.account_env(&account.region))
                    .map_err(|failure| CredentialsError {
                        account: account.name.clone(),
                        code: failure.code.clone(),
                        message: format!(
                            "cannot assume {}: {failure}; {}",
                            session::role_arn(account, self.purpose()),
                            hint::for_account(&failure, account, self.purpose(), None)
                        ),
                    }),
            }
        })
    }
}

/// `arn:<partition>:iam::<12 digits>:role/<path/name>`.
fn is_role_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(id), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    partition.starts_with("aws")
        && id.len() == 12
        && id.bytes().all(|b| b.is_ascii_digit())
        && resource
            .strip_prefix("role/")
            .is_some_and(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_are_recognised() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/deployer"));
        assert!(is_role_arn(
            "arn:aws-us-gov:iam::123456789012:role/ci/deployer"
        ));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/deployer"));
        assert!(!is_role_arn("arn:aws:iam::1234:role/deployer"));
        assert!(!is_role_arn("deployer"));
    }

    #[test]
    fn terraform_gets_exactly_the_account_credentials_and_region() {
        let session = AssumedRole {
            access_key_id: Secret::new("ASIAEXAMPLEKEY"),
            secret_access_key: Secret::new("secret-value-1"),
            session_token: Secret::new("token-value-1"),
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000),
            assumed_role_arn: None,
        };
        let env = session.account_env("eu-west-1");
        let names: Vec<&str> = env.env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_REGION",
                "AWS_DEFAULT_REGION"
            ]
        );
        assert_eq!(env.env[1].1.expose(), "secret-value-1");
        assert_eq!(env.expires_at, Some(session.expires_at));
        let debug = format!("{env:?} {session:?}");
        for secret in ["ASIAEXAMPLEKEY", "secret-value-1", "token-value-1"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
