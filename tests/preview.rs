//! A rehearsal of `.github/workflows/preview.yml` (see tests/rehearsal.rs for how GitHub is
//! stood in for): a pull request labelled `preview` gets copy `pr-<number>` in the dev
//! accounts of the domains it changes, with a comment of its health-check URLs; a push
//! updates the copy; closing the pull request destroys it and removes its state. The GitHub
//! API and the preview's health URL are a real HTTP server on 127.0.0.1.

use crate::rehearsal::{outcome, runner};
use crate::support::receiver;

use std::path::Path;

use outcome::Conclusion;
use receiver::{Receiver, Reply};
use runner::Rehearsal;
use serde_json::{json, Value};

const PR: u64 = 7;
const GITHUB_TOKEN: &str = "rehearsal-github-token";

/// The application version in a state file of the sandbox's dynamic layer.
fn app_version(state: &Path) -> String {
    let value: Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
    value["resources"][0]["instances"][0]["attributes"]["input"]["value"]["version"]
        .as_str()
        .unwrap_or_else(|| panic!("no version in {value}"))
        .to_string()
}

fn pull_request(action: &str, base: &str, labels: &[&str], label: Option<&str>) -> Value {
    numbered(PR, action, base, labels, label)
}

fn numbered(pr: u64, action: &str, base: &str, labels: &[&str], label: Option<&str>) -> Value {
    let labels: Vec<Value> = labels.iter().map(|l| json!({ "name": l })).collect();
    let mut event = json!({
        "action": action,
        "number": pr,
        "pull_request": {
            "number": pr,
            "state": if action == "closed" { "closed" } else { "open" },
            "labels": labels,
            "base": { "sha": base, "ref": "main" },
        },
    });
    if let Some(label) = label {
        event["label"] = json!({ "name": label });
    }
    event
}

#[test]
fn a_labelled_pull_request_gets_a_preview_updated_on_push_and_destroyed_on_close() {
    let api = Receiver::start();
    let mut rehearsal = Rehearsal::new("preview.yml")
        .env("TF_VAR_deploy_seconds", "0")
        .env("GITHUB_API_URL", &api.url(""))
        .env("TF_VAR_health_url", &api.url("/health"))
        .secret("GITHUB_TOKEN", GITHUB_TOKEN)
        // The organisation checks each copy's health after it deploys.
        .edit_config(
            "  stacks: { layer: dynamic, variable: stack_suffix }",
            "  stacks: { layer: dynamic, variable: stack_suffix }\n  health_check: { layer: dynamic, output: health_url, expect_status: 200, timeout: 10s }",
        );
    let base = rehearsal.with_base_commit();
    // The pull request changes the catalog domain only.
    rehearsal.push_edit(
        "    slack_channel: \"#catalog-deploys\"",
        "    slack_channel: \"#catalog-deploys\"\n    layer_vars: { dynamic: { app_version: \"2.0.0\" } }",
    );
    let copy = rehearsal
        .checkout()
        .copy_state("dynamic", "catalog-dev", "pr-7");

    // Labelled: the copy is deployed to catalog-dev, and only there.
    rehearsal.set_event(
        "pull_request",
        pull_request("labeled", &base, &["preview"], Some("preview")),
    );
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("deploy").result, Conclusion::Success, "{log}");
    assert_eq!(run.job("destroy").result, Conclusion::Skipped, "{log}");
    assert_eq!(run.job("cleanup").result, Conclusion::Skipped, "{log}");
    assert_eq!(app_version(&copy), "2.0.0");
    for other in [
        "payments-dev",
        "commerce-dev",
        "platform-dev",
        "catalog-stage",
    ] {
        let state = rehearsal.checkout().copy_state("dynamic", other, "pr-7");
        assert!(!state.exists(), "{other} got a copy\n{log}");
    }
    // The main stack is untouched.
    assert!(!rehearsal
        .checkout()
        .state("dynamic", "catalog-dev")
        .exists());
    let health = api.requests_to("/health");
    assert!(!health.is_empty(), "the copy's health was checked\n{log}");
    let comments = api.requests_to(&format!("/repos/acme/aws-accounts/issues/{PR}/comments"));
    assert_eq!(comments.len(), 1, "{log}");
    let body = comments[0].json()["body"].as_str().unwrap().to_string();
    assert!(body.contains("Preview `pr-7` is deployed"), "{body}");
    assert!(
        body.contains(&format!("`catalog-dev`: {}", api.url("/health"))),
        "{body}"
    );
    assert_eq!(
        comments[0].header("authorization"),
        Some(format!("Bearer {GITHUB_TOKEN}").as_str())
    );

    // A push: the copy is updated in place, without a second comment.
    rehearsal.push_edit("app_version: \"2.0.0\"", "app_version: \"2.1.0\"");
    rehearsal.set_event(
        "pull_request",
        pull_request("synchronize", &base, &["preview"], None),
    );
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("deploy").result, Conclusion::Success, "{log}");
    assert_eq!(app_version(&copy), "2.1.0");
    let comments = api.requests_to(&format!("/repos/acme/aws-accounts/issues/{PR}/comments"));
    assert_eq!(comments.len(), 1, "{log}");

    // Closed: the copy is destroyed and its state removed.
    rehearsal.set_event(
        "pull_request",
        pull_request("closed", &base, &["preview"], None),
    );
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("deploy").result, Conclusion::Skipped, "{log}");
    assert_eq!(run.job("destroy").result, Conclusion::Success, "{log}");
    assert!(!copy.exists(), "the copy's state is removed\n{log}");
}

#[test]
fn removing_the_label_destroys_the_preview_and_an_unlabelled_pull_request_gets_none() {
    let api = Receiver::start();
    let mut rehearsal = Rehearsal::new("preview.yml")
        .env("TF_VAR_deploy_seconds", "0")
        .env("GITHUB_API_URL", &api.url(""))
        .secret("GITHUB_TOKEN", GITHUB_TOKEN);
    let base = rehearsal.with_base_commit();
    rehearsal.push_edit(
        "    slack_channel: \"#payments-deploys\"",
        "    slack_channel: \"#payments-deploys\"\n    layer_vars: { dynamic: { app_version: \"3.0.0\" } }",
    );
    let copy = rehearsal
        .checkout()
        .copy_state("dynamic", "payments-dev", "pr-7");

    // A push to a pull request without the label builds nothing and deploys nothing.
    rehearsal.set_event(
        "pull_request",
        pull_request("synchronize", &base, &[], None),
    );
    let run = rehearsal.run();
    let log = run.transcript();
    for job in ["deploy", "destroy", "cleanup"] {
        assert_eq!(run.job(job).result, Conclusion::Skipped, "{job}\n{log}");
    }
    assert!(!copy.exists());

    rehearsal.set_event(
        "pull_request",
        pull_request("labeled", &base, &["preview"], Some("preview")),
    );
    let run = rehearsal.run();
    assert_eq!(
        run.job("deploy").result,
        Conclusion::Success,
        "{}",
        run.transcript()
    );
    assert_eq!(app_version(&copy), "3.0.0");
    let comment = &api.requests_to(&format!("/repos/acme/aws-accounts/issues/{PR}/comments"))[0];
    let body = comment.json()["body"].as_str().unwrap().to_string();
    assert!(body.contains("no health check is configured"), "{body}");

    rehearsal.set_event(
        "pull_request",
        pull_request("unlabeled", &base, &[], Some("preview")),
    );
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("deploy").result, Conclusion::Skipped, "{log}");
    assert_eq!(run.job("destroy").result, Conclusion::Success, "{log}");
    assert!(!copy.exists(), "{log}");
}

#[test]
fn the_nightly_cleanup_destroys_the_copies_of_closed_pull_requests_and_tells_slack() {
    let api = Receiver::start();
    let slack_path = "/services/T0000/B0000/preview-cleanup";
    let mut rehearsal = Rehearsal::new("preview.yml")
        .env("TF_VAR_deploy_seconds", "0")
        .env("GITHUB_API_URL", &api.url(""))
        .secret("GITHUB_TOKEN", GITHUB_TOKEN)
        .secret("SLACK_WEBHOOK_URL", &api.url(slack_path));
    let base = rehearsal.with_base_commit();
    rehearsal.push_edit(
        "    slack_channel: \"#catalog-deploys\"",
        "    slack_channel: \"#catalog-deploys\"\n    layer_vars: { dynamic: { app_version: \"2.0.0\" } }",
    );
    for pr in [7, 8] {
        rehearsal.set_event(
            "pull_request",
            numbered(pr, "labeled", &base, &["preview"], Some("preview")),
        );
        let run = rehearsal.run();
        assert_eq!(
            run.job("deploy").result,
            Conclusion::Success,
            "{}",
            run.transcript()
        );
    }
    let closed = rehearsal
        .checkout()
        .copy_state("dynamic", "catalog-dev", "pr-7");
    let open = rehearsal
        .checkout()
        .copy_state("dynamic", "catalog-dev", "pr-8");
    assert!(closed.exists() && open.exists());

    // #7 was closed without the label coming off (say, the workflow was down); #8 is open.
    api.script([
        Reply::new(200, r#"{"number": 7, "state": "closed"}"#),
        Reply::ok(),
        Reply::new(200, r#"{"number": 8, "state": "open"}"#),
    ]);
    rehearsal.set_event("schedule", json!({ "schedule": "23 4 * * *" }));
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("cleanup").result, Conclusion::Success, "{log}");
    assert_eq!(run.job("deploy").result, Conclusion::Skipped, "{log}");
    assert_eq!(run.job("destroy").result, Conclusion::Skipped, "{log}");
    assert!(!closed.exists(), "the closed PR's copy is destroyed\n{log}");
    assert_eq!(app_version(&open), "2.0.0", "the open PR's copy stays");

    let asked: Vec<String> = api
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path.clone())
        .collect();
    assert!(
        asked.contains(&"/repos/acme/aws-accounts/pulls/7".to_string()),
        "{asked:?}"
    );
    assert!(
        asked.contains(&"/repos/acme/aws-accounts/pulls/8".to_string()),
        "{asked:?}"
    );
    let told = api.requests_to(slack_path);
    assert_eq!(told.len(), 1, "one Slack message per destroyed copy\n{log}");
    let text = told[0].json()["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(text.contains("Destroy succeeded (copy pr-7)"), "{text}");
}
