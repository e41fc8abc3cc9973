//! Posting a message to an incoming webhook: a timeout on every request, 429 retried after
//! `Retry-After`, 5xx and network failures retried with exponential backoff, any other
//! answer reported with Slack's own error word and what to do about it.

use std::time::Duration;

use super::blocks::Message;
use super::webhook::Webhook;
use crate::backoff::{retry_after, Jitter, RetryPolicy};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// For each request, connecting included.
    pub timeout: Duration,
    /// Retries after a 429, a 5xx, a timeout or a connection failure, and the waits between
    /// them (a 429's `Retry-After` replaces its wait).
    pub retry: RetryPolicy,
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    pub max_retry_after: Duration,
}

impl DeliveryPolicy {
    /// `retries` after the first request, waiting `backoff`, doubled each time.
    pub fn exponential(retries: u32, backoff: Duration) -> RetryPolicy {
        RetryPolicy::Exponential {
            retries,
            initial: backoff,
            max_delay: MAX_RETRY_AFTER.max(backoff),
            jitter: Jitter::None,
        }
    }
}

const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            retry: Self::exponential(4, Duration::from_secs(1)),
            max_retry_after: MAX_RETRY_AFTER,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub attempts: u32,
}

/// Never holds the webhook URL: only its variable and host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("Slack refused the message ({variable}, host {host}): HTTP {status} {error}{}", hint.as_ref().map(|h| format!("; {h}")).unwrap_or_default())]
    Refused {
        variable: String,
        host: String,
        status: u16,
        /// Slack's plain-text error (`channel_not_found`, `invalid_blocks`, ...).
        error: String,
        hint: Option<String>,
    },
    #[error("Slack did not take the message after {attempts} attempts ({variable}, host {host}): {last}")]
    GaveUp {
        variable: String,
        host: String,
        attempts: u32,
        last: String,
    },
}

/// Posts `message`; `on_retry` hears about each retry (to print it).
pub async fn deliver(
    client: &reqwest::Client,
    webhook: &Webhook,
    message: &Message,
    policy: &DeliveryPolicy,
    mut on_retry: impl FnMut(&str, Duration),
) -> Result<Delivered, DeliveryError> {
    let mut delays = policy.retry.backoff();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (problem, retry_after) = match client
            .post(webhook.expose())
            .timeout(policy.timeout)
            .json(message)
            .send()
            .await
        {
            Ok(response) => {
                let status = response.status();
                if status.is_success() {
                    return Ok(Delivered { attempts: attempt });
                }
                let retry_after = retry_after(response.headers());
                let body = response.text().await.unwrap_or_default();
                let error = first_word(&webhook.redact(&body));
                if status.as_u16() == 429 {
                    (format!("HTTP 429 {error}").trim().to_string(), retry_after)
                } else if status.is_server_error() {
                    (
                        format!("HTTP {} {error}", status.as_u16())
                            .trim()
                            .to_string(),
                        None,
                    )
                } else {
                    return Err(DeliveryError::Refused {
                        variable: webhook.variable().into(),
                        host: webhook.host().into(),
                        status: status.as_u16(),
                        hint: hint(&error, webhook.variable()),
                        error,
                    });
                }
            }
            // `without_url`: reqwest puts the URL in its errors, and the URL is the secret.
            Err(e) => (
                webhook.redact(&crate::tls::why_no_answer(e).unwrap_or_else(|| {
                    format!(
                        "no answer within {}",
                        humantime::format_duration(policy.timeout)
                    )
                })),
                None,
            ),
        };
        let Some(backoff) = delays.next() else {
            return Err(DeliveryError::GaveUp {
                variable: webhook.variable().into(),
                host: webhook.host().into(),
                attempts: attempt,
                last: problem,
            });
        };
        let wait = retry_after.unwrap_or(backoff).min(policy.max_retry_after);
        on_retry(&problem, wait);
        tokio::time::sleep(wait).await;
    }
}

/// Slack answers errors with one plain-text word; anything longer is cut.
fn first_word(body: &str) -> String {
    let line = body.lines().next().unwrap_or("").trim();
    crate::notify::error_lines::cut(line, 120)
}

/// What to do about Slack's documented webhook errors.
fn hint(error: &str, variable: &str) -> Option<String> {
    let text = match error {
        "invalid_payload" | "invalid_blocks" | "invalid_blocks_format" | "msg_blocks_too_long"
        | "too_many_attachments" => {
            "Slack refused the message's format: a bug in orchestrator's message; report it with the run report".to_string()
        }
        "channel_not_found" => format!(
            "the webhook's channel no longer exists; create a new incoming webhook and update {variable}"
        ),
        "channel_is_archived" => {
            format!("the channel is archived; unarchive it or point {variable} at another channel's webhook")
        }
        "action_prohibited" => {
            "a Slack admin restricted posting to this channel; ask them to allow the app".to_string()
        }
        "posting_to_general_channel_denied" => {
            "only admins may post to this channel; use a webhook for another channel".to_string()
        }
        "no_service" | "no_service_id" | "invalid_token" | "no_team" | "team_disabled" => {
            format!("the webhook was revoked or is wrong; create a new one and update {variable}")
        }
        _ => return None,
    };
    Some(text)
}
