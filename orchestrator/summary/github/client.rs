//! The few GitHub REST calls the comment needs, with GitHub's rate-limit rules: on 403/429
//! wait `retry-after` seconds (or until `x-ratelimit-reset` when no request is left), then
//! try again; retry server errors only for requests that are safe to repeat.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use reqwest::{Method, StatusCode};

use crate::backoff::{retry_after, Jitter, RetryPolicy};
use crate::credentials::Secret;

use super::error::GithubError;

/// Four retries after the first request; a server error or a dropped connection waits 1s,
/// doubling (a rate limit waits as long as GitHub asks, up to `MAX_RATE_LIMIT_WAIT`).
pub const GITHUB_RETRY: RetryPolicy = RetryPolicy::Exponential {
    retries: 4,
    initial: Duration::from_secs(1),
    max_delay: Duration::from_secs(60),
    jitter: Jitter::None,
};

/// The longest single wait a rate limit may ask for before we give up.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(15 * 60);

/// One answer: its body, and the `rel="next"` page link when there is one.
#[derive(Debug)]
pub struct Answer {
    pub body: String,
    pub next: Option<String>,
}

pub struct GithubClient {
    http: reqwest::Client,
    api_url: String,
    token: Secret,
    retry: RetryPolicy,
}

impl GithubClient {
    pub fn new(api_url: &str, token: Secret, retry: RetryPolicy) -> Result<Self, GithubError> {
        let http = crate::tls::http_client()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| GithubError::Network {
                url: api_url.to_string(),
                message: e.to_string(),
            })?;
        Ok(Self {
            http,
            api_url: api_url.to_string(),
            token,
            retry,
        })
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(USER_AGENT, HeaderValue::from_static("orchestrator"));
        headers.insert(
            "x-github-api-version",
            HeaderValue::from_static("2022-11-28"),
        );
        if let Ok(mut auth) = HeaderValue::from_str(&format!("Bearer {}", self.token.expose())) {
            // Keeps the value out of any Debug output of the request.
            auth.set_sensitive(true);
            headers.insert(AUTHORIZATION, auth);
        }
        headers
    }

    /// Sends one request (retried as the policy says); `what` names it in errors.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
        what: &str,
    ) -> Result<Answer, GithubError> {
        let repeatable = method != Method::POST;
        let mut server_delays = self.retry.backoff();
        let attempts = self.retry.retries().saturating_add(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= attempts;
            let mut request = self
                .http
                .request(method.clone(), url)
                .headers(self.headers());
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(e) if repeatable && !last => {
                    let delay = server_delays.next().unwrap_or_default();
                    tracing::warn!("GitHub API {what}: {e}; retrying in {delay:?}");
                    tokio::time::sleep(delay).await;
                    continue;
                }
                Err(e) => {
                    return Err(GithubError::Network {
                        url: url.to_string(),
                        message: e.without_url().to_string(),
                    })
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            let text = response.text().await.unwrap_or_default();
            if status.is_success() {
                return Ok(Answer {
                    body: text,
                    next: next_link(&headers),
                });
            }
            // A proxy or a debugging server may echo the request: never its credentials.
            let message = error_message(&without_authorization(&text, self.token.expose()));
            if status == StatusCode::FORBIDDEN || status == StatusCode::TOO_MANY_REQUESTS {
                if let Some(wait) = rate_limit_wait(status, &headers) {
                    if last || wait > MAX_RATE_LIMIT_WAIT {
                        return Err(GithubError::RateLimited {
                            what: what.to_string(),
                            attempts: attempt,
                            wait,
                        });
                    }
                    tracing::warn!("GitHub rate limit on {what}: waiting {wait:?}");
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            if status.is_server_error() && repeatable && !last {
                let delay = server_delays.next().unwrap_or_default();
                tracing::warn!("GitHub answered {status} for {what}; retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                continue;
            }
            let what = what.to_string();
            return Err(match status {
                StatusCode::UNPROCESSABLE_ENTITY => GithubError::Unprocessable { message },
                StatusCode::UNAUTHORIZED => GithubError::Unauthorized { message },
                StatusCode::FORBIDDEN => GithubError::Forbidden { what, message },
                StatusCode::NOT_FOUND => GithubError::NotFound { what, message },
                _ => GithubError::Status {
                    status: status.as_u16(),
                    what,
                    message,
                },
            });
        }
    }
}

/// How long GitHub asks us to wait, if this 403/429 is a rate limit at all.
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(wait) = retry_after(headers) {
        return Some(wait);
    }
    if header("x-ratelimit-remaining") == Some("0") {
        if let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok())
        {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            return Some(Duration::from_secs(reset.saturating_sub(now).max(1)));
        }
    }
    // A secondary rate limit without a hint: GitHub says to wait at least a minute.
    (status == StatusCode::TOO_MANY_REQUESTS).then(|| Duration::from_secs(60))
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// `text` with the token and whatever follows any `Authorization` header name (up to the end
/// of its line or quoted value) replaced by `***`.
fn without_authorization(text: &str, token: &str) -> String {
    let text = if token.is_empty() {
        text.to_string()
    } else {
        text.replace(token, "***")
    };
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find("authorization") {
        let name_end = at + found + "authorization".len();
        out.push_str(&text[at..name_end]);
        // The separator: `: `, `=`, `": "`.
        let rest = &text[name_end..];
        let sep = rest
            .find(|c: char| !matches!(c, '"' | '\'' | ':' | '=' | ' ' | '\t'))
            .unwrap_or(rest.len());
        out.push_str(&rest[..sep]);
        let value = &rest[sep..];
        let end = value
            .find(['\n', '\r', '"', '\'', ',', '}', ';'])
            .unwrap_or(value.len());
        if end > 0 {
            out.push_str("***");
        }
        at = name_end + sep + end;
    }
    out.push_str(&text[at..]);
    out
}

/// GitHub's error JSON (`message` and `errors[]`) as one line; otherwise the body's start.
fn error_message(body: &str) -> String {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        return body.trim().chars().take(200).collect();
    };
    let mut parts = Vec::new();
    if let Some(message) = json.get("message").and_then(|m| m.as_str()) {
        parts.push(message.to_string());
    }
    for error in json
        .get("errors")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
    {
        match error {
            serde_json::Value::String(s) => parts.push(s.clone()),
            other => {
                if let Some(m) = other.get("message").and_then(|m| m.as_str()) {
                    parts.push(m.to_string());
                } else if let Some(c) = other.get("code").and_then(|c| c.as_str()) {
                    parts.push(c.to_string());
                }
            }
        }
    }
    if parts.is_empty() {
        body.trim().chars().take(200).collect()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "link",
            HeaderValue::from_static(
                "<https://api.github.com/repositories/1/issues/2/comments?page=1>; rel=\"prev\", <https://api.github.com/repositories/1/issues/2/comments?page=3>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.github.com/repositories/1/issues/2/comments?page=3")
        );
    }

    #[test]
    fn a_plain_403_is_not_a_rate_limit() {
        let headers = HeaderMap::new();
        assert_eq!(rate_limit_wait(StatusCode::FORBIDDEN, &headers), None);
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(
            rate_limit_wait(StatusCode::FORBIDDEN, &headers),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn an_echoed_request_never_shows_the_authorization_header() {
        for body in [
            "bad gateway\nGET /repos/o/r HTTP/1.1\nAuthorization: Bearer ghs_sekrit123\nAccept: */*",
            r#"{"message":"bad request","headers":{"authorization":"token ghs_sekrit123"}}"#,
            "AUTHORIZATION=Bearer ghs_sekrit123",
            "echo: ghs_sekrit123",
        ] {
            let shown = error_message(&without_authorization(body, "ghs_sekrit123"));
            assert!(!shown.contains("sekrit"), "{shown}");
        }
        let shown = without_authorization(
            "Authorization: Bearer x-other-value\nAccept: */*",
            "ghs_sekrit123",
        );
        assert_eq!(shown, "Authorization: ***\nAccept: */*");
    }

    #[test]
    fn error_messages_join_github_details() {
        assert_eq!(
            error_message(
                r#"{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"custom","field":"body","message":"body is too long (maximum is 65536 characters)"}]}"#
            ),
            "Validation Failed: body is too long (maximum is 65536 characters)"
        );
    }
}
