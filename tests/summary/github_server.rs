//! A stand-in for the GitHub API on 127.0.0.1: keeps one pull request's comments, lists
//! them in pages with `Link` headers, creates and updates them, and can answer the next
//! requests with scripted statuses (429, 422, ...). It records every request it gets.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const REPOSITORY: &str = "acme/platform";
pub const PR: u64 = 7;
pub const TOKEN: &str = "ghs_test_token_do_not_print_0123456789";

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub authorization: Option<String>,
    pub body: String,
}

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

/// An answer given instead of the normal one, to the next request that matches `method`.
#[derive(Debug, Clone)]
pub struct Scripted {
    pub method: &'static str,
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

#[derive(Default)]
struct State {
    /// The token's user for `GET /user`; `None` answers 403 as GitHub does for Actions'
    /// GITHUB_TOKEN, whose comments are then by `github-actions[bot]`.
    user: Option<String>,
    comments: Vec<Comment>,
    next_id: u64,
    requests: Vec<Request>,
    scripted: VecDeque<Scripted>,
}

pub struct GithubServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    _runtime: tokio::runtime::Runtime,
}

impl GithubServer {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            next_id: 1000,
            ..State::default()
        }));
        let shared = state.clone();
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, addr, state).await;
                });
            }
        });
        Self {
            addr,
            state,
            _runtime: runtime,
        }
    }

    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
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

    pub fn script(&self, answer: Scripted) {
        self.state.lock().unwrap().scripted.push_back(answer);
    }

    pub fn comments(&self) -> Vec<Comment> {
        self.state.lock().unwrap().comments.clone()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default().to_string();
    let mut length = 0;
    let mut authorization = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => authorization = Some(value.trim().to_string()),
                _ => {}
            }
        }
    }
    while buffer.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buffer[head_end..]).to_string();
    let request = Request {
        method,
        target,
        authorization,
        body,
    };
    let (status, headers, body) = answer(&request, addr, &state);
    state.lock().unwrap().requests.push(request);
    let mut response = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        reason(status),
        body.len()
    );
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    stream.write_all(response.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

type Answer = (u16, Vec<(&'static str, String)>, String);

fn answer(request: &Request, addr: SocketAddr, state: &Mutex<State>) -> Answer {
    let mut state = state.lock().unwrap();
    if let Some(at) = state
        .scripted
        .iter()
        .position(|s| s.method == request.method)
    {
        let scripted = state.scripted.remove(at).unwrap();
        return (scripted.status, scripted.headers, scripted.body);
    }
    if request.authorization.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        return (401, vec![], r#"{"message":"Bad credentials"}"#.into());
    }
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
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
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|p| p.strip_prefix(&format!("{name}=")))
                    .and_then(|v| v.parse::<usize>().ok())
            };
            let per_page = param("per_page").unwrap_or(30).min(100);
            let page = param("page").unwrap_or(1);
            let all = &state.comments;
            let start = (page - 1) * per_page;
            let items: Vec<_> = all
                .iter()
                .skip(start)
                .take(per_page)
                .map(|c| comment_json(c, addr))
                .collect();
            let mut headers = vec![];
            if start + per_page < all.len() {
                headers.push((
                    "link",
                    format!(
                        "<http://{addr}{comments_path}?per_page={per_page}&page={}>; rel=\"next\", <http://{addr}{comments_path}?per_page={per_page}&page=1>; rel=\"first\"",
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
                let json = comment_json(&comment, addr).to_string();
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
                        let json = comment_json(comment, addr).to_string();
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

fn comment_json(comment: &Comment, addr: SocketAddr) -> serde_json::Value {
    serde_json::json!({
        "id": comment.id,
        "body": comment.body,
        "html_url": format!("http://{addr}/{REPOSITORY}/pull/{PR}#issuecomment-{}", comment.id),
        "user": { "login": comment.author },
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        _ => "Status",
    }
}
