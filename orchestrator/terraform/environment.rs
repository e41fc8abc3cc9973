//! The environment a terraform process inherits: everything the orchestrator has, minus any
//! credentials, so that terraform acts only as the account it deploys (whose variables the
//! credentials provider adds afterwards).

use std::ffi::OsString;

use crate::aws::is_base_credential_env;

/// Secrets of the orchestrator itself that terraform never needs: the Slack webhooks (the
/// platform's `SLACK_WEBHOOK_URL` and each domain's `SLACK_WEBHOOK_URL_<DOMAIN>`).
const NOTIFICATION_SECRET_PREFIX: &str = "SLACK_WEBHOOK_URL";

/// Tokens of the CI that runs the orchestrator: a layer's provisioner or provider could use
/// them to push code, read other repositories, pull or push images, or mint OIDC tokens for
/// other roles. GitHub's, and the job tokens the other common CI systems set.
const CI_TOKENS: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    // GitLab CI.
    "CI_JOB_TOKEN",
    "CI_JOB_JWT",
    "CI_JOB_JWT_V1",
    "CI_JOB_JWT_V2",
    "CI_REGISTRY_PASSWORD",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPENDENCY_PROXY_PASSWORD",
    "GITLAB_TOKEN",
    // CircleCI.
    "CIRCLE_OIDC_TOKEN",
    "CIRCLE_OIDC_TOKEN_V2",
    "CIRCLE_TOKEN",
    // Buildkite.
    "BUILDKITE_AGENT_ACCESS_TOKEN",
    // Azure Pipelines.
    "SYSTEM_ACCESSTOKEN",
    // Bitbucket Pipelines.
    "BITBUCKET_STEP_OIDC_TOKEN",
];

/// Everything GitHub's runner gives a job under `ACTIONS_` (runtime and cache tokens and
/// URLs, the OIDC token request) is for the runner's own tools, never for terraform.
const RUNNER_PREFIX: &str = "ACTIONS_";

/// Whether an inherited variable must not reach terraform. The one rule: deny anything that
/// could give it an AWS identity other than its account's (in `aws`), any CI token
/// (`CI_TOKENS`: `GITHUB_TOKEN`, `GH_TOKEN`, GitLab's, CircleCI's... and every `ACTIONS_*`)
/// and the orchestrator's own secrets (the Slack webhooks); allow everything else (PATH,
/// proxies, `TF_*`, `AWS_ENDPOINT_URL_*`, `GITHUB_ACTIONS` and the other non-secret
/// `GITHUB_*` facts). A layer that needs a token gets it as a `TF_VAR_*` variable.
pub fn is_withheld(name: &str) -> bool {
    is_base_credential_env(name)
        || name.starts_with(NOTIFICATION_SECRET_PREFIX)
        || name.starts_with(RUNNER_PREFIX)
        || CI_TOKENS.contains(&name)
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
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "CI_JOB_TOKEN",
            "CI_JOB_JWT_V2",
            "CIRCLE_OIDC_TOKEN_V2",
            "BUILDKITE_AGENT_ACCESS_TOKEN",
            "SYSTEM_ACCESSTOKEN",
            "BITBUCKET_STEP_OIDC_TOKEN",
            "ACTIONS_RUNTIME_TOKEN",
            "ACTIONS_RUNTIME_URL",
            "ACTIONS_CACHE_URL",
            "ACTIONS_RESULTS_URL",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
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
            "GITHUB_RUN_ID",
            "CI_JOB_ID",
            "CIRCLE_BRANCH",
            "TF_TOKEN_app_terraform_io",
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
