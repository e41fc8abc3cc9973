//! The wait between terraform's SIGINT and its SIGKILL, and its cap under GitHub Actions.

use std::time::Duration;

use crate::config::Config;
use crate::github_actions::GithubActions;

/// Under GitHub Actions, the longest wait between terraform's SIGINT and its SIGKILL: the
/// runner answers a cancel or a step timeout with SIGINT to the step's process, SIGTERM about
/// 7.5 s later (a second stop, which kills terraform) and SIGKILL of the whole tree about 10 s
/// after the SIGINT. Stopping at 7 s leaves the orchestrator time to write the report.
const GITHUB_ACTIONS_GRACE_PERIOD: Duration = Duration::from_secs(7);

/// `--grace-period` (`flag`), else `defaults.grace_period`, capped under GitHub Actions so a
/// cancelled leg's (or vend's) own kill, with its report, comes before the runner's.
pub(crate) fn grace_period(config: &Config, flag: Option<Duration>) -> Duration {
    if let Some(flag) = flag {
        return flag;
    }
    let configured = config.execution.grace_period;
    if GithubActions::from_env().actions && configured > GITHUB_ACTIONS_GRACE_PERIOD {
        // Once per command: destroy resolves its plan and its apply.
        static NOTED: std::sync::Once = std::sync::Once::new();
        NOTED.call_once(|| {
            crate::console::eprintln!(
            "note: grace period {} in GitHub Actions, not {} (defaults.grace_period): the runner \
             kills a cancelled step's processes about 10s after its SIGINT; --grace-period \
             overrides",
            humantime::format_duration(GITHUB_ACTIONS_GRACE_PERIOD),
            humantime::format_duration(configured)
        )
        });
        return GITHUB_ACTIONS_GRACE_PERIOD;
    }
    configured
}
