//! A stand-in for the GitHub API on the one loopback stub (`support::receiver`): keeps one
//! pull request's comments, lists them in pages with `Link` headers, creates and updates
//! them; the stub's script answers the next requests of a method with 429, 422, ... It
//! records every request it gets.

use std::sync::{Arc, Mutex};

use crate::support::receiver::{Receiver, Reply, Request};

pub const REPOSITORY: &str = "acme/platform";
pub const PR: u64 = 7;
pub const TOKEN: &str = "ghs_test_token_do_not_print_0123456789";

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub body: String,
    pub author: String,
}

/// Who GitHub Actions' GITHUB_TOKEN writes as.
pub const ACTIONS_BOT: &str = "github-actions[bot]";
/// Who writes the comments added by `add_comments`.
pub const REVIEWER: &str = "octo-reviewer";

#[derive(Default)]
struct State {
    /// The token's user for `GET /user`; `None` answers 403 as GitHub does for Actions'
    /// GITHUB_TOKEN, whose comments are then by `github-actions[bot]`.
    user: Option<String>,
    comments: Vec<Comment>,
    next_id: u64,
}

pub struct GithubServer {
    stub: Receiver,
    state: Arc<Mutex<State>>,
}

impl GithubServer {
    pub fn start() -> Self {
        let stub = Receiver::start();
        let base = stub.base_url();
        let state = Arc::new(Mutex::new(State {
            next_id: 1000,
            ..State::default()
        }));
        let shared = state.clone();
        stub.answer_with(move |request| {
            let (status, headers, body) = answer(request, &base, &shared);
            headers.into_iter().fold(
                Reply::new(status, &body).header("content-type", "application/json"),
                |reply, (name, value)| reply.header(name, &value),
            )
        });
        Self { stub, state }
    }

    pub fn api_url(&self) -> String {
        self.stub.base_url()
    }

    /// The token belongs to this user (a personal token), not to the Actions bot.
    pub fn token_user(&self, login: &str) {
        self.state.lock().unwrap().user = Some(login.to_string());
    }

    /// Comments someone else wrote, before ours.
    pub fn add_comments(&self, bodies: impl IntoIterator<Item = String>) -> Vec<u64> {
        self.add_comments_by(REVIEWER, bodies)
    }

    /// Comments by `author`.
    pub fn add_comments_by(
        &self,
        author: &str,
        bodies: impl IntoIterator<Item = String>,
    ) -> Vec<u64> {
        let mut state = self.state.lock().unwrap();
        bodies
            .into_iter()
            .map(|body| {
                state.next_id += 1;
                let id = state.next_id;
                state.comments.push(Comment {
                    id,
                    body,
                    author: author.to_string(),
                });
                id
            })
            .collect()
    }

    /// Answers the next request with this method with `reply` instead of the normal answer.
    pub fn script(&self, method: &str, reply: Reply) {
        self.stub.script_method(method, reply);
    }

    pub fn comments(&self) -> Vec<Comment> {
        self.state.lock().unwrap().comments.clone()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.stub.requests()
    }
}

type Answer = (u16, Vec<(&'static str, String)>, String);

fn answer(request: &Request, base: &str, state: &Mutex<State>) -> Answer {
    let mut state = state.lock().unwrap();
    if request.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return (401, vec![], r#"{"message":"Bad credentials"}"#.into());
    }
    let path = request.route();
    let comments_path = format!("/repos/{REPOSITORY}/issues/{PR}/comments");
    let comment_prefix = format!("/repos/{REPOSITORY}/issues/comments/");
    match request.method.as_str() {
        "GET" if path == "/user" => match &state.user {
            Some(login) => (
                200,
                vec![],
                serde_json::json!({ "login": login }).to_string(),
            ),
            None => (
                403,
                vec![],
                r#"{"message":"Resource not accessible by integration"}"#.into(),
            ),
        },
        "GET" if path == comments_path => {
            let param = |name: &str| request.query(name).and_then(|v| v.parse::<usize>().ok());
            let per_page = param("per_page").unwrap_or(30).min(100);
            let page = param("page").unwrap_or(1);
            let all = &state.comments;
            let start = (page - 1) * per_page;
            let items: Vec<_> = all
                .iter()
                .skip(start)
                .take(per_page)
                .map(|c| comment_json(c, base))
                .collect();
            let mut headers = vec![];
            if start + per_page < all.len() {
                headers.push((
                    "link",
                    format!(
                        "<{base}{comments_path}?per_page={per_page}&page={}>; rel=\"next\", <{base}{comments_path}?per_page={per_page}&page=1>; rel=\"first\"",
                        page + 1
                    ),
                ));
            }
            (200, headers, serde_json::Value::Array(items).to_string())
        }
        "POST" if path == comments_path => match new_body(request) {
            Ok(body) => {
                state.next_id += 1;
                let comment = Comment {
                    id: state.next_id,
                    body,
                    author: state
                        .user
                        .clone()
                        .unwrap_or_else(|| ACTIONS_BOT.to_string()),
                };
                let json = comment_json(&comment, base).to_string();
                state.comments.push(comment);
                (201, vec![], json)
            }
            Err(answer) => answer,
        },
        "PATCH" if path.starts_with(&comment_prefix) => {
            let id: u64 = path[comment_prefix.len()..].parse().unwrap_or(0);
            match new_body(request) {
                Ok(body) => match state.comments.iter_mut().find(|c| c.id == id) {
                    Some(comment) => {
                        comment.body = body;
                        let json = comment_json(comment, base).to_string();
                        (200, vec![], json)
                    }
                    None => (404, vec![], r#"{"message":"Not Found"}"#.into()),
                },
                Err(answer) => answer,
            }
        }
        _ => (404, vec![], r#"{"message":"Not Found"}"#.into()),
    }
}

/// The comment body of a create or update, refused as GitHub does when it is too long.
fn new_body(request: &Request) -> Result<String, Answer> {
    let json: serde_json::Value = serde_json::from_str(&request.body).map_err(|_| {
        (
            400,
            vec![],
            r#"{"message":"Problems parsing JSON"}"#.to_string(),
        )
    })?;
    let body = json["body"].as_str().unwrap_or_default().to_string();
    if body.chars().count() > 65_536 {
        return Err((422, vec![], too_long()));
    }
    Ok(body)
}

pub fn too_long() -> String {
    r#"{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"custom","field":"body","message":"body is too long (maximum is 65536 characters)"}],"documentation_url":"https://docs.github.com/rest/issues/comments#create-an-issue-comment","status":"422"}"#.to_string()
}

fn comment_json(comment: &Comment, base: &str) -> serde_json::Value {
    serde_json::json!({
        "id": comment.id,
        "body": comment.body,
        "html_url": format!("{base}/{REPOSITORY}/pull/{PR}#issuecomment-{}", comment.id),
        "user": { "login": comment.author },
    })
}
