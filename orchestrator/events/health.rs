//! The result of one health check of a layer.

use serde::{Deserialize, Serialize};

/// One health check of a layer: the URL its output named, polled until it answered the
/// expected status or the check's timeout expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckReport {
    /// The layer output that holds the URL.
    pub output: String,
    /// The URL without credentials, query or fragment; absent when the output could not be
    /// read or was not a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub expect_status: u16,
    pub outcome: HealthOutcome,
    /// The status of the last answer, when any request got one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// HTTP requests made.
    pub attempts: u32,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealthOutcome {
    /// The URL answered the expected status.
    Passed,
    /// The check's timeout expired: the URL answered another status, or nothing.
    Failed,
    /// The layer output is missing or not a URL; nothing was requested.
    NoUrl,
    /// The job's deadline passed while polling.
    Timeout,
    /// The run was interrupted while polling.
    Cancelled,
}

impl HealthOutcome {
    pub const ALL: [HealthOutcome; 5] = [
        HealthOutcome::Passed,
        HealthOutcome::Failed,
        HealthOutcome::NoUrl,
        HealthOutcome::Timeout,
        HealthOutcome::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HealthOutcome::Passed => "passed",
            HealthOutcome::Failed => "failed",
            HealthOutcome::NoUrl => "no-url",
            HealthOutcome::Timeout => "timeout",
            HealthOutcome::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for HealthOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
