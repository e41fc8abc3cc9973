//! A rehearsal of `.github/workflows/deploy.yml` on this machine: the workflow's own steps,
//! read from the file, run in `needs` order against copies of `examples/sandbox` with real
//! terraform; matrix legs in parallel, each in its own workspace, sharing one state
//! directory as runners share the S3 bucket; artifacts passed between jobs as files; Slack
//! a real HTTP server on 127.0.0.1. How each part of GitHub is stood in for is in
//! tests/rehearsal/ (runner.rs, leg.rs, actions.rs, artifacts.rs, evaluate.rs); an
//! expression, key or action it does not know stops it, so it cannot quietly diverge.
//!
//! The roll-outs a platform team meets: a stage failure (prod held back, Slack told),
//! all green (everything deployed, Slack quiet), a failure within the stage wave's
//! tolerance (prod still deployed), a lost leg (no report: a failure that holds prod back)
//! and no report at all (every account lost, Slack names them).

mod actions;
mod artifacts;
mod cancel;
mod evaluate;
mod expression;
mod file_commands;
mod leg;
pub(crate) mod outcome;
use crate::support::receiver;
pub(crate) mod runner;
mod workflow;
mod workspace;

use std::path::{Path, PathBuf};

use orchestrator::report::{read_report, Outcome, RunReport, Status};
use outcome::{Conclusion, Run};
use receiver::Receiver;
use runner::Rehearsal;

const STAGE: [&str; 8] = [
    "catalog-dev",
    "catalog-stage",
    "commerce-dev",
    "commerce-stage",
    "payments-dev",
    "payments-stage",
    "platform-dev",
    "platform-stage",
];
const PROD: [&str; 4] = [
    "catalog-prod",
    "commerce-prod",
    "payments-prod",
    "platform-prod",
];
const LAYERS: [&str; 3] = ["platform", "static", "dynamic"];

/// The token part of the webhook URL: it must never be written anywhere.
const WEBHOOK_TOKEN: &str = "rehearsal-webhook-token";

fn webhook_path() -> String {
    format!("/services/T0000/B0000/{WEBHOOK_TOKEN}")
}

/// deploy.yml against the sandbox, every step with quick deploys, Slack on 127.0.0.1.
fn rehearsal(slack: &Receiver) -> Rehearsal {
    Rehearsal::new("deploy.yml")
        .env("TF_VAR_deploy_seconds", "0")
        .secret("SLACK_WEBHOOK_URL", &slack.url(&webhook_path()))
}

fn rehearse(slack: &Receiver, extra_env: &[(&str, &str)]) -> (Rehearsal, Run) {
    let mut rehearsal = rehearsal(slack);
    for (name, value) in extra_env {
        rehearsal = rehearsal.env(name, value);
    }
    let run = rehearsal.run();
    (rehearsal, run)
}

#[test]
fn a_stage_failure_leaves_prod_untouched_and_tells_slack() {
    let slack = Receiver::start();
    let (rehearsal, run) = rehearse(&slack, &[("TF_VAR_fail_account", "payments-stage")]);
    let log = run.transcript();

    // Every stage account got its own leg; only payments-stage failed.
    let stage = run.wave("stage");
    assert_eq!(stage.leg_names(), STAGE, "{log}");
    assert_eq!(stage.result(), Conclusion::Failure, "{log}");
    for account in STAGE {
        let leg = stage.leg(account);
        let expected = if account == "payments-stage" {
            Conclusion::Failure
        } else {
            Conclusion::Success
        };
        assert_eq!(leg.step("Deploy").conclusion, expected, "{account}\n{log}");
        // The report is uploaded after a failed deploy too.
        assert_eq!(
            leg.step("Upload the run report").conclusion,
            Conclusion::Success,
            "{account}\n{log}"
        );
    }
    for account in STAGE.iter().filter(|a| **a != "payments-stage") {
        for layer in LAYERS {
            let state = rehearsal.checkout().state(layer, account);
            assert!(state.is_file(), "{} missing\n{log}", state.display());
        }
    }
    // The failed account's later layers never ran.
    for layer in ["static", "dynamic"] {
        assert!(!rehearsal.checkout().state(layer, "payments-stage").exists());
    }

    // The gate ran despite the failed leg, and held prod back.
    let gate = run.job("gate");
    assert_eq!(gate.result, Conclusion::Success, "{log}");
    assert_eq!(gate.outputs["proceed"], "false", "{log}");
    let decision = gate.single().step("Decide whether prod may start");
    assert_eq!(decision.outputs["failures"], "1", "{log}");
    assert!(decision.log.contains("payments-stage"), "{}", decision.log);

    // Prod never started: no leg, and no state, log, data or plan of a prod account anywhere.
    let prod = run.wave("prod");
    assert_eq!(prod.result(), Conclusion::Skipped, "{log}");
    assert_eq!(prod.legs().count(), 0);
    for account in PROD {
        let traces = traces_of(rehearsal.root(), account);
        assert!(traces.is_empty(), "{account} was touched: {traces:#?}");
    }

    // The report job ran, merged every account (prod ones as held back) and told Slack once.
    let report_job = run.job("report");
    assert_eq!(report_job.result, Conclusion::Success, "{log}");
    let merged = merged_report(&rehearsal);
    assert_eq!(merged.outcome, Outcome::Halted);
    assert_eq!(accounts(&merged), every_account());
    for job in &merged.jobs {
        let expected = match job.account.as_str() {
            "payments-stage" => Status::Failed,
            a if PROD.contains(&a) => Status::Skipped,
            _ => Status::Succeeded,
        };
        assert_eq!(job.status, expected, "{}", job.account);
    }
    let summary = &report_job.single().summary;
    assert!(summary.contains("payments-stage"), "{summary}");

    let requests = slack.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}\n{log}");
    assert_eq!(requests[0].path, webhook_path());
    let message = requests[0].json();
    let sections = section_texts(&message);
    let failure = sections
        .iter()
        .find(|s| s.contains("`payments-stage`"))
        .unwrap_or_else(|| panic!("no failure section: {sections:#?}"));
    assert!(failure.contains("layer `platform`"), "{failure}");
    assert!(
        failure.contains("simulated failure of payments-stage"),
        "{failure}"
    );
    let held_back = sections
        .iter()
        .find(|s| s.starts_with("*Held back*"))
        .unwrap_or_else(|| panic!("no held-back section: {sections:#?}"));
    for account in PROD {
        assert!(held_back.contains(&format!("`{account}`")), "{held_back}");
    }
    for account in STAGE.iter().filter(|a| **a != "payments-stage") {
        assert!(!held_back.contains(account), "{held_back}");
    }
    assert!(
        sections
            .iter()
            .any(|s| s.contains("orchestrator deploy --accounts payments-stage")),
        "no redeploy command: {sections:#?}"
    );
    assert!(
        message["text"]
            .as_str()
            .unwrap()
            .contains("halted before prod"),
        "{message}"
    );

    assert_webhook_never_written(&rehearsal, &run);
}

#[test]
fn an_all_green_run_deploys_every_account_and_stays_quiet() {
    let slack = Receiver::start();
    let (rehearsal, run) = rehearse(&slack, &[]);
    let log = run.transcript();

    for id in ["plan-waves", "stage-1", "gate", "prod-1", "report"] {
        assert_eq!(run.job(id).result, Conclusion::Success, "{id}\n{log}");
    }
    // One chunk job per wave is enough for twelve accounts; the others are skipped.
    for id in [
        "stage-2", "stage-3", "stage-4", "prod-2", "prod-3", "prod-4",
    ] {
        assert_eq!(run.job(id).result, Conclusion::Skipped, "{id}\n{log}");
    }
    assert_eq!(run.wave("stage").leg_names(), STAGE);
    assert_eq!(run.wave("prod").leg_names(), PROD);
    assert_eq!(run.job("gate").outputs["proceed"], "true", "{log}");
    for account in STAGE.iter().chain(&PROD) {
        for layer in LAYERS {
            let state = rehearsal.checkout().state(layer, account);
            assert!(state.is_file(), "{} missing\n{log}", state.display());
        }
    }
    // The same search that finds nothing of prod after a halt finds prod's traces here.
    for account in PROD {
        assert!(
            !traces_of(rehearsal.root(), account).is_empty(),
            "{account}"
        );
    }

    let merged = merged_report(&rehearsal);
    assert_eq!(merged.outcome, Outcome::Succeeded);
    assert_eq!(accounts(&merged), every_account());
    assert!(merged.jobs.iter().all(|j| j.status == Status::Succeeded));

    // The notify step ran (it checks the webhook even then) and sent nothing.
    let notify = run.job("report").single().step("Notify Slack on failure");
    assert_eq!(notify.conclusion, Conclusion::Success, "{log}");
    assert!(slack.requests().is_empty(), "{:#?}", slack.requests());

    assert_webhook_never_written(&rehearsal, &run);
}

#[test]
fn a_stage_failure_within_tolerance_still_deploys_prod() {
    // The implicit success() of prod's `needs` chain would skip prod after any failed
    // stage leg; the gate alone must decide.
    let slack = Receiver::start();
    let rehearsal = rehearsal(&slack)
        .edit_config(
            "{ name: stage, environments: [dev, stage], failure_tolerance: 0 }",
            "{ name: stage, environments: [dev, stage], failure_tolerance: 1 }",
        )
        .env("TF_VAR_fail_account", "payments-stage");
    let run = rehearsal.run();
    let log = run.transcript();

    assert_eq!(run.wave("stage").result(), Conclusion::Failure, "{log}");
    assert_eq!(run.job("gate").outputs["proceed"], "true", "{log}");
    let prod = run.wave("prod");
    assert_eq!(prod.result(), Conclusion::Success, "{log}");
    assert_eq!(prod.leg_names(), PROD);
    for account in PROD {
        for layer in LAYERS {
            let state = rehearsal.checkout().state(layer, account);
            assert!(state.is_file(), "{} missing\n{log}", state.display());
        }
    }

    let merged = merged_report(&rehearsal);
    assert_eq!(accounts(&merged), every_account());
    let failed: Vec<&str> = merged
        .jobs
        .iter()
        .filter(|j| j.status != Status::Succeeded)
        .map(|j| j.account.as_str())
        .collect();
    assert_eq!(failed, ["payments-stage"]);

    // Still a failure for Slack, with nothing held back.
    let requests = slack.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}\n{log}");
    let sections = section_texts(&requests[0].json());
    assert!(
        sections.iter().any(|s| s.contains("`payments-stage`")),
        "{sections:#?}"
    );
    assert!(
        !sections.iter().any(|s| s.starts_with("*Held back*")),
        "{sections:#?}"
    );
}

#[test]
fn a_lost_stage_leg_is_a_failure_that_holds_prod_back_and_reaches_slack() {
    let slack = Receiver::start();
    let rehearsal = rehearsal(&slack).lose_leg("commerce-dev");
    let run = rehearsal.run();
    let log = run.transcript();

    // The lost leg ran nothing and uploaded nothing; the others deployed.
    let stage = run.wave("stage");
    assert!(stage.leg("commerce-dev").steps.is_empty());
    assert!(!rehearsal
        .artifacts()
        .names()
        .contains(&"report-stage-commerce-dev".to_string()));

    // The gate counts the lost account against the tolerance (0): prod never starts.
    let gate = run.job("gate");
    assert_eq!(gate.outputs["proceed"], "false", "{log}");
    assert_eq!(run.wave("prod").result(), Conclusion::Skipped, "{log}");

    // The report names it lost (a failure), prod held back; Slack hears of it.
    assert_eq!(run.job("report").result, Conclusion::Success, "{log}");
    let merged = merged_report(&rehearsal);
    assert_eq!(accounts(&merged), every_account());
    assert_eq!(merged.outcome, Outcome::Halted);
    for job in &merged.jobs {
        let expected = match job.account.as_str() {
            "commerce-dev" => Status::Lost,
            a if PROD.contains(&a) => Status::Skipped,
            _ => Status::Succeeded,
        };
        assert_eq!(job.status, expected, "{}", job.account);
    }
    let requests = slack.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}\n{log}");
    let sections = section_texts(&requests[0].json());
    assert!(
        sections
            .iter()
            .any(|s| s.contains("`commerce-dev`") && s.contains("no run report")),
        "{sections:#?}"
    );
}

#[test]
fn no_report_at_all_is_every_account_lost_and_slack_names_them() {
    // Every stage leg lost: not one report exists when the report job merges.
    let slack = Receiver::start();
    let mut rehearsal = rehearsal(&slack);
    for account in STAGE {
        rehearsal = rehearsal.lose_leg(account);
    }
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("report").result, Conclusion::Success, "{log}");
    let merged = merged_report(&rehearsal);
    assert_eq!(accounts(&merged), every_account());
    for job in &merged.jobs {
        let expected = if PROD.contains(&job.account.as_str()) {
            Status::Skipped
        } else {
            Status::Lost
        };
        assert_eq!(job.status, expected, "{}", job.account);
    }
    let requests = slack.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}\n{log}");
    let body = &requests[0].body;
    for account in STAGE {
        assert!(body.contains(account), "{account} not in {body}");
    }
}

/// The build fails: there is no binary and no plan of legs, nothing deploys, and the report
/// job still tells Slack (plain curl, no orchestrator), naming the run, then fails.
#[test]
fn a_failed_build_deploys_nothing_and_still_tells_slack() {
    let slack = Receiver::start();
    let rehearsal = rehearsal(&slack).fail_build();
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("build").result, Conclusion::Failure, "{log}");
    assert_eq!(run.job("plan-waves").result, Conclusion::Skipped, "{log}");
    for wave in ["stage", "prod"] {
        assert!(run.wave(wave).legs().next().is_none(), "{wave}\n{log}");
    }
    let report = run.job("report");
    assert_eq!(report.result, Conclusion::Failure, "{log}");
    let requests = slack.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}\n{log}");
    assert_eq!(requests[0].path, webhook_path());
    let text = requests[0].json()["text"].as_str().unwrap().to_string();
    assert!(text.contains("nothing was deployed"), "{text}");
    assert!(text.contains("build failure"), "{text}");
    assert!(
        text.contains("https://github.example/acme/aws-accounts/actions/runs/4242"),
        "{text}"
    );
    assert!(
        !log.contains(WEBHOOK_TOKEN),
        "the webhook's token is never printed"
    );
    for account in STAGE.iter().chain(&PROD) {
        for layer in LAYERS {
            assert!(!rehearsal.checkout().state(layer, account).exists());
        }
    }
}

fn every_account() -> Vec<String> {
    let mut all: Vec<String> = STAGE.iter().chain(&PROD).map(|a| a.to_string()).collect();
    all.sort();
    all
}

fn accounts(report: &RunReport) -> Vec<String> {
    let mut names: Vec<String> = report.jobs.iter().map(|j| j.account.clone()).collect();
    names.sort();
    names
}

/// The merged run report the report job uploaded.
fn merged_report(rehearsal: &Rehearsal) -> RunReport {
    let path = rehearsal
        .artifacts()
        .dir()
        .join("run-report/run-report.json");
    read_report(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file or directory named after the account (its state file, data dir, log dir,
/// plan dir), anywhere in the rehearsal: workspaces, shared state, artifacts.
fn traces_of(root: &Path, account: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == account || name.starts_with(&format!("{account}.")) {
                found.push(path.clone());
            }
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            }
        }
    }
    found
}

/// Section texts of a Slack message's blocks.
fn section_texts(message: &serde_json::Value) -> Vec<String> {
    message["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["text"]["text"].as_str().map(str::to_string))
        .collect()
}

/// The webhook is a secret: not in any step's output, nor in any file the run wrote.
fn assert_webhook_never_written(rehearsal: &Rehearsal, run: &Run) {
    assert!(!run.transcript().contains(WEBHOOK_TOKEN));
    for file in workspace::files(rehearsal.root()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(WEBHOOK_TOKEN),
            "{} contains the webhook URL",
            file.display()
        );
    }
}

#[test]
fn seven_hundred_accounts_in_one_wave_run_one_account_per_leg_in_chunks() {
    // 350 more domains with dev and stage: 708 stage accounts, three matrices' worth.
    let mut domains = String::from("domains:\n");
    for d in 0..350 {
        domains.push_str(&format!(
            "  - name: d{d:03}\n    team: t\n    environments:\n      \
             dev:   {{ account_id: \"2{d:011}\" }}\n      stage: {{ account_id: \"3{d:011}\" }}\n"
        ));
    }
    let slack = Receiver::start();
    let rehearsal = rehearsal(&slack)
        .edit_config("domains:\n", &domains)
        .legs_planned_only();
    let run = rehearsal.run();
    let log = run.transcript();

    let stage = run.wave("stage");
    let mut expected: Vec<String> = STAGE.iter().map(|a| a.to_string()).collect();
    for d in 0..350 {
        expected.push(format!("d{d:03}-dev"));
        expected.push(format!("d{d:03}-stage"));
    }
    expected.sort();
    assert_eq!(stage.leg_names(), expected, "{log}");
    // Three chunk jobs ran, none over GitHub's 256 legs; the fourth was skipped, not empty.
    let sizes: Vec<usize> = stage.chunks.iter().map(|c| c.legs.len()).collect();
    assert_eq!(sizes, [236, 236, 236, 0], "{log}");
    assert_eq!(run.job("stage-4").result, Conclusion::Skipped, "{log}");
    // Every leg deploys exactly its own account, in the group redeploy.yml shares.
    let mut groups = std::collections::BTreeSet::new();
    for leg in stage.legs() {
        let account = leg.matrix["account"].as_str().unwrap();
        assert_eq!(leg.matrix["accounts"], account, "{}", leg.title);
        assert_eq!(leg.matrix["name"], account, "{}", leg.title);
        let group = leg.concurrency.clone().unwrap();
        assert_eq!(group, format!("deploy-{account}"));
        assert!(groups.insert(group), "{} shares its group", leg.title);
    }
    assert_eq!(groups.len(), 708);
    // The plan of legs the gate and the report expect holds every account.
    let legs =
        std::fs::read_to_string(rehearsal.artifacts().dir().join("legs/stage.json")).unwrap();
    let planned = orchestrator::matrix::accounts_of_legs(&legs).unwrap();
    assert_eq!(planned.len(), 708);
}

#[test]
fn an_empty_stage_wave_lets_prod_deploy_and_every_stage_chunk_is_skipped() {
    // No environment of the stage wave exists: only prod accounts.
    let slack = Receiver::start();
    let rehearsal = rehearsal(&slack)
        .edit_config(
            "{ name: stage, environments: [dev, stage], failure_tolerance: 0 }",
            "{ name: stage, environments: [qa], failure_tolerance: 0 }",
        )
        .edit_config(
            "{ name: prod, environments: [prod] }",
            "{ name: prod, environments: [dev, stage, prod] }",
        );
    let run = rehearsal.run();
    let log = run.transcript();

    for n in 1..=4 {
        assert_eq!(
            run.job(&format!("stage-{n}")).result,
            Conclusion::Skipped,
            "{log}"
        );
    }
    let gate = run.job("gate");
    assert_eq!(gate.result, Conclusion::Success, "{log}");
    assert_eq!(gate.outputs["proceed"], "true", "{log}");
    assert_eq!(
        gate.single().step("Merge the stage run reports").conclusion,
        Conclusion::Skipped
    );
    let prod = run.wave("prod");
    assert_eq!(prod.result(), Conclusion::Success, "{log}");
    assert_eq!(prod.leg_names(), every_account());
    for account in every_account() {
        for layer in LAYERS {
            let state = rehearsal.checkout().state(layer, &account);
            assert!(state.is_file(), "{} missing\n{log}", state.display());
        }
    }
    let merged = merged_report(&rehearsal);
    assert_eq!(merged.outcome, Outcome::Succeeded);
    assert_eq!(accounts(&merged), every_account());
    assert!(slack.requests().is_empty(), "{:#?}", slack.requests());
}

#[test]
fn a_cancelled_leg_stops_terraform_gracefully_and_reports_it_cancelled() {
    // catalog-stage's platform apply takes a minute; GitHub cancels its leg a second into
    // that apply (its provisioner's `sleep`): SIGINT to the Deploy step's entry process,
    // SIGTERM 7.5 s later, every process left killed at 10 s.
    let slack = Receiver::start();
    let rehearsal = rehearsal(&slack)
        .leg_env("catalog-stage", "TF_VAR_deploy_seconds", "60")
        .cancel_leg(
            "catalog-stage",
            "Deploy",
            "sleep",
            std::time::Duration::from_secs(1),
        );
    let run = rehearsal.run();
    let log = run.transcript();

    let leg = run.wave("stage").leg("catalog-stage");
    let deploy = leg.step("Deploy");
    assert_eq!(deploy.conclusion, Conclusion::Cancelled, "{log}");
    // The orchestrator (the step's entry process, through `exec`) stopped terraform and
    // exited before the runner's kill: nothing was left to kill.
    assert!(
        !deploy.log.contains("killed at the runner's deadline"),
        "{}",
        deploy.log
    );
    // The report was still uploaded (`if: always()`), and says cancelled.
    assert_eq!(
        leg.step("Upload the run report").conclusion,
        Conclusion::Success,
        "{log}"
    );
    let report = read_report(
        &rehearsal
            .artifacts()
            .dir()
            .join("report-stage-catalog-stage/catalog-stage.json"),
    )
    .unwrap();
    assert_eq!(report.jobs.len(), 1);
    assert_eq!(report.jobs[0].status, Status::Cancelled, "{log}");
    // terraform saved its state and released its lock.
    let state = rehearsal.checkout().state("platform", "catalog-stage");
    assert!(state.is_file(), "{} missing\n{log}", state.display());
    let lock = state.with_file_name(".catalog-stage.tfstate.lock.info");
    assert!(!lock.exists(), "{} left behind", lock.display());
    // A cancelled stage account holds prod back, and Slack names it.
    assert_eq!(run.job("gate").outputs["proceed"], "false", "{log}");
    assert_eq!(run.wave("prod").result(), Conclusion::Skipped, "{log}");
    let merged = merged_report(&rehearsal);
    let job = merged
        .jobs
        .iter()
        .find(|j| j.account == "catalog-stage")
        .unwrap();
    assert_eq!(job.status, Status::Cancelled);
    let requests = slack.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}\n{log}");
    assert!(
        requests[0].body.contains("catalog-stage"),
        "{}",
        requests[0].body
    );
}

#[test]
fn a_pinned_release_runs_without_the_build_job() {
    let slack = Receiver::start();
    let rehearsal = rehearsal(&slack).var("ORCHESTRATOR_VERSION", "1.4.0");
    let run = rehearsal.run();
    let log = run.transcript();
    assert_eq!(run.job("build").result, Conclusion::Skipped, "{log}");
    assert!(!rehearsal
        .artifacts()
        .names()
        .contains(&"orchestrator-binary".to_string()));
    for id in ["plan-waves", "stage-1", "gate", "prod-1", "report"] {
        assert_eq!(run.job(id).result, Conclusion::Success, "{id}\n{log}");
    }
    assert_eq!(merged_report(&rehearsal).outcome, Outcome::Succeeded);
}
