//! A rehearsal of `.github/workflows/plan.yml` (see tests/rehearsal.rs for how GitHub is stood
//! in for): a pull request's affected accounts are planned, one leg each, and one PR comment
//! names the head commit and lists a lost leg's account instead of dropping it. The GitHub
//! API is a real HTTP server on 127.0.0.1.

use crate::rehearsal::{outcome, runner};
use crate::support::receiver;

use outcome::Conclusion;
use receiver::{Receiver, Reply};
use runner::Rehearsal;
use serde_json::json;

const PR: u64 = 12;
const HEAD: &str = "fedcba9876543210fedcba9876543210fedcba98";

#[test]
fn a_lost_plan_leg_is_listed_in_the_comment_that_names_the_head_commit() {
    let api = Receiver::start();
    // GitHub's answers: no earlier comment (the listing), then the comment created.
    api.script([
        Reply::new(200, "[]"),
        Reply::new(
            201,
            r#"{"id": 1, "html_url": "https://github.example/c/1", "body": "", "user": {"login": "github-actions[bot]"}}"#,
        ),
    ]);
    let mut rehearsal = Rehearsal::new("plan.yml")
        .env("TF_VAR_deploy_seconds", "0")
        .env("GITHUB_API_URL", &api.url(""))
        .env("ORCHESTRATOR_COMMENT_AUTHOR", "github-actions[bot]")
        .secret("GITHUB_TOKEN", "rehearsal-github-token")
        .lose_leg("catalog-stage");
    let base = rehearsal.with_base_commit();
    // The pull request changes the catalog domain only.
    rehearsal.push_edit(
        "    slack_channel: \"#catalog-deploys\"",
        "    slack_channel: \"#catalog-deploys\"\n    layer_vars: { dynamic: { app_version: \"2.0.0\" } }",
    );
    rehearsal.set_event(
        "pull_request",
        json!({
            "action": "synchronize",
            "number": PR,
            "pull_request": {
                "number": PR,
                "head": { "sha": HEAD, "repo": { "full_name": "acme/aws-accounts" } },
                "base": { "sha": base, "ref": "main" },
            },
        }),
    );
    let run = rehearsal.run();
    let log = run.transcript();

    let stage = run.wave("plan-stage");
    assert_eq!(stage.leg_names(), ["catalog-dev", "catalog-stage"], "{log}");
    assert_eq!(run.wave("plan-prod").leg_names(), ["catalog-prod"], "{log}");
    // Plans hold no deploy's place: a group of their own run.
    for leg in stage.legs() {
        let group = leg.concurrency.clone().unwrap();
        assert!(group.starts_with("plan-"), "{group}");
    }
    let comment = run.job("comment");
    assert_eq!(comment.result, Conclusion::Success, "{log}");
    let posted: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" || r.method == "PATCH")
        .collect();
    assert_eq!(posted.len(), 1, "{posted:#?}\n{log}");
    let body = posted[0].json()["body"].as_str().unwrap().to_string();
    assert!(body.contains(&HEAD[..7]), "the head commit: {body}");
    assert!(body.contains("catalog-stage"), "the lost account: {body}");
    assert!(body.contains("catalog-dev"), "{body}");
}

#[test]
fn a_push_that_affects_no_account_plans_nothing_and_says_so() {
    let api = Receiver::start();
    // GitHub's answers: the comment about an earlier push (ours), then its update.
    let earlier = r#"[{"id": 5, "html_url": "https://github.example/c/5", "body": "<!-- orchestrator-plan-summary -->\nold plan", "user": {"login": "github-actions[bot]"}}]"#;
    api.script([
        Reply::new(200, earlier),
        Reply::new(
            200,
            r#"{"id": 5, "html_url": "https://github.example/c/5", "body": "", "user": {"login": "github-actions[bot]"}}"#,
        ),
    ]);
    let mut rehearsal = Rehearsal::new("plan.yml")
        .env("GITHUB_API_URL", &api.url(""))
        .env("ORCHESTRATOR_COMMENT_AUTHOR", "github-actions[bot]")
        .secret("GITHUB_TOKEN", "rehearsal-github-token");
    let base = rehearsal.with_base_commit();
    // A comment-only change of domains.yaml affects no account.
    rehearsal.push_edit("domains:\n", "# reviewed\ndomains:\n");
    rehearsal.set_event(
        "pull_request",
        json!({
            "action": "synchronize",
            "number": PR,
            "pull_request": {
                "number": PR,
                "head": { "sha": HEAD, "repo": { "full_name": "acme/aws-accounts" } },
                "base": { "sha": base, "ref": "main" },
            },
        }),
    );
    let run = rehearsal.run();
    let log = run.transcript();
    for wave in ["plan-stage", "plan-prod"] {
        assert_eq!(run.wave(wave).result(), Conclusion::Skipped, "{log}");
    }
    let comment = run.job("comment");
    assert_eq!(comment.result, Conclusion::Success, "{log}");
    let summary = &comment.single().summary;
    assert!(
        summary.contains(&format!("No account is affected by {HEAD}")),
        "{summary}\n{log}"
    );
    // The comment about the earlier push now says this commit affects nothing.
    let updated: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH" || r.method == "POST")
        .collect();
    assert_eq!(updated.len(), 1, "{updated:#?}\n{log}");
    assert_eq!(updated[0].method, "PATCH", "the earlier comment is edited");
    let body = updated[0].json()["body"].as_str().unwrap().to_string();
    assert!(body.contains("no account affected"), "{body}");
    assert!(body.contains(&HEAD[..7]), "the head commit: {body}");
}

/// A push that breaks domains.yaml: no account can be worked out, and the comment about the
/// earlier push must not stay up as if it described this commit. It is replaced by one that
/// says the plan could not be computed for the head commit, quotes the error and links the run.
#[test]
fn a_push_whose_plan_cannot_be_computed_replaces_the_comment_with_the_error() {
    let api = Receiver::start();
    let earlier = r#"[{"id": 7, "html_url": "https://github.example/c/7", "body": "<!-- orchestrator-plan-summary -->\n## Terraform plan: 3 accounts, 3 with changes", "user": {"login": "github-actions[bot]"}}]"#;
    api.script([
        Reply::new(200, earlier),
        Reply::new(
            200,
            r#"{"id": 7, "html_url": "https://github.example/c/7", "body": "", "user": {"login": "github-actions[bot]"}}"#,
        ),
    ]);
    let mut rehearsal = Rehearsal::new("plan.yml")
        .env("GITHUB_API_URL", &api.url(""))
        .env("ORCHESTRATOR_COMMENT_AUTHOR", "github-actions[bot]")
        .secret("GITHUB_TOKEN", "rehearsal-github-token");
    let base = rehearsal.with_base_commit();
    // A typo in a key: validate refuses the file, naming its line.
    rehearsal.push_edit(
        "    slack_channel: \"#catalog-deploys\"",
        "    slack_chanel: \"#catalog-deploys\"",
    );
    rehearsal.set_event(
        "pull_request",
        json!({
            "action": "synchronize",
            "number": PR,
            "pull_request": {
                "number": PR,
                "head": { "sha": HEAD, "repo": { "full_name": "acme/aws-accounts" } },
                "base": { "sha": base, "ref": "main" },
            },
        }),
    );
    let run = rehearsal.run();
    let log = run.transcript();

    let plan_waves = run.job("plan-waves");
    assert_eq!(plan_waves.result, Conclusion::Failure, "{log}");
    let validate = plan_waves.single().step("Validate domains.yaml");
    assert_eq!(validate.conclusion, Conclusion::Failure, "{log}");
    // The error still reaches the job's log.
    assert!(validate.log.contains("slack_chanel"), "{}", validate.log);
    for wave in ["plan-stage", "plan-prod"] {
        assert_eq!(run.wave(wave).result(), Conclusion::Skipped, "{log}");
    }

    // The comment job edits the earlier comment, then fails: the check is red.
    let comment = run.job("comment");
    assert_eq!(comment.result, Conclusion::Failure, "{log}");
    let posted: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH" || r.method == "POST")
        .collect();
    assert_eq!(posted.len(), 1, "{posted:#?}\n{log}");
    assert_eq!(posted[0].method, "PATCH", "the earlier comment is edited");
    assert!(
        posted[0].path.ends_with("/issues/comments/7"),
        "{}",
        posted[0].path
    );
    let body = posted[0].json()["body"].as_str().unwrap().to_string();
    assert!(body.contains("could not be computed"), "{body}");
    assert!(body.contains(&HEAD[..12]), "the head commit: {body}");
    assert!(
        body.contains("domains.yaml:") && body.contains("slack_chanel"),
        "the error, naming the file and the key: {body}"
    );
    assert!(
        body.contains("https://github.example/acme/aws-accounts/actions/runs/4242"),
        "the run: {body}"
    );
    assert!(
        !body.contains("3 accounts, 3 with changes"),
        "nothing of the earlier plan: {body}"
    );
    let summary = &comment.single().summary;
    assert!(
        summary.contains("could not be planned") && summary.contains(HEAD),
        "{summary}"
    );
}
