//! The base credentials every account's AssumeRole is signed with: the AWS SDK's default
//! chain (env, profile, SSO, web identity token file, ECS/EC2), or the role this GitHub job
//! assumed with its OIDC token. Also builds the STS clients that use them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_config::BehaviorVersion;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::timeout::TimeoutConfig;
use aws_sdk_sts::config::Region;
use aws_sdk_sts::Client;

use super::failure::{causes, code, StsFailure};
use super::oidc;
use super::settings::Settings;

/// STS answers within a second; these only catch a dead endpoint.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Used to sign base-credential calls when neither AWS_REGION nor a profile names a region.
const FALLBACK_REGION: &str = "us-east-1";

pub(super) struct Base {
    /// Endpoint, timeouts and base credentials; retries are ours (see `retry`), not the SDK's.
    config: aws_sdk_sts::Config,
    /// The region base-credential calls (OIDC, GetCallerIdentity) are signed for.
    pub region: String,
    /// The base credentials are an assumed role, so account sessions are limited to an hour.
    pub chained: bool,
    /// When the base credentials stop working, if we are the ones who must renew them (OIDC).
    pub expires_at: Option<SystemTime>,
    /// One client per account region: AssumeRole goes to the account's regional endpoint, so
    /// a region the account has not enabled shows up as RegionDisabledException.
    clients: Mutex<HashMap<String, Client>>,
}

impl Base {
    pub(super) async fn load(settings: &Settings) -> Result<Self, StsFailure> {
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .http_client(crate::tls::aws_https_client())
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeouts())
            .load()
            .await;
        let region = sdk
            .region()
            .map_or_else(|| FALLBACK_REGION.to_string(), |r| r.to_string());
        let mut builder = aws_sdk_sts::config::Builder::from(&sdk)
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeouts())
            .region(Region::new(region.clone()));
        if let Some(url) = &settings.endpoint_url {
            builder = builder.endpoint_url(url);
        }
        match &settings.oidc_role_arn {
            Some(role_arn) => {
                // AssumeRoleWithWebIdentity is unsigned: the default chain is not consulted.
                builder.set_credentials_provider(None);
                let anonymous = Client::from_conf(builder.clone().build());
                let web = oidc::assume_role(&anonymous, role_arn, settings).await?;
                let expires_at = web.expiry();
                Ok(Self::new(
                    builder.credentials_provider(web).build(),
                    region,
                    true,
                    expires_at,
                ))
            }
            None => {
                let chained = default_chain_is_a_session(&sdk).await?;
                Ok(Self::new(builder.build(), region, chained, None))
            }
        }
    }

    fn new(
        config: aws_sdk_sts::Config,
        region: String,
        chained: bool,
        expires_at: Option<SystemTime>,
    ) -> Self {
        Self {
            config,
            region,
            chained,
            expires_at,
            clients: Mutex::default(),
        }
    }

    /// Signed with the base credentials, for an AssumeRole in `region`.
    pub(super) fn client(&self, region: &str) -> Client {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .entry(region.to_string())
            .or_insert_with(|| {
                Client::from_conf(
                    self.config
                        .to_builder()
                        .region(Region::new(region.to_string()))
                        .build(),
                )
            })
            .clone()
    }

    /// Signed with other credentials (an account's assumed role), same endpoint and timeouts.
    pub(super) fn client_as(&self, credentials: Credentials, region: &str) -> Client {
        Client::from_conf(
            self.config
                .to_builder()
                .credentials_provider(credentials)
                .region(Region::new(region.to_string()))
                .build(),
        )
    }

    /// True when these base credentials must be renewed before they can sign `margin` more.
    pub(super) fn expires_within(&self, margin: Duration) -> bool {
        self.expires_at
            .is_some_and(|at| at <= SystemTime::now() + margin)
    }
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build()
}

/// Resolves the default chain once, so "no credentials" is one clear failure, not one per
/// account. Credentials with a session token are temporary (a role, SSO, a web identity):
/// STS then treats our AssumeRole as role chaining and caps sessions at an hour.
async fn default_chain_is_a_session(sdk: &aws_config::SdkConfig) -> Result<bool, StsFailure> {
    let no_credentials = |detail: String| {
        StsFailure::new(
            Some(code::NO_BASE_CREDENTIALS),
            format!("the AWS SDK's default chain found no base credentials: {detail}"),
            false,
        )
    };
    let provider = sdk
        .credentials_provider()
        .ok_or_else(|| no_credentials("no provider is configured".into()))?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| no_credentials(causes(&e)))?;
    Ok(credentials.session_token().is_some())
}
