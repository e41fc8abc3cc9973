//! TLS on 127.0.0.1 for the trust-store tests: a self-signed certificate for the address
//! (made by the `openssl` CLI, which fails the test if it is missing: never skipped), and a
//! real HTTPS server (Python's `http.server` behind `ssl`) that answers every POST with
//! `200 ok` and records its path, standing in for Slack's webhook over HTTPS.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A certificate (and its key) valid for `127.0.0.1` only, signed by nobody: no system store
/// trusts it, so a client reaches a server using it only when told to trust this file.
pub struct SelfSigned {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl SelfSigned {
    pub fn create(dir: &Path) -> Self {
        let cert = dir.join("loopback-cert.pem");
        let key = dir.join("loopback-key.pem");
        let out = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec"])
            .args([
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
            ])
            .args(["-subj", "/CN=127.0.0.1"])
            .args(["-addext", "subjectAltName=IP:127.0.0.1"])
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdin(Stdio::null())
            .output()
            .expect("the TLS tests need the `openssl` CLI on PATH to make a certificate");
        assert!(
            out.status.success(),
            "openssl req failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self { cert, key }
    }
}

const SERVER: &str = r#"
import http.server, ssl, sys
cert, key, log = sys.argv[1:4]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with open(log, "a") as f:
            f.write(self.path + "\n")
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// An HTTPS server on 127.0.0.1 with `SelfSigned`'s certificate; stopped when dropped.
pub struct HttpsServer {
    pub port: u16,
    log: PathBuf,
    child: Child,
}

impl HttpsServer {
    pub fn start(dir: &Path, identity: &SelfSigned) -> Self {
        let log = dir.join("https-requests.log");
        std::fs::write(&log, "").unwrap();
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(SERVER)
            .arg(&identity.cert)
            .arg(&identity.key)
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3's HTTPS server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the HTTPS server printed no port: {line:?}"));
        Self { port, log, child }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    /// The paths of the POSTs that got through TLS, in order.
    pub fn posted_paths(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
