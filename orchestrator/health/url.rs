//! The URL a health check polls, read from `terraform output -json <name>`, and how it is
//! shown: without credentials, query or fragment, because a signed URL or a token in a query
//! must never reach a log, an event or the run report.

use std::fmt;

use reqwest::Url;

/// Why a layer output cannot be polled. The messages never quote the output's value: it may
/// be a secret that was not meant to be a URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("output {output} is empty; it must hold the http(s) URL to poll")]
    Empty { output: String },
    #[error("output {output} is {found}, not a URL string")]
    NotAString { output: String, found: &'static str },
    #[error("output {output} is not a URL ({problem})")]
    NotAUrl { output: String, problem: String },
    #[error("output {output} is a {scheme}: URL; a health check polls http or https")]
    Scheme { output: String, scheme: String },
    #[error("terraform printed something other than JSON for output {output}")]
    NotJson { output: String },
}

/// An http(s) URL to poll. `Display` and `Debug` show it without userinfo, query or fragment.
#[derive(Clone, PartialEq, Eq)]
pub struct HealthUrl(Url);

impl HealthUrl {
    /// From what `terraform output -json <output>` printed: a JSON string holding the URL.
    pub fn from_output_json(output: &str, json: &[u8]) -> Result<Self, UrlError> {
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|_| UrlError::NotJson {
                output: output.to_string(),
            })?;
        let found = match &value {
            serde_json::Value::String(text) => return Self::parse(output, text),
            serde_json::Value::Null => "null",
            serde_json::Value::Bool(_) => "a bool",
            serde_json::Value::Number(_) => "a number",
            serde_json::Value::Array(_) => "a list",
            serde_json::Value::Object(_) => "an object",
        };
        Err(UrlError::NotAString {
            output: output.to_string(),
            found,
        })
    }

    /// `output` names where `text` came from, for the messages.
    pub fn parse(output: &str, text: &str) -> Result<Self, UrlError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UrlError::Empty {
                output: output.to_string(),
            });
        }
        let url = Url::parse(text).map_err(|e| UrlError::NotAUrl {
            output: output.to_string(),
            problem: e.to_string(),
        })?;
        match url.scheme() {
            "http" | "https" if url.host().is_some() => Ok(Self(url)),
            "http" | "https" => Err(UrlError::NotAUrl {
                output: output.to_string(),
                problem: "no host".to_string(),
            }),
            scheme => Err(UrlError::Scheme {
                output: output.to_string(),
                scheme: scheme.to_string(),
            }),
        }
    }

    /// The URL to request, credentials and all: hand it to the HTTP client only.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The URL as logs, events and the run report show it.
    pub fn redacted(&self) -> String {
        let mut shown = self.0.clone();
        // Neither can fail on an http(s) URL with a host, which is all `parse` accepts.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        shown.set_query(None);
        shown.set_fragment(None);
        shown.to_string()
    }
}

impl fmt::Display for HealthUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for HealthUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HealthUrl({})", self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_json(json: &str) -> Result<HealthUrl, UrlError> {
        HealthUrl::from_output_json("health_url", json.as_bytes())
    }

    #[test]
    fn a_json_string_with_an_http_url_is_polled_as_is() {
        let url = from_json("\"https://api.example.com/health\"\n").unwrap();
        assert_eq!(url.url().as_str(), "https://api.example.com/health");
        assert_eq!(url.to_string(), "https://api.example.com/health");
    }

    #[test]
    fn credentials_query_and_fragment_are_never_shown() {
        let url = from_json("\"https://ci:s3cr3t@api.example.com/health?token=abc#top\"").unwrap();
        assert_eq!(url.redacted(), "https://api.example.com/health");
        assert_eq!(url.to_string(), "https://api.example.com/health");
        let debug = format!("{url:?}");
        assert!(
            !debug.contains("s3cr3t") && !debug.contains("abc"),
            "{debug}"
        );
        // The request itself keeps them.
        assert_eq!(url.url().password(), Some("s3cr3t"));
        assert_eq!(url.url().query(), Some("token=abc"));
    }

    #[test]
    fn outputs_that_are_not_urls_say_what_they_are_without_quoting_them() {
        let cases = [
            (
                "\"\"",
                "output health_url is empty; it must hold the http(s) URL to poll",
            ),
            ("42", "output health_url is a number, not a URL string"),
            (
                "{\"url\":\"x\"}",
                "output health_url is an object, not a URL string",
            ),
            (
                "\"not a secret?\"",
                "output health_url is not a URL (relative URL without a base)",
            ),
            (
                "\"ftp://files.example.com/x\"",
                "output health_url is a ftp: URL; a health check polls http or https",
            ),
            (
                "Error",
                "terraform printed something other than JSON for output health_url",
            ),
        ];
        for (json, message) in cases {
            assert_eq!(from_json(json).unwrap_err().to_string(), message, "{json}");
        }
    }
}
