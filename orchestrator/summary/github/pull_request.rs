//! Which pull request to comment on, from the GitHub Actions environment.

use std::path::Path;

use crate::credentials::Secret;
use crate::github_actions::GithubActions;

use super::error::TargetError;

pub const DEFAULT_API_URL: &str = "https://api.github.com";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// `GITHUB_API_URL`, without a trailing `/`.
    pub api_url: String,
    /// `owner/name`.
    pub repository: String,
    pub number: u64,
}

impl PullRequest {
    /// From GitHub Actions' `GITHUB_API_URL`, `GITHUB_REPOSITORY`, `GITHUB_TOKEN` and `--pr`
    /// or the event at `GITHUB_EVENT_PATH` (`pull_request.number`, or `issue.number` for PR
    /// comments).
    pub fn from_actions(
        pr: Option<u64>,
        actions: &GithubActions,
    ) -> Result<(PullRequest, Secret), TargetError> {
        let token = actions.token.clone().ok_or(TargetError::MissingToken)?;
        let repository = actions
            .repository
            .clone()
            .ok_or(TargetError::MissingRepository)?;
        let valid = repository.split_once('/').is_some_and(|(owner, name)| {
            !owner.is_empty() && !name.is_empty() && !name.contains('/')
        });
        if !valid {
            return Err(TargetError::BadRepository(repository));
        }
        let number = match pr {
            Some(n) => n,
            None => event_number(actions.event_path.as_deref())?,
        };
        let api_url = actions
            .api_url
            .as_deref()
            .unwrap_or(DEFAULT_API_URL)
            .trim_end_matches('/')
            .to_string();
        Ok((
            PullRequest {
                api_url,
                repository,
                number,
            },
            token,
        ))
    }

    pub fn comments_url(&self) -> String {
        format!(
            "{}/repos/{}/issues/{}/comments",
            self.api_url, self.repository, self.number
        )
    }

    pub fn comment_url(&self, id: u64) -> String {
        format!(
            "{}/repos/{}/issues/comments/{id}",
            self.api_url, self.repository
        )
    }
}

fn event_number(path: Option<&Path>) -> Result<u64, TargetError> {
    let path = path.ok_or(TargetError::NoPullRequest)?.to_path_buf();
    let text = std::fs::read_to_string(&path).map_err(|e| TargetError::Event {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let event: serde_json::Value = serde_json::from_str(&text).map_err(|e| TargetError::Event {
        path: path.clone(),
        message: e.to_string(),
    })?;
    ["pull_request", "issue"]
        .iter()
        .find_map(|key| event.get(key)?.get("number")?.as_u64())
        .ok_or(TargetError::NoPullRequest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> GithubActions {
        GithubActions::from_vars(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_pull_request_comes_from_the_event() {
        let dir = tempfile::tempdir().unwrap();
        let event = dir.path().join("event.json");
        std::fs::write(&event, r#"{"pull_request":{"number":42}}"#).unwrap();
        let event = event.to_string_lossy().into_owned();
        let vars = [
            ("GITHUB_TOKEN", "t0ken"),
            ("GITHUB_REPOSITORY", "acme/platform"),
            ("GITHUB_EVENT_PATH", event.as_str()),
        ];
        let (pr, token) = PullRequest::from_actions(None, &env(&vars)).unwrap();
        assert_eq!(pr.number, 42);
        assert_eq!(pr.api_url, DEFAULT_API_URL);
        assert_eq!(
            pr.comments_url(),
            "https://api.github.com/repos/acme/platform/issues/42/comments"
        );
        assert_eq!(format!("{token:?}"), "Secret(***)");
    }

    #[test]
    fn missing_pieces_are_named() {
        let vars = [("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY", "acme")];
        assert!(matches!(
            PullRequest::from_actions(Some(1), &env(&vars)),
            Err(TargetError::BadRepository(_))
        ));
        let vars = [("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY", "acme/p")];
        assert!(matches!(
            PullRequest::from_actions(None, &env(&vars)),
            Err(TargetError::NoPullRequest)
        ));
        assert!(matches!(
            PullRequest::from_actions(Some(1), &env(&[])),
            Err(TargetError::MissingToken)
        ));
    }
}
