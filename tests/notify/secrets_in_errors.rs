//! A failing Slack or GitHub that echoes the request back (a proxy's error page, a debug
//! body): against real HTTP servers on 127.0.0.1, the webhook's secret path and query string
//! and the GitHub token, with its `Authorization` header, never reach stdout, stderr, the
//! job summary or any file the command writes, though each was sent and echoed. The bodies
//! also carry workflow commands and terminal escapes: read as GitHub's runner reads the
//! output, none runs.

use std::path::Path;

use super::receiver::{Receiver, Reply};
use super::{halted_prod_wave, orchestrator, sandbox_config};
use crate::support::github_runner::Runner;

const TOKEN: &str = "ghs_echoedTOKENdoNotPrint0123456789";
const PATH_SECRET: &str = "pathSECRETxox0123";
const QUERY_SECRET: &str = "querySECRETxox4567";

/// What a server may answer besides the echo: workflow commands, a CR, terminal escapes.
const HOSTILE: &str =
    "\r::add-mask::Bad\n##[set-output name=x;]y\n::stop-commands::t\u{1b}]0;t\u{7}";

/// Nothing the command printed runs a workflow command or reaches the terminal raw; what
/// the server `echoed` is shown, defused.
fn runs_nothing(stdout: &str, stderr: &str, echoed: bool) {
    let streams = Runner::read_streams(stdout, stderr, &[]);
    let executed: Vec<_> = streams.executed().collect();
    assert!(executed.is_empty(), "{executed:?}\n{stdout}{stderr}");
    assert_eq!(stderr.contains("\\r::add-mask::"), echoed, "{stderr}");
    assert!(!format!("{stdout}{stderr}").contains(['\u{1b}', '\u{7}']));
}

/// Every file under `dir` that holds one of `secrets`.
fn files_holding(dir: &Path, secrets: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let text = String::from_utf8_lossy(&bytes);
                if secrets.iter().any(|s| text.contains(s)) {
                    found.push(path.display().to_string());
                }
            }
        }
    }
    found
}

#[test]
fn a_github_error_echoing_the_request_shows_neither_the_token_nor_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    std::fs::create_dir_all(plans.join("catalog-dev")).unwrap();
    std::fs::write(
        plans.join("catalog-dev/platform.json"),
        r#"{"format_version":"1.2","terraform_version":"1.11.0","resource_changes":[]}"#,
    )
    .unwrap();
    let summary = dir.path().join("step-summary.md");
    let github = Receiver::start();
    // A proxy's page echoing the raw request (retried), then GitHub-like JSON echoing the
    // headers (final).
    github.script([
        Reply::new(
            502,
            &format!(
                "Bad gateway{HOSTILE}\nGET /repos/acme/platform/issues/7/comments HTTP/1.1\n\
                 Authorization: Bearer {TOKEN}\nAccept: application/vnd.github+json\n"
            ),
        ),
        Reply::new(
            422,
            &format!(
                r#"{{"message":"Validation Failed\r::add-mask::Validation\n::stop-commands::t\u001b[2J","request":{{"headers":{{"authorization":"token {TOKEN}"}}}},"errors":[{{"message":"token {TOKEN} cannot comment ##[error]forged"}}]}}"#
            ),
        ),
    ]);
    let out = orchestrator(
        dir.path(),
        &[
            "summary",
            plans.to_str().unwrap(),
            "--post",
            "--pr",
            "7",
            "--full",
            dir.path().join("full.md").to_str().unwrap(),
        ],
        &[
            ("GITHUB_TOKEN", TOKEN.to_string()),
            ("GITHUB_API_URL", github.url("")),
            ("GITHUB_ACTIONS", "true".to_string()),
            ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
        ],
    );

    let sent = github.requests();
    assert!(sent.len() >= 2, "{sent:?}\n{}", out.stderr);
    assert!(
        sent.iter()
            .all(|r| r.header("authorization").is_some_and(|a| a.contains(TOKEN))),
        "the token was sent with every request (so it could leak)"
    );
    out.expect_code(3).expect_stderr_contains("422");
    runs_nothing(&out.stdout, &out.stderr, true);
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(TOKEN), "the token was printed:\n{text}");
        assert!(
            !text.contains("Bearer"),
            "the header's value was printed:\n{text}"
        );
        assert!(
            !text
                .to_ascii_lowercase()
                .contains("authorization\":\"token"),
            "the header's value was printed:\n{text}"
        );
    }
    assert!(summary.is_file(), "the job summary was written");
    assert_eq!(files_holding(dir.path(), &[TOKEN]), Vec::<String>::new());
}

#[test]
fn a_slack_error_echoing_the_webhook_shows_neither_its_path_nor_its_query() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let slack = Receiver::start();
    let path = format!("/services/T01/B01/{PATH_SECRET}?token={QUERY_SECRET}");
    let webhook = slack.url(&path);
    slack.otherwise(Reply::new(
        500,
        &format!(
            "rollup_error for POST {webhook} (path {path}, query token={QUERY_SECRET}){HOSTILE}"
        ),
    ));
    // And a second channel whose webhook answers nothing at all: the client's own error
    // names the URL it could not reach.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!(
        "http://127.0.0.1:{}/services/T01/B02/{PATH_SECRET}?token={QUERY_SECRET}",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    let summary = dir.path().join("step-summary.md");
    let config = sandbox_config();
    for (variable, url) in [
        ("SLACK_WEBHOOK_URL", webhook.clone()),
        ("SLACK_WEBHOOK_URL", closed_url.clone()),
    ] {
        let out = orchestrator(
            dir.path(),
            &[
                "--config",
                config.to_str().unwrap(),
                "notify",
                "slack",
                "--report",
                report.to_str().unwrap(),
                "--retries",
                "1",
                "--retry-delay",
                "10ms",
                "--timeout",
                "2s",
            ],
            &[
                (variable, url.clone()),
                ("GITHUB_ACTIONS", "true".to_string()),
                ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
            ],
        );
        assert_eq!(out.code, Some(3), "{url}: {}\n{}", out.stdout, out.stderr);
        runs_nothing(&out.stdout, &out.stderr, url == webhook);
        for text in [&out.stdout, &out.stderr] {
            for secret in [PATH_SECRET, QUERY_SECRET, "/services/T01"] {
                assert!(!text.contains(secret), "{secret} was printed:\n{text}");
            }
        }
    }
    assert!(
        slack
            .requests()
            .iter()
            .any(|r| r.path.contains(PATH_SECRET) && r.path.contains(QUERY_SECRET)),
        "the webhook's path and query were sent (so they could leak)"
    );
    assert_eq!(
        files_holding(dir.path(), &[PATH_SECRET, QUERY_SECRET]),
        Vec::<String>::new()
    );
}
