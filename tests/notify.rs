//! Notifications end to end: the built binary posts to a real HTTP server on 127.0.0.1
//! (`support::receiver`) standing in for Slack; GitHub annotations and the job summary
//! are read back from stdout and the summary file; `report merge` and `gate` run on report
//! files written by a builder shaped like the runner's reports.

mod limits;
use crate::support::cli::{self, Run};
use crate::support::receiver;
mod reports;
mod secrets_in_errors;
mod tls;

use std::path::{Path, PathBuf};
use std::time::Duration;

use orchestrator::report::{Outcome, RunReport, Status, WaveStatus};
use receiver::{Receiver, Reply};
use reports::{terraform_error, ReportBuilder};

/// The part of a webhook URL that is the secret; it must never be printed.
const SECRET: &str = "xoxWEBHOOKsecret";
const PLATFORM_PATH: &str = "/services/T01/B01/xoxWEBHOOKsecret";
const PAYMENTS_PATH: &str = "/services/T01/B02/xoxWEBHOOKsecret-payments";

/// GitHub Actions' variables, fixed so messages are the same on every machine.
const CI_ENV: &[(&str, &str)] = &[
    ("GITHUB_SERVER_URL", "https://github.example"),
    ("GITHUB_REPOSITORY", "acme/platform"),
    ("GITHUB_RUN_ID", "4242"),
    ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
];

/// Runs the binary in `dir` with only `env` (plus the CI variables) set.
fn orchestrator(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Run {
    cli::orchestrator()
        .current_dir(dir)
        .envs(CI_ENV.iter().copied())
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .args(args)
        .run()
}

fn sandbox_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sandbox/domains.yaml")
}

/// `notify slack` against `receiver`, checking the webhook's secret never shows.
fn notify(
    dir: &Path,
    receiver: &Receiver,
    report: &Path,
    extra: &[&str],
    env: &[(&str, String)],
) -> Run {
    notify_to(dir, receiver.url(PLATFORM_PATH), report, extra, env)
}

/// `notify slack` with `webhook` as SLACK_WEBHOOK_URL, checking its secret never shows.
fn notify_to(
    dir: &Path,
    webhook: String,
    report: &Path,
    extra: &[&str],
    env: &[(&str, String)],
) -> Run {
    let config = sandbox_config();
    let mut args = vec![
        "--config",
        config.to_str().unwrap(),
        "notify",
        "slack",
        "--report",
        report.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let mut all_env = vec![("SLACK_WEBHOOK_URL", webhook)];
    all_env.extend(env.iter().cloned());
    let out = orchestrator(dir, &args, &all_env);
    assert_secret_hidden(&out);
    out
}

fn assert_secret_hidden(out: &Run) {
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(SECRET), "the webhook URL leaked:\n{text}");
        assert!(
            !text.contains("/services/"),
            "the webhook path leaked:\n{text}"
        );
    }
}

/// Every sandbox account, all succeeded.
fn all_succeeded() -> ReportBuilder {
    let mut b = ReportBuilder::new();
    for domain in ["catalog", "payments", "commerce", "platform"] {
        for env in ["dev", "stage"] {
            b = b.succeeded(&format!("{domain}-{env}"));
        }
    }
    for domain in ["catalog", "payments", "commerce", "platform"] {
        b = b.succeeded(&format!("{domain}-prod"));
    }
    b
}

/// Stage succeeded except payments-stage; prod held back.
fn halted_prod_wave() -> ReportBuilder {
    let mut b = ReportBuilder::new();
    for domain in ["catalog", "payments", "commerce", "platform"] {
        for env in ["dev", "stage"] {
            let account = format!("{domain}-{env}");
            b = if account == "payments-stage" {
                b.failed(
                    &account,
                    "static",
                    2,
                    terraform_error(
                        "creating S3 Bucket (payments-stage-artifacts): BucketAlreadyExists",
                        "api error BucketAlreadyExists: The requested bucket name is not available. Request ID: 7G3K2P0Q1R & <retry>",
                    ),
                )
            } else {
                b.succeeded(&account)
            };
        }
    }
    for domain in ["catalog", "payments", "commerce", "platform"] {
        b = b.held_back(&format!("{domain}-prod"));
    }
    b
}

fn the_payload(receiver: &Receiver) -> serde_json::Value {
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1, "exactly one message: {requests:#?}");
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].header("content-type"), Some("application/json"));
    let payload = requests[0].json();
    assert_eq!(limits::violations(&payload), Vec::<String>::new());
    payload
}

fn all_text(payload: &serde_json::Value) -> String {
    payload.to_string()
}

#[test]
fn success_is_posted_with_on_always() {
    let dir = tempfile::tempdir().unwrap();
    let report = all_succeeded().write(dir.path(), "report.json");
    let slack = Receiver::start();

    // The default, --on failure, says nothing about a success.
    let out = notify(dir.path(), &slack, &report, &[], &[]);
    out.expect_code(0)
        .expect_stdout_contains("not posted to the platform channel");
    assert!(slack.requests().is_empty());

    let out = notify(dir.path(), &slack, &report, &["--on", "always"], &[]);
    out.expect_code(0);
    let payload = the_payload(&slack);
    assert_eq!(slack.requests()[0].path, PLATFORM_PATH);
    insta::assert_json_snapshot!("slack_success", payload);
}

#[test]
fn one_failure_names_account_layer_error_and_redeploy() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = ReportBuilder::new();
    for a in ["catalog-stage", "payments-stage", "catalog-prod"] {
        b = b.succeeded(a);
    }
    let report = b
        .failed(
            "payments-prod",
            "platform",
            1,
            terraform_error(
                "assuming role arn:aws:iam::100000000013:role/deployer: AccessDenied",
                "User: arn:aws:sts::111111111111:assumed-role/ci is not authorized to perform: sts:AssumeRole",
            ),
        )
        .write(dir.path(), "report.json");
    let slack = Receiver::start();

    let out = notify(dir.path(), &slack, &report, &[], &[]);
    out.expect_code(0);
    let payload = the_payload(&slack);
    let text = all_text(&payload);
    for expected in [
        "payments-prod",
        "`platform`",
        "Error: assuming role arn:aws:iam::100000000013:role/deployer: AccessDenied",
        "orchestrator deploy --accounts payments-prod",
        "https://github.example/acme/platform/actions/workflows/redeploy.yml",
        "https://github.example/acme/platform/actions/runs/4242",
        "https://github.example/acme/platform/commit/0123456789abcdef0123456789abcdef01234567",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    // terraform's colours, frames and the CLI-config warning are gone.
    for noise in [
        "\\u001b",
        "╷",
        "│",
        "Unable to open CLI configuration file",
        "Creating...",
    ] {
        assert!(!text.contains(noise), "{noise} left in {text}");
    }
    assert!(payload["text"]
        .as_str()
        .unwrap()
        .contains("payments-prod (platform)"));
    insta::assert_json_snapshot!("slack_one_failure", payload);
}

#[test]
fn halted_prod_wave_lists_failure_and_held_back_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let slack = Receiver::start();

    let out = notify(dir.path(), &slack, &report, &[], &[]);
    out.expect_code(0);
    let payload = the_payload(&slack);
    let header = payload["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(header.contains("halted before prod"), "{header}");
    let text = all_text(&payload);
    assert!(text.contains("*Held back*"), "{text}");
    for held in [
        "catalog-prod",
        "payments-prod",
        "commerce-prod",
        "platform-prod",
    ] {
        assert!(
            text.contains(&format!("`{held}`")),
            "{held} not named in {text}"
        );
    }
    // Slack's control characters in terraform's text are escaped.
    assert!(text.contains("&amp; &lt;retry&gt;"), "{text}");
    insta::assert_json_snapshot!("slack_halted", payload);
}

/// A halted run started with `--config infra/domains.yaml`: Slack and the job summary give
/// the redeploy and resume commands with that `--config`, the resume naming the report.
#[test]
fn slack_and_the_job_summary_give_the_resume_command_with_the_runs_config() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave()
        .config("infra/domains.yaml")
        .write(dir.path(), "report.json");
    let resume = "orchestrator --config infra/domains.yaml run --resume report.json";
    let redeploy = "orchestrator --config infra/domains.yaml deploy --accounts payments-stage";

    let slack = Receiver::start();
    let out = notify(dir.path(), &slack, &report, &[], &[]);
    out.expect_code(0);
    let text = all_text(&the_payload(&slack));
    assert!(text.contains(redeploy), "{text}");
    assert!(text.contains(resume), "{text}");
    assert!(text.contains("5 accounts left undone"), "{text}");
    // In CI, the redeploy workflow takes this run's id as `resume`.
    assert!(
        text.contains("with account `payments-stage` and resume `4242`"),
        "{text}"
    );

    let out = orchestrator(
        dir.path(),
        &["report", "summary", "--report", report.to_str().unwrap()],
        &[],
    );
    out.expect_code(0)
        .expect_stdout_contains(&format!("`{redeploy}`"))
        .expect_stdout_contains(&format!("`{resume}`"));

    // A run that finished has nothing to resume; the default config needs no --config.
    let done = ReportBuilder::new()
        .succeeded("catalog-stage")
        .write(dir.path(), "done.json");
    let slack = Receiver::start();
    let out = notify(dir.path(), &slack, &done, &["--on", "always"], &[]);
    out.expect_code(0);
    let text = all_text(&the_payload(&slack));
    assert!(!text.contains("--resume"), "{text}");
}

#[test]
fn drift_is_described_apart_from_failures() {
    let dir = tempfile::tempdir().unwrap();
    let report = ReportBuilder::new()
        .plan_only()
        .drifted(
            "catalog-prod",
            &[("platform", 1, 2, 0), ("static", 0, 1, 1)],
        )
        .drifted("payments-prod", &[("dynamic", 3, 0, 0)])
        .no_changes("commerce-prod")
        .no_changes("platform-prod")
        .write(dir.path(), "report.json");
    let slack = Receiver::start();

    // Drift is not a failure...
    let out = notify(dir.path(), &slack, &report, &["--on", "failure"], &[]);
    out.expect_code(0);
    assert!(slack.requests().is_empty());
    // ...but it is a change.
    let out = notify(dir.path(), &slack, &report, &["--on", "change"], &[]);
    out.expect_code(0);
    let payload = the_payload(&slack);
    let text = all_text(&payload);
    assert!(payload["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("Drift in 2 accounts"));
    assert!(
        text.contains("4 to add, 3 to change, 1 to destroy"),
        "total: {text}"
    );
    assert!(
        text.contains("`catalog-prod`: 1 to add, 3 to change, 1 to destroy"),
        "{text}"
    );
    assert!(
        !text.contains("failed"),
        "drift is not described as a failure: {text}"
    );
    insta::assert_json_snapshot!("slack_drift", payload);
}

/// `n` failures spread over 7 kinds of error (each naming its own account and id), as a
/// broken role or module does to hundreds of accounts at once.
fn many_failures(n: usize, unique: bool) -> RunReport {
    let mut b = ReportBuilder::new();
    for i in 0..n {
        let account = format!("d{i:03}-stage");
        let kind = if unique { i } else { i % 7 };
        let long = "x".repeat(400);
        b = b.failed(
            &account,
            ["platform", "static", "dynamic"][kind % 3],
            1 + u32::try_from(i % 2).unwrap(),
            terraform_error(
                &format!("error kind {kind} in {account} ({long})"),
                &format!(
                    "request 1234567{i:05} for account {:012} failed `code` ``` <here>",
                    100_000_000_000u64 + i as u64
                ),
            ),
        );
    }
    for i in 0..n.min(60) {
        b = b.held_back(&format!("p{i:03}-prod"));
    }
    b.build()
}

#[test]
fn slack_limits_hold_for_1_10_and_500_failures() {
    let dir = tempfile::tempdir().unwrap();
    for (n, unique) in [(1, false), (10, false), (500, false), (500, true)] {
        let report = many_failures(n, unique);
        let path = dir.path().join(format!("report-{n}-{unique}.json"));
        std::fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
        let slack = Receiver::start();
        let out = notify(dir.path(), &slack, &path, &[], &[]);
        assert_eq!(out.code, Some(0), "{n} failures: {}", out.stderr);
        let payload = the_payload(&slack);
        let text = all_text(&payload);
        assert!(
            text.contains(&format!("{n} of {} accounts failed", n + n.min(60))),
            "{n}: {text}"
        );
        if n == 1 {
            assert!(text.contains("d000-stage"));
        } else if !unique {
            // Grouped by error although each names its own account, id and request: the
            // biggest group (i % 7 == 0) names 12 accounts and counts the rest.
            let biggest = (0..n).filter(|i| i % 7 == 0).count();
            assert!(
                text.contains(&format!("*{biggest} accounts*")),
                "{n}: {text}"
            );
            if biggest > 12 {
                assert!(
                    text.contains(&format!("and {} more", biggest - 12)),
                    "{n}: {text}"
                );
            }
        }
        if n == 500 {
            assert!(
                text.contains("more"),
                "{n}: nothing says more accounts failed: {text}"
            );
        }
    }
}

#[test]
fn rate_limit_is_retried_after_retry_after_and_delivered_once() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let slack = Receiver::start();
    slack.script([Reply::new(429, "rate_limited").header("Retry-After", "1")]);

    // The backoff for other errors is 50ms: the wait comes from Slack's Retry-After.
    let out = notify(dir.path(), &slack, &report, &["--retry-delay", "50ms"], &[]);
    out.expect_code(0);
    let requests = slack.requests();
    assert_eq!(requests.len(), 2, "one refused, one delivered");
    assert_eq!(requests[0].body, requests[1].body, "the same message again");
    out.expect_stderr_contains("the platform channel: HTTP 429 rate_limited; retrying in 1s")
        .expect_stdout_contains("after 2 attempts");
}

#[test]
fn repeated_server_errors_end_with_exit_3_and_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let slack = Receiver::start();
    slack.otherwise(Reply::new(500, "rollup_error"));

    let out = notify(
        dir.path(),
        &slack,
        &report,
        &["--retries", "2", "--retry-delay", "10ms"],
        &[],
    );
    out.expect_code(3);
    assert_eq!(slack.requests().len(), 3, "one attempt and two retries");
    let last = out.stderr.lines().last().unwrap();
    assert!(
        last.starts_with(
            "error: the platform channel: Slack did not take the message after 3 attempts"
        ),
        "{last}"
    );
    assert!(last.contains("SLACK_WEBHOOK_URL"), "{last}");
    assert!(last.contains("HTTP 500 rollup_error"), "{last}");
}

#[test]
fn a_refusal_is_not_retried_and_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let slack = Receiver::start();
    slack.otherwise(Reply::new(404, "channel_not_found"));

    let out = notify(dir.path(), &slack, &report, &[], &[]);
    out.expect_code(3);
    assert_eq!(slack.requests().len(), 1);
    out.expect_stderr_contains("HTTP 404 channel_not_found")
        .expect_stderr_contains("create a new incoming webhook and update SLACK_WEBHOOK_URL");
}

#[test]
fn a_hung_slack_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let slack = Receiver::start();
    slack.otherwise(Reply::ok().after(Duration::from_secs(5)));

    let out = notify(
        dir.path(),
        &slack,
        &report,
        &[
            "--timeout",
            "300ms",
            "--retries",
            "1",
            "--retry-delay",
            "10ms",
        ],
        &[],
    );
    out.expect_code(3)
        .expect_stderr_contains("no answer within 300ms");
    assert_eq!(slack.requests().len(), 2);
}

#[test]
fn without_a_webhook_url_it_exits_2_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let out = orchestrator(
        dir.path(),
        &[
            "--config",
            sandbox_config().to_str().unwrap(),
            "notify",
            "slack",
            "--report",
            report.to_str().unwrap(),
        ],
        &[],
    );
    out.expect_code(2);
    assert_eq!(
        out.stderr.trim(),
        "error: SLACK_WEBHOOK_URL is not set: export the Slack incoming webhook URL (a secret) as SLACK_WEBHOOK_URL"
    );

    // A malformed one is refused without echoing it.
    let out = orchestrator(
        dir.path(),
        &[
            "--config",
            sandbox_config().to_str().unwrap(),
            "notify",
            "slack",
            "--report",
            report.to_str().unwrap(),
        ],
        &[(
            "SLACK_WEBHOOK_URL",
            format!("hooks.slack.com{PLATFORM_PATH}"),
        )],
    );
    out.expect_code(2)
        .expect_stderr_contains("SLACK_WEBHOOK_URL is not an http(s) URL");
    assert_secret_hidden(&out);
}

#[test]
fn an_unreadable_report_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, "{ not json").unwrap();
    let slack = Receiver::start();
    let out = notify(dir.path(), &slack, &path, &[], &[]);
    out.expect_code(2)
        .expect_stderr_contains("report.json: not a run report");
    assert!(slack.requests().is_empty());
}

#[test]
fn each_team_gets_its_own_accounts_and_the_platform_gets_everything() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let slack = Receiver::start();

    let out = notify(
        dir.path(),
        &slack,
        &report,
        &[],
        &[("SLACK_WEBHOOK_URL_PAYMENTS", slack.url(PAYMENTS_PATH))],
    );
    out.expect_code(0);
    let platform = slack.requests_to(PLATFORM_PATH);
    let payments = slack.requests_to(PAYMENTS_PATH);
    assert_eq!(
        (platform.len(), payments.len()),
        (1, 1),
        "{:#?}",
        slack.requests()
    );

    let everything = all_text(&platform[0].json());
    for account in [
        "catalog-prod",
        "payments-prod",
        "payments-stage",
        "platform-prod",
    ] {
        assert!(everything.contains(account), "platform lacks {account}");
    }
    let team = payments[0].json();
    assert_eq!(limits::violations(&team), Vec::<String>::new());
    let team_text = all_text(&team);
    assert!(team_text.contains("payments-stage") && team_text.contains("payments-prod"));
    for other in ["catalog-prod", "commerce-prod", "platform-prod"] {
        assert!(
            !team_text.contains(other),
            "the payments team got {other}: {team_text}"
        );
    }
    assert!(team_text.contains("#payments-deploys"), "{team_text}");
    // catalog names a channel in domains.yaml but has no webhook: said, not fatal.
    out.expect_stderr_contains(
        "domain catalog names #catalog-deploys but SLACK_WEBHOOK_URL_CATALOG is not set",
    )
    .expect_stdout_contains("posted to the payments team (#payments-deploys)");
    insta::assert_json_snapshot!("slack_team_payments", team);
}

#[test]
fn first_success_after_a_failure_sends_a_short_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let previous = halted_prod_wave()
        .run_id("run-before")
        .write(dir.path(), "previous.json");
    let report = all_succeeded().write(dir.path(), "report.json");
    let slack = Receiver::start();

    let prev = previous.to_str().unwrap();
    let out = notify(dir.path(), &slack, &report, &["--previous", prev], &[]);
    out.expect_code(0);
    let payload = the_payload(&slack);
    let blocks = payload["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 2, "short: a header and one line");
    assert!(blocks[0]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("Deploy recovered"));
    let line = blocks[1]["text"]["text"].as_str().unwrap();
    assert!(
        line.contains("run-before") && line.contains("`payments-stage`"),
        "{line}"
    );
    insta::assert_json_snapshot!("slack_recovery", payload);

    // A second success after a success is not news.
    let again = all_succeeded().write(dir.path(), "again.json");
    let slack = Receiver::start();
    let out = notify(
        dir.path(),
        &slack,
        &again,
        &["--previous", report.to_str().unwrap()],
        &[],
    );
    out.expect_code(0);
    assert!(slack.requests().is_empty());
}

// ---- GitHub Actions: annotations and the job summary ----

fn unescape(text: &str) -> String {
    text.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// GitHub shows 10 error annotations per step: 12 failed accounts give 9 annotations and a
/// tenth that names the other 3 and points to the job summary.
#[test]
fn more_than_ten_failures_fold_into_the_tenth_annotation() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let mut b = ReportBuilder::new();
    for i in 0..12 {
        b = b.failed(
            &format!("d{i:02}-stage"),
            "platform",
            1,
            vec![format!("Error: broken {i}")],
        );
    }
    let report = b.write(dir.path(), "report.json");
    let out = orchestrator(
        dir.path(),
        &["report", "summary", "--report", report.to_str().unwrap()],
        &[
            ("GITHUB_ACTIONS", "true".into()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap().into()),
        ],
    );
    out.expect_code(0);
    let errors: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 10, "{}", out.stdout);
    for (i, line) in errors[..9].iter().enumerate() {
        assert!(
            line.starts_with(&format!("::error title=d{i:02}-stage / platform::")),
            "{line}"
        );
    }
    assert!(
        errors[9].starts_with("::error title=3 more failed accounts::")
            && errors[9]
                .contains("d09-stage (platform), d10-stage (platform), d11-stage (platform)"),
        "{}",
        errors[9]
    );
    assert!(errors[9].contains("job summary"), "{}", errors[9]);
    // The job summary has every failure.
    for i in 0..12 {
        out.expect_file_contains(&summary, &format!("d{i:02}-stage"));
    }
}

#[test]
fn annotations_are_escaped_as_github_requires() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let report = ReportBuilder::new()
        .succeeded("catalog-stage")
        .failed(
            "payments-stage",
            "static:eu,1",
            1,
            vec![
                "Error: disk 100% full, retry: later".into(),
                "second line\r".into(),
            ],
        )
        .write(dir.path(), "report.json");

    let out = orchestrator(
        dir.path(),
        &["report", "summary", "--report", report.to_str().unwrap()],
        &[
            ("GITHUB_ACTIONS", "true".into()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap().into()),
        ],
    );
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        vec!["::error title=payments-stage / static%3Aeu%2C1::Error: disk 100%25 full, retry: later%0Asecond line"]
    );
    let (props, message) = lines[0]
        .trim_start_matches("::error ")
        .split_once("::")
        .unwrap();
    assert_eq!(
        unescape(props.trim_start_matches("title=")),
        "payments-stage / static:eu,1"
    );
    assert_eq!(
        unescape(message),
        "Error: disk 100% full, retry: later\nsecond line"
    );

    out.expect_file_contains(&summary, "| `payments-stage` | stage | ❌ failed |");

    // Outside GitHub Actions: no annotation, the summary on stdout.
    let out = orchestrator(
        dir.path(),
        &["report", "summary", "--report", report.to_str().unwrap()],
        &[],
    );
    out.expect_code(0).expect_stdout_lacks("::error");
    assert!(
        out.stdout.starts_with("## 🔴 Deploy failed: 1 account"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_job_summary_tells_a_halted_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let out = orchestrator(
        dir.path(),
        &["report", "summary", "--report", report.to_str().unwrap()],
        &[],
    );
    out.expect_code(0);
    insta::assert_snapshot!("job_summary_halted", out.stdout);
}

#[test]
fn the_job_summary_of_1000_accounts_stays_under_1_mib() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = ReportBuilder::new();
    // 400 failures with long, distinct errors: written out in full they exceed 1 MiB.
    for i in 0..1000 {
        let account = format!("domain{i:04}-stage");
        b = if i % 5 < 2 {
            let lines = (0..8)
                .map(|l| format!("Error {l}: {} {account}", "y".repeat(280)))
                .collect();
            b.failed(&account, "dynamic", 3, lines)
        } else {
            b.succeeded(&account)
        };
    }
    let report = b.write(dir.path(), "report.json");
    let summary = dir.path().join("summary.md");
    // Another step already wrote part of the summary: the limit is for the whole step.
    std::fs::write(&summary, "# Earlier step\n".repeat(5000)).unwrap();

    let out = orchestrator(
        dir.path(),
        &["report", "summary", "--report", report.to_str().unwrap()],
        &[
            ("GITHUB_ACTIONS", "true".into()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap().into()),
        ],
    );
    out.expect_code(0);
    // GitHub shows 10 error annotations per step: the tenth folds the other 391 failures.
    let errors: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 10);
    assert!(
        errors[9].starts_with("::error title=391 more failed accounts::"),
        "{}",
        errors[9]
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.len() <= 1024 * 1024, "{} bytes", md.len());
    assert!(md.starts_with("# Earlier step"));
    assert!(
        md.contains("Shortened to stay under GitHub's 1 MiB summary limit"),
        "the summary says it was shortened"
    );
    assert!(
        md.contains("| *600 accounts succeeded or without changes* |"),
        "succeeded rows are counted"
    );
    assert!(md.contains("**1000 accounts**"));
    assert!(md.contains("report.json"), "it points to the full report");
    // Whatever was cut, the table is still a table.
    assert!(md.trim_end().ends_with('|'), "{}", &md[md.len() - 300..]);

    // A plain 1,000-account success fits whole: every row is there.
    let mut b = ReportBuilder::new();
    for i in 0..1000 {
        b = b.succeeded(&format!("domain{i:04}-stage"));
    }
    let report = b.write(dir.path(), "ok.json");
    let out = orchestrator(
        dir.path(),
        &["report", "summary", "--report", report.to_str().unwrap()],
        &[],
    );
    out.expect_code(0);
    assert!(out.stdout.len() < 1024 * 1024);
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.starts_with("| `domain"))
            .count(),
        1000
    );
    out.expect_stdout_lacks("Shortened");
}

// ---- report merge ----

fn merged(path: &Path) -> RunReport {
    orchestrator::report::read_report(path).unwrap()
}

#[test]
fn merge_makes_one_report_from_matrix_legs() {
    let dir = tempfile::tempdir().unwrap();
    let legs = dir.path().join("reports");
    ReportBuilder::new()
        .succeeded("catalog-stage")
        .write(&legs, "leg-catalog-stage/report.json");
    ReportBuilder::new()
        .failed("payments-stage", "static", 1, vec!["Error: boom".into()])
        .write(&legs, "leg-payments-stage/report.json");
    // A re-run of the same leg, finished later: it wins.
    ReportBuilder::new()
        .succeeded("payments-stage")
        .finished_at("2025-05-01T11:00:00Z")
        .write(&legs, "leg-payments-stage-rerun/report.json");
    // A saved plan next to a report is not a run report.
    std::fs::write(
        legs.join("leg-catalog-stage/plan.json"),
        r#"{"format_version":"1.2"}"#,
    )
    .unwrap();
    let out_path = dir.path().join("merged/report.json");

    let out = orchestrator(
        dir.path(),
        &[
            "report",
            "merge",
            legs.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
        ],
        &[],
    );
    out.expect_code(0)
        .expect_stderr_contains("account payments-stage is in")
        .expect_stderr_contains("keeping the one from")
        .expect_stderr_contains("rerun")
        .expect_stderr_contains("plan.json: not a run report, skipped");
    let report = merged(&out_path);
    let accounts: Vec<(&str, Status)> = report
        .jobs
        .iter()
        .map(|j| (j.account.as_str(), j.status))
        .collect();
    assert_eq!(
        accounts,
        vec![
            ("catalog-stage", Status::Succeeded),
            ("payments-stage", Status::Succeeded)
        ]
    );
    assert_eq!(report.outcome, Outcome::Succeeded);
    assert_eq!(report.waves[0].failures, 0);
    assert_eq!(report.finished_at, "2025-05-01T11:00:00Z");
    assert_eq!(report.duration_ms, 3_600_000);
}

#[test]
fn merge_recomputes_waves_and_names_held_back_accounts_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let a = ReportBuilder::new()
        .succeeded("catalog-stage")
        .write(dir.path(), "a/report.json");
    let b = ReportBuilder::new()
        .failed("payments-stage", "static", 1, vec!["Error: boom".into()])
        .write(dir.path(), "b/report.json");
    let out_path = dir.path().join("report.json");
    let config = sandbox_config();
    let out = orchestrator(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "report",
            "merge",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
            "--include-held-back",
        ],
        &[],
    );
    out.expect_code(0);
    let report = merged(&out_path);
    assert_eq!(report.outcome, Outcome::Halted);
    assert_eq!(
        (
            report.waves[0].name.as_str(),
            report.waves[0].status,
            report.waves[0].failures
        ),
        ("stage", WaveStatus::Failed, 1)
    );
    assert_eq!(report.waves[1].status, WaveStatus::Skipped);
    let held: Vec<&str> = report
        .jobs
        .iter()
        .filter(|j| j.status == Status::Skipped)
        .map(|j| j.account.as_str())
        .collect();
    assert_eq!(
        held,
        vec![
            "catalog-prod",
            "payments-prod",
            "commerce-prod",
            "platform-prod"
        ]
    );
    // The failed layer's log still resolves from the merged report's directory.
    let log = &report
        .jobs
        .iter()
        .find(|j| j.account == "payments-stage")
        .unwrap()
        .layers[1]
        .log;
    assert_eq!(log.as_deref(), Some("b/logs/payments-stage/static.log"));
}

#[test]
fn merge_names_an_unreadable_report_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let legs = dir.path().join("legs");
    ReportBuilder::new()
        .succeeded("catalog-stage")
        .write(&legs, "a/report.json");
    std::fs::create_dir_all(legs.join("b")).unwrap();
    std::fs::write(
        legs.join("b/report.json"),
        "{\"run_id\": \"x\", \"jobs\": [",
    )
    .unwrap();
    let out_path = dir.path().join("merged.json");
    let out = orchestrator(
        dir.path(),
        &[
            "report",
            "merge",
            legs.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
        ],
        &[],
    );
    out.expect_code(2)
        .expect_stderr_contains("b/report.json: not a run report");
    assert!(!out_path.exists(), "nothing half-done");
}

/// The stdout of `orchestrator matrix` for these accounts of the sandbox, as the plan job
/// uploads it for the report job.
fn legs_file(dir: &Path, waves: &[(&str, &[&str])]) -> PathBuf {
    let mut all = serde_json::Map::new();
    for (wave, accounts) in waves {
        let include: Vec<serde_json::Value> = accounts
            .iter()
            .map(|a| serde_json::json!({"name": a, "env": "", "accounts": a, "account": a}))
            .collect();
        all.insert(wave.to_string(), serde_json::json!({ "include": include }));
    }
    let path = dir.join("legs.json");
    std::fs::write(&path, serde_json::Value::Object(all).to_string()).unwrap();
    path
}

#[test]
fn merge_turns_every_expected_account_without_a_report_into_a_lost_failure() {
    let dir = tempfile::tempdir().unwrap();
    let legs = dir.path().join("reports");
    ReportBuilder::new()
        .succeeded("catalog-stage")
        .write(&legs, "catalog-stage.json");
    let expect = legs_file(
        dir.path(),
        &[
            ("stage", &["catalog-stage", "payments-stage"]),
            ("prod", &["catalog-prod"]),
        ],
    );
    let out_path = dir.path().join("merged.json");
    let config = sandbox_config();
    let out = orchestrator(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "report",
            "merge",
            legs.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
            "--expect",
            expect.to_str().unwrap(),
        ],
        &[],
    );
    out.expect_code(0)
        .expect_stderr_contains("counted as lost: payments-stage");
    let report = merged(&out_path);
    let statuses: Vec<(&str, Status)> = report
        .jobs
        .iter()
        .map(|j| (j.account.as_str(), j.status))
        .collect();
    // The lost stage account halts prod (tolerance 0): prod's leg is held back, not lost.
    assert_eq!(
        statuses,
        vec![
            ("catalog-stage", Status::Succeeded),
            ("payments-stage", Status::Lost),
            ("catalog-prod", Status::Skipped),
        ]
    );
    assert_eq!(report.outcome, Outcome::Halted);
    assert_eq!(report.waves[0].failures, 1);
    let lost = &report.jobs[1];
    assert!(lost.reason.as_deref().unwrap().contains("no run report"));
    assert_eq!(lost.layers.len(), 3, "{lost:?}");

    // Slack names the lost account as a failure.
    let receiver = Receiver::start();
    let sent = notify(dir.path(), &receiver, &out_path, &["--on", "failure"], &[]);
    sent.expect_code(0);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].body.contains("payments-stage"),
        "{}",
        requests[0].body
    );
    assert!(
        requests[0].body.contains("no run report"),
        "{}",
        requests[0].body
    );
}

#[test]
fn merging_no_report_at_all_is_a_run_with_every_account_lost() {
    let dir = tempfile::tempdir().unwrap();
    let legs = dir.path().join("reports");
    std::fs::create_dir_all(&legs).unwrap();
    let expect = legs_file(dir.path(), &[("prod", &["catalog-prod", "payments-prod"])]);
    let out_path = dir.path().join("merged.json");
    let config = sandbox_config();
    let merge = |extra: &[&str]| {
        let mut args = vec![
            "--config",
            config.to_str().unwrap(),
            "report",
            "merge",
            legs.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        orchestrator(dir.path(), &args, &[])
    };
    // Without the plan of legs, nothing says what was expected: bad input.
    let out = merge(&[]);
    out.expect_code(2)
        .expect_stderr_contains("no run report found");

    let out = merge(&["--expect", expect.to_str().unwrap(), "--plan-only"]);
    out.expect_code(0);
    let report = merged(&out_path);
    assert_eq!(report.outcome, Outcome::Failed);
    assert_eq!(report.mode, orchestrator::report::Mode::Plan);
    assert_eq!(report.run_id, "4242");
    let statuses: Vec<(&str, Status)> = report
        .jobs
        .iter()
        .map(|j| (j.account.as_str(), j.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("catalog-prod", Status::Lost),
            ("payments-prod", Status::Lost)
        ]
    );

    // An account the config does not know: the legs file is from another config.
    let other = legs_file(dir.path(), &[("stage", &["nowhere-stage"])]);
    let out = merge(&["--expect", other.to_str().unwrap()]);
    out.expect_code(2)
        .expect_stderr_contains("`nowhere-stage` is not in");
}

// ---- gate ----

#[test]
fn gate_decides_from_the_wave_tolerance_and_always_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("domains.yaml");
    let sandbox = std::fs::read_to_string(sandbox_config()).unwrap();
    let layers = sandbox_config().parent().unwrap().join("layers");
    std::fs::write(
        &config,
        sandbox
            .replace(
                "layers_dir: layers",
                &format!("layers_dir: {}", layers.display()),
            )
            .replace("failure_tolerance: 0", "failure_tolerance: 1"),
    )
    .unwrap();
    let error = || vec!["Error: boom".to_string()];
    let one = ReportBuilder::new()
        .stage_tolerance(1)
        .succeeded("catalog-stage")
        .failed("payments-stage", "static", 1, error())
        .write(dir.path(), "one.json");
    let two = ReportBuilder::new()
        .stage_tolerance(1)
        .failed("catalog-stage", "static", 1, error())
        .failed("payments-stage", "static", 1, error())
        .write(dir.path(), "two.json");

    for (report, proceed) in [(&one, true), (&two, false)] {
        let output = dir.path().join("github_output");
        let _ = std::fs::remove_file(&output);
        let out = orchestrator(
            dir.path(),
            &[
                "--config",
                config.to_str().unwrap(),
                "gate",
                "--wave",
                "stage",
                "--report",
                report.to_str().unwrap(),
            ],
            &[("GITHUB_OUTPUT", output.to_str().unwrap().into())],
        );
        out.expect_code(0)
            .expect_stdout_contains(&format!("proceed={proceed}"))
            .expect_stdout_contains("tolerance 1");
        // Every output is a heredoc: `proceed<<DELIMITER`, the value, the delimiter.
        let written = std::fs::read_to_string(&output).unwrap();
        let lines: Vec<&str> = written.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with("proceed<<ghadelimiter_"))
            .unwrap_or_else(|| panic!("{written}"));
        let delimiter = &lines[at]["proceed<<".len()..];
        assert_eq!(lines[at + 1], proceed.to_string(), "{written}");
        assert_eq!(lines[at + 2], delimiter, "{written}");
    }

    let out = orchestrator(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "gate",
            "--wave",
            "canary",
            "--report",
            one.to_str().unwrap(),
        ],
        &[],
    );
    out.expect_code(2)
        .expect_stderr_contains("unknown wave `canary`")
        .expect_stderr_contains("stage, prod");
}
