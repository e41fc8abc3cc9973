//! One failed STS (or token) request, reduced to what a person and the retry loop need:
//! the error code STS sent, its message, and whether asking again can help.

use std::fmt;

use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

/// Codes STS (and AWS in general) documents as transient. Everything else, AccessDenied,
/// RegionDisabledException, MalformedPolicyDocument, InvalidIdentityToken, ExpiredToken and
/// the rest, fails at once.
const RETRYABLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "IDPCommunicationError",
    "InternalFailure",
    "InternalError",
    "ServiceUnavailable",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// Our own codes, for failures that are not an STS answer.
pub mod code {
    /// GetCallerIdentity answered with another account than the config names.
    pub const ACCOUNT_MISMATCH: &str = "AccountMismatch";
    /// The default chain found no credentials.
    pub const NO_BASE_CREDENTIALS: &str = "NoBaseCredentials";
    /// The GitHub OIDC token could not be obtained.
    pub const OIDC_TOKEN_UNAVAILABLE: &str = "OidcTokenUnavailable";
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsFailure {
    /// The error code (`AccessDenied`, `Throttling`, ...); `None` for network failures.
    pub code: Option<String>,
    pub message: String,
    pub retryable: bool,
    /// How many requests were sent before giving up.
    pub attempts: u32,
}

impl StsFailure {
    pub fn new(code: Option<&str>, message: impl Into<String>, retryable: bool) -> Self {
        Self {
            code: code.map(str::to_string),
            message: message.into(),
            retryable,
            attempts: 1,
        }
    }

    /// Classifies an SDK error the way the STS documentation does.
    pub fn from_sdk<E>(err: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let status = err.raw_response().map(|r| r.status().as_u16());
        let server_error = status.is_some_and(|s| s >= 500);
        match err {
            SdkError::TimeoutError(_) => Self::new(None, "the request to STS timed out", true),
            SdkError::DispatchFailure(failure) => Self::new(
                None,
                format!("cannot reach STS: {}", causes(err)),
                failure.is_timeout() || failure.is_io(),
            ),
            SdkError::ServiceError(service) => {
                let code = service.err().code();
                let message = service
                    .err()
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| causes(err));
                let retryable = server_error || code.is_some_and(|c| RETRYABLE_CODES.contains(&c));
                Self::new(code, message, retryable)
            }
            SdkError::ResponseError(_) => Self::new(
                None,
                format!("STS sent an unreadable answer: {}", causes(err)),
                server_error,
            ),
            _ => Self::new(None, causes(err), false),
        }
    }
}

/// An error and its causes, `: `-separated, from their `Display` only. The SDK's
/// `DisplayErrorContext` appends the error's `Debug`, which holds the raw HTTP response: an
/// answer that failed to parse may be one that carries credentials.
pub(super) fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors repeat their cause in their own message.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl fmt::Display for StsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{code}: {}", self.message)?,
            None => f.write_str(&self.message)?,
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sts::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;

    use super::*;

    fn answered(status: u16, code: &str) -> StsFailure {
        let error = AssumeRoleError::generic(
            ErrorMetadata::builder()
                .code(code)
                .message("from STS")
                .build(),
        );
        let raw = HttpResponse::new(status.try_into().unwrap(), "".into());
        StsFailure::from_sdk(&SdkError::service_error(error, raw))
    }

    #[test]
    fn only_what_sts_calls_transient_is_retried() {
        for (status, code) in [
            (400, "Throttling"),
            (400, "IDPCommunicationError"),
            (503, "ServiceUnavailable"),
            (500, "SomethingNew"),
        ] {
            let failure = answered(status, code);
            assert!(failure.retryable, "{status} {code}");
            assert_eq!(failure.code.as_deref(), Some(code));
        }
        for (status, code) in [
            (403, "AccessDenied"),
            (403, "RegionDisabledException"),
            (400, "MalformedPolicyDocument"),
            (400, "InvalidIdentityToken"),
            (400, "ValidationError"),
            (403, "ExpiredToken"),
        ] {
            assert!(!answered(status, code).retryable, "{status} {code}");
        }
    }

    #[test]
    fn timeouts_and_broken_connections_are_retried() {
        let timeout: SdkError<AssumeRoleError, HttpResponse> =
            SdkError::timeout_error("attempt timed out");
        assert!(StsFailure::from_sdk(&timeout).retryable);
        let slow: SdkError<AssumeRoleError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::timeout("connect timed out".into()));
        assert!(StsFailure::from_sdk(&slow).retryable);
        let refused: SdkError<AssumeRoleError, HttpResponse> = SdkError::dispatch_failure(
            ConnectorError::io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused).into()),
        );
        let failure = StsFailure::from_sdk(&refused);
        assert!(failure.retryable);
        assert_eq!(failure.code, None);
        assert!(
            failure.message.starts_with("cannot reach STS: "),
            "{}",
            failure.message
        );
        assert!(
            !failure.message.contains("DispatchFailure"),
            "no Debug dump: {}",
            failure.message
        );
    }

    #[test]
    fn display_names_the_code_and_the_attempts() {
        let mut failure = StsFailure::new(Some("Throttling"), "Rate exceeded", true);
        assert_eq!(failure.to_string(), "Throttling: Rate exceeded");
        failure.attempts = 5;
        assert_eq!(
            failure.to_string(),
            "Throttling: Rate exceeded (after 5 attempts)"
        );
    }
}
