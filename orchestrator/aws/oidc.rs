//! GitHub Actions OIDC: the job asks GitHub for a token (audience `sts.amazonaws.com`) and
//! trades it with AssumeRoleWithWebIdentity for the base credentials. No third-party action
//! is needed; the job only needs `permissions: id-token: write`.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sdk_sts::Client;

use crate::credentials::Secret;
use crate::github_actions::GithubActions;

use super::failure::{code, StsFailure};
use super::retry::with_retries;
use super::session;
use super::settings::Settings;

pub(super) const AUDIENCE: &str = "sts.amazonaws.com";
/// The OIDC role's session; account roles assumed from it are limited to an hour anyway.
const WEB_IDENTITY_DURATION: i32 = 3600;
const TOKEN_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Fetches a fresh token, then assumes `role_arn` with it.
pub(super) async fn assume_role(
    anonymous: &Client,
    role_arn: &str,
    settings: &Settings,
) -> Result<Credentials, StsFailure> {
    let token = github_token(settings).await?;
    let session_name = session::session_name("oidc", &settings.run_id, settings.purpose);
    let output = with_retries(&settings.retry, || async {
        anonymous
            .assume_role_with_web_identity()
            .role_arn(role_arn)
            .role_session_name(&session_name)
            .web_identity_token(token.expose())
            .duration_seconds(WEB_IDENTITY_DURATION)
            .send()
            .await
            .map_err(|e| StsFailure::from_sdk(&e))
    })
    .await
    .map_err(|mut failure| {
        failure.message = format!(
            "AssumeRoleWithWebIdentity into {role_arn} failed: {}",
            failure.message
        );
        failure
    })?;
    let credentials = output.credentials().ok_or_else(|| {
        StsFailure::new(
            None,
            "AssumeRoleWithWebIdentity answered without credentials",
            false,
        )
    })?;
    for secret in [
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token(),
    ] {
        settings.masker.mask(secret);
    }
    let expires_at = SystemTime::try_from(*credentials.expiration()).ok();
    Ok(Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token().to_string()),
        expires_at,
        "github-oidc",
    ))
}

/// `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=sts.amazonaws.com` with
/// `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` answers `{"value": "<jwt>"}`.
async fn github_token(settings: &Settings) -> Result<Secret, StsFailure> {
    let unavailable = |message: String, retryable: bool| {
        StsFailure::new(Some(code::OIDC_TOKEN_UNAVAILABLE), message, retryable)
    };
    let not_set = |name: &str| {
        unavailable(
            format!("{name} is not set, so this job cannot ask GitHub for an OIDC token"),
            false,
        )
    };
    let actions = GithubActions::from_env();
    let request_url = actions
        .id_token_request_url
        .ok_or_else(|| not_set("ACTIONS_ID_TOKEN_REQUEST_URL"))?;
    let mut url = reqwest::Url::parse(&request_url).map_err(|e| {
        unavailable(
            format!("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: {e}"),
            false,
        )
    })?;
    url.query_pairs_mut().append_pair("audience", AUDIENCE);
    let bearer = actions
        .id_token_request_token
        .ok_or_else(|| not_set("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))?;
    let http = crate::tls::http_client()
        .timeout(TOKEN_REQUEST_TIMEOUT)
        .build()
        .map_err(|e| unavailable(format!("cannot build an HTTP client: {e}"), false))?;

    #[derive(serde::Deserialize)]
    struct TokenAnswer {
        value: String,
    }

    let token = with_retries(&settings.retry, || async {
        let response = http
            .get(url.clone())
            .bearer_auth(bearer.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| {
                let e = e.without_url();
                unavailable(
                    format!("cannot reach GitHub's token endpoint: {e}"),
                    e.is_timeout() || e.is_connect() || e.is_request(),
                )
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(unavailable(
                format!("GitHub's token endpoint answered HTTP {status}"),
                status.is_server_error() || status.as_u16() == 429,
            ));
        }
        response.json::<TokenAnswer>().await.map_err(|e| {
            unavailable(
                format!("GitHub's token endpoint sent no token: {}", e.without_url()),
                false,
            )
        })
    })
    .await?;
    settings.masker.mask(&token.value);
    Ok(Secret::new(token.value))
}
