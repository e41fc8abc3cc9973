//! Polls a health URL: GET with a short timeout per request and a growing pause between
//! requests, until it answers the expected status or the check's time is up. It keeps what
//! it saw (requests made, the last answer) so that whoever stops it early (the job's deadline,
//! Ctrl-C) can still report it.

use std::time::Duration;

use tokio::time::{sleep, Instant};

use super::url::HealthUrl;

/// The longest one request may take; a service that needs longer to answer its health URL is
/// not healthy.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What one request got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Status(u16),
    /// No HTTP answer (refused, reset, timed out): why, without the URL.
    NoAnswer(String),
}

pub struct Probe {
    client: reqwest::Client,
    url: HealthUrl,
    expect_status: u16,
    delays: Box<dyn Iterator<Item = Duration> + Send + Sync>,
    requests: u32,
    last: Option<Answer>,
    last_status: Option<u16>,
}

impl Probe {
    /// `delays` are the pauses between requests, in order; once it runs dry the last one is
    /// repeated.
    pub fn new(
        url: HealthUrl,
        expect_status: u16,
        delays: impl Iterator<Item = Duration> + Send + Sync + 'static,
    ) -> Result<Self, reqwest::Error> {
        let client = crate::tls::http_client()
            // The status the URL itself answers: a redirect is an answer, not a hop.
            .redirect(reqwest::redirect::Policy::none())
            // A fresh connection per request: a kept-alive one may reach the instance that
            // was just replaced.
            .pool_max_idle_per_host(0)
            .user_agent(concat!(
                "orchestrator-health-check/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;
        Ok(Self {
            client,
            url,
            expect_status,
            delays: Box::new(delays),
            requests: 0,
            last: None,
            last_status: None,
        })
    }

    pub fn url(&self) -> &HealthUrl {
        &self.url
    }

    pub fn expect_status(&self) -> u16 {
        self.expect_status
    }

    /// Requests made so far.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The answer to the last request, if one was made.
    pub fn last(&self) -> Option<&Answer> {
        self.last.as_ref()
    }

    /// The status of the latest HTTP answer, even if later requests got none.
    pub fn last_status(&self) -> Option<u16> {
        self.last_status
    }

    /// Requests until the URL answers the expected status (`true`) or `timeout` from now has
    /// passed (`false`). Safe to drop at any await: what was seen so far stays recorded.
    pub async fn until_healthy(&mut self, timeout: Duration) -> bool {
        // Bounded by the config, but a deadline the clock cannot hold must not panic.
        let now = Instant::now();
        let deadline = now
            .checked_add(timeout)
            .unwrap_or(now + Duration::from_secs(3600 * 24 * 365));
        let mut pause = Duration::ZERO;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.requests += 1;
            let answer = self.request(left.min(REQUEST_TIMEOUT)).await;
            if let Answer::Status(status) = answer {
                self.last_status = Some(status);
            }
            let healthy = answer == Answer::Status(self.expect_status);
            self.last = Some(answer);
            if healthy {
                return true;
            }
            pause = self.delays.next().unwrap_or(pause);
            let left = deadline.saturating_duration_since(Instant::now());
            sleep(pause.min(left)).await;
        }
    }

    async fn request(&self, timeout: Duration) -> Answer {
        let sent = self
            .client
            .get(self.url.url().clone())
            .timeout(timeout)
            .send()
            .await;
        match sent {
            Ok(response) => Answer::Status(response.status().as_u16()),
            Err(e) => Answer::NoAnswer(
                crate::tls::why_no_answer(e)
                    .unwrap_or_else(|| "timed out waiting for an answer".to_string()),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Against a real HTTP server on 127.0.0.1 that answers from a script.

    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// Answers request n with `statuses[n]` (the last one forever); `None` never answers.
    async fn server(statuses: Vec<Option<u16>>) -> (String, Arc<AtomicU32>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/health", listener.local_addr().unwrap());
        let count = Arc::new(AtomicU32::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let n = seen.fetch_add(1, Ordering::SeqCst) as usize;
                let status = statuses[n.min(statuses.len() - 1)];
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    let _ = socket.read(&mut buf).await;
                    match status {
                        Some(status) => {
                            let reply = format!(
                                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                            );
                            let _ = socket.write_all(reply.as_bytes()).await;
                        }
                        None => sleep(Duration::from_secs(3600)).await,
                    }
                });
            }
        });
        (url, count)
    }

    fn probe(url: &str, expect: u16) -> Probe {
        let url = HealthUrl::parse("health_url", url).unwrap();
        Probe::new(url, expect, std::iter::repeat(Duration::from_millis(20))).unwrap()
    }

    #[tokio::test]
    async fn it_retries_until_the_expected_status() {
        let (url, count) = server(vec![Some(503), Some(503), Some(200)]).await;
        let mut probe = probe(&url, 200);
        assert!(probe.until_healthy(Duration::from_secs(10)).await);
        assert_eq!(probe.requests(), 3);
        assert_eq!(count.load(Ordering::SeqCst), 3);
        assert_eq!(probe.last(), Some(&Answer::Status(200)));
    }

    #[tokio::test]
    async fn a_redirect_is_the_answer_not_a_hop() {
        let (url, _) = server(vec![Some(302)]).await;
        let mut probe = probe(&url, 302);
        assert!(probe.until_healthy(Duration::from_secs(5)).await);
        assert_eq!(probe.requests(), 1);
    }

    #[tokio::test]
    async fn the_wrong_status_until_the_timeout_fails_with_the_last_status() {
        let (url, _) = server(vec![Some(503)]).await;
        let mut probe = probe(&url, 200);
        assert!(!probe.until_healthy(Duration::from_millis(300)).await);
        assert!(probe.requests() > 1);
        assert_eq!(probe.last_status(), Some(503));
    }

    #[tokio::test]
    async fn a_hanging_server_is_no_answer_within_the_timeout() {
        let (url, _) = server(vec![None]).await;
        let mut probe = probe(&url, 200);
        assert!(!probe.until_healthy(Duration::from_millis(300)).await);
        assert_eq!(probe.requests(), 1);
        assert_eq!(
            probe.last(),
            Some(&Answer::NoAnswer("timed out waiting for an answer".into()))
        );
    }

    #[tokio::test]
    async fn nobody_listening_is_no_answer_without_the_url() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut probe = probe(&format!("http://user:s3cr3t@127.0.0.1:{port}/h?t=tok"), 200);
        assert!(!probe.until_healthy(Duration::from_millis(200)).await);
        let Some(Answer::NoAnswer(why)) = probe.last() else {
            panic!("{:?}", probe.last());
        };
        assert!(why.starts_with("cannot connect"), "{why}");
        assert!(!why.contains("s3cr3t") && !why.contains("tok"), "{why}");
    }

    #[tokio::test]
    async fn dropping_it_midway_keeps_what_it_saw() {
        let (url, _) = server(vec![Some(503), None]).await;
        let mut probe = probe(&url, 200);
        let stopped = tokio::time::timeout(
            Duration::from_millis(300),
            probe.until_healthy(Duration::from_secs(60)),
        )
        .await;
        assert!(stopped.is_err(), "still polling when dropped");
        assert_eq!(probe.requests(), 2);
        assert_eq!(probe.last_status(), Some(503));
    }
}
