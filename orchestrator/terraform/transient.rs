//! Which terraform failures are worth another attempt: the ones caused by something outside
//! the configuration that goes away on its own (a lock another run holds, API throttling, a
//! registry or network hiccup, a 5xx). Everything else is a real error and fails at once.

use std::fmt;

use super::diagnostics;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transient {
    /// Another terraform holds the state lock.
    StateLock,
    /// The cloud API refused to go faster (Throttling, RequestLimitExceeded, 429).
    Throttling,
    /// A provider or module could not be downloaded.
    Download,
    /// The connection broke (reset, timeout, TLS handshake).
    Network,
    /// The API answered 5xx.
    ServerError,
    /// The state changed between plan and apply: plan again.
    StalePlan,
}

impl Transient {
    pub fn as_str(self) -> &'static str {
        match self {
            Transient::StateLock => "state lock held",
            Transient::Throttling => "throttled",
            Transient::Download => "download failed",
            Transient::Network => "network error",
            Transient::ServerError => "server error (5xx)",
            Transient::StalePlan => "stale plan",
        }
    }
}

impl fmt::Display for Transient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Case-insensitive fragments, checked in order; the first match decides.
const PATTERNS: &[(Transient, &[&str])] = &[
    (Transient::StateLock, &["error acquiring the state lock"]),
    (Transient::StalePlan, &["saved plan is stale"]),
    (
        Transient::Throttling,
        &[
            "throttling",
            "throttled",
            "requestlimitexceeded",
            "toomanyrequests",
            "too many requests",
            "rate exceeded",
            "slowdown",
            "status code: 429",
            "statuscode: 429",
        ],
    ),
    (
        Transient::ServerError,
        &[
            "internal server error",
            "bad gateway",
            "service unavailable",
            "serviceunavailable",
            "gateway timeout",
            "internalerror",
            "internalfailure",
        ],
    ),
    (
        Transient::Network,
        &[
            "connection reset by peer",
            "tls handshake timeout",
            "i/o timeout",
            "unexpected eof",
            "broken pipe",
            "connection refused",
            "temporary failure in name resolution",
            "client.timeout exceeded",
        ],
    ),
    (
        Transient::Download,
        &[
            "failed to install provider",
            "failed to query available provider packages",
            "failed to download module",
            "error downloading modules",
            "failed to retrieve available versions",
            "could not connect to registry",
            "error while downloading",
        ],
    ),
];

/// Download errors that no retry fixes: the provider or version does not exist.
const PERMANENT_DOWNLOAD: &[&str] = &[
    "does not exist",
    "no available releases match",
    "could not find required providers",
    "doesn't match any",
    "checksum",
];

/// Classifies a failed command from its output; `None` means a real error.
pub fn classify(output: &str) -> Option<Transient> {
    let errors = diagnostics::errors(output);
    let text = if errors.is_empty() {
        // No diagnostic (a crash, a dropped connection): judge by the last lines.
        let lines: Vec<&str> = output.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    } else {
        errors
            .iter()
            .map(|d| format!("{}\n{}", d.summary, d.details.join("\n")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let text = text.to_lowercase();
    let found = PATTERNS
        .iter()
        .find(|(_, fragments)| fragments.iter().any(|f| text.contains(f)))
        .map(|(kind, _)| *kind)
        .or_else(|| has_5xx_status(&text).then_some(Transient::ServerError))?;
    if found == Transient::Download && PERMANENT_DOWNLOAD.iter().any(|f| text.contains(f)) {
        return None;
    }
    Some(found)
}

/// `StatusCode: 503` (AWS SDK) or `status code: 502` / `status code 500` (HTTP clients).
fn has_5xx_status(text: &str) -> bool {
    ["statuscode: ", "status code: ", "status code "]
        .iter()
        .any(|prefix| {
            text.match_indices(prefix).any(|(i, m)| {
                let code = &text.as_bytes()[i + m.len()..];
                code.len() >= 3 && code[0] == b'5' && code[1..3].iter().all(u8::is_ascii_digit)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(detail: &str) -> String {
        format!("Error: something failed\n\n{detail}\n")
    }

    #[test]
    fn a_held_state_lock_is_transient() {
        let output = "Error: Error acquiring the state lock\n\nError message: resource temporarily unavailable\nLock Info:\n  ID: 1\n";
        assert_eq!(classify(output), Some(Transient::StateLock));
    }

    #[test]
    fn throttling_is_transient() {
        for detail in [
            "api error Throttling: Rate exceeded",
            "RequestLimitExceeded: Request limit exceeded.",
            "TooManyRequestsException: Too Many Requests",
            "operation error EC2: status code: 429",
        ] {
            assert_eq!(
                classify(&error(detail)),
                Some(Transient::Throttling),
                "{detail}"
            );
        }
    }

    #[test]
    fn server_errors_and_broken_connections_are_transient() {
        assert_eq!(
            classify(&error("https response error StatusCode: 503, RequestID: x")),
            Some(Transient::ServerError)
        );
        assert_eq!(
            classify(&error(
                "operation error S3: GetObject, https response error StatusCode: 500"
            )),
            Some(Transient::ServerError)
        );
        assert_eq!(
            classify(&error(
                "read tcp 10.0.0.1:443: read: connection reset by peer"
            )),
            Some(Transient::Network)
        );
    }

    #[test]
    fn a_failed_provider_download_is_transient_unless_the_provider_does_not_exist() {
        let flaky = "Error: Failed to install provider\n\nError while installing hashicorp/aws v5.0.0: could not query provider registry: net/http: TLS handshake timeout\n";
        assert!(classify(flaky).is_some());
        let missing = "Error: Failed to query available provider packages\n\nCould not retrieve the list of available versions for provider hashicorp/nope: provider registry registry.terraform.io does not have a provider named registry.terraform.io/hashicorp/nope\n\nThe provider does not exist.\n";
        assert_eq!(classify(missing), None);
    }

    #[test]
    fn real_errors_are_not_retried() {
        for output in [
            "Error: local-exec provisioner error\n\nError running command: exit status 1.\n",
            "Error: Unsupported argument\n\n  on main.tf line 3:\n\nAn argument named \"x\" is not expected here.\n",
            "Error: creating IAM Role (deploy): AccessDenied: not authorized\n",
            "Error: status code: 404\n",
        ] {
            assert_eq!(classify(output), None, "{output}");
        }
    }

    #[test]
    fn words_in_the_plan_do_not_make_an_error_transient() {
        let output = "  + name = \"throttling-alarm\"\n  + status = \"503\"\n\nError: Invalid reference\n\nA reference to a resource type must be followed by an attribute.\n";
        assert_eq!(classify(output), None);
    }
}
