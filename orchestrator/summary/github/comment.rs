//! Create or update the one comment that carries the marker.

use reqwest::Method;
use serde::Deserialize;

use crate::summary::MARKER;

use super::client::{GithubClient, GITHUB_RETRY};
use super::error::GithubError;
use super::pull_request::PullRequest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostedAction {
    Created,
    Updated,
}

impl PostedAction {
    /// `created` or `updated`, as the command says it.
    pub fn as_str(self) -> &'static str {
        match self {
            PostedAction::Created => "created",
            PostedAction::Updated => "updated",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub action: PostedAction,
    pub id: u64,
    pub url: Option<String>,
}

#[derive(Deserialize)]
struct Comment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    user: Option<User>,
}

#[derive(Deserialize)]
struct User {
    login: String,
}

/// The login GitHub Actions' `GITHUB_TOKEN` writes comments as; that token cannot call
/// `GET /user`.
pub const ACTIONS_BOT: &str = "github-actions[bot]";

/// Who the token writes comments as: `author` when given, else `GET /user`, else (a token
/// that may not read its user, as Actions' `GITHUB_TOKEN` and app installation tokens)
/// the Actions bot.
pub async fn comment_author(
    client: &GithubClient,
    pr: &PullRequest,
    author: Option<&str>,
) -> Result<String, GithubError> {
    if let Some(author) = author {
        return Ok(author.to_string());
    }
    let url = format!("{}/user", pr.api_url);
    match client
        .send(Method::GET, &url, None, "reading the token's user")
        .await
    {
        Ok(answer) => serde_json::from_str::<User>(&answer.body)
            .map(|user| user.login)
            .map_err(|e| GithubError::Answer {
                what: "reading the token's user".to_string(),
                message: e.to_string(),
            }),
        Err(GithubError::Forbidden { .. } | GithubError::NotFound { .. }) => {
            Ok(ACTIONS_BOT.to_string())
        }
        Err(e) => Err(e),
    }
}

/// Updates the pull request's comment that holds [`MARKER`] and was written by `author`,
/// or creates one with `body`. Another author's comment with the marker is left alone.
pub async fn upsert_comment(
    client: &GithubClient,
    pr: &PullRequest,
    author: &str,
    body: &str,
) -> Result<Posted, GithubError> {
    let payload = serde_json::json!({ "body": body });
    let (method, url, action) = match find_marked(client, pr, author).await? {
        Some(id) => (Method::PATCH, pr.comment_url(id), PostedAction::Updated),
        None => (Method::POST, pr.comments_url(), PostedAction::Created),
    };
    let what = match action {
        PostedAction::Updated => "updating the comment",
        PostedAction::Created => "creating the comment",
    };
    let answer = client.send(method, &url, Some(&payload), what).await?;
    let comment: Comment = serde_json::from_str(&answer.body).map_err(|e| GithubError::Answer {
        what: what.to_string(),
        message: e.to_string(),
    })?;
    Ok(Posted {
        action,
        id: comment.id,
        url: comment.html_url,
    })
}

/// The id of the first comment by `author` holding the marker, reading every page.
async fn find_marked(
    client: &GithubClient,
    pr: &PullRequest,
    author: &str,
) -> Result<Option<u64>, GithubError> {
    let mut url = format!("{}?per_page=100", pr.comments_url());
    loop {
        let answer = client
            .send(Method::GET, &url, None, "listing the PR's comments")
            .await?;
        let comments: Vec<Comment> =
            serde_json::from_str(&answer.body).map_err(|e| GithubError::Answer {
                what: "listing the PR's comments".to_string(),
                message: e.to_string(),
            })?;
        if let Some(comment) = comments.iter().find(|c| {
            c.body.as_deref().is_some_and(|b| b.contains(MARKER))
                && c.user
                    .as_ref()
                    .is_some_and(|u| u.login.eq_ignore_ascii_case(author))
        }) {
            return Ok(Some(comment.id));
        }
        match answer.next {
            // The token goes only where the API is.
            Some(next) if same_origin(&next, client.api_url()) => url = next,
            Some(next) => {
                return Err(GithubError::ForeignLink {
                    url: next,
                    api_url: client.api_url().to_string(),
                })
            }
            None => return Ok(None),
        }
    }
}

fn same_origin(url: &str, api_url: &str) -> bool {
    fn origin(url: &str) -> Option<&str> {
        let rest = url.split_once("://")?.1;
        let end = rest.find('/').unwrap_or(rest.len());
        Some(&url[..url.len() - rest.len() + end])
    }
    origin(url).is_some() && origin(url) == origin(api_url)
}

/// Creates or updates the plan summary comment on `pr` (found by `author`, else the token's
/// user), with its own runtime: the one call `summary --post` makes.
pub fn post_comment(
    pr: &PullRequest,
    token: crate::credentials::Secret,
    author: Option<&str>,
    body: &str,
) -> Result<Posted, GithubError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| GithubError::Runtime(e.to_string()))?;
    runtime.block_on(async {
        let client = GithubClient::new(&pr.api_url, token, GITHUB_RETRY)?;
        let author = comment_author(&client, pr, author).await?;
        upsert_comment(&client, pr, &author, body).await
    })
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn next_links_must_stay_on_the_api_host() {
        assert!(same_origin(
            "https://api.github.com/repositories/1/issues/2/comments?page=2",
            "https://api.github.com"
        ));
        assert!(same_origin(
            "http://127.0.0.1:4000/x?page=2",
            "http://127.0.0.1:4000/api/v3"
        ));
        assert!(!same_origin(
            "https://evil.example/x",
            "https://api.github.com"
        ));
    }
}
