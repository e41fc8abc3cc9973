//! `run` and `deploy` with STS credentials, through the built binary: the credentials each
//! account's terraform gets (moto, with a FAKE terraform that records every command's
//! environment), and the preflight that stops a run before any terraform starts.

use std::path::Path;

use orchestrator::report::{read_report, Outcome, RunReport, Status};

use super::fake_terraform::{assert_each_account_saw_its_own_role, Expected, FakeTerraform};
use super::github_token_endpoint;
use super::moto::MotoServer;
use super::org::{Cli, Org, BASE_ACCESS_KEY_ID, BASE_SECRET_ACCESS_KEY};
use super::sts_stub::{self, default_answer, issued, StsStub};
use crate::support::receiver::{Receiver, Reply};

/// Two waves (dev, then prod), a domain with two layers, a domain with one layer and its
/// own role name, accounts in three regions, and one account without AWS.
const ORG: &str = "  - name: catalog
    team: catalog
    environments:
      dev:  { account_id: \"111111111111\" }
      prod: { account_id: \"333333333333\", region: eu-central-1 }
  - name: payments
    team: payments
    role_name: PaymentsDeployer
    layers: [platform]
    environments:
      dev:  { account_id: \"444444444444\" }
      prod: { account_id: \"666666666666\", region: us-west-2 }
  - name: sandbox
    team: sandbox
    environments:
      dev: { account_id: \"100000000001\", credentials: none }
";

const DEFAULT_ROLE: &str = "OrganizationAccountAccessRole";

fn expected() -> Vec<Expected<'static>> {
    let account = |account, account_id, region, role| Expected {
        account,
        account_id,
        region,
        role,
        plan: false,
    };
    vec![
        account(
            "catalog-dev",
            "111111111111",
            "eu-west-1",
            Some(DEFAULT_ROLE),
        ),
        account(
            "catalog-prod",
            "333333333333",
            "eu-central-1",
            Some(DEFAULT_ROLE),
        ),
        account(
            "payments-dev",
            "444444444444",
            "eu-west-1",
            Some("PaymentsDeployer"),
        ),
        account(
            "payments-prod",
            "666666666666",
            "us-west-2",
            Some("PaymentsDeployer"),
        ),
        account("sandbox-dev", "100000000001", "eu-west-1", None),
    ]
}

fn org() -> Org {
    Org::with_layers(&["platform", "static"], "", ORG)
}

/// The base session token: base credentials that are themselves a session.
const BASE_SESSION_TOKEN: &str = "base-session-token-testing-0001";
const PROFILE_SECRET: &str = "profile-secret-access-key-testing";
const WEBHOOK: &str = "https://hooks.slack.com/services/T000/B000/testing";

/// Everything a deployer's environment may hold besides the base keys: a session token, a
/// profile and its files, GitHub's OIDC token request, Slack webhooks. None of it may reach
/// terraform.
fn with_deployer_environment(cli: Cli, home: &Path) -> Cli {
    let config = home.join("aws-config");
    let credentials = home.join("aws-credentials");
    std::fs::write(&config, "[profile deployer]\nregion = us-east-1\n").unwrap();
    std::fs::write(
        &credentials,
        format!(
            "[deployer]\naws_access_key_id = AKIDPROFILETESTING\naws_secret_access_key = {PROFILE_SECRET}\n"
        ),
    )
    .unwrap();
    cli.env("AWS_SESSION_TOKEN", BASE_SESSION_TOKEN)
        .env("AWS_PROFILE", "deployer")
        .env("AWS_CONFIG_FILE", config.to_str().unwrap())
        .env("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap())
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:9/token")
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "job-request-token-testing",
        )
        .env("SLACK_WEBHOOK_URL", WEBHOOK)
        .env("SLACK_WEBHOOK_URL_CATALOG", WEBHOOK)
}

/// Variables terraform may inherit from this test's orchestrator: they carry no identity.
const PASSED_THROUGH: &[&str] = &["AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL_STS"];

const BASE_VALUES: &[&str] = &[
    BASE_ACCESS_KEY_ID,
    BASE_SECRET_ACCESS_KEY,
    BASE_SESSION_TOKEN,
    PROFILE_SECRET,
    "AKIDPROFILETESTING",
    "deployer",
    "job-request-token-testing",
    WEBHOOK,
];

fn run_report(org: &Org) -> RunReport {
    let path = org.dir.path().join(".orchestrator/report.json");
    let text = std::fs::read_to_string(&path).expect("the run report is written");
    serde_json::from_str::<serde_json::Value>(&text).expect("the run report is valid JSON");
    read_report(&path).expect("the run report reads back")
}

#[tokio::test(flavor = "multi_thread")]
async fn run_and_deploy_give_each_account_only_its_own_role() {
    let org = org();
    let home = org.dir.path().join("home");
    let moto = MotoServer::start(&home);
    let fake = FakeTerraform::install(org.dir.path());

    let cli = org.cli().args([
        "run",
        "--terraform",
        fake.path(),
        "--parallel",
        "4",
        "--retries",
        "0",
    ]);
    let run = with_deployer_environment(cli, &home)
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .run_interleaved();

    run.expect_code(0).expect_output_contains(
        "preflight: 4 of 4 accounts reachable; 1 skipped (credentials: none)",
    );
    let report = run_report(&org);
    assert_eq!(report.outcome, Outcome::Succeeded);
    assert_eq!(report.jobs.len(), 5);
    let seen = fake.invocations();
    assert_each_account_saw_its_own_role(
        &seen,
        &expected(),
        PASSED_THROUGH,
        BASE_VALUES,
        &moto.url,
    )
    .await;
    let names: Vec<String> = expected().iter().map(|e| e.account.to_string()).collect();
    for expected in expected() {
        let commands: Vec<&str> = seen
            .iter()
            .filter(|i| i.account_among(&names) == Some(expected.account))
            .map(|i| i.subcommand.as_str())
            .collect();
        for command in ["init", "plan", "apply"] {
            assert!(
                commands.contains(&command),
                "{} never ran terraform {command}: {commands:?}",
                expected.account
            );
        }
    }
    let catalog_layers = seen
        .iter()
        .filter(|i| i.account_among(&names) == Some("catalog-dev") && i.subcommand == "apply")
        .count();
    assert_eq!(catalog_layers, 2, "both of catalog-dev's layers applied");
    // The prod wave started after the dev wave had finished.
    let last_dev = seen
        .iter()
        .rposition(|i| i.account_among(&names).is_some_and(|a| a.ends_with("-dev")));
    let first_prod = seen.iter().position(|i| {
        i.account_among(&names)
            .is_some_and(|a| a.ends_with("-prod"))
    });
    assert!(last_dev < first_prod, "{seen:#?}");

    // One account, as a matrix leg or a targeted redeploy runs it.
    fake.clear();
    let cli = org.cli().args([
        "deploy",
        "--accounts",
        "payments-prod",
        "--terraform",
        fake.path(),
        "--retries",
        "0",
    ]);
    let deploy = with_deployer_environment(cli, &home)
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .run_interleaved();

    deploy
        .expect_code(0)
        .expect_output_contains("preflight: 1 of 1 accounts reachable");
    let payments_prod: Vec<Expected<'_>> = expected()
        .into_iter()
        .filter(|e| e.account == "payments-prod")
        .collect();
    assert_each_account_saw_its_own_role(
        &fake.invocations(),
        &payments_prod,
        PASSED_THROUGH,
        BASE_VALUES,
        &moto.url,
    )
    .await;
}

/// `--plan-only` runs (PR plans, drift checks) assume each account's read-only
/// `plan_role_name`, set in defaults and overridden by a domain; an account without one
/// falls back to `role_name`. A normal run keeps the deploy roles.
#[tokio::test(flavor = "multi_thread")]
async fn plan_only_runs_assume_the_plan_role_and_runs_the_deploy_role() {
    let domains = ORG
        .replace(
            "    role_name: PaymentsDeployer\n",
            "    role_name: PaymentsDeployer\n    plan_role_name: PaymentsReader\n",
        )
        .replace(
            "      prod: { account_id: \"333333333333\", region: eu-central-1 }",
            "      prod: { account_id: \"333333333333\", region: eu-central-1, plan_role_name: CatalogProdReader }",
        );
    let org = Org::with_layers(
        &["platform", "static"],
        "  plan_role_name: OrganizationReadOnly",
        &domains,
    );
    let home = org.dir.path().join("home");
    let moto = MotoServer::start(&home);
    let fake = FakeTerraform::install(org.dir.path());
    let run = |extra: &[&str]| {
        let cli = org
            .cli()
            .args(["run", "--terraform", fake.path(), "--retries", "0"])
            .args(extra.iter().copied());
        with_deployer_environment(cli, &home)
            .env("AWS_ENDPOINT_URL_STS", &moto.url)
            .run_interleaved()
    };

    let plan = run(&["--plan-only"]);
    plan.expect_code(0);
    let plan_roles = |e: &Expected<'_>| match e.account {
        "catalog-dev" => Some("OrganizationReadOnly"),
        "catalog-prod" => Some("CatalogProdReader"),
        "payments-dev" | "payments-prod" => Some("PaymentsReader"),
        _ => None,
    };
    let planned: Vec<Expected<'_>> = expected()
        .into_iter()
        .map(|e| Expected {
            role: plan_roles(&e),
            plan: true,
            ..e
        })
        .collect();
    let seen = fake.invocations();
    assert!(seen.iter().all(|i| i.subcommand != "apply"), "{seen:#?}");
    assert_each_account_saw_its_own_role(&seen, &planned, PASSED_THROUGH, BASE_VALUES, &moto.url)
        .await;

    fake.clear();
    let deploy = run(&[]);
    deploy.expect_code(0);
    assert_each_account_saw_its_own_role(
        &fake.invocations(),
        &expected(),
        PASSED_THROUGH,
        BASE_VALUES,
        &moto.url,
    )
    .await;
}

#[test]
fn a_preflight_failure_stops_run_and_deploy_before_any_terraform() {
    let org = org();
    let fake = FakeTerraform::install(org.dir.path());
    // catalog-prod's role answers as another account, as a wrong account_id would.
    let sts = StsStub::start(|call| {
        let signer = call.signed_by.as_deref().unwrap_or_default();
        if call.action == "GetCallerIdentity" && signer == issued("333333333333").access_key_id {
            return sts_stub::caller_identity(
                "999999999999",
                "arn:aws:sts::999999999999:assumed-role/OrganizationAccountAccessRole/s",
            );
        }
        default_answer(call)
    });
    let run = |args: &[&str]| {
        org.cli()
            .args(args.iter().copied())
            .args(["--terraform", fake.path(), "--retries", "0"])
            .env("AWS_ENDPOINT_URL_STS", sts.url())
            .run_interleaved()
    };

    let failed = run(&["run"]);

    failed.expect_code(1);
    assert!(
        fake.invocations().is_empty(),
        "terraform started: {:#?}",
        fake.invocations()
    );
    failed.expect_output_contains("preflight failed for 1 of 4 accounts");
    let report = run_report(&org);
    // Every wave was held back, the failing account's included.
    assert_eq!(report.outcome, Outcome::Halted, "{}", failed.output);
    assert_eq!(report.jobs.len(), 5);
    for job in &report.jobs {
        let reason = job.reason.as_deref().unwrap_or_default();
        if job.account == "catalog-prod" {
            assert_eq!(job.status, Status::Failed);
            assert!(
                reason.starts_with("preflight: AccountMismatch: ")
                    && reason.contains("999999999999")
                    && reason.contains("check account_id of catalog-prod"),
                "{reason}"
            );
        } else {
            assert_eq!(job.status, Status::Skipped, "{}", job.account);
            assert!(reason.contains("preflight"), "{}: {reason}", job.account);
        }
        for layer in &job.layers {
            assert!(layer.attempts.is_empty(), "{} {}", job.account, layer.layer);
        }
    }
    // The report above shows catalog's stage accounts held back: only --force deploys prod.
    let failed_deploy = run(&["deploy", "--accounts", "catalog-prod", "--force"]);
    failed_deploy.expect_code(1);
    assert!(fake.invocations().is_empty());
    let report = run_report(&org);
    assert_eq!(report.jobs.len(), 1);
    assert_eq!(report.jobs[0].status, Status::Failed);

    // Preflight checks only the selected accounts.
    let other_account = run(&["deploy", "--accounts", "catalog-dev"]);
    other_account.expect_code(0);
    assert!(!fake.invocations().is_empty());
    assert!(fake
        .invocations()
        .iter()
        .all(|i| i.account_among(&["catalog-dev".into()]).is_some()));

    // --skip-preflight: no GetCallerIdentity, and every account's terraform runs.
    fake.clear();
    let before = sts.calls().len();
    let skipped = run(&["run", "--skip-preflight"]);
    skipped.expect_code(0).expect_output_lacks("preflight");
    let calls = sts.calls();
    assert!(
        calls[before..]
            .iter()
            .all(|c| c.action != "GetCallerIdentity"),
        "{calls:#?}"
    );
    let names: Vec<String> = expected().iter().map(|e| e.account.to_string()).collect();
    for account in &names {
        assert!(
            fake.invocations()
                .iter()
                .any(|i| i.account_among(&names) == Some(account.as_str())),
            "{account} did not run"
        );
    }
    assert_eq!(run_report(&org).outcome, Outcome::Succeeded);
}

/// GitHub passes an unset repository variable as an empty string: that is no OIDC role.
#[test]
fn an_empty_oidc_role_arn_is_no_oidc_role() {
    let org = org();
    let moto = MotoServer::start(&org.dir.path().join("home"));
    let fake = FakeTerraform::install(org.dir.path());
    let tokens = github_token_endpoint();
    let token_url = format!("{}/token?api-version=2.0", tokens.base_url());
    let cli = |args: &[&str]| {
        org.cli()
            .args(args.iter().copied())
            .env("ORCHESTRATOR_OIDC_ROLE_ARN", "")
            .env("AWS_ENDPOINT_URL_STS", &moto.url)
            .env("ACTIONS_ID_TOKEN_REQUEST_URL", &token_url)
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", super::JOB_REQUEST_TOKEN)
            .run_interleaved()
    };

    let preflight = cli(&["preflight"]);
    preflight.expect_code(0);
    // moto's answer for long-term keys: the base credentials were used, not an OIDC role.
    preflight.expect_output_contains("base credentials: arn:aws:sts::123456789012:user/moto");
    let run = cli(&["run", "--terraform", fake.path(), "--retries", "0"]);
    run.expect_code(0);
    let deploy = cli(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--terraform",
        fake.path(),
        "--retries",
        "0",
    ]);
    deploy.expect_code(0);
    assert!(
        tokens.requests().is_empty(),
        "an OIDC token was requested: {:?}",
        tokens.requests()
    );
}

#[test]
fn ctrl_c_during_preflight_writes_a_cancelled_report_and_starts_nothing() {
    let org = org();
    let fake = FakeTerraform::install(org.dir.path());
    // An STS endpoint that accepts connections and never answers: preflight waits on it.
    let silent = Receiver::start();
    silent.otherwise(Reply::hang());
    let url = silent.base_url();
    let run = org
        .cli()
        .args(["run", "--terraform", fake.path(), "--retries", "0"])
        .env("AWS_ENDPOINT_URL_STS", &url)
        .run_interrupted_after(std::time::Duration::from_millis(1500));
    drop(silent);

    run.expect_code(130)
        .expect_output_contains("interrupted during preflight");
    assert!(
        fake.invocations().is_empty(),
        "terraform started: {:#?}",
        fake.invocations()
    );
    let report = run_report(&org);
    assert_eq!(report.outcome, Outcome::Cancelled);
    assert_eq!(report.jobs.len(), 5);
    for job in &report.jobs {
        assert_eq!(job.status, Status::Cancelled, "{}", job.account);
    }
}
