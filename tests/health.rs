//! Health checks with real terraform on a copy of `examples/sandbox`: its dynamic layer
//! outputs `health_url` (from `TF_VAR_health_url` or an account's `layer_vars`), the copied
//! domains.yaml gets a `health_check`, and a real HTTP server on 127.0.0.1 answers 200, 503
//! or nothing. Each case checks the run report, what the user sees and, for the halt, that
//! prod was never touched.

use crate::support::receiver::{Receiver, Reply};
use crate::support::sandbox;

use nix::sys::signal::Signal;
use orchestrator::report::{HealthOutcome, Mode, Outcome, Status, WaveStatus};
use sandbox::{job, layer, wait_until, Run, Sandbox};
use std::time::Duration;

/// A service's health URL on 127.0.0.1: each path answers its own statuses (the last one
/// repeats) or never answers; any other path is not found.
fn health_server() -> Receiver {
    let server = Receiver::start();
    server.otherwise(Reply::new(404, ""));
    server
}

/// Replies with these statuses and no body, in order.
fn statuses(statuses: &[u16]) -> Vec<Reply> {
    statuses.iter().map(|&s| Reply::new(s, "")).collect()
}

/// A sandbox whose dynamic layer must answer 200 at `health_url` within `timeout`.
fn sandbox_with_check(output: &str, timeout: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.edit_config(
        "  retries: 2\n",
        &format!(
            "  retries: 2\n  health_check: {{ layer: dynamic, output: {output}, expect_status: 200, timeout: {timeout} }}\n"
        ),
    );
    sandbox
}

/// `deploy` of catalog-dev with the dynamic layer's `health_url` set to `url`.
fn deploy(sandbox: &Sandbox, url: Option<&str>, extra: &[&str]) -> Run {
    let mut cmd = sandbox.command(&[&["deploy", "--accounts", "catalog-dev"], extra].concat());
    match url {
        Some(url) => cmd.env("TF_VAR_health_url", url),
        None => cmd.env_remove("TF_VAR_health_url"),
    };
    sandbox.run_with(cmd)
}

/// Everything a user or a later step can read: stdout, stderr, the report and the logs.
fn everything_written(sandbox: &Sandbox, run: &Run) -> String {
    let mut text = format!("{}\n{}\n", run.stdout, run.stderr);
    text.push_str(
        &std::fs::read_to_string(sandbox.path().join(".orchestrator/report.json")).unwrap(),
    );
    let logs = sandbox.path().join(".orchestrator/logs/catalog-dev");
    for entry in std::fs::read_dir(logs).unwrap().flatten() {
        text.push_str(&std::fs::read_to_string(entry.path()).unwrap());
    }
    text
}

#[test]
fn a_healthy_url_passes_after_the_apply_and_again_after_a_run_without_changes() {
    let server = health_server();
    server.route("/health", statuses(&[200]));
    let sandbox = sandbox_with_check("health_url", "5s");
    // Credentials and a token in the URL reach the server but nothing anyone reads.
    let url = server
        .url("/health?token=s3cr3t-token")
        .replace("http://", "http://probe:s3cr3t-password@");

    let first = deploy(&sandbox, Some(&url), &[]);
    first.expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Succeeded);
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::Succeeded);
    let [check] = dynamic.health_checks.as_slice() else {
        panic!("one health check: {:#?}", dynamic.health_checks);
    };
    assert_eq!(check.outcome, HealthOutcome::Passed);
    assert_eq!(check.output, "health_url");
    assert_eq!(check.url.as_deref(), Some(server.url("/health").as_str()));
    assert_eq!(
        (check.status, check.attempts, check.expect_status),
        (Some(200), 1, 200)
    );
    assert!(check.duration_ms <= dynamic.duration_ms);
    for other in ["platform", "static"] {
        assert!(
            layer(&report, "catalog-dev", other)
                .health_checks
                .is_empty(),
            "{other}"
        );
    }
    assert_eq!(server.requests_to("/health").len(), 1);
    first.expect_stderr_contains("catalog-dev dynamic: health check passed (200) in ");
    let written = everything_written(&sandbox, &first);
    assert!(!written.contains("s3cr3t"), "{written}");

    // Nothing to change, but what is deployed must still be healthy.
    deploy(&sandbox, Some(&url), &[]).expect_code(0);
    let report = sandbox.report();
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::NoChanges);
    assert_eq!(dynamic.health_checks[0].outcome, HealthOutcome::Passed);
    assert_eq!(server.requests_to("/health").len(), 2);
}

#[test]
fn a_url_that_answers_503_twice_passes_on_the_third_request() {
    let server = health_server();
    server.route("/warming-up", statuses(&[503, 503, 200]));
    let sandbox = sandbox_with_check("health_url", "20s");
    deploy(&sandbox, Some(&server.url("/warming-up")), &[]).expect_code(0);
    let report = sandbox.report();
    let check = &layer(&report, "catalog-dev", "dynamic").health_checks[0];
    assert_eq!(check.outcome, HealthOutcome::Passed);
    assert_eq!((check.status, check.attempts), (Some(200), 3));
    assert_eq!(server.requests_to("/warming-up").len(), 3);
}

#[test]
fn a_url_that_keeps_answering_503_fails_the_layer_when_the_check_times_out() {
    let server = health_server();
    server.route("/down", statuses(&[503]));
    let sandbox = sandbox_with_check("health_url", "2s");
    let run = deploy(&sandbox, Some(&server.url("/down")), &[]);
    run.expect_code(1);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Failed);
    let catalog = job(&report, "catalog-dev");
    assert_eq!(catalog.status, Status::Failed);
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::Failed);
    let reason = format!(
        "health check: {} answered 503, expected 200",
        server.url("/down")
    );
    assert_eq!(dynamic.reason.as_deref(), Some(reason.as_str()));
    assert_eq!(catalog.reason, Some(format!("dynamic: {reason}")));
    let check = &dynamic.health_checks[0];
    assert_eq!(check.outcome, HealthOutcome::Failed);
    assert_eq!(check.status, Some(503));
    assert!(check.attempts > 1, "polled again: {check:?}");
    assert_eq!(server.requests_to("/down").len(), check.attempts as usize);
    // It polled for the check's whole timeout, and stopped there.
    assert!(check.duration_ms >= 2000, "{check:?}");
    assert!(check.duration_ms < 2000 + 10_000, "{check:?}");
    // The apply itself succeeded: the failure is the check's.
    assert_eq!(dynamic.attempts.len(), 1);
    assert_eq!(
        dynamic.attempts[0].outcome,
        orchestrator::events::AttemptOutcome::Succeeded
    );
    run.expect_stderr_contains(&reason);
}

#[test]
fn a_url_that_never_answers_fails_with_no_answer_within_the_timeout() {
    let server = health_server();
    server.route("/hung", [Reply::hang()]);
    let sandbox = sandbox_with_check("health_url", "2s");
    deploy(&sandbox, Some(&server.url("/hung")), &[]).expect_code(1);
    let report = sandbox.report();
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::Failed);
    assert_eq!(
        dynamic.reason,
        Some(format!(
            "health check: no answer from {} within 2s",
            server.url("/hung")
        ))
    );
    let check = &dynamic.health_checks[0];
    assert_eq!(check.outcome, HealthOutcome::Failed);
    assert_eq!((check.status, check.attempts), (None, 1));
    assert!(check.duration_ms < 2000 + 10_000, "{check:?}");
    assert!(
        dynamic
            .error
            .iter()
            .any(|e| e.ends_with("/hung: timed out waiting for an answer; 1 request in 2s")),
        "{:?}",
        dynamic.error
    );
}

#[test]
fn a_failed_health_check_in_stage_holds_back_prod() {
    let server = health_server();
    server
        .route("/up", statuses(&[200]))
        .route("/down", statuses(&[503]));
    let sandbox = sandbox_with_check("health_url", "2s");
    // catalog-stage's service is down; catalog-dev's is up.
    sandbox.edit_config(
        "stage: { account_id: \"100000000002\" }",
        &format!(
            "stage: {{ account_id: \"100000000002\", layer_vars: {{ dynamic: {{ health_url: \"{}\" }} }} }}",
            server.url("/down")
        ),
    );
    let mut cmd = sandbox.command(&["run", "--domain", "catalog"]);
    cmd.env("TF_VAR_health_url", server.url("/up"));
    let run = sandbox.run_with(cmd);
    run.expect_code(1);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Halted);
    assert_eq!(job(&report, "catalog-dev").status, Status::Succeeded);
    let stage = layer(&report, "catalog-stage", "dynamic");
    assert_eq!(stage.status, Status::Failed);
    assert_eq!(
        stage.reason,
        Some(format!(
            "health check: {} answered 503, expected 200",
            server.url("/down")
        ))
    );
    let prod = job(&report, "catalog-prod");
    assert_eq!(prod.status, Status::Skipped);
    let prod_wave = report.waves.iter().find(|w| w.name == "prod").unwrap();
    assert_eq!(prod_wave.status, WaveStatus::Skipped);
    assert!(
        sandbox.traces_of("catalog-prod").is_empty(),
        "prod was touched: {:?}",
        sandbox.traces_of("catalog-prod")
    );
    assert_eq!(
        server.requests_to("/up").len(),
        1,
        "only catalog-dev's check reached /up"
    );
}

#[test]
fn plan_only_runs_never_poll() {
    let server = health_server();
    server.route("/health", statuses(&[200]));
    let sandbox = sandbox_with_check("health_url", "5s");
    let url = server.url("/health");
    deploy(&sandbox, Some(&url), &["--plan-only"]).expect_code(0);
    assert_eq!(server.requests_to("/health").len(), 0);
    deploy(&sandbox, Some(&url), &[]).expect_code(0);
    assert_eq!(server.requests_to("/health").len(), 1);
    // The output exists now; a plan still does not poll it.
    deploy(&sandbox, Some(&url), &["--plan-only"]).expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.mode, Mode::Plan);
    assert!(layer(&report, "catalog-dev", "dynamic")
        .health_checks
        .is_empty());
    assert_eq!(server.requests_to("/health").len(), 1);
}

#[test]
fn a_missing_output_or_one_that_is_not_a_url_fails_naming_the_output() {
    let sandbox = sandbox_with_check("service_url", "2s");
    deploy(&sandbox, None, &[]).expect_code(1);
    let report = sandbox.report();
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::Failed);
    assert_eq!(
        dynamic.reason.as_deref(),
        Some(
            "health check: layer dynamic has no output service_url; declare it, or fix health_check.output"
        )
    );
    assert_eq!(dynamic.health_checks[0].outcome, HealthOutcome::NoUrl);
    assert_eq!(dynamic.health_checks[0].attempts, 0);

    sandbox.edit_config("output: service_url", "output: app_version");
    deploy(&sandbox, None, &[]).expect_code(1);
    let report = sandbox.report();
    assert_eq!(
        layer(&report, "catalog-dev", "dynamic").reason.as_deref(),
        Some("health check: output app_version is not a URL (relative URL without a base)")
    );

    // The sandbox's own output, left empty.
    sandbox.edit_config("output: app_version", "output: health_url");
    deploy(&sandbox, None, &[]).expect_code(1);
    let report = sandbox.report();
    assert_eq!(
        layer(&report, "catalog-dev", "dynamic").reason.as_deref(),
        Some("health check: output health_url is empty; it must hold the http(s) URL to poll")
    );
}

#[test]
fn ctrl_c_stops_the_polling() {
    let server = health_server();
    server.route("/hung", [Reply::hang()]);
    let sandbox = sandbox_with_check("health_url", "10m");
    let mut cmd = sandbox.command(&["deploy", "--accounts", "catalog-dev"]);
    cmd.env("TF_VAR_health_url", server.url("/hung"));
    let running = sandbox.spawn(cmd);
    wait_until(
        "the health check's first request",
        Duration::from_secs(120),
        || !server.requests_to("/hung").is_empty(),
    );
    running.signal(Signal::SIGINT);
    let run = sandbox.finished(running.wait());
    run.expect_code(130);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Cancelled);
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::Cancelled);
    assert_eq!(dynamic.reason.as_deref(), Some("interrupted"));
    let check = &dynamic.health_checks[0];
    assert_eq!(
        (check.outcome, check.attempts),
        (HealthOutcome::Cancelled, 1)
    );
}

#[test]
fn the_job_timeout_stops_the_polling() {
    let server = health_server();
    server.route("/down", statuses(&[503]));
    let sandbox = sandbox_with_check("health_url", "10m");
    // Only the dynamic layer, so the job's time goes to the check, not to terraform.
    let run = deploy(
        &sandbox,
        Some(&server.url("/down")),
        &["--layers", "dynamic", "--timeout", "15s"],
    );
    run.expect_code(1);
    let report = sandbox.report();
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::Failed);
    assert_eq!(
        dynamic.reason.as_deref(),
        Some("timeout"),
        "{:?}",
        dynamic.error
    );
    let check = &dynamic.health_checks[0];
    assert_eq!(check.outcome, HealthOutcome::Timeout);
    assert_eq!(check.status, Some(503));
    assert!(check.attempts > 1, "{check:?}");
}
