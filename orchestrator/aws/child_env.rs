//! Which inherited environment variables can give a child process an AWS identity: the
//! base credentials themselves, anything that selects another identity (profile, shared
//! files, web identity, role ARN, container credentials), and GitHub's OIDC token request.
//! The terraform environment (`terraform::is_withheld`) removes exactly these, then sets the
//! account's own variables (`CredentialsProvider::credentials`) on top, so no process can
//! fall back to the base credentials, another profile, or mint its own OIDC token.
//!
//! A rule, not a list of known names: an `AWS_*` variable added to the SDKs tomorrow is
//! withheld until it is known to carry no identity.

/// `AWS_*` settings that carry no identity and may pass through (endpoints for tests and
/// private links, CA bundles behind proxies, retry tuning).
const AWS_PASS_THROUGH: &[&str] = &[
    "AWS_CA_BUNDLE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_USE_FIPS_ENDPOINT",
];

/// GitHub's OIDC token request: whoever holds it can mint credentials for the CI role.
const OIDC_TOKEN_REQUEST: &[&str] = &[
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
];

/// The credentials of a layer that runs in the management account (account vending):
/// terraform gets this process's own AWS credentials (which every other layer is denied),
/// and nothing else the orchestrator holds.
pub fn management_credentials() -> crate::credentials::AccountCredentials {
    crate::credentials::AccountCredentials {
        env: std::env::vars()
            .filter(|(name, _)| name.starts_with("AWS_") && is_base_credential_env(name))
            .map(|(name, value)| (name, crate::credentials::Secret::new(value)))
            .collect(),
        expires_at: None,
    }
}

/// Whether a variable of the orchestrator's environment could give a child process an AWS
/// identity (or the means to get one) other than the account credentials it is handed.
pub fn is_base_credential_env(name: &str) -> bool {
    if OIDC_TOKEN_REQUEST.contains(&name) {
        return true;
    }
    name.starts_with("AWS_")
        && !AWS_PASS_THROUGH.contains(&name)
        && !name.starts_with("AWS_ENDPOINT_URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_identity_selectors_are_base_credentials() {
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION",
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_CONFIG_FILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_ARN",
            "AWS_ROLE_SESSION_NAME",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            // The orchestrator's own region: terraform gets the account's instead.
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        ] {
            assert!(is_base_credential_env(name), "{name}");
        }
    }

    #[test]
    fn settings_without_identity_are_not() {
        for name in [
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_STS",
            "AWS_ENDPOINT_URL_S3",
            "AWS_CA_BUNDLE",
            "AWS_EC2_METADATA_DISABLED",
            "AWS_MAX_ATTEMPTS",
            "GITHUB_ACTIONS",
            "PATH",
        ] {
            assert!(!is_base_credential_env(name), "{name}");
        }
    }
}
