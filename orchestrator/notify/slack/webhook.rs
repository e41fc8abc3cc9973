//! An incoming webhook URL: a secret (whoever has it can post), so it is never printed,
//! logged or put in an error; messages name its variable and its host only.

use std::fmt;

use crate::credentials::Secret;

#[derive(Clone)]
pub struct Webhook {
    url: Secret,
    /// `hooks.slack.com` (or `127.0.0.1:PORT`): what messages may show.
    host: String,
    /// The environment variable it came from.
    variable: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error(
        "{variable} is not set: export the Slack incoming webhook URL (a secret) as {variable}"
    )]
    Missing { variable: String },
    #[error("{variable} is not an http(s) URL ({why}); set it to the Slack incoming webhook URL")]
    Invalid { variable: String, why: String },
}

impl Webhook {
    /// `value` is the variable's content; an empty value counts as unset.
    pub fn parse(variable: &str, value: Option<String>) -> Result<Self, WebhookError> {
        let value = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| WebhookError::Missing {
                variable: variable.into(),
            })?;
        let invalid = |why: &str| WebhookError::Invalid {
            variable: variable.into(),
            why: why.into(),
        };
        // The parser's own error text never quotes the input, so it is safe to show.
        let url = reqwest::Url::parse(&value).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(invalid("the scheme is not https"));
        }
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(invalid("it has no host")),
        };
        Ok(Self {
            url: Secret::new(value),
            host,
            variable: variable.into(),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn variable(&self) -> &str {
        &self.variable
    }

    /// The URL itself: only for the request.
    pub fn expose(&self) -> &str {
        self.url.expose()
    }

    /// Replaces the URL (and its path and its query string alone) wherever `text` might echo
    /// it: a webhook may carry its secret in either.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.replace(self.url.expose(), &self.host);
        if let Ok(url) = reqwest::Url::parse(self.url.expose()) {
            if let Some(query) = url.query().filter(|q| !q.is_empty()) {
                text = text.replace(query, "***");
            }
            if url.path().len() > 1 {
                text = text.replace(url.path(), "/***");
            }
        }
        text
    }

    pub fn same_url(&self, other: &Webhook) -> bool {
        self.url == other.url
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Webhook({} via {}, url ***)", self.variable, self.host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://hooks.slack.com/services/T000/B000/sekrit";

    #[test]
    fn debug_and_errors_never_show_the_url() {
        let hook = Webhook::parse("SLACK_WEBHOOK_URL", Some(URL.into())).unwrap();
        assert_eq!(hook.host(), "hooks.slack.com");
        assert!(!format!("{hook:?}").contains("sekrit"));
        assert_eq!(
            hook.redact(&format!("error for url ({URL})")),
            "error for url (hooks.slack.com)"
        );
        let err = Webhook::parse("X", Some("ftp://sekrit".into())).unwrap_err();
        assert!(!err.to_string().contains("sekrit"), "{err}");
    }

    #[test]
    fn a_query_string_is_redacted_like_the_path() {
        let url = "https://hooks.example.com/workflows/abc?token=sekrit&sig=s3cr3t";
        let hook = Webhook::parse("SLACK_WEBHOOK_URL", Some(url.into())).unwrap();
        let shown = hook.redact(
            "POST hooks.example.com/workflows/abc?token=sekrit&sig=s3cr3t failed; query token=sekrit&sig=s3cr3t",
        );
        assert!(
            !shown.contains("sekrit") && !shown.contains("s3cr3t"),
            "{shown}"
        );
        assert!(!shown.contains("/workflows/abc"), "{shown}");
    }

    #[test]
    fn empty_is_missing() {
        assert_eq!(
            Webhook::parse("SLACK_WEBHOOK_URL", Some("  ".into())).unwrap_err(),
            WebhookError::Missing {
                variable: "SLACK_WEBHOOK_URL".into()
            }
        );
    }
}
