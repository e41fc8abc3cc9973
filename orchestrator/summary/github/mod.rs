//! Posting the comment: find our previous comment on the pull request by its marker and
//! update it, or create one.

mod client;
mod comment;
mod error;
mod pull_request;

pub use client::{GithubClient, GITHUB_RETRY};
pub use comment::{
    comment_author, post_comment, upsert_comment, Posted, PostedAction, ACTIONS_BOT,
};
pub use error::{GithubError, TargetError};
pub use pull_request::{PullRequest, DEFAULT_API_URL};
