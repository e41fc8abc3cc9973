//! A local `run` and the same run split into matrix legs (one `deploy` per account, `gate`
//! between the waves, then `report merge --include-held-back`) must say the same thing:
//! the same status and reason for every account, layer and wave, and the same outcome.
//! Both go through the real binary and real terraform on copies of `examples/sandbox`.

use crate::support::sandbox;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::Signal;
use orchestrator::report::{read_report, Outcome, RunReport, Status};
use sandbox::{wait_until, Sandbox};

/// Two domains, a stage and a prod account each; two layers.
const CONFIG: &str = r#"
version: 1
defaults:
  region: eu-west-1
  credentials: none
  layers: [platform, static]
  layers_dir: layers
  state: { backend: local, path: ".orchestrator/state/{layer}/{account}.tfstate" }
  timeout: 10m
  retries: 0
waves:
  - { name: stage, environments: [stage], failure_tolerance: TOLERANCE }
  - { name: prod, environments: [prod] }
domains:
  - name: catalog
    team: catalog
    environments:
      stage: { account_id: "100000000002" }
      prod:  { account_id: "100000000003" }
  - name: payments
    team: payments
    environments:
      stage: { account_id: "100000000012" }
      prod:  { account_id: "100000000013" }
"#;

const STAGE: [&str; 2] = ["catalog-stage", "payments-stage"];
const PROD: [&str; 2] = ["catalog-prod", "payments-prod"];

/// A sandbox with `CONFIG` and a switch that makes one account's platform apply hang.
fn org(tolerance: u32) -> Sandbox {
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path().join("domains.yaml"),
        CONFIG.replace("TOLERANCE", &tolerance.to_string()),
    )
    .unwrap();
    let main_tf = sandbox.path().join("layers/platform/main.tf");
    let text = std::fs::read_to_string(&main_tf).unwrap();
    let hanging = text.replacen(
        r#": "sleep ${var.deploy_seconds}""#,
        r#": var.hang_account == var.account_name ? "sleep 120" : "sleep ${var.deploy_seconds}""#,
        1,
    );
    assert_ne!(hanging, text, "the sandbox's platform layer changed shape");
    std::fs::write(
        &main_tf,
        hanging + "\nvariable \"hang_account\" {\n  type    = string\n  default = \"\"\n}\n",
    )
    .unwrap();
    sandbox
}

fn command(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = sandbox.command(args);
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd
}

fn local(sandbox: &Sandbox, env: &[(&str, &str)]) -> RunReport {
    let run = sandbox.run_with(command(
        sandbox,
        &["run", "--parallel", "4", "--report", "local.json"],
        env,
    ));
    assert!(matches!(run.code, Some(0 | 1)), "{run:?}");
    read_report(&sandbox.path().join("local.json")).unwrap()
}

/// One leg: `deploy` of one account, its report in `legs/`, its own work dir (legs run on
/// separate runners).
fn leg(account: &str) -> Vec<String> {
    [
        "deploy",
        "--accounts",
        account,
        "--report",
        &format!("legs/{account}.json"),
        "--work-dir",
        &format!(".legs/{account}"),
    ]
    .map(String::from)
    .to_vec()
}

fn run_leg(sandbox: &Sandbox, account: &str, env: &[(&str, &str)]) {
    let args = leg(account);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = sandbox.run_with(command(sandbox, &args, env));
    assert!(matches!(run.code, Some(0 | 1)), "{account}: {run:?}");
}

/// `gate --wave stage` on the merged stage legs: may prod start?
fn gate(sandbox: &Sandbox) -> bool {
    let stage: Vec<String> = STAGE.iter().map(|a| format!("legs/{a}.json")).collect();
    let mut args = vec!["report", "merge", "--out", "stage.json"];
    args.extend(stage.iter().map(String::as_str));
    sandbox.run(&args).expect_code(0);
    let output = sandbox.path().join("gate_output");
    let gate = sandbox.run_with(command(
        sandbox,
        &["gate", "--wave", "stage", "--report", "stage.json"],
        &[("GITHUB_OUTPUT", output.to_str().unwrap())],
    ));
    gate.expect_code(0);
    gate.stdout.contains("proceed=true")
}

/// The legs' reports merged as the deploy workflow merges them.
fn merged(sandbox: &Sandbox) -> RunReport {
    sandbox
        .run(&[
            "report",
            "merge",
            "--include-held-back",
            "--out",
            "merged.json",
            "legs",
        ])
        .expect_code(0);
    read_report(&sandbox.path().join("merged.json")).unwrap()
}

fn matrix(sandbox: &Sandbox, env: &[(&str, &str)]) -> RunReport {
    for account in STAGE {
        run_leg(sandbox, account, env);
    }
    if gate(sandbox) {
        for account in PROD {
            run_leg(sandbox, account, env);
        }
    }
    merged(sandbox)
}

/// What both must agree on: the outcome, then per wave and per account (sorted by name)
/// the status and reason of the job and of each layer.
fn said(report: &RunReport) -> Vec<String> {
    let mut lines = vec![format!("outcome {:?}", report.outcome)];
    for wave in &report.waves {
        lines.push(format!(
            "wave {} {} failures={} reason={:?}",
            wave.name, wave.status, wave.failures, wave.reason
        ));
    }
    let mut jobs: Vec<_> = report.jobs.iter().collect();
    jobs.sort_by(|a, b| a.account.cmp(&b.account));
    for job in jobs {
        lines.push(format!(
            "{} {} reason={:?}",
            job.account, job.status, job.reason
        ));
        for layer in &job.layers {
            lines.push(format!(
                "  {} {} reason={:?}",
                layer.layer, layer.status, layer.reason
            ));
        }
    }
    lines
}

fn assert_same(local: &RunReport, merged: &RunReport) {
    assert_eq!(said(local), said(merged), "local run vs merged matrix legs");
}

#[test]
fn all_green() {
    let local = local(&org(0), &[]);
    let merged = matrix(&org(0), &[]);
    assert_eq!(local.outcome, Outcome::Succeeded);
    assert_same(&local, &merged);
}

#[test]
fn one_stage_failure_holds_prod_back_with_the_same_words() {
    let env = [("TF_VAR_fail_account", "payments-stage")];
    let local = local(&org(0), &env);
    let merged = matrix(&org(0), &env);
    assert_eq!(local.outcome, Outcome::Halted);
    let prod = local
        .jobs
        .iter()
        .find(|j| j.account == "catalog-prod")
        .unwrap();
    assert_eq!(prod.status, Status::Skipped);
    assert_eq!(
        prod.reason.as_deref(),
        Some("wave stage had 1 failed job, more than its failure_tolerance of 0")
    );
    assert_same(&local, &merged);
}

#[test]
fn failures_within_tolerance_let_prod_run() {
    let env = [("TF_VAR_fail_account", "payments-stage")];
    let local = local(&org(1), &env);
    let merged = matrix(&org(1), &env);
    assert_eq!(local.outcome, Outcome::Failed);
    assert!(local
        .jobs
        .iter()
        .filter(|j| PROD.contains(&j.account.as_str()))
        .all(|j| j.status == Status::Succeeded));
    assert_same(&local, &merged);
}

/// Ctrl-C while `catalog-stage` hangs in its platform apply and `payments-stage` is done:
/// locally the run stops; in the matrix that one leg is cancelled and `gate` holds prod
/// back (a cancelled job counts against the tolerance).
#[test]
fn a_cancelled_leg_reads_like_an_interrupted_run() {
    let env = [("TF_VAR_hang_account", "catalog-stage")];
    let hanging = |sandbox: &Sandbox, work: &str| {
        let log = sandbox
            .path()
            .join(work)
            .join("logs/catalog-stage/platform.log");
        wait_until(
            "catalog-stage's hanging apply",
            Duration::from_secs(90),
            || {
                std::fs::read_to_string(&log)
                    .is_ok_and(|l| l.contains("Provisioning with 'local-exec'"))
            },
        );
    };

    let here = org(0);
    let run = here.spawn(command(
        &here,
        &["run", "--parallel", "4", "--report", "local.json"],
        &env,
    ));
    hanging(&here, ".orchestrator");
    let done = here
        .path()
        .join(".orchestrator/logs/payments-stage/static.log");
    wait_until("payments-stage to finish", Duration::from_secs(90), || {
        std::fs::read_to_string(&done).is_ok_and(|l| l.contains("Apply complete!"))
    });
    // terraform has exited; give the runner a moment to record the job as finished.
    std::thread::sleep(Duration::from_secs(1));
    run.signal(Signal::SIGINT);
    let out = here.finished(run.wait());
    assert_eq!(out.code, Some(130), "{out:?}");
    let local = read_report(&here.path().join("local.json")).unwrap();

    let there = org(0);
    run_leg(&there, "payments-stage", &env);
    let args = leg("catalog-stage");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let cancelled = there.spawn(command(&there, &args, &env));
    hanging(&there, ".legs/catalog-stage");
    cancelled.signal(Signal::SIGINT);
    let out = there.finished(cancelled.wait());
    assert_eq!(out.code, Some(130), "{out:?}");
    assert!(!gate(&there), "a cancelled leg holds the next wave back");
    let merged = merged(&there);

    assert_eq!(local.outcome, Outcome::Cancelled);
    assert_same(&local, &merged);
}

/// The stage leg of `payments-stage` left no run report (its runner was lost): with the plan
/// of legs (`--expect`), `report merge` counts that account `lost`, a failure, so the run
/// reads like a local run in which it failed: prod held back with the same words, and the
/// same statuses everywhere else.
#[test]
fn a_leg_with_no_report_reads_like_a_failed_job() {
    let env = [("TF_VAR_fail_account", "payments-stage")];
    let local = local(&org(0), &env);

    let there = org(0);
    let plan = there.run(&["matrix", "--wave", "stage"]);
    plan.expect_code(0);
    std::fs::write(there.path().join("stage-legs.json"), &plan.stdout).unwrap();
    run_leg(&there, "catalog-stage", &[]);
    // payments-stage's leg never reports; the gate sees it through the plan of legs.
    there
        .run(&[
            "report",
            "merge",
            "--expect",
            "stage-legs.json",
            "--out",
            "stage.json",
            "legs",
        ])
        .expect_code(0);
    let gate = there.run(&["gate", "--wave", "stage", "--report", "stage.json"]);
    gate.expect_code(0).expect_stdout_contains("proceed=false");
    there
        .run(&[
            "report",
            "merge",
            "--include-held-back",
            "--expect",
            "stage-legs.json",
            "--out",
            "merged.json",
            "legs",
        ])
        .expect_code(0);
    let merged = read_report(&there.path().join("merged.json")).unwrap();

    let lost = merged
        .jobs
        .iter()
        .find(|j| j.account == "payments-stage")
        .unwrap();
    assert_eq!(lost.status, Status::Lost);
    // Everything but the lost account itself says what the local run says.
    let others = |report: &RunReport| -> Vec<String> {
        let mut report = report.clone();
        report.jobs.retain(|j| j.account != "payments-stage");
        said(&report)
    };
    assert_eq!(local.outcome, merged.outcome);
    assert_eq!(others(&local), others(&merged), "local run vs merged legs");
}

#[test]
fn the_comparison_sees_a_difference() {
    // `said` is what the other tests compare: it must tell apart reports that differ.
    let report = |status| {
        let mut r: RunReport =
            serde_json::from_str(include_str!("fixtures/plans/report.json")).unwrap();
        r.jobs[0].status = status;
        r
    };
    assert_ne!(
        said(&report(Status::Failed)),
        said(&report(Status::Succeeded))
    );
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plans/report.json")
        .exists());
}
