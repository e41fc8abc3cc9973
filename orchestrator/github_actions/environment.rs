//! The variables GitHub Actions sets, read in one place. Empty values count as unset.

use std::path::PathBuf;

use crate::credentials::Secret;

pub const DEFAULT_SERVER: &str = "https://github.com";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GithubActions {
    /// `GITHUB_ACTIONS=true`: running as a GitHub Actions step.
    pub actions: bool,
    /// `GITHUB_OUTPUT`: the step's outputs file.
    pub output: Option<PathBuf>,
    /// `GITHUB_STEP_SUMMARY`: the job summary file.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_SERVER_URL`, `https://github.com` on github.com.
    pub server_url: Option<String>,
    /// `GITHUB_REPOSITORY`: `owner/name`.
    pub repository: Option<String>,
    /// `GITHUB_RUN_ID` and `GITHUB_RUN_ATTEMPT`.
    pub run_id: Option<String>,
    pub run_attempt: Option<String>,
    /// `GITHUB_SHA`: the commit the run is for (on `pull_request` events, the merge commit).
    pub sha: Option<String>,
    /// `GITHUB_EVENT_PATH`: the JSON of the event that started the run.
    pub event_path: Option<PathBuf>,
    /// `GITHUB_API_URL`: the REST API of this GitHub (`https://api.github.com` on github.com).
    pub api_url: Option<String>,
    /// `GITHUB_TOKEN` where a step passes it in its `env`: never printed.
    pub token: Option<Secret>,
    /// `ACTIONS_ID_TOKEN_REQUEST_URL` and `_TOKEN`: where this job asks for an OIDC token,
    /// set when the job has `permissions: id-token: write`.
    pub id_token_request_url: Option<String>,
    pub id_token_request_token: Option<Secret>,
}

impl GithubActions {
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// `var` answers an environment variable's value (tests pass their own).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        Self {
            actions: var("GITHUB_ACTIONS").as_deref() == Some("true"),
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            server_url: var("GITHUB_SERVER_URL"),
            repository: var("GITHUB_REPOSITORY"),
            run_id: var("GITHUB_RUN_ID"),
            run_attempt: var("GITHUB_RUN_ATTEMPT"),
            sha: var("GITHUB_SHA"),
            event_path: var("GITHUB_EVENT_PATH").map(PathBuf::from),
            api_url: var("GITHUB_API_URL"),
            token: var("GITHUB_TOKEN").map(Secret::new),
            id_token_request_url: var("ACTIONS_ID_TOKEN_REQUEST_URL"),
            id_token_request_token: var("ACTIONS_ID_TOKEN_REQUEST_TOKEN").map(Secret::new),
        }
    }

    /// The page of this workflow run, when the variables name one.
    pub fn run_url(&self) -> Option<String> {
        run_url(
            self.server_url.as_deref(),
            self.repository.as_deref()?,
            self.run_id.as_deref()?,
        )
    }

    /// The commit a reviewer knows a pull request's run by: the pull request's head from the
    /// event (GITHUB_SHA is the merge commit GitHub made for the run), else GITHUB_SHA. An
    /// unreadable event file or one without a head is not an error: the run is not a PR's.
    pub fn head_commit(&self) -> Option<String> {
        let head = self.event_path.as_ref().and_then(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let event: serde_json::Value = serde_json::from_str(&text).ok()?;
            let sha = event["pull_request"]["head"]["sha"].as_str()?;
            is_commit_id(sha).then(|| sha.to_string())
        });
        head.or_else(|| self.sha.clone())
    }

    /// `<run id>-<attempt>`: unique per attempt of a workflow run.
    pub fn run_and_attempt(&self) -> Option<String> {
        let id = self.run_id.as_ref()?;
        Some(match &self.run_attempt {
            Some(attempt) => format!("{id}-{attempt}"),
            None => id.clone(),
        })
    }
}

/// A full or abbreviated commit id: 4 to 64 hexadecimal digits (SHA-1 or SHA-256).
pub fn is_commit_id(text: &str) -> bool {
    (4..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// `<server>/<owner>/<name>/actions/runs/<id>`; `None` unless the repository is `owner/name`,
/// the id is a number and the server an http(s) URL, so nothing odd lands in a link.
pub fn run_url(server: Option<&str>, repository: &str, run_id: &str) -> Option<String> {
    let server = server.unwrap_or(DEFAULT_SERVER).trim_end_matches('/');
    let url_ok = (server.starts_with("https://") || server.starts_with("http://"))
        && !server.contains(|c: char| c.is_whitespace() || "<>|\"()".contains(c));
    let repo_ok = repository.split_once('/').is_some_and(|(owner, name)| {
        let part = |p: &str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        part(owner) && part(name)
    });
    let id_ok = !run_id.is_empty() && run_id.chars().all(|c| c.is_ascii_digit());
    (url_ok && repo_ok && id_ok).then(|| format!("{server}/{repository}/actions/runs/{run_id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> GithubActions {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        GithubActions::from_vars(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn tokens_are_read_but_never_printed() {
        let gh = vars(&[
            ("GITHUB_TOKEN", "ghs_secret_one"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "bearer_secret_two"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.example/?x=1"),
            ("GITHUB_API_URL", " "),
        ]);
        assert_eq!(
            gh.token.as_ref().map(Secret::expose),
            Some("ghs_secret_one")
        );
        assert_eq!(
            gh.id_token_request_token.as_ref().map(Secret::expose),
            Some("bearer_secret_two")
        );
        assert_eq!(gh.api_url, None, "blank counts as unset");
        let debug = format!("{gh:?}");
        assert!(!debug.contains("secret"), "{debug}");
    }

    #[test]
    fn a_pull_request_is_known_by_its_head_commit() {
        let dir = tempfile::tempdir().unwrap();
        let event = dir.path().join("event.json");
        let head = "0123456789abcdef0123456789abcdef01234567";
        std::fs::write(
            &event,
            format!(r#"{{"pull_request": {{"number": 7, "head": {{"sha": "{head}"}}}}}}"#),
        )
        .unwrap();
        let path = event.to_str().unwrap();
        let gh = vars(&[("GITHUB_SHA", "feedface"), ("GITHUB_EVENT_PATH", path)]);
        assert_eq!(gh.head_commit().as_deref(), Some(head));
        // A push event has no pull request: GITHUB_SHA is the commit.
        std::fs::write(&event, r#"{"after": "abc"}"#).unwrap();
        assert_eq!(gh.head_commit().as_deref(), Some("feedface"));
        // A head that is not a commit id is not trusted into the comment.
        std::fs::write(
            &event,
            r#"{"pull_request": {"head": {"sha": "`x` [y](z)"}}}"#,
        )
        .unwrap();
        assert_eq!(gh.head_commit().as_deref(), Some("feedface"));
        assert_eq!(vars(&[]).head_commit(), None);
    }

    #[test]
    fn the_run_url_comes_from_the_variables() {
        let gh = vars(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_SERVER_URL", "https://github.example/"),
            ("GITHUB_REPOSITORY", "acme/platform"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_RUN_ATTEMPT", "2"),
            ("GITHUB_OUTPUT", ""),
        ]);
        assert!(gh.actions);
        assert_eq!(gh.output, None, "empty is unset");
        assert_eq!(
            gh.run_url().as_deref(),
            Some("https://github.example/acme/platform/actions/runs/42")
        );
        assert_eq!(gh.run_and_attempt().as_deref(), Some("42-2"));
    }

    #[test]
    fn odd_values_make_no_link() {
        assert_eq!(run_url(None, "acme/x|y", "1"), None);
        assert_eq!(run_url(Some("https://a>b"), "acme/p", "1"), None);
        assert_eq!(run_url(None, "acme/p", "1; rm"), None);
        assert_eq!(
            run_url(None, "acme/p", "7").as_deref(),
            Some("https://github.com/acme/p/actions/runs/7")
        );
    }
}
