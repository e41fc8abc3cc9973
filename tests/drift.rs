//! A rehearsal of `.github/workflows/drift.yml` (see tests/rehearsal.rs for how GitHub is
//! stood in for): every account planned read-only, the plans kept, one tracking issue, and
//! Slack told once of the same drift, not every day. The GitHub API and Slack are real HTTP
//! servers on 127.0.0.1.

use crate::rehearsal::{outcome, runner};
use crate::support::receiver;

use outcome::Conclusion;
use receiver::{Receiver, Reply};
use runner::Rehearsal;

/// drift.yml against the sandbox: nothing was ever deployed, so every account drifted.
fn drift(api: &Receiver, slack: &Receiver) -> Rehearsal {
    let mut rehearsal = Rehearsal::new("drift.yml")
        .env("TF_VAR_deploy_seconds", "0")
        .env("GITHUB_API_URL", &api.url(""))
        .secret("GITHUB_TOKEN", "rehearsal-github-token")
        .secret("SLACK_WEBHOOK_URL", &slack.url("/services/T0/B0/drift"));
    rehearsal.set_event("schedule", serde_json::json!({}));
    rehearsal
}

#[test]
fn the_same_drift_twice_updates_one_issue_and_tells_slack_once() {
    let api = Receiver::start();
    let slack = Receiver::start();
    // Day one: no open issue, so one is opened.
    api.script([Reply::new(200, "[]"), Reply::new(201, r#"{"number": 41}"#)]);
    let rehearsal = drift(&api, &slack);
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("report").result, Conclusion::Success, "{log}");
    let issue = run
        .job("report")
        .single()
        .step("Open, update or close the drift tracking issue");
    assert_eq!(issue.outputs["drift"], "new", "{log}");
    let opened: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(opened.len(), 1, "{log}");
    assert_eq!(opened[0].path, "/repos/acme/aws-accounts/issues");
    let created = opened[0].json();
    let body = created["body"].as_str().unwrap().to_string();
    assert!(body.contains("`catalog-prod`"), "{body}");
    assert_eq!(created["labels"][0], "drift");
    assert_eq!(slack.requests().len(), 1, "{log}");
    // Every account's plans are kept, and the summary of all of them.
    let names = rehearsal.artifacts().names();
    assert!(
        names.contains(&"plans-prod-catalog-prod".to_string()),
        "{names:?}"
    );
    let kept = rehearsal.artifacts().dir().join("drift-report");
    assert!(kept.join("drift-report.json").is_file());
    assert!(kept.join("drift-summary.md").is_file());

    // Day two: the issue written yesterday by the workflow's token is found and updated;
    // Slack hears nothing new. Someone else's issue with the marker is left alone.
    let theirs = serde_json::json!({"number": 7, "user": {"login": "someone"}, "body": body});
    let ours =
        serde_json::json!({"number": 41, "user": {"login": "github-actions[bot]"}, "body": body});
    let api = Receiver::start();
    api.script([
        Reply::new(200, &serde_json::json!([theirs, ours]).to_string()),
        Reply::new(200, r#"{"number": 41}"#),
    ]);
    let rehearsal = drift(&api, &slack);
    let run = rehearsal.run();
    let log = run.transcript();
    let issue = run
        .job("report")
        .single()
        .step("Open, update or close the drift tracking issue");
    assert_eq!(issue.outputs["drift"], "same", "{log}");
    let written: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert_eq!(written.len(), 1, "{written:#?}");
    assert_eq!(written[0].method, "PATCH");
    assert_eq!(written[0].path, "/repos/acme/aws-accounts/issues/41");
    assert_eq!(slack.requests().len(), 1, "still one Slack message\n{log}");
}

/// A daily check that fails before its legs (here the build) is not a quiet day: the report
/// job tells Slack that no account was checked and fails; the tracking issue is not touched.
#[test]
fn a_failed_build_is_told_to_slack_not_taken_for_a_day_without_drift() {
    let api = Receiver::start();
    let slack = Receiver::start();
    let rehearsal = drift(&api, &slack).fail_build();
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("plan-waves").result, Conclusion::Skipped, "{log}");
    assert_eq!(run.job("report").result, Conclusion::Failure, "{log}");
    let requests = slack.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}\n{log}");
    let text = requests[0].json()["text"].as_str().unwrap().to_string();
    assert!(text.contains("no account was checked"), "{text}");
    assert!(text.contains("build failure"), "{text}");
    assert!(text.contains("/actions/runs/4242"), "{text}");
    assert!(
        api.requests().is_empty(),
        "the issue is left as it was: {log}"
    );
}

/// Every account deployed as the code says: yesterday's tracking issue (ours) is closed with
/// a comment naming the run, and Slack hears once that the drift is resolved.
#[test]
fn drift_that_is_gone_closes_the_issue_and_tells_slack_it_is_resolved() {
    let api = Receiver::start();
    let slack = Receiver::start();
    let body = "<!-- orchestrator-drift -->\n<!-- drifted: catalog-prod -->\nThese accounts ...";
    let ours =
        serde_json::json!({"number": 41, "user": {"login": "github-actions[bot]"}, "body": body});
    api.script([
        Reply::new(200, &serde_json::json!([ours]).to_string()),
        Reply::new(201, r#"{"id": 1}"#),
        Reply::new(200, r#"{"number": 41}"#),
    ]);
    let rehearsal = drift(&api, &slack);
    // Deploy every account into the state the legs read, as the last deploy left it.
    let deployed = tempfile::tempdir().unwrap();
    rehearsal.checkout().into(deployed.path());
    crate::support::cli::orchestrator()
        .arg("run")
        .current_dir(deployed.path())
        .env("TF_VAR_deploy_seconds", "0")
        .run()
        .expect_success();

    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("report").result, Conclusion::Success, "{log}");
    let issue = run
        .job("report")
        .single()
        .step("Open, update or close the drift tracking issue");
    assert_eq!(issue.outputs["drift"], "resolved", "{log}");
    let written: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert_eq!(written.len(), 2, "{written:#?}\n{log}");
    assert_eq!(written[0].method, "POST");
    assert_eq!(
        written[0].path,
        "/repos/acme/aws-accounts/issues/41/comments"
    );
    let comment = written[0].json()["body"].as_str().unwrap().to_string();
    assert!(comment.contains("/actions/runs/4242"), "{comment}");
    assert_eq!(written[1].method, "PATCH");
    assert_eq!(written[1].path, "/repos/acme/aws-accounts/issues/41");
    assert_eq!(written[1].json()["state"], "closed");
    assert_eq!(slack.requests().len(), 1, "resolved, told once\n{log}");
}
