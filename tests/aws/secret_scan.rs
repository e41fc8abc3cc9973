//! A full deploy of the sandbox with REAL terraform, every account assuming its role on moto,
//! then a scan of everything the run left (stdout, stderr, logs, the run report, plans,
//! data dirs, state, the GitHub step summary) for the secrets moto issued.
//!
//! moto's own state dump lists every session it issued, the preflight's included, so the
//! scan knows every secret that exists. A probe in the platform layer writes the credentials
//! terraform was given to a file outside the scanned tree: it proves the secrets were in
//! terraform's hands (so they had every chance to leak) and that each was its account's.

use std::path::{Path, PathBuf};

use orchestrator::report::{read_report, Outcome};

use super::moto::{IssuedSession, MotoServer};
use super::org::{Interleaved, Org, BASE_ACCESS_KEY_ID, BASE_SECRET_ACCESS_KEY};

/// Test probe: appends `<account> TAB <key id> TAB <secret key> TAB <session token> TAB
/// <region>` to `$CREDENTIALS_PROBE_FILE` at apply time.
const PROBE: &str = r#"
resource "terraform_data" "credentials_probe" {
  input = var.account_name

  provisioner "local-exec" {
    command = "printf '%s\\t%s\\t%s\\t%s\\t%s\\n' \"${var.account_name}\" \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\" \"$AWS_REGION\" >> \"$CREDENTIALS_PROBE_FILE\""
  }
}
"#;

const SANDBOX_ACCOUNTS: usize = 12;

struct ScannedDeploy {
    org: Org,
    /// Outside `org`: the probe file and moto's log.
    outside: tempfile::TempDir,
    moto: MotoServer,
}

impl ScannedDeploy {
    fn new() -> Self {
        let org = Org::sandbox_with_roles();
        std::fs::write(org.dir.path().join("layers/platform/probe.tf"), PROBE).unwrap();
        let outside = tempfile::tempdir().unwrap();
        let moto = MotoServer::start(outside.path());
        Self { org, outside, moto }
    }

    fn probe_file(&self) -> PathBuf {
        self.outside.path().join("credentials-probe.tsv")
    }

    fn run(&self, args: &[&str], github_actions: bool) -> Interleaved {
        let mut cli = self
            .org
            .cli()
            .args(args.iter().copied())
            .env("AWS_ENDPOINT_URL_STS", &self.moto.url)
            .env("ORCHESTRATOR_LOG", "trace")
            .env("TF_VAR_deploy_seconds", "0")
            .env(
                "CREDENTIALS_PROBE_FILE",
                self.probe_file().to_str().unwrap(),
            );
        if github_actions {
            let summary = self.org.dir.path().join("step-summary.md");
            cli = cli
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_RUN_ID", "4242")
                .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap());
        }
        cli.run_interleaved()
    }

    /// Every secret in play: each issued session's secret key and token, and the base key.
    fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![BASE_SECRET_ACCESS_KEY.to_string()];
        for session in self.moto.issued_sessions() {
            secrets.push(session.secret_access_key);
            secrets.push(session.session_token);
        }
        secrets
    }

    /// Each account's apply was given its own account's session, in its region.
    fn assert_probe_saw_each_account_role(&self) {
        let sessions = self.moto.issued_sessions();
        let probe = std::fs::read_to_string(self.probe_file()).expect("the probe ran");
        let report = read_report(&self.org.dir.path().join(".orchestrator/report.json")).unwrap();
        assert_eq!(probe.lines().count(), SANDBOX_ACCOUNTS, "{probe}");
        for line in probe.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            let [account, key_id, secret, token, region] = fields[..] else {
                panic!("probe line: {line}");
            };
            assert_ne!(
                key_id, BASE_ACCESS_KEY_ID,
                "{account} had the base credentials"
            );
            let session: &IssuedSession = sessions
                .iter()
                .find(|s| s.access_key_id == key_id)
                .unwrap_or_else(|| panic!("{account} had keys moto never issued: {key_id}"));
            let job = report.jobs.iter().find(|j| j.account == account).unwrap();
            assert_eq!(session.account_id, job.account_id, "{account}");
            assert!(
                session.arn.contains(&format!(
                    ":assumed-role/OrganizationAccountAccessRole/orchestrator-{account}-"
                )),
                "{account}: {}",
                session.arn
            );
            assert_eq!(
                (secret, token),
                (
                    session.secret_access_key.as_str(),
                    session.session_token.as_str()
                )
            );
            assert_eq!(region, job.region, "{account}");
        }
    }
}

/// Files under `dir` (except `skip`) that contain one of `secrets`, with which one (its
/// index: a failing test prints no secret either).
fn files_with_secrets(dir: &Path, secrets: &[String], skip: &[PathBuf]) -> Vec<(PathBuf, usize)> {
    let mut found = Vec::new();
    let mut scanned = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && !skip.contains(&path) {
                scanned += 1;
                let bytes = std::fs::read(&path).unwrap();
                for (index, secret) in secrets.iter().enumerate() {
                    if contains(&bytes, secret.as_bytes()) {
                        found.push((path.clone(), index));
                    }
                }
            }
        }
    }
    assert!(scanned > 0, "nothing to scan in {}", dir.display());
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The files a full deploy leaves, so the scan is known to cover them.
fn assert_run_left(dir: &Path, kinds: &[&str]) {
    for kind in kinds {
        assert!(dir.join(kind).exists(), "no {kind} to scan");
    }
}

#[test]
fn a_full_sandbox_deploy_leaks_no_secret_anywhere() {
    let deploy = ScannedDeploy::new();
    let orchestrator = deploy.org.dir.path().join(".orchestrator");

    let run = deploy.run(&["run"], false);
    run.expect_code(0)
        .expect_output_contains("preflight: 12 of 12 accounts reachable");
    // Trace logging is on: the STS calls are logged.
    run.expect_output_contains("GetCallerIdentity");
    deploy.assert_probe_saw_each_account_role();
    let secrets = deploy.secrets();
    // Twelve accounts, each assumed once (the preflight's sessions are reused).
    assert_eq!(secrets.len(), 1 + 2 * SANDBOX_ACCOUNTS);
    assert_run_left(
        &orchestrator,
        &[
            "report.json",
            "logs/catalog-dev/platform.log",
            "data/catalog-dev/platform/terraform.tfstate",
            "data/catalog-dev/platform/inputs.tfvars.json",
            "state/platform/catalog-dev.tfstate",
        ],
    );
    // Everything the run left: its output (also in output.txt), terraform's logs, the run
    // report, data dirs, terraform's state.
    assert_no_secret_in(&run, &deploy, &secrets);

    // A plan-only run too (its own sessions): its plans are kept as JSON. Each run rewrites
    // the logs, so the scan comes after each.
    let plan = deploy.run(&["run", "--plan-only"], false);
    plan.expect_code(0);
    let report = read_report(&orchestrator.join("report.json")).unwrap();
    assert_eq!(report.outcome, Outcome::Succeeded);
    let secrets = deploy.secrets();
    assert_eq!(secrets.len(), 1 + 2 * 2 * SANDBOX_ACCOUNTS);
    assert_run_left(&orchestrator, &["plans/catalog-dev/platform.json"]);
    assert_no_secret_in(&plan, &deploy, &secrets);
}

fn assert_no_secret_in(run: &Interleaved, deploy: &ScannedDeploy, secrets: &[String]) {
    for secret in secrets {
        assert!(!run.output.contains(secret), "a secret in the output");
    }
    let leaks = files_with_secrets(deploy.org.dir.path(), secrets, &[]);
    assert!(leaks.is_empty(), "secrets in {leaks:#?}");
}

#[test]
fn in_github_actions_every_secret_is_masked_before_it_could_print() {
    let deploy = ScannedDeploy::new();

    let run = deploy.run(&["run"], true);
    run.expect_code(0);
    deploy.assert_probe_saw_each_account_role();

    let secrets = deploy.secrets();
    assert_eq!(secrets.len(), 1 + 2 * SANDBOX_ACCOUNTS);
    let lines: Vec<&str> = run.output.lines().collect();
    // The base secret was never printed; each issued one only in its own mask, announced
    // the moment the session existed.
    run.expect_output_lacks(BASE_SECRET_ACCESS_KEY);
    for secret in &secrets[1..] {
        let mask = format!("::add-mask::{secret}");
        let printed: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.contains(secret.as_str()))
            .collect();
        assert!(!printed.is_empty(), "a secret moto issued was never masked");
        assert!(
            printed.iter().all(|l| *l == mask),
            "a secret printed outside its mask"
        );
    }
    // Each account's masks come before its first terraform starts.
    let report = read_report(&deploy.org.dir.path().join(".orchestrator/report.json")).unwrap();
    for session in deploy.moto.issued_sessions() {
        let job = report
            .jobs
            .iter()
            .find(|j| {
                session
                    .arn
                    .contains(&format!("/orchestrator-{}-", j.account))
            })
            .expect("every session is an account's");
        let started = format!("{}: started", job.account);
        let started_at = lines.iter().position(|l| l.contains(&started));
        for secret in [&session.secret_access_key, &session.session_token] {
            let mask = format!("::add-mask::{secret}");
            let masked_at = lines.iter().position(|l| *l == mask);
            assert!(
                masked_at.is_some() && masked_at < started_at,
                "{} started before its credentials were masked",
                job.account
            );
        }
    }
    // Files are not masked by GitHub: they must hold no secret at all.
    let summary = deploy.org.dir.path().join("step-summary.md");
    assert!(summary.is_file(), "the job summary was written");
    let output = deploy.org.dir.path().join("output.txt");
    let leaks = files_with_secrets(deploy.org.dir.path(), &secrets, &[output]);
    assert!(leaks.is_empty(), "secrets in {leaks:#?}");
}
