//! Preflight: before any terraform starts, assume every selected account's role (bounded
//! concurrency), ask GetCallerIdentity who the session is, and compare the account id with
//! the config. One report lists every account that cannot be reached, and why.

use std::fmt::Write as _;
use std::path::PathBuf;

use futures::stream::{self, StreamExt};

use crate::config::{Account, Config, CredentialsMode};

use super::failure::{code, StsFailure};
use super::hint;
use super::provider::{Identity, StsProvider};

#[derive(Debug, Clone, Default)]
pub struct PreflightReport {
    /// The config file, for messages.
    pub config_path: PathBuf,
    /// Who the base credentials are; `None` when no account needed AWS.
    pub base: Option<Identity>,
    /// The base credentials themselves failed: no account was tried.
    pub base_failure: Option<BaseFailure>,
    /// Accounts whose role was assumed and whose id matched, in config order.
    pub reachable: Vec<ReachableAccount>,
    /// Accounts that failed, in config order.
    pub failures: Vec<PreflightFailure>,
    /// Accounts with `credentials: none`, which need no role.
    pub skipped: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ReachableAccount {
    pub account: String,
    pub account_id: String,
    /// The assumed-role ARN GetCallerIdentity answered.
    pub arn: String,
}

#[derive(Debug, Clone)]
pub struct BaseFailure {
    pub failure: StsFailure,
    pub hint: String,
}

#[derive(Debug, Clone)]
pub struct PreflightFailure {
    pub account: String,
    pub account_id: String,
    pub line: usize,
    pub failure: StsFailure,
    pub hint: String,
}

/// Checks `accounts` (accounts with `credentials: none` are skipped), at most `parallel` at
/// once. Sessions it assumes stay in `provider`'s cache for the run that follows.
pub async fn preflight<'a>(
    config: &Config,
    accounts: impl IntoIterator<Item = &'a Account>,
    provider: &StsProvider,
    parallel: usize,
) -> PreflightReport {
    let mut report = PreflightReport {
        config_path: config.path.clone(),
        ..PreflightReport::default()
    };
    let mut to_check = Vec::new();
    for account in accounts {
        match account.credentials {
            CredentialsMode::None => report.skipped.push(account.name.clone()),
            CredentialsMode::AssumeRole => to_check.push(account),
        }
    }
    if to_check.is_empty() {
        return report;
    }
    let base = match provider.base_identity().await {
        Ok(identity) => identity,
        Err(failure) => {
            let hint = hint::for_base_in(&failure, provider.purpose());
            report.base_failure = Some(BaseFailure { failure, hint });
            return report;
        }
    };
    let base_arn = base.arn.clone();
    let mut results: Vec<(usize, Result<ReachableAccount, PreflightFailure>)> =
        stream::iter(to_check.into_iter().enumerate())
            .map(|(index, account)| {
                let base_arn = base_arn.as_str();
                async move { (index, check(provider, account, base_arn).await) }
            })
            .buffer_unordered(parallel.max(1))
            .collect()
            .await;
    results.sort_by_key(|(index, _)| *index);
    for (_, result) in results {
        match result {
            Ok(reachable) => report.reachable.push(reachable),
            Err(failure) => report.failures.push(failure),
        }
    }
    report.base = Some(base);
    report
}

async fn check(
    provider: &StsProvider,
    account: &Account,
    base_arn: &str,
) -> Result<ReachableAccount, PreflightFailure> {
    let failed = |failure: StsFailure| PreflightFailure {
        account: account.name.clone(),
        account_id: account.account_id.clone(),
        line: account.line,
        hint: hint::for_account(&failure, account, provider.purpose(), Some(base_arn)),
        failure,
    };
    let session = provider.assume(account).await.map_err(failed)?;
    let identity = provider
        .account_identity(account, &session)
        .await
        .map_err(failed)?;
    if identity.account != account.account_id {
        return Err(failed(StsFailure::new(
            Some(code::ACCOUNT_MISMATCH),
            format!(
                "the assumed role is in account {}, the config says {} ({})",
                identity.account, account.account_id, identity.arn
            ),
            false,
        )));
    }
    Ok(ReachableAccount {
        account: account.name.clone(),
        account_id: account.account_id.clone(),
        arn: identity.arn,
    })
}

impl PreflightReport {
    pub fn is_ok(&self) -> bool {
        self.base_failure.is_none() && self.failures.is_empty()
    }

    /// Why `account` cannot be reached, for its run report; `None` when it can.
    pub fn unreachable(&self, account: &str) -> Option<String> {
        if let Some(base) = &self.base_failure {
            return Some(format!(
                "preflight: the base credentials do not work: {}; {}",
                base.failure, base.hint
            ));
        }
        self.failures
            .iter()
            .find(|f| f.account == account)
            .map(|f| format!("preflight: {}; {}", f.failure, f.hint))
    }

    fn checked(&self) -> usize {
        self.reachable.len() + self.failures.len()
    }

    /// One line: how many accounts are reachable, how many failed, how many were skipped.
    pub fn summary(&self) -> String {
        let mut line = if self.base_failure.is_some() {
            "preflight: the base credentials failed, no account was checked".to_string()
        } else if self.checked() == 0 {
            "preflight: no account needs AWS credentials".to_string()
        } else {
            format!(
                "preflight: {} of {} accounts reachable",
                self.reachable.len(),
                self.checked()
            )
        };
        if !self.failures.is_empty() {
            let _ = write!(line, ", {} failed", self.failures.len());
        }
        if !self.skipped.is_empty() {
            let _ = write!(line, "; {} skipped (credentials: none)", self.skipped.len());
        }
        line
    }

    /// Everything that went well: the base identity, each reachable account, the skipped
    /// ones, and the summary line last.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(base) = &self.base {
            let _ = writeln!(out, "base credentials: {}", base.arn);
        }
        let width = self
            .reachable
            .iter()
            .map(|r| r.account.len())
            .max()
            .unwrap_or(0);
        for r in &self.reachable {
            let _ = writeln!(
                out,
                "  ok  {:width$}  {}  {}",
                r.account, r.account_id, r.arn
            );
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(
                out,
                "skipped (credentials: none): {}",
                self.skipped.join(", ")
            );
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }

    /// Every failure with its STS error code and what to do; empty when all is well.
    pub fn render_failures(&self) -> String {
        let mut out = String::new();
        if let Some(base) = &self.base_failure {
            let _ = writeln!(
                out,
                "preflight failed: the base credentials do not work: {}",
                base.failure
            );
            let _ = write!(out, "  hint: {}", base.hint);
            return out;
        }
        if self.failures.is_empty() {
            return out;
        }
        let _ = write!(
            out,
            "preflight failed for {} of {} accounts:",
            self.failures.len(),
            self.checked()
        );
        for f in &self.failures {
            let _ = write!(
                out,
                "\n  {} ({}, {}:{}): {}\n    hint: {}",
                f.account,
                f.account_id,
                self.config_path.display(),
                f.line,
                f.failure,
                f.hint
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(
        account: &str,
        id: &str,
        line: usize,
        code: &str,
        message: &str,
        hint: &str,
    ) -> PreflightFailure {
        PreflightFailure {
            account: account.into(),
            account_id: id.into(),
            line,
            failure: StsFailure::new(Some(code), message, false),
            hint: hint.into(),
        }
    }

    fn report() -> PreflightReport {
        PreflightReport {
            config_path: "domains.yaml".into(),
            base: Some(Identity {
                account: "999999999999".into(),
                arn: "arn:aws:sts::999999999999:assumed-role/github-deployer/orchestrator-oidc-42".into(),
            }),
            base_failure: None,
            reachable: vec![ReachableAccount {
                account: "catalog-dev".into(),
                account_id: "111111111111".into(),
                arn: "arn:aws:sts::111111111111:assumed-role/OrganizationAccountAccessRole/orchestrator-catalog-dev-42".into(),
            }],
            failures: vec![
                failure(
                    "catalog-prod",
                    "333333333333",
                    14,
                    "AccessDenied",
                    "User: arn:aws:sts::999999999999:assumed-role/github-deployer/orchestrator-oidc-42 is not authorized to perform: sts:AssumeRole",
                    "check that role `OrganizationAccountAccessRole` exists in account 333333333333",
                ),
                failure(
                    "payments-prod",
                    "240000000003",
                    40,
                    code::ACCOUNT_MISMATCH,
                    "the assumed role is in account 240000000009, the config says 240000000003",
                    "check account_id of payments-prod in the config (line 40)",
                ),
            ],
            skipped: vec!["sandbox-dev".into()],
        }
    }

    #[test]
    fn failures_name_each_account_its_code_and_a_hint() {
        let report = report();
        assert!(!report.is_ok());
        insta::assert_snapshot!(report.render_failures());
    }

    #[test]
    fn render_lists_reachable_and_skipped_accounts() {
        insta::assert_snapshot!(report().render());
    }

    #[test]
    fn a_base_failure_is_reported_once() {
        let report = PreflightReport {
            config_path: "domains.yaml".into(),
            base_failure: Some(BaseFailure {
                failure: StsFailure::new(
                    Some(code::OIDC_TOKEN_UNAVAILABLE),
                    "ACTIONS_ID_TOKEN_REQUEST_URL is not set",
                    false,
                ),
                hint: "the workflow job needs `permissions: id-token: write`".into(),
            }),
            ..PreflightReport::default()
        };
        assert!(!report.is_ok());
        insta::assert_snapshot!(report.render_failures());
        assert_eq!(
            report.summary(),
            "preflight: the base credentials failed, no account was checked"
        );
    }
}
