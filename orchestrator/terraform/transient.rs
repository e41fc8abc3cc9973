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

/// AWS error codes the SDKs retry as throttling (aws-sdk-go-v2 `retry.DefaultThrottleErrorCodes`).
const THROTTLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// AWS error codes of a failure on AWS's side that goes away (the SDKs' transient codes and
/// the services' internal errors).
const SERVER_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServiceError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// HTTP statuses the AWS SDKs retry.
const SERVER_STATUSES: &[u16] = &[500, 502, 503, 504];

/// terraform's own summaries of a failed provider or module download (`terraform init`).
const DOWNLOAD_SUMMARIES: &[&str] = &[
    "failed to install provider",
    "failed to query available provider packages",
    "failed to download module",
    "error accessing remote module registry",
];

/// Download errors that no retry fixes: the provider or version does not exist.
const PERMANENT_DOWNLOAD: &[&str] = &[
    "does not exist",
    "does not have a provider named",
    "no available releases match",
    "could not find required providers",
    "doesn't match any",
    "checksum",
];

/// Classifies a failed command from its output; `None` means a real error. The failure is
/// transient only when every error terraform reported is: a retry cannot fix the others.
pub fn classify(output: &str) -> Option<Transient> {
    let errors = diagnostics::errors(output);
    // No diagnostic at all (a crash, a kill): nothing structured says it would pass next time,
    // and the raw output mixes in what provisioners printed.
    let mut found = None;
    for d in &errors {
        let kind = judge(&d.summary, &d.details.join("\n"))?;
        found.get_or_insert(kind);
    }
    found
}

/// Whether terraform failed on a full disk (ENOSPC, whatever it was writing): the user's to
/// fix, never retried, and said as such in the failure's reason.
pub fn full_disk(output: &str) -> bool {
    output
        .to_ascii_lowercase()
        .contains("no space left on device")
}

/// One error: its summary line and its detail.
fn judge(summary: &str, detail: &str) -> Option<Transient> {
    let text = format!("{summary}\n{detail}");
    // A full disk is the user's to fix (terraform's own message says so), whatever it broke,
    // a state lock included: retrying would only fail the same way.
    if full_disk(&text) {
        return None;
    }
    let heading = summary.to_ascii_lowercase();
    if heading.starts_with("error acquiring the state lock") {
        return state_lock(detail);
    }
    if heading.starts_with("saved plan is stale") {
        return Some(Transient::StalePlan);
    }
    if heading.ends_with("provisioner error") {
        // What a provisioner's own command printed is the user's program speaking, and a
        // failed provisioner taints its resource: never retried on its words.
        return None;
    }
    if DOWNLOAD_SUMMARIES.iter().any(|s| heading.starts_with(s)) {
        let lower = text.to_ascii_lowercase();
        return (!PERMANENT_DOWNLOAD.iter().any(|f| lower.contains(f)))
            .then_some(Transient::Download);
    }
    aws_error(&text)
        .or_else(|| providers_code(summary, detail))
        .or_else(|| network_error(&text).then_some(Transient::Network))
}

/// A known code in AWS's bare `Code: message` form, where the provider printed it without a
/// status: starting its error (`ThrottlingException: Rate exceeded`), right after its
/// `<action> <resource> (<id>): ` prefix, or after the SDK's `api error `. Only in the
/// provider's own diagnostic: its summary is a Go error string (`creating IAM Role (x): ...`),
/// never one of terraform's capitalised summaries, whose detail is the user's text (a
/// precondition's `error_message = "Throttling: disabled for this account"`). A code further
/// in (`ValidationError: AlarmDescription 'InternalError: see runbook'`) is quoted, not AWS's.
fn providers_code(summary: &str, detail: &str) -> Option<Transient> {
    if summary.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    std::iter::once(summary)
        .chain(detail.lines())
        .find_map(|line| by_code_and_status(leading_code(line), None))
}

/// The code that starts a line of the provider's error, or follows its prefix up to the first
/// `: ` outside parentheses (an id in parentheses may hold anything), or follows `api error `.
fn leading_code(line: &str) -> Option<&str> {
    let line = line.trim_start();
    if let Some(code) = line
        .split_once("api error ")
        .and_then(|(_, r)| error_code(r))
    {
        return Some(code);
    }
    let mut depth = 0usize;
    let mut prefix_end = None;
    for (i, c) in line.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ':' if depth == 0 && line[i + 1..].starts_with(' ') => {
                prefix_end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let prefix_end = prefix_end?;
    let head = &line[..prefix_end];
    if is_code(head) {
        return Some(head);
    }
    error_code(&line[prefix_end + 2..])
}

/// `Error acquiring the state lock`: transient when another process holds it (terraform then
/// prints the holder's `Lock Info:`, or the kernel says the file is locked), or when taking it
/// failed on a transient AWS error. Any other cause (a read-only directory, a missing bucket)
/// is the user's to fix.
fn state_lock(detail: &str) -> Option<Transient> {
    let held = detail.contains("Lock Info:")
        || detail.contains("resource temporarily unavailable")
        || detail.contains("ConditionalCheckFailedException")
        || detail.contains("PreconditionFailed");
    if held {
        return Some(Transient::StateLock);
    }
    aws_error(detail).or_else(|| network_error(detail).then_some(Transient::Network))
}

/// An AWS API error as the AWS SDK for Go prints it, judged by its status and error code:
/// v2 `https response error StatusCode: 503, RequestID: x, api error SlowDown: Please
/// reduce your request rate` (or `..., RequestID: x, LimitExceeded: ...` for a modelled error),
/// v1 `Throttling: Rate exceeded\n\tstatus code: 400, request id: x`. Words outside that form
/// (a resource named `api-throttling-alarm`, `status code 500` in a validation message) are
/// not an AWS error.
fn aws_error(text: &str) -> Option<Transient> {
    const V2: &str = "https response error StatusCode: ";
    let mut verdict = None;
    for (i, _) in text.match_indices(V2) {
        let rest = &text[i + V2.len()..];
        let status = status_code(rest);
        // `StatusCode: 0, RequestID: , request send failed, Post "...": <cause>`
        let mut after_id = rest
            .split_once("RequestID: ")
            .and_then(|(_, r)| r.split_once(", "))
            .map_or("", |(_, r)| r);
        // S3 adds its host id: `RequestID: x, HostID: y, api error SlowDown: ...`.
        if let Some(host) = after_id.strip_prefix("HostID: ") {
            after_id = host.split_once(", ").map_or("", |(_, r)| r);
        }
        if let Some(cause) = after_id.strip_prefix("request send failed") {
            if network_error(cause) || cause.trim_end().ends_with(": EOF") {
                verdict = verdict.or(Some(Transient::Network));
            }
            continue;
        }
        let code = error_code(after_id.strip_prefix("api error ").unwrap_or(after_id));
        verdict = verdict.or(by_code_and_status(code, status));
    }
    // v1: the code starts the message, the status follows on the next line.
    const V1: &str = "status code: ";
    for (i, _) in text.match_indices(V1) {
        let rest = &text[i + V1.len()..];
        let Some(status) = status_code(rest).filter(|_| rest[3..].starts_with(", request id:"))
        else {
            continue;
        };
        // The code is the first `Word:` of the message before it (terraform joins the lines).
        let line_start = text[..i].trim_end().rfind('\n').map_or(0, |n| n + 1);
        let code = text[line_start..i]
            .split_whitespace()
            .filter_map(|w| w.strip_suffix(':'))
            .find(|w| *w != "Error" && is_code(w));
        verdict = verdict.or(by_code_and_status(code, Some(status)));
    }
    // Inside the SDK's chain, the code of the error it wraps: `operation error EC2:
    // RunInstances, exceeded maximum number of attempts, 3, api error Throttling: ...`.
    const CHAIN: &str = "operation error ";
    for (i, _) in text.match_indices(CHAIN) {
        let Some((_, mut rest)) = text[i + CHAIN.len()..].split_once(", ") else {
            continue;
        };
        if let Some(attempts) = rest.strip_prefix("exceeded maximum number of attempts, ") {
            rest = attempts.split_once(", ").map_or("", |(_, r)| r);
        }
        let code = error_code(rest.strip_prefix("api error ").unwrap_or(rest));
        verdict = verdict.or(by_code_and_status(code, None));
    }
    // The SDK's own client-side retry budget ran out: it was being throttled.
    if text.contains("operation error ") && text.contains("retry quota exceeded") {
        verdict = verdict.or(Some(Transient::Throttling));
    }
    verdict
}

fn by_code_and_status(code: Option<&str>, status: Option<u16>) -> Option<Transient> {
    if let Some(code) = code {
        if THROTTLE_CODES.contains(&code) {
            return Some(Transient::Throttling);
        }
        if SERVER_CODES.contains(&code) {
            return Some(Transient::ServerError);
        }
    }
    match status {
        Some(429) => Some(Transient::Throttling),
        Some(s) if SERVER_STATUSES.contains(&s) => Some(Transient::ServerError),
        _ => None,
    }
}

/// The three digits a status starts with.
fn status_code(text: &str) -> Option<u16> {
    let digits = text.get(..3)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if text[3..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `Throttling: Rate exceeded` -> `Throttling`: an error code is one word before `: `.
fn error_code(text: &str) -> Option<&str> {
    let (code, _) = text.split_once(": ")?;
    is_code(code).then_some(code)
}

fn is_code(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_uppercase())
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

/// A broken connection as Go's network stack words it (`read tcp a->b: read: connection reset
/// by peer`, `dial tcp 10.0.0.1:443: i/o timeout`, `net/http: TLS handshake timeout`). A
/// refused connection is not here: it is a wrong endpoint far more often than a blip.
fn network_error(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    const FIXED: &[&str] = &[
        "read: connection reset by peer",
        "write: connection reset by peer",
        "write: broken pipe",
        "net/http: tls handshake timeout",
        "(client.timeout exceeded while awaiting headers)",
        "temporary failure in name resolution",
        ": server misbehaving",
    ];
    if FIXED.iter().any(|f| lower.contains(f)) {
        return true;
    }
    // `i/o timeout` only at the end of a Go dial, read or write error.
    lower.match_indices(": i/o timeout").any(|(i, _)| {
        let line = &lower[lower[..i].rfind('\n').map_or(0, |n| n + 1)..i];
        ["dial tcp", "read tcp", "write tcp", "dial udp", "read udp"]
            .iter()
            .any(|op| line.contains(op))
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
            "creating CloudWatch Metric Alarm (errors): ValidationError: AlarmDescription 'page when the error rate exceeded 5% (see ThrottlingException runbook)' is too long",
            "reading Lambda Function (api-throttling): couldn't find resource (21 retries)",
        ] {
            assert_eq!(classify(&error(detail)), None, "{detail}");
        }
    }

    #[test]
    fn a_known_code_quoted_by_terraform_or_further_in_the_providers_error_is_not_transient() {
        for output in [
            // A precondition's, a variable's, an output's own message: the user's words.
            "Error: Resource precondition failed\n\n  on main.tf line 6, in resource \"terraform_data\" \"alarm\":\n\nThrottling: disabled for this account\n",
            "Error: Invalid value for variable\n\nInternalError: see runbook\n",
            "Error: Module output value precondition failed\n\nServiceUnavailable: the alarm is muted\n",
            // A description quoted inside AWS's own validation error.
            "Error: creating CloudWatch Metric Alarm (errors): ValidationError: AlarmDescription 'InternalError: see runbook' is too long\n",
            "Error: creating CloudWatch Metric Alarm (errors): operation error CloudWatch: PutMetricAlarm, https response error StatusCode: 400, RequestID: 1, api error ValidationError: AlarmDescription 'Throttling: disabled' is too long\n",
            // An id in the provider's prefix may hold anything.
            "Error: reading S3 Object (bucket/Throttling: x): NoSuchKey: The specified key does not exist.\n",
        ] {
            assert_eq!(classify(output), None, "{output}");
        }
    }

    #[test]
    fn the_providers_bare_code_and_the_sdks_chain_are_transient() {
        for output in [
            "Error: creating IAM Role (deploy): ThrottlingException: Rate exceeded\n",
            "Error: reading EC2 Instance (i-1): RequestLimitExceeded: Request limit exceeded.\n",
            "Error: creating IAM Role (deploy): operation error IAM: CreateRole, exceeded maximum number of attempts, 3, api error Throttling: Rate exceeded\n",
            "Error: creating Amazon Bedrock Agent (x)\n\nThrottlingException: Rate exceeded\n",
        ] {
            assert!(classify(output).is_some(), "{output}");
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

    /// What terraform 1.11 with terraform-provider-aws 5.100.0 prints (one SDK attempt) when
    /// IAM answers as given, or cannot be reached.
    fn provider(answer: &str) -> String {
        format!(
            "aws_iam_role.r: Creating...\n\
             ╷\n\
             │ Error: creating IAM Role (api-throttling-alarm): operation error IAM: CreateRole, {answer}\n\
             │ \n\
             │   with aws_iam_role.r,\n\
             │   on main.tf line 12, in resource \"aws_iam_role\" \"r\":\n\
             │   12: resource \"aws_iam_role\" \"r\" {{\n\
             │ \n\
             ╵\n"
        )
    }

    #[test]
    fn the_aws_providers_own_errors_are_judged_by_code_and_status() {
        for (answer, kind) in [
            ("exceeded maximum number of attempts, 1, https response error StatusCode: 400, RequestID: abc-123, api error Throttling: Rate exceeded", Some(Transient::Throttling)),
            ("exceeded maximum number of attempts, 1, https response error StatusCode: 500, RequestID: abc-123, ServiceFailure: internal", Some(Transient::ServerError)),
            ("exceeded maximum number of attempts, 1, https response error StatusCode: 503, RequestID: abc, api error ServiceUnavailable: Service Unavailable", Some(Transient::ServerError)),
            ("exceeded maximum number of attempts, 1, https response error StatusCode: 0, RequestID: , request send failed, Post \"http://127.0.0.1:18499/\": EOF", Some(Transient::Network)),
            ("failed to get rate limit token, retry quota exceeded, 0 available, 5 requested", Some(Transient::Throttling)),
            // A quota, a bad policy, a wrong endpoint: real errors, whatever words they hold.
            ("https response error StatusCode: 409, RequestID: abc, LimitExceeded: Cannot exceed quota for RolesPerAccount: 1000", None),
            ("https response error StatusCode: 400, RequestID: abc, MalformedPolicyDocument: unexpected EOF", None),
            ("exceeded maximum number of attempts, 1, https response error StatusCode: 0, RequestID: , request send failed, Post \"http://127.0.0.1:1/\": dial tcp 127.0.0.1:1: connect: connection refused", None),
            ("https response error StatusCode: 403, RequestID: abc, api error AccessDenied: User: arn:aws:iam::1:user/x is not authorized", None),
        ] {
            assert_eq!(classify(&provider(answer)), kind, "{answer}");
        }
    }

    #[test]
    fn the_sdk_v1_form_and_s3_host_ids_are_read() {
        assert_eq!(
            classify(&error("creating IAM Role (x): Throttling: Rate exceeded\n\tstatus code: 400, request id: abc")),
            Some(Transient::Throttling)
        );
        assert_eq!(
            classify(&error("creating IAM Role (x): ValidationError: bad name\n\tstatus code: 400, request id: abc")),
            None
        );
        assert_eq!(
            classify(&error("operation error S3: PutObject, https response error StatusCode: 503, RequestID: R, HostID: H, api error SlowDown: Please reduce your request rate.")),
            Some(Transient::Throttling)
        );
    }

    #[test]
    fn a_provisioners_words_and_a_second_real_error_are_not_retried() {
        let provisioner = "Error: local-exec provisioner error\n\n  with terraform_data.x,\n\nError running command 'deploy.sh': exit status 1. Output: ThrottlingException: Rate exceeded\nread tcp 10.0.0.1:1->10.0.0.2:443: read: connection reset by peer\n";
        assert_eq!(classify(provisioner), None);
        let both = format!(
            "{}\nError: Invalid value for variable\n\nThe name must be short.\n",
            error("https response error StatusCode: 503, RequestID: x")
        );
        assert_eq!(classify(&both), None);
        assert_eq!(
            classify("panic: runtime error\nread: connection reset by peer\n"),
            None
        );
    }

    #[test]
    fn a_lock_that_could_not_be_taken_for_another_reason_is_real() {
        let held_s3 = "Error: Error acquiring the state lock\n\nError message: operation error S3: PutObject, https response error StatusCode: 412, RequestID: R, HostID: H, api error PreconditionFailed: At least one of the pre-conditions you specified did not hold\nLock Info:\n  ID: 5b4e\n";
        assert_eq!(classify(held_s3), Some(Transient::StateLock));
        let throttled = "Error: Error acquiring the state lock\n\nError message: operation error S3: PutObject, https response error StatusCode: 503, RequestID: R, HostID: H, api error SlowDown: Please reduce your request rate.\n";
        assert_eq!(classify(throttled), Some(Transient::Throttling));
        for cause in [
            "open /state/.x.tfstate.lock.info: permission denied",
            "operation error S3: PutObject, https response error StatusCode: 404, RequestID: R, HostID: H, api error NoSuchBucket: The specified bucket does not exist",
        ] {
            let output = format!("Error: Error acquiring the state lock\n\nError message: {cause}\n");
            assert_eq!(classify(&output), None, "{cause}");
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
