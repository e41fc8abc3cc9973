//! The one loopback HTTP stub of the tests: a real HTTP/1.1 server on 127.0.0.1 standing in
//! for Slack's webhooks, GitHub's API and its OIDC token endpoint, STS's error answers, a
//! service's health URL and a release download. It records every request and answers from a
//! script, in this order of precedence:
//!
//! 1. `script` / `script_method`: the next requests (of that method) get these, in order;
//! 2. `route`: a path answers its own replies in order, the last one repeating;
//! 3. `answer_with`: a closure computes the reply from the request (a small model of a service);
//! 4. `otherwise`: everything else (default: 200 ok).
//!
//! A reply can wait before answering (a slow service), never answer (a hung one), carry any
//! status and headers (429 with Retry-After, 5xx) and a binary body. Connections stay open
//! for the next request (keep-alive) unless the client asks to close them.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without its query.
    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// The value of `name` in the query, if there.
    pub fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.path.split_once('?')?;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Waits this long before answering (a slow service).
    pub delay: Duration,
    /// Never answers: holds the connection open until the stub is dropped.
    pub hang: bool,
}

impl Reply {
    pub fn new(status: u16, body: &str) -> Self {
        Self::bytes(status, body.as_bytes())
    }

    /// A binary body (a release archive).
    pub fn bytes(status: u16, body: &[u8]) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_vec(),
            delay: Duration::ZERO,
            hang: false,
        }
    }

    pub fn ok() -> Self {
        Self::new(200, "ok")
    }

    /// A request that never gets an answer.
    pub fn hang() -> Self {
        Self {
            hang: true,
            ..Self::new(200, "")
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A route's replies: request n gets replies[n]; the last repeats.
struct Route {
    replies: Vec<Reply>,
    served: usize,
}

#[derive(Default)]
struct State {
    requests: Vec<Request>,
    /// (method, if only for one; reply), answered first, in order.
    script: VecDeque<(Option<String>, Reply)>,
    routes: HashMap<String, Route>,
    handler: Option<Arc<Handler>>,
    otherwise: Option<Reply>,
}

pub struct Receiver {
    port: u16,
    state: Arc<Mutex<State>>,
    stopped: Arc<AtomicBool>,
}

impl Receiver {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let stopped = Arc::new(AtomicBool::new(false));
        let (shared, stop) = (Arc::clone(&state), Arc::clone(&stopped));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (state, stop) = (Arc::clone(&shared), Arc::clone(&stop));
                std::thread::spawn(move || serve(stream, &state, &stop));
            }
        });
        Self {
            port,
            state,
            stopped,
        }
    }

    /// Answers the next requests with these, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) -> &Self {
        let mut state = self.state.lock().unwrap();
        state
            .script
            .extend(replies.into_iter().map(|reply| (None, reply)));
        self
    }

    /// Answers the next request with this method with `reply` (after any scripted before).
    pub fn script_method(&self, method: &str, reply: Reply) -> &Self {
        let mut state = self.state.lock().unwrap();
        state.script.push_back((Some(method.to_string()), reply));
        self
    }

    /// `path` (without query) answers these in order, then the last one forever.
    pub fn route(&self, path: &str, replies: impl IntoIterator<Item = Reply>) -> &Self {
        let replies: Vec<Reply> = replies.into_iter().collect();
        assert!(!replies.is_empty(), "a route needs a reply");
        let mut state = self.state.lock().unwrap();
        state
            .routes
            .insert(path.to_string(), Route { replies, served: 0 });
        self
    }

    /// Answers what no script or route answers by computing the reply from the request.
    pub fn answer_with(
        &self,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> &Self {
        self.state.lock().unwrap().handler = Some(Arc::new(handler));
        self
    }

    /// Answers everything else with this (default: 200 ok).
    pub fn otherwise(&self, reply: Reply) -> &Self {
        self.state.lock().unwrap().otherwise = Some(reply);
        self
    }

    /// `http://127.0.0.1:<port><path>`; `base_url()` is the one with an empty path.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn base_url(&self) -> String {
        self.url("")
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Requests to `path`: the path and query as sent, or the path alone.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path || r.route() == path)
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // Hung connections close; the accepting thread stays parked until the tests end.
        self.stopped.store(true, Ordering::SeqCst);
    }
}

/// Answers the requests of one connection until the client closes it or asks to.
fn serve(stream: TcpStream, state: &Mutex<State>, stopped: &AtomicBool) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader) {
        let close = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let reply = answer(state, request);
        if reply.hang {
            let until = Instant::now() + Duration::from_secs(300);
            while !stopped.load(Ordering::SeqCst) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(50));
            }
            return;
        }
        std::thread::sleep(reply.delay);
        if write_reply(&mut writer, &reply, close).is_err() || close {
            return;
        }
    }
}

fn answer(state: &Mutex<State>, request: Request) -> Reply {
    let mut state = state.lock().unwrap();
    state.requests.push(request.clone());
    let scripted = state
        .script
        .iter()
        .position(|(method, _)| method.as_ref().is_none_or(|m| *m == request.method));
    if let Some((_, reply)) = scripted.and_then(|at| state.script.remove(at)) {
        return reply;
    }
    if let Some(route) = state.routes.get_mut(request.route()) {
        let reply = route.replies[route.served.min(route.replies.len() - 1)].clone();
        route.served += 1;
        return reply;
    }
    if let Some(handler) = state.handler.clone() {
        // The handler may lock its own state or take its time: not under this lock.
        drop(state);
        return handler(&request);
    }
    state.otherwise.clone().unwrap_or_else(Reply::ok)
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn write_reply(stream: &mut TcpStream, reply: &Reply, close: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-length: {}\r\n",
        reply.status,
        reason(reply.status),
        reply.body.len()
    );
    if !reply
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        head.push_str("content-type: text/plain\r\n");
    }
    if close {
        head.push_str("connection: close\r\n");
    }
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&reply.body)?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
