//! What an AssumeRole request asks for: the role ARN, a session name STS accepts, and a
//! duration STS will grant.

use std::time::Duration;

use crate::config::Account;

/// STS refuses `DurationSeconds` above one hour when the caller is itself an assumed role.
pub const CHAINED_SESSION_LIMIT: Duration = Duration::from_secs(3600);

/// STS accepts 2 to 64 characters for `RoleSessionName`.
const SESSION_NAME_MAX: usize = 64;
const SESSION_NAME_PREFIX: &str = "orchestrator-";
/// The run id keeps at most this many characters, so the account name stays readable.
const RUN_ID_MAX: usize = 24;

/// What the session is for: `--plan-only` runs assume the account's read-only
/// `plan_role_name` when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Purpose {
    #[default]
    Deploy,
    Plan,
}

impl Purpose {
    pub fn from_plan_only(plan_only: bool) -> Self {
        if plan_only {
            Self::Plan
        } else {
            Self::Deploy
        }
    }

    /// `orchestrator-` or `orchestrator-plan-`: CloudTrail tells plan sessions apart.
    fn session_prefix(self) -> &'static str {
        match self {
            Self::Deploy => SESSION_NAME_PREFIX,
            Self::Plan => "orchestrator-plan-",
        }
    }
}

/// The role assumed in the account for `purpose`, and the config key that names it.
pub fn role_name(account: &Account, purpose: Purpose) -> (&str, &'static str) {
    match (purpose, &account.plan_role_name) {
        (Purpose::Plan, Some(plan_role)) => (plan_role, "plan_role_name"),
        _ => (&account.role_name, "role_name"),
    }
}

/// `arn:<partition>:iam::<account_id>:role/<role_name>` (or `plan_role_name` for plans).
pub fn role_arn(account: &Account, purpose: Purpose) -> String {
    format!(
        "arn:{}:iam::{}:role/{}",
        partition(&account.region),
        account.account_id,
        role_name(account, purpose).0
    )
}

/// The partition a region belongs to (China and GovCloud have their own ARNs).
pub(super) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// `orchestrator-<name>-<run id>` (`orchestrator-plan-...` for plans), reduced to STS's
/// rules (2-64 characters of `[\w+=,.@-]`). CloudTrail shows this name, so it keeps the
/// account whole when it can and shortens the run id first.
pub fn session_name(name: &str, run_id: &str, purpose: Purpose) -> String {
    let prefix = purpose.session_prefix();
    let name = sanitize(name);
    let mut run_id = sanitize(run_id);
    run_id.truncate(RUN_ID_MAX);
    let fixed = prefix.len() + usize::from(!run_id.is_empty());
    let room_for_name = SESSION_NAME_MAX - fixed - run_id.len();
    let name = &name[..name.len().min(room_for_name)];
    let mut session = format!("{prefix}{name}");
    if !run_id.is_empty() {
        session.push('-');
        session.push_str(&run_id);
    }
    session
}

/// Every character STS does not accept becomes `-` (the input may be any Unicode).
fn sanitize(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The `DurationSeconds` to request: the account's `session_duration`, at most one hour when
/// the base credentials are themselves an assumed role (role chaining).
pub(super) fn duration_seconds(configured: Duration, chained: bool) -> i32 {
    let duration = if chained {
        configured.min(CHAINED_SESSION_LIMIT)
    } else {
        configured
    };
    // The config allows 15m..12h, far inside i32.
    i32::try_from(duration.as_secs()).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(name: &str) -> bool {
        (2..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    }

    #[test]
    fn session_name_is_prefix_account_and_run_id() {
        assert_eq!(
            session_name("catalog-dev", "8123456789-1", Purpose::Deploy),
            "orchestrator-catalog-dev-8123456789-1"
        );
    }

    #[test]
    fn plan_sessions_are_named_apart() {
        assert_eq!(
            session_name("catalog-dev", "42", Purpose::Plan),
            "orchestrator-plan-catalog-dev-42"
        );
    }

    #[test]
    fn session_name_replaces_characters_sts_refuses() {
        let name = session_name("catalog dev/ü", "run:42 #1", Purpose::Deploy);
        assert_eq!(name, "orchestrator-catalog-dev---run-42--1");
        assert!(valid(&name));
    }

    #[test]
    fn long_names_fit_in_64_characters_keeping_the_run_id() {
        let account = "a-very-long-domain-name-that-goes-on-and-on-production";
        let name = session_name(account, "1234567890", Purpose::Plan);
        assert!(valid(&name), "{name}");
        assert_eq!(name.len(), 64);
        assert!(name.ends_with("-1234567890"), "{name}");
        assert!(name.starts_with("orchestrator-plan-a-very-long"), "{name}");
    }

    #[test]
    fn long_run_ids_are_cut_to_leave_room_for_the_account() {
        let name = session_name("catalog-dev", &"9".repeat(100), Purpose::Deploy);
        assert!(valid(&name), "{name}");
        assert!(name.starts_with("orchestrator-catalog-dev-9"), "{name}");
    }

    #[test]
    fn empty_run_id_still_gives_a_valid_name() {
        assert_eq!(session_name("x", "", Purpose::Deploy), "orchestrator-x");
    }

    #[test]
    fn chained_sessions_never_ask_for_more_than_an_hour() {
        let two_hours = Duration::from_secs(7200);
        assert_eq!(duration_seconds(two_hours, false), 7200);
        assert_eq!(duration_seconds(two_hours, true), 3600);
        assert_eq!(duration_seconds(Duration::from_secs(900), true), 900);
    }

    #[test]
    fn role_arn_uses_the_partition_of_the_region() {
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
    }
}
