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
            // AWS error codes as the SDK prints them (`api error Throttling: Rate exceeded`),
            // never the bare word: a resource may be named `api-throttling-alarm`.
            "api error throttling",
            "throttlingexception",
            "throttling: rate exceeded",
            "requestlimitexceeded",
            "toomanyrequestsexception",
            "rate exceeded",
            "api error slowdown",
            "statuscode: 429",
            // The AWS SDK for Go v1's form.
            "status code: 429, request id",
        ],
    ),
    (
        Transient::ServerError,
        &[
            "api error serviceunavailable",
            "api error internalerror",
            "api error internalfailure",
        ],
    ),
    (
        Transient::Network,
        &[
            "connection reset by peer",
            "tls handshake timeout",
            "i/o timeout",
            "broken pipe",
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
    // A full disk is the user's to fix (terraform's own message says so), whatever it broke,
    // a state lock included: retrying would only fail the same way.
    if text.contains("no space left on device") {
        return None;
    }
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

/// `https response error StatusCode: 503` (the AWS SDK's structured form), not any
/// `status code 500` a validation message may quote.
fn has_5xx_status(text: &str) -> bool {
    ["response error statuscode: "].iter().any(|prefix| {
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
    fn look_alikes_in_real_errors_are_not_transient() {
        for detail in [
            "creating CloudWatch Metric Alarm (api-throttling-alarm): ValidationError: Period must be 60",
            "expected status code 500 to be one of [200, 201] in health_check.expect_status",
            "MalformedPolicyDocument: unexpected EOF in policy document",
            "dial tcp 127.0.0.1:1: connect: connection refused (endpoint http://127.0.0.1:1 from AWS_ENDPOINT_URL_S3)",
            "Error acquiring the state lock\n\nError message: write .terraform.tfstate.lock.info: no space left on device",
        ] {
            assert_eq!(classify(&error(detail)), None, "{detail}");
        }
    }

    #[test]
    fn structured_throttling_and_5xx_are_transient() {
        for (detail, kind) in [
            ("operation error IAM: CreateRole, https response error StatusCode: 400, RequestID: 1, api error Throttling: Rate exceeded", Transient::Throttling),
            ("ThrottlingException: Rate exceeded", Transient::Throttling),
            ("operation error EC2: RunInstances, https response error StatusCode: 503, RequestID: 1, api error RequestLimitExceeded: Request limit exceeded.", Transient::Throttling),
            ("operation error S3: PutObject, https response error StatusCode: 429, RequestID: 1", Transient::Throttling),
            ("operation error S3: PutObject, https response error StatusCode: 502, RequestID: 1", Transient::ServerError),
        ] {
            assert_eq!(classify(&error(detail)), Some(kind), "{detail}");
        }
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
            "operation error EC2: status code: 429, request id: abc",
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
