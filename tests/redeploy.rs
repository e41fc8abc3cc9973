//! A rehearsal of `.github/workflows/redeploy.yml` (see tests/rehearsal.rs for how GitHub is
//! stood in for): exactly one account, checked before any leg starts, through the same legs
//! as deploy.yml; a prod account in the `production` environment, with a note that stage was
//! not run.

use crate::rehearsal::{outcome, runner};
use crate::support::receiver;

use orchestrator::report::{read_report, Status};
use outcome::{Conclusion, Run};
use receiver::Receiver;
use runner::Rehearsal;
use serde_json::{json, Value};

const LAYERS: [&str; 3] = ["platform", "static", "dynamic"];
const ACCOUNTS: [&str; 12] = [
    "catalog-dev",
    "catalog-stage",
    "catalog-prod",
    "commerce-dev",
    "commerce-stage",
    "commerce-prod",
    "payments-dev",
    "payments-stage",
    "payments-prod",
    "platform-dev",
    "platform-stage",
    "platform-prod",
];

/// redeploy.yml dispatched from main with these inputs.
fn redeploy(slack: &Receiver, inputs: &[(&str, Value)]) -> Rehearsal {
    let mut rehearsal = Rehearsal::new("redeploy.yml")
        .env("TF_VAR_deploy_seconds", "0")
        .secret("SLACK_WEBHOOK_URL", &slack.url("/services/T0/B0/redeploy"));
    for (name, value) in inputs {
        rehearsal = rehearsal.input(name, value.clone());
    }
    rehearsal.set_event(
        "workflow_dispatch",
        json!({"repository": {"default_branch": "main"}}),
    );
    rehearsal
}

/// The request was refused before any leg: nothing deployed anywhere, nothing told.
fn assert_refused(rehearsal: &Rehearsal, run: &Run, why: &str) {
    let log = run.transcript();
    let check = run.job("check");
    assert_eq!(check.result, Conclusion::Failure, "{log}");
    let step = check
        .single()
        .step("Check the account, the layers and the branch");
    assert!(step.log.contains(why), "{}", step.log);
    assert!(step.log.contains("exit code 2"), "{}", step.log);
    for id in ["stage", "prod", "report"] {
        assert_eq!(run.job(id).result, Conclusion::Skipped, "{id}\n{log}");
    }
    for account in ACCOUNTS {
        for layer in LAYERS {
            assert!(!rehearsal.checkout().state(layer, account).exists());
        }
    }
}

#[test]
fn a_list_of_accounts_is_refused_before_any_leg_starts() {
    let slack = Receiver::start();
    for account in [
        "catalog-stage,catalog-prod",
        "catalog-stage catalog-prod",
        "catalog-*",
    ] {
        let rehearsal = redeploy(&slack, &[("account", json!(account))]);
        let run = rehearsal.run();
        assert_refused(&rehearsal, &run, "exactly one account");
    }
    assert!(slack.requests().is_empty());
}

#[test]
fn an_unknown_layer_or_account_or_a_tag_named_like_the_branch_is_refused() {
    let slack = Receiver::start();
    let rehearsal = redeploy(
        &slack,
        &[
            ("account", json!("catalog-stage")),
            ("layers", json!("static,nope")),
        ],
    );
    let run = rehearsal.run();
    assert_refused(&rehearsal, &run, "unknown layer `nope`");

    let rehearsal =
        redeploy(&slack, &[("account", json!("catalog-stage"))]).on_ref("refs/tags/main");
    let run = rehearsal.run();
    assert_refused(&rehearsal, &run, "from the branch main");

    // One well-formed name that domains.yaml does not have.
    let rehearsal = redeploy(&slack, &[("account", json!("catalog-qa"))]);
    let run = rehearsal.run();
    assert_refused(&rehearsal, &run, "unknown account `catalog-qa`");
    assert!(slack.requests().is_empty(), "a refused request is not told");
}

#[test]
fn one_prod_account_is_redeployed_alone_in_production_and_the_summary_says_so() {
    let slack = Receiver::start();
    let rehearsal = redeploy(
        &slack,
        &[
            ("account", json!("payments-prod")),
            ("layers", json!("static,dynamic")),
        ],
    );
    let run = rehearsal.run();
    let log = run.transcript();

    assert_eq!(run.job("stage").result, Conclusion::Skipped, "{log}");
    let prod = run.job("prod");
    assert_eq!(prod.result, Conclusion::Success, "{log}");
    assert_eq!(prod.legs.len(), 1, "{log}");
    assert_eq!(prod.legs[0].matrix["account"], "payments-prod");
    assert_eq!(
        prod.legs[0].concurrency.as_deref(),
        Some("deploy-payments-prod"),
        "the group deploy.yml's legs use"
    );
    let note = &run.job("check").single().summary;
    assert!(
        note.contains("payments-prod is a prod account") && note.contains("stage wave was not run"),
        "{note}"
    );
    // Only the layers asked for, only in that account.
    for account in ACCOUNTS {
        for layer in LAYERS {
            let state = rehearsal.checkout().state(layer, account);
            let expected = account == "payments-prod" && layer != "platform";
            assert_eq!(state.is_file(), expected, "{}\n{log}", state.display());
        }
    }
    let report = read_report(
        &rehearsal
            .artifacts()
            .dir()
            .join("run-report/run-report.json"),
    )
    .unwrap();
    assert_eq!(report.jobs.len(), 1);
    assert_eq!(report.jobs[0].account, "payments-prod");
    assert_eq!(report.jobs[0].status, Status::Succeeded);
    assert!(slack.requests().is_empty(), "{:#?}", slack.requests());
}

/// The build fails, so the request cannot even be checked: nothing is redeployed, and Slack
/// hears of it (a refused request, above, is not told: its author reads why).
#[test]
fn a_failed_build_redeploys_nothing_and_tells_slack() {
    let slack = Receiver::start();
    let rehearsal = redeploy(&slack, &[("account", json!("catalog-stage"))]).fail_build();
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("check").result, Conclusion::Skipped, "{log}");
    for id in ["stage", "prod"] {
        assert_eq!(run.job(id).result, Conclusion::Skipped, "{id}\n{log}");
    }
    assert_eq!(run.job("report").result, Conclusion::Failure, "{log}");
    let requests = slack.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}\n{log}");
    let text = requests[0].json()["text"].as_str().unwrap().to_string();
    assert!(text.contains("nothing was redeployed"), "{text}");
    assert!(text.contains("build failure"), "{text}");
    for layer in LAYERS {
        assert!(!rehearsal.checkout().state(layer, "catalog-stage").exists());
    }
}

/// `plan_only`: the one account is planned, not applied; its plan JSONs and the summary of
/// them are uploaded, and the summary is in the job summary.
#[test]
fn plan_only_plans_one_account_and_uploads_its_plans_and_their_summary() {
    let slack = Receiver::start();
    let rehearsal = redeploy(
        &slack,
        &[
            ("account", json!("catalog-stage")),
            ("plan_only", json!(true)),
        ],
    );
    let run = rehearsal.run();
    let log = run.transcript();
    let stage = run.job("stage");
    assert_eq!(stage.result, Conclusion::Success, "{log}");
    assert_eq!(stage.legs.len(), 1, "{log}");
    // Plans hold no deploy's place in the account's group.
    let group = stage.legs[0].concurrency.clone().unwrap();
    assert!(group.starts_with("plan-"), "{group}");
    assert_eq!(run.job("prod").result, Conclusion::Skipped, "{log}");
    for account in ACCOUNTS {
        for layer in LAYERS {
            let state = rehearsal.checkout().state(layer, account);
            assert!(!state.exists(), "a plan applied {}\n{log}", state.display());
        }
    }
    let artifacts = rehearsal.artifacts().dir();
    let plans: Vec<_> = std::fs::read_dir(artifacts.join("plans-stage-catalog-stage"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    let mut plan_files = Vec::new();
    let mut pending = plans;
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path()),
            );
        } else if path.extension().is_some_and(|e| e == "json") {
            plan_files.push(path);
        }
    }
    assert_eq!(plan_files.len(), LAYERS.len(), "{plan_files:?}\n{log}");
    let summary = std::fs::read_to_string(artifacts.join("plan-summary/plan-summary.md")).unwrap();
    assert!(summary.contains("catalog-stage"), "{summary}");
    assert!(summary.contains("Terraform plan"), "{summary}");
    let job_summary = &run.job("report").single().summary;
    assert!(job_summary.contains("catalog-stage"), "{job_summary}");
    let report = read_report(&artifacts.join("run-report/run-report.json")).unwrap();
    assert_eq!(report.jobs.len(), 1);
    assert_eq!(report.jobs[0].account, "catalog-stage");
    assert!(slack.requests().is_empty(), "{:#?}", slack.requests());
}
