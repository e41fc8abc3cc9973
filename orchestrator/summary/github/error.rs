//! What can go wrong on the way to the pull request. Messages never hold the token.

use std::path::PathBuf;
use std::time::Duration;

/// `--post` cannot even start: the environment does not name a pull request (bad input).
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("--post needs GITHUB_TOKEN (a token that may write pull request comments)")]
    MissingToken,
    #[error("--post needs GITHUB_REPOSITORY as owner/name")]
    MissingRepository,
    #[error("GITHUB_REPOSITORY={0:?} is not owner/name")]
    BadRepository(String),
    #[error("--post needs the pull request number: give --pr N, or run it on a pull_request event (GITHUB_EVENT_PATH)")]
    NoPullRequest,
    #[error("{}: cannot read the GitHub event: {message}", path.display())]
    Event { path: PathBuf, message: String },
}

/// GitHub did not take the comment (undelivered).
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    #[error("cannot reach the GitHub API at {url}: {message}")]
    Network { url: String, message: String },
    #[error("GitHub refused the comment (422 Unprocessable Entity): {message}")]
    Unprocessable { message: String },
    #[error("GitHub rejected GITHUB_TOKEN (401): {message}")]
    Unauthorized { message: String },
    #[error("GitHub answered 403 Forbidden for {what}: {message}; the token needs `pull-requests: write` (or `issues: write`)")]
    Forbidden { what: String, message: String },
    #[error("GitHub answered 404 Not Found for {what}: {message}; check GITHUB_REPOSITORY, the PR number and the token's access")]
    NotFound { what: String, message: String },
    #[error("GitHub's rate limit still applies after {attempts} attempts for {what} (it asked to wait {wait:?} more); try again later")]
    RateLimited {
        what: String,
        attempts: u32,
        wait: Duration,
    },
    #[error("GitHub answered {status} for {what}: {message}")]
    Status {
        status: u16,
        what: String,
        message: String,
    },
    #[error("GitHub's answer for {what} is not what the API documents: {message}")]
    Answer { what: String, message: String },
    #[error("GitHub's next page link {url} leaves {api_url}; not following it with the token")]
    ForeignLink { url: String, api_url: String },
    #[error("cannot start the HTTP client: {0}")]
    Runtime(String),
}
