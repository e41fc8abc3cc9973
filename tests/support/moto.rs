//! A real STS endpoint for tests: moto's server on a free port of 127.0.0.1, stopped when
//! the test ends. Found through $MOTO_SERVER, else `<repo>/.venv/bin/moto_server` (the test
//! command creates that venv), else PATH. Without it the test fails: it never skips.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct MotoServer {
    pub url: String,
    child: Child,
}

impl MotoServer {
    pub fn start(log_dir: &Path) -> Self {
        Self::launch(log_dir, None)
    }

    /// moto over HTTPS with this certificate (`https://127.0.0.1:<port>`).
    pub fn start_tls(log_dir: &Path, identity: &super::tls::SelfSigned) -> Self {
        Self::launch(log_dir, Some(identity))
    }

    /// moto picks its own free port (`-p 0`) and says which in its log: a port chosen here
    /// and handed over could be taken in between by another test's server, and this test
    /// would then talk to that one.
    fn launch(log_dir: &Path, tls: Option<&super::tls::SelfSigned>) -> Self {
        let binary = find_moto_server();
        let log_path = tempfile::Builder::new()
            .prefix("moto-")
            .suffix(".log")
            .tempfile_in(log_dir)
            .expect("create the moto log")
            .into_temp_path()
            .keep()
            .expect("keep the moto log");
        let log = std::fs::File::create(&log_path).expect("open the moto log");
        let mut child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .args(tls.iter().flat_map(|identity| {
                [
                    "-c".as_ref(),
                    identity.cert.as_os_str(),
                    "-k".as_ref(),
                    identity.key.as_os_str(),
                ]
            }))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let announced = format!("Running on {scheme}://127.0.0.1:");
        let started = Instant::now();
        let port = loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(port) = text.lines().find_map(|line| {
                let (_, rest) = line.split_once(&announced)?;
                rest.trim().parse::<u16>().ok()
            }) {
                break port;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("moto_server exited ({status}) before listening:\n{text}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not say its port within 60s:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        // Announced just before it serves: wait until it does.
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not listen on port {port} within 60s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            url: format!("{scheme}://127.0.0.1:{port}"),
            child,
        }
    }
}

/// One session moto issued (AssumeRole or AssumeRoleWithWebIdentity), from its own state.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct IssuedSession {
    pub account_id: String,
    pub arn: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

impl MotoServer {
    /// Every session moto has issued since it started: moto's own state dump
    /// (`/moto-api/data.json`), so a test knows every secret that exists, even those of
    /// sessions only the orchestrator saw.
    pub fn issued_sessions(&self) -> Vec<IssuedSession> {
        #[derive(serde::Deserialize)]
        struct Dump {
            sts: Sts,
        }
        #[derive(serde::Deserialize)]
        struct Sts {
            #[serde(rename = "AssumedRole")]
            assumed_roles: Vec<IssuedSession>,
        }
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("connect to moto");
        // HTTP/1.0: the whole body, then the connection closes (no chunked encoding).
        write!(
            stream,
            "GET /moto-api/data.json HTTP/1.0\r\nHost: {address}\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .expect("read moto's state");
        let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
        assert!(
            head.starts_with("HTTP/1.") && head.contains(" 200 "),
            "{head}"
        );
        let dump: Dump = serde_json::from_str(body).expect("moto's state is JSON");
        dump.sts.assumed_roles
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_moto_server() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    if venv.is_file() {
        return venv;
    }
    if let Some(found) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|candidate| candidate.is_file())
    }) {
        return found;
    }
    panic!(
        "moto_server not found: these tests need a real STS endpoint. Install it with \
         `python3 -m venv .venv && .venv/bin/pip install 'moto[server]'` in the repository \
         root, or set MOTO_SERVER to the moto_server binary"
    );
}
