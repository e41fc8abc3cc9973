//! What to do about a failed STS request, in the words of the config and the IAM console.

use crate::config::Account;

use super::failure::{code, StsFailure};
use super::session::{self, Purpose};

/// For a failure while assuming (or checking) one account's role. `base_arn` is who asked,
/// when known, so the trust-policy hint can name the principal to allow.
pub(super) fn for_account(
    failure: &StsFailure,
    account: &Account,
    purpose: Purpose,
    base_arn: Option<&str>,
) -> String {
    let (role, key) = session::role_name(account, purpose);
    let id = &account.account_id;
    match failure.code.as_deref() {
        Some("AccessDenied") => {
            let principal = base_arn.map_or_else(String::new, |arn| format!(" for {arn}"));
            let external_id = if account.external_id.is_some() {
                ", that its sts:ExternalId condition matches external_id,"
            } else {
                ""
            };
            // With layers/platform, each role trusts one entry role of layers/bootstrap.
            let layers = match purpose {
                Purpose::Plan => "; layers/platform creates it trusting only the plan entry role",
                Purpose::Deploy => "; layers/platform makes it trust only the stage entry role, or the prod entry role in production accounts",
            };
            format!(
                "check that role `{role}` exists in account {id} ({key}), that its trust \
                 policy allows sts:AssumeRole{principal}{external_id} and that the base \
                 credentials may call sts:AssumeRole on it{layers}"
            )
        }
        Some("RegionDisabledException") => format!(
            "STS is not enabled in {} for account {id}: enable the region in that account \
             (Account > AWS Regions) or give {} another region",
            account.region, account.name
        ),
        Some(code::ACCOUNT_MISMATCH) => format!(
            "check account_id of {}: role `{role}` answered as another account; if the id \
             is right, check that the STS endpoint (AWS_ENDPOINT_URL_STS) is AWS's",
            account.name
        ),
        Some("ValidationError") => format!(
            "check session_duration ({}s) against role `{role}`'s maximum session duration \
             (an hour at most when the base credentials are a role), and external_id",
            account.session_duration.as_secs()
        ),
        Some("MalformedPolicyDocument" | "PackedPolicyTooLarge") => {
            format!("STS refused the session policy for role `{role}`; check the role's policies")
        }
        _ => for_base(failure),
    }
}

/// For a failure of the base credentials during preflight: when GitHub OIDC could not assume
/// the entry role, names the piece of layers/bootstrap that is missing or does not fit.
pub(super) fn for_base_in(failure: &StsFailure, purpose: Purpose) -> String {
    if !failure.message.starts_with("AssumeRoleWithWebIdentity") {
        return for_base(failure);
    }
    let entry = match purpose {
        Purpose::Plan => "the plan entry role (layers/bootstrap `orchestrator-plan`, trusting \
                          `repo:<owner>/<repo>:pull_request`, `...:ref:refs/heads/main` and \
                          `...:environment:production`)",
        Purpose::Deploy => "the deploy entry role of this job (layers/bootstrap \
                            `orchestrator-stage`, trusting `repo:<owner>/<repo>:ref:refs/heads/main`, \
                            for jobs on main; `orchestrator-prod`, trusting \
                            `repo:<owner>/<repo>:environment:production`, for jobs in the \
                            production environment)",
    };
    match failure.code.as_deref() {
        Some("InvalidIdentityToken") if failure.message.contains("OpenIDConnect provider") => {
            "bootstrap piece missing: the GitHub OIDC provider \
             (token.actions.githubusercontent.com, audience sts.amazonaws.com) in the entry \
             role's account; apply layers/bootstrap there (docs/aws-setup.md, step 2)"
                .into()
        }
        Some("AccessDenied" | "InvalidIdentityToken" | "IDPRejectedClaim") => format!(
            "bootstrap piece missing or not matching this job: the OIDC role \
             (--oidc-role-arn, ORCHESTRATOR_OIDC_ROLE_ARN) must be \
             {entry}; check that the role exists (apply layers/bootstrap, docs/aws-setup.md) \
             and that its trusted subject is this job's: a job in a GitHub environment \
             presents `environment:<name>`, not its branch"
        ),
        _ => for_base(failure),
    }
}

/// For a failure of the base credentials themselves (or one every account shares).
pub(super) fn for_base(failure: &StsFailure) -> String {
    match failure.code.as_deref() {
        Some(code::NO_BASE_CREDENTIALS) => "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and \
            AWS_SECRET_ACCESS_KEY, or run in GitHub Actions with --oidc-role-arn"
            .into(),
        Some(code::OIDC_TOKEN_UNAVAILABLE) => "the workflow job needs `permissions: \
            id-token: write` so GitHub gives it ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN"
            .into(),
        Some("InvalidIdentityToken" | "IDPRejectedClaim" | "ExpiredTokenException") => {
            "the OIDC role's trust policy must trust token.actions.githubusercontent.com \
             with aud sts.amazonaws.com and a sub condition matching this repository and \
             branch or environment (docs/credentials.md)"
                .into()
        }
        Some("AccessDenied") => "the OIDC role's trust policy must allow \
            sts:AssumeRoleWithWebIdentity for this repository (docs/credentials.md)"
            .into(),
        Some("ExpiredToken") => {
            "the base credentials have expired: renew them (aws sso login, a new session)".into()
        }
        Some(
            "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "UnrecognizedClientException"
            | "IncompleteSignature",
        ) => "the base credentials are not valid: check AWS_ACCESS_KEY_ID, \
              AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or AWS_PROFILE"
            .into(),
        Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded") => {
            "STS kept throttling: lower --parallel or try again later".into()
        }
        Some("IDPCommunicationError") => {
            "STS could not reach the identity provider: try again".into()
        }
        // No answer at all (refused, timed out, TLS): retrying more will not help.
        None => "check network access to STS (and AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL if set)"
            .into(),
        _ if failure.retryable => "STS kept failing: try again later".into(),
        Some(_) => "see STS's message; docs/credentials.md lists the usual causes".into(),
    }
}
