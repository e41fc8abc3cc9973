//! A real HTTP server on 127.0.0.1 standing in for a deployed service's health URL: each path
//! answers from its own script of statuses (the last one repeats) or never answers, and every
//! request is counted.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
enum Route {
    /// Request n gets statuses[n]; the last repeats.
    Statuses(Vec<u16>),
    /// Reads the request and keeps the connection open without a word.
    Hang,
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    /// Requests per path (query left out).
    seen: HashMap<String, usize>,
}

pub struct HealthServer {
    port: u16,
    state: Arc<Mutex<State>>,
    stopped: Arc<AtomicBool>,
}

impl HealthServer {
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

    /// `path` answers these statuses in order, then the last one forever.
    pub fn answer(&self, path: &str, statuses: &[u16]) -> &Self {
        assert!(!statuses.is_empty());
        self.route(path, Route::Statuses(statuses.to_vec()))
    }

    /// `path` never answers.
    pub fn hang(&self, path: &str) -> &Self {
        self.route(path, Route::Hang)
    }

    fn route(&self, path: &str, route: Route) -> &Self {
        let mut state = self.state.lock().unwrap();
        state.routes.insert(path.to_string(), route);
        self
    }

    /// `http://127.0.0.1:<port><path_and_query>`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://127.0.0.1:{}{path_and_query}", self.port)
    }

    /// How many requests reached `path`.
    pub fn requests(&self, path: &str) -> usize {
        let state = self.state.lock().unwrap();
        state.seen.get(path).copied().unwrap_or(0)
    }
}

impl Drop for HealthServer {
    fn drop(&mut self) {
        // Hung connections close; the accepting thread stays parked until the test ends.
        self.stopped.store(true, Ordering::SeqCst);
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, stopped: &AtomicBool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    // A GET has no body: the headers end the request.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim_end().is_empty() {
            break;
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/").to_string();
    let route = {
        let mut state = state.lock().unwrap();
        let n = state.seen.get(&path).copied().unwrap_or(0);
        state.seen.insert(path.clone(), n + 1);
        match state.routes.get(&path) {
            Some(Route::Statuses(statuses)) => Some(statuses[n.min(statuses.len() - 1)]),
            Some(Route::Hang) => None,
            None => Some(404),
        }
    };
    let Some(status) = route else {
        let until = Instant::now() + Duration::from_secs(300);
        while !stopped.load(Ordering::SeqCst) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(50));
        }
        return;
    };
    let mut stream = stream;
    let response = format!(
        "HTTP/1.1 {status} {}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Status" }
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}
