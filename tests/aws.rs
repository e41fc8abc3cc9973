//! Per-account AWS credentials: `orchestrator preflight` and the STS credentials provider,
//! against a real STS endpoint (moto_server on 127.0.0.1) and, for the answers moto cannot
//! give (AccessDenied, Throttling, another account's identity), a loopback server answering
//! with STS's own XML documents.

use crate::support::fake_terraform;
mod github_log;
use crate::support::moto;
use crate::support::own_process::in_child_process;
mod org;
mod runs;
mod secret_scan;
mod sts_stub;
mod tls;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use orchestrator::aws::StsProvider;
use orchestrator::credentials::CredentialsProvider;
use orchestrator::terraform::TerraformCommand;

use crate::support::receiver::{Receiver, Reply};
use fake_terraform::{assert_each_account_saw_its_own_role, Expected, FakeTerraform};
use moto::MotoServer;
use org::{generated_id, AwsCli, Interleaved, Org, BASE_ACCESS_KEY_ID, BASE_SECRET_ACCESS_KEY};
use sts_stub::{default_answer, error, issued, StsCall, StsStub};

/// Three accounts: catalog-dev, catalog-prod, payments-dev.
const THREE_ACCOUNTS: &str = "  - name: catalog
    team: catalog
    environments:
      dev:  { account_id: \"111111111111\" }
      prod: { account_id: \"333333333333\" }
  - name: payments
    team: payments
    environments:
      dev:  { account_id: \"444444444444\" }
";

const OIDC_ROLE: &str = "arn:aws:iam::999999999999:role/github-deployer";
const JOB_REQUEST_TOKEN: &str = "job-request-bearer-token-5d1e";
/// What GitHub's token endpoint hands out (a JWT; its content does not matter to moto).
const GITHUB_JWT: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJzdWIiOiJyZXBvOmFjbWUvaW5mcmE6cmVmOnJlZnMvaGVhZHMvbWFpbiIsImF1ZCI6InN0cy5hbWF6b25hd3MuY29tIn0.c2lnbmF0dXJl";

/// GitHub's OIDC token endpoint: answers only the job's bearer token and STS's audience.
fn github_token_endpoint() -> Receiver {
    let endpoint = Receiver::start();
    endpoint.answer_with(|request| {
        let authorised =
            request.header("authorization") == Some(&format!("Bearer {JOB_REQUEST_TOKEN}"));
        let audience = request.path.ends_with("&audience=sts.amazonaws.com");
        if request.method == "GET" && authorised && audience {
            Reply::new(200, &format!(r#"{{"count":1,"value":"{GITHUB_JWT}"}}"#))
                .header("content-type", "application/json")
        } else {
            Reply::new(401, r#"{"message":"Bad credentials"}"#)
                .header("content-type", "application/json")
        }
    });
    endpoint
}

/// A pattern for one line that holds these texts, in this order.
fn line_of(texts: &[&str]) -> String {
    let texts: Vec<String> = texts.iter().map(|t| regex::escape(t)).collect();
    texts.join(".*")
}

fn line_with<'a>(run: &'a Interleaved, needles: &[&str]) -> Option<&'a str> {
    run.output
        .lines()
        .find(|line| needles.iter().all(|n| line.contains(n)))
}

#[test]
fn preflight_reaches_fifty_accounts_through_moto() {
    let sandbox = "  - name: sandbox
    team: sandbox
    environments:
      dev:  { account_id: \"100000000001\", credentials: none }
      prod: { account_id: \"100000000003\", credentials: none }
";
    let org = Org::generated(25, "", sandbox);
    let moto = MotoServer::start(org.dir.path());

    let run = org
        .cli()
        .args(["preflight", "--parallel", "8"])
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .run_interleaved();

    run.expect_code(0);
    for domain in 0..25 {
        for env in ["dev", "prod"] {
            let id = generated_id(domain, env);
            let account = format!("d{domain:02}-{env}");
            let arn = format!(
                "arn:aws:sts::{id}:assumed-role/OrganizationAccountAccessRole/orchestrator-{account}-preflight-"
            );
            run.expect_output_matches(&line_of(&["  ok  ", &format!("{account} "), &arn]));
        }
    }
    run.expect_output_contains("skipped (credentials: none): sandbox-dev, sandbox-prod")
        .expect_output_contains(
            "preflight: 50 of 50 accounts reachable; 2 skipped (credentials: none)",
        );
}

#[test]
fn an_account_id_mismatch_fails_preflight() {
    let org = Org::new("", THREE_ACCOUNTS);
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

    let run = org
        .cli()
        .args(["preflight"])
        .env("AWS_ENDPOINT_URL", sts.url()) // the all-services variable works too
        .run_interleaved();

    run.expect_code(1)
        .expect_output_contains("preflight failed for 1 of 3 accounts");
    let failure = line_with(&run, &["catalog-prod (333333333333, ", "AccountMismatch"])
        .unwrap_or_else(|| panic!("catalog-prod's mismatch is not listed:\n{}", run.output));
    assert!(failure.contains("999999999999"), "{failure}");
    run.expect_output_matches(&line_of(&["hint:", "check account_id of catalog-prod"]))
        .expect_output_matches(&line_of(&["  ok  ", "catalog-dev "]))
        .expect_output_matches(&line_of(&["  ok  ", "payments-dev "]));
}

#[test]
fn access_denied_and_region_disabled_are_not_retried_and_name_the_account() {
    let org = Org::new("", THREE_ACCOUNTS);
    let sts = StsStub::start(|call| {
        match (call.action.as_str(), call.role_account().as_str()) {
        ("AssumeRole", "333333333333") => error(
            403,
            "AccessDenied",
            "User: arn:aws:iam::000000000000:user/base-deployer is not authorized to perform: \
             sts:AssumeRole on resource: arn:aws:iam::333333333333:role/OrganizationAccountAccessRole",
        ),
        ("AssumeRole", "444444444444") => error(
            403,
            "RegionDisabledException",
            "STS is not activated in this region for account:444444444444. Your account \
             administrator can activate STS in this region using the IAM Console.",
        ),
        _ => default_answer(call),
    }
    });

    let run = org
        .cli()
        .args(["preflight"])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .run_interleaved();

    run.expect_code(1);
    assert_eq!(
        sts.assume_role_calls("333333333333").len(),
        1,
        "AccessDenied was retried"
    );
    assert_eq!(
        sts.assume_role_calls("444444444444").len(),
        1,
        "RegionDisabled was retried"
    );
    run.expect_output_contains("preflight failed for 2 of 3 accounts");
    run.expect_output_matches(&line_of(&[
        "catalog-prod (333333333333, ",
        "AccessDenied: User:",
    ]));
    run.expect_output_matches(&line_of(&[
        "hint:",
        "role `OrganizationAccountAccessRole` exists in account 333333333333",
        "trust policy allows sts:AssumeRole for arn:aws:iam::000000000000:user/base-deployer",
    ]));
    run.expect_output_matches(&line_of(&[
        "payments-dev (444444444444, ",
        "RegionDisabledException",
    ]));
    run.expect_output_matches(&line_of(&[
        "hint:",
        "STS is not enabled in eu-west-1 for account 444444444444",
    ]));
    run.expect_output_matches(&line_of(&["  ok  ", "catalog-dev "]));
}

/// `preflight --plan-only` checks the roles plan-only runs assume, and its hints name
/// `plan_role_name`; plain `preflight` keeps checking the deploy role.
#[test]
fn preflight_plan_only_checks_the_plan_role() {
    let org = Org::new("  plan_role_name: ReadOnly", THREE_ACCOUNTS);
    let sts = StsStub::start(
        |call| match (call.action.as_str(), call.role_account().as_str()) {
            ("AssumeRole", "333333333333") => error(403, "AccessDenied", "not authorized"),
            _ => default_answer(call),
        },
    );
    let preflight = |args: &[&str]| {
        org.cli()
            .args(["preflight"])
            .args(args.iter().copied())
            .env("AWS_ENDPOINT_URL_STS", sts.url())
            .run_interleaved()
    };

    let run = preflight(&["--plan-only"]);
    run.expect_code(1);
    let calls: Vec<_> = sts
        .calls()
        .into_iter()
        .filter(|c| c.action == "AssumeRole")
        .collect();
    assert_eq!(calls.len(), 3, "{calls:?}");
    for call in &calls {
        assert!(
            call.param("RoleArn").unwrap().ends_with(":role/ReadOnly"),
            "{call:?}"
        );
        assert!(
            call.param("RoleSessionName")
                .unwrap()
                .starts_with("orchestrator-plan-"),
            "{call:?}"
        );
    }
    run.expect_output_matches(&line_of(&[
        "hint:",
        "role `ReadOnly` exists in account 333333333333 (plan_role_name)",
    ]));

    let before = calls.len();
    let run = preflight(&[]);
    run.expect_code(1);
    let calls: Vec<_> = sts
        .calls()
        .into_iter()
        .filter(|c| c.action == "AssumeRole")
        .skip(before)
        .collect();
    assert_eq!(calls.len(), 3, "{calls:?}");
    for call in &calls {
        assert!(
            call.param("RoleArn")
                .unwrap()
                .ends_with(":role/OrganizationAccountAccessRole"),
            "{call:?}"
        );
    }
}

#[test]
fn throttling_and_server_errors_are_retried_until_sts_answers() {
    let org = Org::new("", THREE_ACCOUNTS);
    let answered: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let sts = StsStub::start(move |call: &StsCall| {
        if call.action != "AssumeRole" {
            return default_answer(call);
        }
        let account = call.role_account();
        let before = {
            let mut answered = answered.lock().unwrap();
            let n = answered.entry(account.clone()).or_default();
            *n += 1;
            *n - 1
        };
        match (account.as_str(), before) {
            ("111111111111", 0) => error(400, "Throttling", "Rate exceeded"),
            ("333333333333", 0) => error(503, "ServiceUnavailable", "Service unavailable"),
            _ => default_answer(call),
        }
    });

    let run = org
        .cli()
        .args(["preflight"])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .run_interleaved();

    run.expect_code(0);
    assert_eq!(sts.assume_role_calls("111111111111").len(), 2);
    assert_eq!(sts.assume_role_calls("333333333333").len(), 2);
    assert_eq!(sts.assume_role_calls("444444444444").len(), 1);
    run.expect_output_contains("preflight: 3 of 3 accounts reachable");
}

/// In GitHub Actions: the job's OIDC token, AssumeRoleWithWebIdentity on moto, then every
/// account role from those credentials. No base credentials exist, so the account roles can
/// only have been assumed with the OIDC role's.
#[test]
fn github_oidc_gives_the_base_credentials_and_every_secret_is_masked_first() {
    let org = Org::new("", THREE_ACCOUNTS);
    let moto = MotoServer::start(org.dir.path());
    let tokens = github_token_endpoint();

    let run = org
        .cli()
        .without_base_credentials()
        .args(["preflight", "--oidc-role-arn", OIDC_ROLE])
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_RUN_ID", "9876543210")
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/_apis/token/idtoken?api-version=2.0", tokens.base_url()),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", JOB_REQUEST_TOKEN)
        .run_interleaved();

    run.expect_code(0);
    let requests = tokens.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0].path,
        "/_apis/token/idtoken?api-version=2.0&audience=sts.amazonaws.com"
    );
    run.expect_output_contains("base credentials: arn:aws:sts::999999999999:assumed-role/github-deployer/orchestrator-oidc-preflight-9876543210");
    for (account, id) in [
        ("catalog-dev", "111111111111"),
        ("catalog-prod", "333333333333"),
        ("payments-dev", "444444444444"),
    ] {
        let arn = format!(
            "arn:aws:sts::{id}:assumed-role/OrganizationAccountAccessRole/orchestrator-{account}-preflight-9876543210"
        );
        run.expect_output_matches(&line_of(&["  ok  ", &arn]));
    }

    // The token first, then the OIDC role's three secrets, then three per account: all
    // before any other line, and nowhere else. Each is written on stdout and on stderr
    // (the runner reads the two separately): twice in a row in the combined output.
    let mask_lines: Vec<&str> = run
        .output
        .lines()
        .take_while(|l| l.starts_with("::add-mask::"))
        .map(|l| &l["::add-mask::".len()..])
        .collect();
    let mut masks = mask_lines.clone();
    masks.dedup();
    assert_eq!(mask_lines.len(), 2 * masks.len(), "{}", run.output);
    assert_eq!(masks.len(), 1 + 3 + 3 * 3, "{}", run.output);
    assert_eq!(masks[0], GITHUB_JWT);
    let rest: String = run
        .output
        .lines()
        .skip(mask_lines.len())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !rest.contains("::add-mask::"),
        "a mask came late:\n{}",
        run.output
    );
    for secret in masks {
        assert!(!rest.contains(secret), "unmasked secret in:\n{rest}");
    }
    run.expect_output_lacks(JOB_REQUEST_TOKEN);
}

/// Role chaining: after OIDC, every account session asks for at most an hour, whatever
/// `session_duration` says; with long-term base keys it gets the configured duration.
#[test]
fn sessions_carry_the_configured_name_duration_and_external_id() {
    let defaults = "  session_duration: 2h\n  external_id: acme-deploy-7f3a\n";
    let with_oidc = Org::new(
        &format!("{defaults}  oidc_role_arn: {OIDC_ROLE}\n"),
        THREE_ACCOUNTS,
    );
    let sts = StsStub::start(default_answer);
    let tokens = github_token_endpoint();
    let run = with_oidc
        .cli()
        .without_base_credentials()
        .args(["preflight", "--account", "catalog-dev"])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .env("GITHUB_RUN_ID", "42")
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/token?api-version=2.0", tokens.base_url()),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", JOB_REQUEST_TOKEN)
        .run_interleaved();
    run.expect_code(0);

    let calls = sts.calls();
    let web = calls
        .iter()
        .find(|c| c.action == "AssumeRoleWithWebIdentity")
        .expect("AssumeRoleWithWebIdentity was called");
    assert_eq!(web.param("RoleArn"), Some(OIDC_ROLE));
    assert_eq!(web.param("WebIdentityToken"), Some(GITHUB_JWT));
    assert_eq!(web.signed_by, None, "AssumeRoleWithWebIdentity is unsigned");
    let account = &sts.assume_role_calls("111111111111")[0];
    assert_eq!(
        account.param("RoleArn"),
        Some("arn:aws:iam::111111111111:role/OrganizationAccountAccessRole")
    );
    assert_eq!(
        account.param("RoleSessionName"),
        Some("orchestrator-catalog-dev-preflight-42")
    );
    assert_eq!(account.param("DurationSeconds"), Some("3600"));
    assert_eq!(account.param("ExternalId"), Some("acme-deploy-7f3a"));
    assert_eq!(
        account.signed_by.as_deref(),
        Some(issued("999999999999").access_key_id.as_str()),
        "the account role must be assumed with the OIDC role's credentials"
    );

    let long_term = Org::new(defaults, THREE_ACCOUNTS);
    let sts = StsStub::start(default_answer);
    let run = long_term
        .cli()
        .args(["preflight", "--account", "catalog-dev"])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .run_interleaved();
    run.expect_code(0);
    let account = &sts.assume_role_calls("111111111111")[0];
    assert_eq!(account.param("DurationSeconds"), Some("7200"));
    assert_eq!(account.signed_by.as_deref(), Some(BASE_ACCESS_KEY_ID));

    // Base credentials with a session token are a role session too: chaining again.
    let sts = StsStub::start(default_answer);
    let run = long_term
        .cli()
        .args(["preflight", "--account", "catalog-dev"])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .env("AWS_SESSION_TOKEN", "base-session-token-testing")
        .run_interleaved();
    run.expect_code(0);
    let account = &sts.assume_role_calls("111111111111")[0];
    assert_eq!(account.param("DurationSeconds"), Some("3600"));
}

/// Every secret in play: the base secret key, each account's secret key and session token
/// (stub-issued, so known), the OIDC token and the job's request token.
fn secrets() -> Vec<String> {
    let mut secrets = vec![
        BASE_SECRET_ACCESS_KEY.to_string(),
        GITHUB_JWT.to_string(),
        JOB_REQUEST_TOKEN.to_string(),
    ];
    for account in [
        "111111111111",
        "333333333333",
        "444444444444",
        "999999999999",
    ] {
        let keys = issued(account);
        secrets.push(keys.secret_access_key);
        secrets.push(keys.session_token);
    }
    secrets
}

#[test]
fn secrets_never_appear_in_output_even_at_trace_level() {
    let org = Org::new("", THREE_ACCOUNTS);
    let sts = StsStub::start(
        |call| match (call.action.as_str(), call.role_account().as_str()) {
            ("AssumeRole", "444444444444") => error(403, "AccessDenied", "not authorized"),
            _ => default_answer(call),
        },
    );

    let run = org
        .cli()
        .args(["preflight"])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .env("ORCHESTRATOR_LOG", "trace")
        .run_interleaved();
    run.expect_code(1);
    // Trace logging is on: the STS calls are logged.
    run.expect_output_contains("GetCallerIdentity");
    for secret in secrets() {
        run.expect_output_lacks(&secret);
    }

    // In GitHub Actions (with OIDC): secrets only inside the masks, which come first.
    let tokens = github_token_endpoint();
    let run = org
        .cli()
        .without_base_credentials()
        .args(["preflight", "--oidc-role-arn", OIDC_ROLE])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .env("ORCHESTRATOR_LOG", "debug")
        .env("GITHUB_ACTIONS", "true")
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/token?api-version=2.0", tokens.base_url()),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", JOB_REQUEST_TOKEN)
        .run_interleaved();
    run.expect_code(1);
    let lines: Vec<&str> = run.output.lines().collect();
    let first_result = lines
        .iter()
        .position(|l| l.starts_with("base credentials: "))
        .expect("the preflight result is printed");
    for secret in secrets() {
        if secret == JOB_REQUEST_TOKEN || secret == BASE_SECRET_ACCESS_KEY {
            run.expect_output_lacks(&secret);
            continue;
        }
        let mask = format!("::add-mask::{secret}");
        for (index, line) in lines.iter().enumerate() {
            if line.contains(&secret) {
                assert_eq!(*line, mask, "{secret} appears outside its mask");
                assert!(index < first_result, "the mask of {secret} comes late");
            }
        }
    }
    // Every secret the stub issued in this run was masked (payments-dev was refused).
    for account in ["999999999999", "111111111111", "333333333333"] {
        let keys = issued(account);
        for secret in [keys.secret_access_key, keys.session_token] {
            assert!(lines.contains(&format!("::add-mask::{secret}").as_str()));
        }
    }
}

/// What the runner does for each account (strip inherited AWS variables, add the
/// provider's), with the fake terraform recording what it saw; moto then says whose
/// credentials each process had.
/// The provider reads the SDK's default chain from its own process, so the test runs in a
/// process of its own with the base credentials in its environment.
#[test]
fn each_account_process_sees_only_its_own_role() {
    in_child_process(
        concat!(
            module_path!(),
            "::each_account_process_sees_only_its_own_role"
        ),
        &[
            ("AWS_ACCESS_KEY_ID", BASE_ACCESS_KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", BASE_SECRET_ACCESS_KEY),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_REGION", "us-east-1"),
        ],
        &["AWS_SESSION_TOKEN", "AWS_PROFILE"],
        || {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(each_account_process_sees_only_its_own_role_in_its_process());
        },
    );
}

async fn each_account_process_sees_only_its_own_role_in_its_process() {
    let org = Org::new(
        "",
        &format!(
            "{THREE_ACCOUNTS}  - name: sandbox
    team: sandbox
    environments:
      dev: {{ account_id: \"100000000001\", credentials: none }}
"
        ),
    );
    let moto = MotoServer::start(org.dir.path());
    let config = orchestrator::config::load(&org.config).unwrap();
    let provider = StsProvider::new(&config, None, "run-7")
        .unwrap()
        .with_endpoint_url(&moto.url);
    let fake = FakeTerraform::install(org.dir.path());

    for account in &config.accounts {
        let credentials = provider.credentials(account).await.unwrap();
        let debug = format!("{credentials:?} {provider:?}");
        for (name, value) in &credentials.env {
            if name.ends_with("_KEY") || name.ends_with("_TOKEN") || name.ends_with("_KEY_ID") {
                assert!(!debug.contains(value.expose()), "{name} in Debug: {debug}");
            }
        }
        if account.name != "sandbox-dev" {
            let names: Vec<&str> = credentials.env.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(
                names,
                [
                    "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY",
                    "AWS_SESSION_TOKEN",
                    "AWS_REGION",
                    "AWS_DEFAULT_REGION"
                ]
            );
            let expires_at = credentials.expires_at.expect("an expiry");
            assert!(expires_at > SystemTime::now() + Duration::from_secs(50 * 60));
            // Asked again before a later layer, a fresh session is reused, not re-assumed.
            let again = provider.credentials(account).await.unwrap();
            assert_eq!(again.env[0].1, credentials.env[0].1);
        } else {
            assert!(credentials.env.is_empty(), "credentials: none gets nothing");
        }

        let var_file = org.dir.path().join(format!("{}.tfvars.json", account.name));
        std::fs::write(
            &var_file,
            format!("{{\n  \"account_name\": \"{}\"\n}}\n", account.name),
        )
        .unwrap();
        // The runner's own command: the inherited environment without the base
        // credentials, then the account's.
        let terraform = TerraformCommand {
            program: fake.bin.clone(),
            args: vec!["plan".into(), format!("-var-file={}", var_file.display())],
            cwd: org.dir.path().to_path_buf(),
            env: Vec::new(),
            secret_env: Vec::new(),
        }
        .with_credentials(&credentials);
        assert!(terraform.to_command().status().unwrap().success());
    }

    let seen = fake.invocations();
    assert_eq!(seen.len(), 4);
    let expected = |account, account_id, role| Expected {
        account,
        account_id,
        region: "eu-west-1",
        role,
        plan: false,
    };
    let role = Some("OrganizationAccountAccessRole");
    assert_each_account_saw_its_own_role(
        &seen,
        &[
            expected("catalog-dev", "111111111111", role),
            expected("catalog-prod", "333333333333", role),
            expected("payments-dev", "444444444444", role),
            expected("sandbox-dev", "100000000001", None),
        ],
        // Settings without identity, from this process's environment (a machine may set
        // a CA bundle).
        &["AWS_EC2_METADATA_DISABLED", "AWS_CA_BUNDLE"],
        &[BASE_ACCESS_KEY_ID, BASE_SECRET_ACCESS_KEY],
        &moto.url,
    )
    .await;
}

#[test]
fn a_malformed_oidc_role_arn_is_bad_input() {
    let org = Org::new("", THREE_ACCOUNTS);
    let run = org
        .cli()
        .args(["preflight", "--oidc-role-arn", "github-deployer"])
        .run_interleaved();
    run.expect_code(2)
        .expect_output_contains("--oidc-role-arn: `github-deployer` is not an IAM role ARN");
}

#[test]
fn without_base_credentials_preflight_says_how_to_provide_them() {
    let org = Org::new("", THREE_ACCOUNTS);
    let sts = StsStub::start(default_answer);
    let run = org
        .cli()
        .without_base_credentials()
        .args(["preflight"])
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .run_interleaved();
    run.expect_code(1)
        .expect_output_contains(
            "preflight failed: the base credentials do not work: NoBaseCredentials",
        )
        .expect_output_contains("hint: set AWS_PROFILE");
    assert!(sts.calls().is_empty(), "no account was tried");
}

#[test]
fn accounts_without_credentials_need_no_aws_at_all() {
    let org = Org::new("  credentials: none\n", THREE_ACCOUNTS);
    let run = org
        .cli()
        .without_base_credentials()
        .args(["preflight"])
        .run_interleaved();
    run.expect_code(0)
        .expect_output_contains(
            "skipped (credentials: none): catalog-dev, payments-dev, catalog-prod",
        )
        .expect_output_contains(
            "preflight: no account needs AWS credentials; 3 skipped (credentials: none)",
        );
}

/// When GitHub OIDC cannot assume the entry role, preflight names the piece of
/// layers/bootstrap that is missing: the OIDC provider, or the entry role of this purpose.
#[test]
fn a_missing_bootstrap_piece_is_named_when_the_entry_role_cannot_be_assumed() {
    let org = Org::new("", THREE_ACCOUNTS);
    let tokens = github_token_endpoint();
    let preflight = |sts: &StsStub, plan_only: bool| {
        let mut args = vec!["preflight", "--oidc-role-arn", OIDC_ROLE];
        if plan_only {
            args.push("--plan-only");
        }
        org.cli()
            .without_base_credentials()
            .args(args.iter().copied())
            .env("AWS_ENDPOINT_URL_STS", sts.url())
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                format!("{}/token?api-version=2.0", tokens.base_url()),
            )
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", JOB_REQUEST_TOKEN)
            .run_interleaved()
    };

    // STS's own answer when the account has no provider for GitHub's issuer.
    let no_provider = StsStub::start(|call| {
        match call.action.as_str() {
        "AssumeRoleWithWebIdentity" => error(
            400,
            "InvalidIdentityToken",
            "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com",
        ),
        _ => default_answer(call),
    }
    });
    let run = preflight(&no_provider, false);
    run.expect_code(1);
    run.expect_output_matches(&line_of(&[
        "hint:",
        "bootstrap piece missing: the GitHub OIDC provider",
        "layers/bootstrap",
    ]));

    // The entry role is missing or trusts another subject: STS says only AccessDenied.
    let refused = StsStub::start(|call| match call.action.as_str() {
        "AssumeRoleWithWebIdentity" => error(
            403,
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        ),
        _ => default_answer(call),
    });
    let run = preflight(&refused, false);
    run.expect_code(1);
    run.expect_output_matches(&line_of(&[
        "hint:",
        "orchestrator-stage",
        "orchestrator-prod",
        "environment:production",
    ]));
    let run = preflight(&refused, true);
    run.expect_code(1);
    run.expect_output_matches(&line_of(&[
        "hint:",
        "the plan entry role",
        "orchestrator-plan",
        ":pull_request",
    ]));
    run.expect_output_lacks("orchestrator-stage");
}
