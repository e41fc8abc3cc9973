//! The deploy engine with real terraform on a copy of `examples/sandbox`: waves, the halt
//! before prod, failure tolerance, timeouts, state locks, Ctrl-C, targeted deploys and
//! plan-only runs. Every case checks the run report, the state files and that no process is
//! left behind.

use crate::support::sandbox;

use std::time::Duration;

use nix::sys::signal::Signal;
use orchestrator::events::AttemptOutcome;
use orchestrator::report::{Mode, Outcome, Status, WaveStatus};
use sandbox::{job, layer, wait_until, Sandbox};

const STAGE: [&str; 8] = [
    "catalog-dev",
    "catalog-stage",
    "payments-dev",
    "payments-stage",
    "commerce-dev",
    "commerce-stage",
    "platform-dev",
    "platform-stage",
];
const PROD: [&str; 4] = [
    "catalog-prod",
    "payments-prod",
    "commerce-prod",
    "platform-prod",
];
const LAYERS: [&str; 3] = ["platform", "static", "dynamic"];

#[test]
fn every_account_deploys_and_a_second_run_finds_no_changes() {
    let sandbox = Sandbox::new();
    let first = sandbox.run(&["run"]);
    first.expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Succeeded);
    assert_eq!(report.mode, Mode::Apply);
    assert_eq!(report.jobs.len(), 12);
    for account in STAGE.iter().chain(&PROD) {
        assert_eq!(job(&report, account).status, Status::Succeeded, "{account}");
        for name in LAYERS {
            let l = layer(&report, account, name);
            assert_eq!(l.status, Status::Succeeded, "{account} {name}");
            assert!(
                l.changes.is_some_and(|c| c.add >= 1),
                "{account} {name} created something"
            );
            assert!(
                sandbox.state(name, account).is_file(),
                "{account} {name} has state"
            );
            let log = l.log.as_deref().expect("a log");
            assert!(sandbox.path().join(".orchestrator").join(log).is_file());
        }
    }
    assert!(
        first.stdout.contains("jobs:   12 succeeded"),
        "{}",
        first.stdout
    );
    // Each run keeps its own report; the path printed opens from where the command ran.
    let printed = first
        .stdout
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("Report: "))
        .expect("the summary ends with the report's path");
    assert!(
        printed.starts_with(".orchestrator/runs/"),
        "{}",
        first.stdout
    );
    assert!(sandbox.path().join(printed).is_file(), "{printed}");

    let second = sandbox.run(&["run"]);
    second.expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Succeeded);
    for j in &report.jobs {
        assert_eq!(j.status, Status::NoChanges, "{}", j.account);
        for l in &j.layers {
            assert_eq!(l.status, Status::NoChanges, "{} {}", j.account, l.layer);
            let log = std::fs::read_to_string(
                sandbox
                    .path()
                    .join(".orchestrator")
                    .join(l.log.as_ref().unwrap()),
            )
            .unwrap();
            assert!(log.contains("$ terraform plan"), "{log}");
            assert!(
                !log.contains("$ terraform apply"),
                "nothing to apply: {log}"
            );
        }
    }
    assert!(
        second.stdout.contains("jobs:   12 no changes"),
        "{}",
        second.stdout
    );
}

#[test]
fn a_failed_stage_account_holds_back_prod() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.command(&["run"]);
    cmd.env("TF_VAR_fail_account", "payments-stage");
    let run = sandbox.run_with(cmd);
    run.expect_code(1);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Halted);

    let failed = layer(&report, "payments-stage", "platform");
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(failed.reason.as_deref(), Some("terraform apply failed"));
    assert!(
        failed
            .error
            .iter()
            .any(|e| e.contains("simulated failure of payments-stage")),
        "{:?}",
        failed.error
    );
    // A real error is not retried, although the sandbox allows 2 retries.
    assert_eq!(failed.attempts.len(), 1);
    assert_eq!(failed.attempts[0].outcome, AttemptOutcome::Failed);
    for later in ["static", "dynamic"] {
        let l = layer(&report, "payments-stage", later);
        assert_eq!(l.status, Status::Skipped);
        assert_eq!(l.reason.as_deref(), Some("layer platform failed"));
        assert!(!sandbox.state(later, "payments-stage").exists());
    }
    for account in STAGE.iter().filter(|a| **a != "payments-stage") {
        assert_eq!(job(&report, account).status, Status::Succeeded, "{account}");
    }

    assert_eq!(report.waves[0].status, WaveStatus::Failed);
    assert_eq!(report.waves[0].failures, 1);
    assert_eq!(report.waves[1].status, WaveStatus::Skipped);
    let reason = "wave stage had 1 failed job, more than its failure_tolerance of 0";
    assert_eq!(report.waves[1].reason.as_deref(), Some(reason));
    for account in PROD {
        let j = job(&report, account);
        assert_eq!(j.status, Status::Skipped, "{account}");
        assert_eq!(j.reason.as_deref(), Some(reason));
        assert!(j
            .layers
            .iter()
            .all(|l| l.status == Status::Skipped && l.attempts.is_empty()));
        assert_eq!(
            sandbox.traces_of(account),
            Vec::<std::path::PathBuf>::new(),
            "nothing ran for {account}"
        );
    }
    assert!(run.stdout.contains("Run halted"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("payments-stage (platform: terraform apply failed)"),
        "{}",
        run.stdout
    );
}

#[test]
fn failure_tolerance_lets_prod_proceed_after_one_failure_and_halts_after_two() {
    let tolerant = || {
        let sandbox = Sandbox::new();
        sandbox.edit_config(
            "{ name: stage, environments: [dev, stage], failure_tolerance: 0 }",
            "{ name: stage, environments: [dev, stage], failure_tolerance: 1 }",
        );
        sandbox
    };
    let run = |sandbox: &Sandbox| {
        let mut cmd = sandbox.command(&["run", "--domain", "catalog,payments"]);
        cmd.env("TF_VAR_fail_account", "payments-stage");
        sandbox.run_with(cmd)
    };

    let one = tolerant();
    run(&one).expect_code(1);
    let report = one.report();
    assert_eq!(report.outcome, Outcome::Failed);
    assert_eq!(report.waves[0].failures, 1);
    assert_eq!(report.waves[1].status, WaveStatus::Succeeded);
    assert_eq!(job(&report, "payments-stage").status, Status::Failed);
    for account in ["catalog-prod", "payments-prod"] {
        assert_eq!(job(&report, account).status, Status::Succeeded, "{account}");
    }

    // A second failure: catalog-dev's platform layer gets its own fail_account.
    let two = tolerant();
    two.edit_config(
        "dev:   { account_id: \"100000000001\" }",
        "dev:   { account_id: \"100000000001\", layer_vars: { platform: { fail_account: catalog-dev } } }",
    );
    run(&two).expect_code(1);
    let report = two.report();
    assert_eq!(report.outcome, Outcome::Halted);
    assert_eq!(report.waves[0].failures, 2);
    assert_eq!(job(&report, "catalog-dev").status, Status::Failed);
    assert_eq!(job(&report, "payments-stage").status, Status::Failed);
    assert_eq!(
        report.waves[1].reason.as_deref(),
        Some("wave stage had 2 failed jobs, more than its failure_tolerance of 1")
    );
    for account in ["catalog-prod", "payments-prod"] {
        assert_eq!(job(&report, account).status, Status::Skipped, "{account}");
        assert!(
            two.traces_of(account).is_empty(),
            "nothing ran for {account}"
        );
    }
}

/// A layer whose provisioner ignores SIGINT, like a stuck provider call.
const HANGING_LAYER: &str = r#"
terraform {
  backend "local" {}
}

resource "terraform_data" "stuck" {
  provisioner "local-exec" {
    command = "trap '' INT; sleep 300"
  }
}
"#;

#[test]
fn a_hanging_layer_times_out_and_leaves_no_process() {
    let sandbox = Sandbox::new();
    sandbox
        .add_layer("hang", HANGING_LAYER)
        .edit_config(
            "layers: [platform, static, dynamic]",
            "layers: [platform, hang, dynamic]",
        )
        .edit_config("timeout: 10m", "timeout: 6s\n  grace_period: 1s");
    let run = sandbox.run(&["deploy", "--accounts", "catalog-dev"]);
    run.expect_code(1);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Failed);
    assert_eq!(
        layer(&report, "catalog-dev", "platform").status,
        Status::Succeeded
    );
    let hung = layer(&report, "catalog-dev", "hang");
    assert_eq!(hung.status, Status::Failed);
    assert_eq!(hung.reason.as_deref(), Some("timeout"));
    assert_eq!(hung.attempts.len(), 1, "a timeout is not retried");
    assert_eq!(hung.attempts[0].outcome, AttemptOutcome::Timeout);
    assert!(
        hung.error[0].starts_with("timed out during terraform apply"),
        "{:?}",
        hung.error
    );
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::Skipped);
    assert_eq!(dynamic.reason.as_deref(), Some("layer hang failed"));
    assert_eq!(
        job(&report, "catalog-dev").reason.as_deref(),
        Some("hang: timeout")
    );
    // `finished` already checked that no process is left in the sandbox.
}

#[test]
fn a_held_state_lock_is_retried_until_released() {
    let sandbox = Sandbox::new();
    let state = sandbox.state("platform", "catalog-dev");
    let lock = state.with_file_name(".catalog-dev.tfstate.lock.info");
    // A second terraform applies the same layer for the same account and holds the state lock
    // for as long as its provisioner sleeps.
    let holder_data = sandbox.path().join("holder");
    std::fs::create_dir_all(&holder_data).unwrap();
    let inputs = holder_data.join("inputs.tfvars.json");
    std::fs::write(
        &inputs,
        r#"{"account_name": "catalog-dev", "account_id": "100000000001", "domain": "catalog",
            "environment": "dev", "region": "eu-west-1", "deploy_seconds": 10}"#,
    )
    .unwrap();
    let terraform = |args: &[&str]| {
        let mut cmd = std::process::Command::new("terraform");
        cmd.current_dir(sandbox.path().join("layers/platform"))
            .env("TF_DATA_DIR", &holder_data)
            .env("TF_IN_AUTOMATION", "1")
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    };
    let backend = format!("-backend-config=path={}", state.display());
    assert!(terraform(&["init", "-input=false", &backend])
        .status()
        .unwrap()
        .success());
    let var_file = format!("-var-file={}", inputs.display());
    let mut holder = terraform(&["apply", "-input=false", "-auto-approve", &var_file])
        .spawn()
        .unwrap();
    wait_until(
        "the other terraform to take the lock",
        Duration::from_secs(60),
        || lock.exists(),
    );

    let deploy = |retries: &str| {
        sandbox
            .command(&[
                "deploy",
                "--accounts",
                "catalog-dev",
                "--layers",
                "platform",
                "--retries",
                retries,
                "--retry-delay",
                "1s",
            ])
            .output()
            .unwrap()
    };

    // With one retry the lock is still held when the retries run out.
    let gave_up = deploy("1");
    assert_eq!(gave_up.status.code(), Some(1));
    let report = sandbox.report();
    let platform = layer(&report, "catalog-dev", "platform");
    assert_eq!(platform.status, Status::Failed);
    assert_eq!(
        platform.reason.as_deref(),
        Some("terraform plan failed: state lock held, 2 attempts")
    );
    let outcomes: Vec<AttemptOutcome> = platform.attempts.iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        [AttemptOutcome::Transient, AttemptOutcome::Failed]
    );

    // With enough retries it outlasts the other terraform.
    let output = deploy("10");
    assert!(
        holder.wait().unwrap().success(),
        "the other terraform finished its apply"
    );
    let run = sandbox.finished(output);
    run.expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Succeeded);
    let platform = layer(&report, "catalog-dev", "platform");
    // The other terraform created what the layer describes: nothing left to change.
    assert_eq!(platform.status, Status::NoChanges);
    assert!(platform.attempts.len() >= 2, "{:?}", platform.attempts);
    let first = &platform.attempts[0];
    assert_eq!(first.outcome, AttemptOutcome::Transient);
    assert!(
        first
            .error
            .iter()
            .any(|e| e.contains("Error acquiring the state lock")),
        "{:?}",
        first.error
    );
    let last = platform.attempts.last().unwrap();
    assert_eq!(last.outcome, AttemptOutcome::Succeeded);
    assert!(platform.attempts[..platform.attempts.len() - 1]
        .iter()
        .all(|a| a.outcome == AttemptOutcome::Transient));
    assert!(!lock.exists());
}

#[test]
fn ctrl_c_mid_apply_stops_terraform_gracefully() {
    interrupt_mid_apply(Signal::SIGINT);
}

#[test]
fn sigterm_mid_apply_stops_terraform_gracefully() {
    interrupt_mid_apply(Signal::SIGTERM);
}

fn interrupt_mid_apply(signal: Signal) {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.command(&["run", "--domain", "catalog"]);
    // Long enough that the interrupt arrives mid-apply.
    cmd.env("TF_VAR_deploy_seconds", "120");
    let child = sandbox.spawn(cmd);
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/platform.log");
    wait_until("catalog-dev's first apply", Duration::from_secs(60), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Provisioning with 'local-exec'"))
    });
    child.signal(signal);
    let run = sandbox.finished(child.wait());
    run.expect_code(130);

    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Cancelled);
    let platform = layer(&report, "catalog-dev", "platform");
    assert_eq!(platform.status, Status::Cancelled);
    assert_eq!(platform.reason.as_deref(), Some("interrupted"));
    assert_eq!(
        platform.attempts.last().unwrap().outcome,
        AttemptOutcome::Cancelled
    );
    assert_eq!(job(&report, "catalog-dev").status, Status::Cancelled);
    for later in ["static", "dynamic"] {
        assert_eq!(
            layer(&report, "catalog-dev", later).status,
            Status::Cancelled
        );
    }
    let prod = job(&report, "catalog-prod");
    assert_eq!(prod.status, Status::Cancelled);
    assert!(
        sandbox.traces_of("catalog-prod").is_empty(),
        "prod never started"
    );
    // terraform stopped on its own terms: it released the lock of the state it was applying.
    assert!(sandbox.state("platform", "catalog-dev").is_file());
    assert_eq!(sandbox.lock_files(), Vec::<std::path::PathBuf>::new());
    assert!(run.stdout.contains("Run cancelled"), "{}", run.stdout);
}

#[test]
fn fail_fast_starts_nothing_after_the_first_failure() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.command(&[
        "run",
        "--fail-fast",
        "--parallel",
        "1",
        "--domain",
        "catalog,payments",
    ]);
    cmd.env("TF_VAR_fail_account", "catalog-dev");
    sandbox.run_with(cmd).expect_code(1);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Halted);
    assert_eq!(job(&report, "catalog-dev").status, Status::Failed);
    for account in ["catalog-stage", "payments-dev", "payments-stage"] {
        let j = job(&report, account);
        assert_eq!(j.status, Status::Skipped, "{account}");
        assert_eq!(j.reason.as_deref(), Some("--fail-fast: catalog-dev failed"));
        assert!(
            sandbox.traces_of(account).is_empty(),
            "{account} never started"
        );
    }
    for account in ["catalog-prod", "payments-prod"] {
        assert_eq!(job(&report, account).status, Status::Skipped, "{account}");
        assert!(
            sandbox.traces_of(account).is_empty(),
            "{account} never started"
        );
    }
}

/// Writes terraform's environment where the test says.
const ENVIRONMENT_LAYER: &str = r#"
terraform {
  backend "local" {}
}

resource "terraform_data" "environment" {
  provisioner "local-exec" {
    command = "env > \"$ENVIRONMENT_DUMP\""
  }
}
"#;

const CI_TOKENS: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_RUNTIME_URL",
    "ACTIONS_CACHE_URL",
    "ACTIONS_RESULTS_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "CI_JOB_TOKEN",
    "CI_JOB_JWT_V2",
    "CIRCLE_OIDC_TOKEN_V2",
    "BUILDKITE_AGENT_ACCESS_TOKEN",
    "SYSTEM_ACCESSTOKEN",
    "BITBUCKET_STEP_OIDC_TOKEN",
    "SLACK_WEBHOOK_URL_CATALOG",
];

#[test]
fn terraform_gets_no_credentials_but_the_accounts() {
    let sandbox = Sandbox::new();
    sandbox
        .add_layer("environment", ENVIRONMENT_LAYER)
        .edit_config(
            "layers: [platform, static, dynamic]",
            "layers: [environment]",
        )
        // The only layer has no copies.
        .edit_config("  stacks: { layer: dynamic, variable: stack_suffix }\n", "");
    let dump = sandbox.path().join("environment.txt");
    let mut cmd = sandbox.command(&["deploy", "--accounts", "catalog-dev"]);
    cmd.env("ENVIRONMENT_DUMP", &dump)
        .env("AWS_ACCESS_KEY_ID", "AKIAORCHESTRATORHOST")
        .env("AWS_SECRET_ACCESS_KEY", "host-secret-key")
        .env("AWS_SESSION_TOKEN", "host-session-token")
        .env("AWS_PROFILE", "admin")
        .env("AWS_ROLE_ARN", "arn:aws:iam::000000000001:role/ci")
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", "/tmp/token")
        .env(
            "SLACK_WEBHOOK_URL",
            "https://hooks.slack.example/T000/B000/secret",
        )
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5000");
    // Every CI token a GitHub runner (or a user's shell) holds.
    for name in CI_TOKENS {
        cmd.env(name, format!("ci-secret-{name}"));
    }
    sandbox.run_with(cmd).expect_code(0);
    let environment = std::fs::read_to_string(&dump).unwrap();
    for name in CI_TOKENS {
        assert!(
            !environment.contains(&format!("ci-secret-{name}")),
            "{name} reached terraform"
        );
    }
    let names: Vec<&str> = environment
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k)
        .collect();
    for withheld in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "SLACK_WEBHOOK_URL",
    ] {
        assert!(!names.contains(&withheld), "{withheld} reached terraform");
    }
    let data_dir = sandbox
        .path()
        .join(".orchestrator/data/catalog-dev/environment");
    assert!(
        environment.contains(&format!("TF_DATA_DIR={}\n", data_dir.display())),
        "{environment}"
    );
    assert!(environment.contains("TF_IN_AUTOMATION=1\n"));
    assert!(
        environment.contains("AWS_ENDPOINT_URL_STS=http://127.0.0.1:5000\n"),
        "not a credential"
    );
    assert!(
        environment.contains("TF_VAR_deploy_seconds=0\n"),
        "terraform variables pass"
    );

    let report = std::fs::read_to_string(sandbox.path().join(".orchestrator/report.json")).unwrap();
    let log = std::fs::read_to_string(
        sandbox
            .path()
            .join(".orchestrator/logs/catalog-dev/environment.log"),
    )
    .unwrap();
    for secret in [
        "AKIAORCHESTRATORHOST",
        "host-secret-key",
        "host-session-token",
        "hooks.slack.example",
    ] {
        assert!(!report.contains(secret), "{secret} in the report");
        assert!(!log.contains(secret), "{secret} in the log");
    }
}

#[test]
fn deploy_touches_only_the_named_accounts() {
    let sandbox = Sandbox::new();
    // With a shared plugin cache, inits take turns; the deploy still completes.
    let cache = sandbox.path().join("plugin-cache");
    std::fs::create_dir_all(&cache).unwrap();
    let mut cmd = sandbox.command(&["deploy", "--accounts", "catalog-dev payments-stage"]);
    cmd.env("TF_PLUGIN_CACHE_DIR", &cache);
    sandbox.run_with(cmd).expect_code(0);
    let report = sandbox.report();
    let accounts: Vec<&str> = report.jobs.iter().map(|j| j.account.as_str()).collect();
    assert_eq!(accounts, ["catalog-dev", "payments-stage"]);
    assert!(report.jobs.iter().all(|j| j.status == Status::Succeeded));
    for account in STAGE.iter().chain(&PROD) {
        let touched = sandbox.traces_of(account);
        if ["catalog-dev", "payments-stage"].contains(account) {
            assert!(
                LAYERS.iter().all(|l| sandbox.state(l, account).is_file()),
                "{account}"
            );
        } else {
            assert!(touched.is_empty(), "{account} was touched: {touched:?}");
        }
    }

    // One unknown name: bad input, and nothing runs at all.
    let other = Sandbox::new();
    let run = other.run(&["deploy", "--accounts", "catalog-dev,catalog-qa"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("unknown account `catalog-qa`"),
        "{}",
        run.stderr
    );
    assert!(!other.path().join(".orchestrator").exists());
}

#[test]
fn plan_only_reports_changes_then_no_changes_after_apply() {
    let sandbox = Sandbox::new();
    let plan_only = ["run", "--plan-only", "--domain", "catalog"];
    sandbox.run(&plan_only).expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.mode, Mode::Plan);
    assert_eq!(report.outcome, Outcome::Drifted);
    for j in &report.jobs {
        assert_eq!(j.status, Status::Changes, "{}", j.account);
        for l in &j.layers {
            assert_eq!(l.status, Status::Changes);
            let counts = l.changes.expect("counted");
            let plan = read_plan(&sandbox, l.plan_json.as_deref());
            let created = plan["resource_changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["change"]["actions"] == serde_json::json!(["create"]))
                .count();
            assert!(created >= 1);
            assert_eq!(counts.add as usize, created, "{} {}", j.account, l.layer);
            assert!(
                !sandbox.state(&l.layer, &j.account).exists(),
                "a plan changes nothing"
            );
        }
    }
    sandbox
        .run(&[&plan_only[..], &["--fail-on-drift"]].concat())
        .expect_code(1);

    sandbox.run(&["run", "--domain", "catalog"]).expect_code(0);
    sandbox.run(&plan_only).expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Succeeded);
    for j in &report.jobs {
        for l in &j.layers {
            assert_eq!(l.status, Status::NoChanges, "{} {}", j.account, l.layer);
            assert_eq!(l.changes.map(|c| c.add + c.change + c.destroy), Some(0));
            read_plan(&sandbox, l.plan_json.as_deref());
        }
    }
}

/// A saved plan JSON, relative to the report, as `terraform show -json` wrote it.
fn read_plan(sandbox: &Sandbox, path: Option<&str>) -> serde_json::Value {
    let path = sandbox
        .path()
        .join(".orchestrator")
        .join(path.expect("plan_json is recorded"));
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).expect("the plan is JSON");
    assert!(plan["format_version"].is_string(), "{}", path.display());
    plan
}

#[test]
fn the_failure_switch_works_on_an_already_deployed_sandbox() {
    let sandbox = Sandbox::new();
    sandbox.run(&["run"]).expect_code(0);
    let mut cmd = sandbox.command(&["run"]);
    cmd.env("TF_VAR_fail_account", "payments-stage");
    sandbox.run_with(cmd).expect_code(1);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Halted);
    assert_eq!(job(&report, "payments-stage").status, Status::Failed);
    for account in PROD {
        assert_eq!(job(&report, account).status, Status::Skipped, "{account}");
    }
    // Without the switch the account recovers and everything is quiet again.
    sandbox.run(&["run"]).expect_code(0);
    assert_eq!(sandbox.report().outcome, Outcome::Succeeded);
    sandbox.run(&["run"]).expect_code(0);
    let quiet = sandbox.report();
    for account in STAGE.iter().chain(&PROD) {
        assert_eq!(job(&quiet, account).status, Status::NoChanges, "{account}");
    }
}
