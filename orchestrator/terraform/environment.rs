//! The environment a terraform process inherits: everything the orchestrator has, minus any
//! credentials, so that terraform acts only as the account it deploys (whose variables the
//! credentials provider adds afterwards).

use std::ffi::OsString;

use crate::aws::is_base_credential_env;

/// Secrets of the orchestrator itself that terraform never needs: the Slack webhooks (the
/// platform's `SLACK_WEBHOOK_URL` and each domain's `SLACK_WEBHOOK_URL_<DOMAIN>`).
const NOTIFICATION_SECRET_PREFIX: &str = "SLACK_WEBHOOK_URL";

/// Whether an inherited variable must not reach terraform: anything that could give it an
/// AWS identity other than its account's (one rule, in `aws`) and the orchestrator's own
/// secrets.
pub fn is_withheld(name: &str) -> bool {
    is_base_credential_env(name) || name.starts_with(NOTIFICATION_SECRET_PREFIX)
}

/// The names of the variables of this process's environment that terraform must not inherit.
pub(super) fn withheld_from(vars: impl Iterator<Item = (OsString, OsString)>) -> Vec<OsString> {
    vars.filter(|(name, _)| is_withheld(&name.to_string_lossy()))
        .map(|(name, _)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_identity_selectors_are_withheld() {
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_ARN",
            "AWS_ROLE_SESSION_NAME",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_CONFIG_FILE",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "SLACK_WEBHOOK_URL",
            "SLACK_WEBHOOK_URL_PAYMENTS",
        ] {
            assert!(is_withheld(name), "{name} must not reach terraform");
        }
    }

    #[test]
    fn settings_without_identity_pass_through() {
        for name in [
            "PATH",
            "HOME",
            "TF_VAR_deploy_seconds",
            "TF_PLUGIN_CACHE_DIR",
            "AWS_ENDPOINT_URL_STS",
            "AWS_CA_BUNDLE",
            "GITHUB_ACTIONS",
        ] {
            assert!(!is_withheld(name), "{name} should reach terraform");
        }
    }

    #[test]
    fn only_withheld_names_are_listed() {
        let vars = [
            ("AWS_PROFILE", "admin"),
            ("PATH", "/bin"),
            ("AWS_ACCESS_KEY_ID", "AKIA"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        assert_eq!(
            withheld_from(vars.into_iter()),
            [
                OsString::from("AWS_PROFILE"),
                OsString::from("AWS_ACCESS_KEY_ID")
            ]
        );
    }
}
