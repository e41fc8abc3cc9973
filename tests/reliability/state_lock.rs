//! A state lock in an S3 bucket that a run which died left behind: the layer is not retried
//! in vain, and the report, the terminal and (through the report) Slack give the lock's ID,
//! the account, the layer and the exact `terraform force-unlock` command, which works. A lock
//! that may belong to a live run is still retried. Real terraform with its real S3 backend
//! against moto's S3 on 127.0.0.1 (the layer's backend block points it there), real locks:
//! the lock object a dead run leaves, which makes terraform's conditional write fail.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use aws_sdk_s3::primitives::ByteStream;
use orchestrator::report::{read_report, RecoveryKind, Status};

use super::sandbox::layer;
use crate::support::moto::MotoServer;

const BUCKET: &str = "acme-tfstate";
const LOCK_ID: &str = "5b4e2a7c-1f0d-4c9e-9a51-7d3b2c8e6f10";

struct Org {
    dir: tempfile::TempDir,
    /// The one account, named for its test: whether someone works on an (account, layer) is
    /// judged across work dirs on this machine, so the tests of this file, which run at the
    /// same time, must not share one.
    account: String,
    /// Serves the bucket for as long as the test runs.
    moto: MotoServer,
    s3: aws_sdk_s3::Client,
    runtime: tokio::runtime::Runtime,
}

impl Org {
    fn new(domain: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let moto = MotoServer::start(dir.path());
        std::fs::write(
            dir.path().join("domains.yaml"),
            format!(
                "version: 1
defaults:
  region: us-east-1
  credentials: none
  layers: [platform]
  layers_dir: layers
  state: {{ backend: s3, bucket: {BUCKET}, region: us-east-1, key: \"{{layer}}/{{account}}.tfstate\" }}
  timeout: 10m
  retries: 2
waves:
  - {{ name: stage, environments: [dev] }}
domains:
  - name: {domain}
    team: {domain}
    environments:
      dev: {{ account_id: \"111111111111\" }}
"
            ),
        )
        .unwrap();
        let layer = dir.path().join("layers/platform");
        std::fs::create_dir_all(&layer).unwrap();
        std::fs::write(
            layer.join("main.tf"),
            format!(
                r#"terraform {{
  backend "s3" {{
    endpoints                   = {{ s3 = "{url}" }}
    use_path_style              = true
    access_key                  = "test"
    secret_key                  = "test"
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
  }}
}}
variable "account_name" {{ type = string }}
variable "account_id" {{ type = string }}
variable "domain" {{ type = string }}
variable "environment" {{ type = string }}
variable "region" {{ type = string }}
resource "terraform_data" "baseline" {{ input = var.account_name }}
"#,
                url = moto.url
            ),
        )
        .unwrap();
        let credentials = aws_sdk_s3::config::Credentials::new("test", "test", None, None, "test");
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::Config::builder()
                .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
                .http_client(orchestrator::tls::aws_https_client())
                .region(aws_sdk_s3::config::Region::new("us-east-1"))
                .endpoint_url(&moto.url)
                .credentials_provider(credentials)
                .force_path_style(true)
                .build(),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime
            .block_on(s3.create_bucket().bucket(BUCKET).send())
            .unwrap();
        Self {
            dir,
            account: format!("{domain}-dev"),
            moto,
            s3,
            runtime,
        }
    }

    fn lock_key(&self) -> String {
        format!("platform/{}.tfstate.tflock", self.account)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The lock object a run leaves while it holds the state (and after it, if it died).
    fn leave_lock(&self, who: &str, created: &str) {
        let lock = serde_json::json!({
            "ID": LOCK_ID, "Operation": "OperationTypeApply", "Info": "", "Who": who,
            "Version": "1.11.4", "Created": created,
            "Path": format!("{BUCKET}/platform/{}.tfstate", self.account),
        });
        self.runtime
            .block_on(
                self.s3
                    .put_object()
                    .bucket(BUCKET)
                    .key(self.lock_key())
                    .body(ByteStream::from(lock.to_string().into_bytes()))
                    .send(),
            )
            .unwrap();
    }

    fn lock_exists(&self) -> bool {
        self.runtime
            .block_on(
                self.s3
                    .head_object()
                    .bucket(BUCKET)
                    .key(self.lock_key())
                    .send(),
            )
            .is_ok()
    }

    fn deploy(&self) -> Output {
        // The one environment policy: nothing of the host's AWS_* or ORCHESTRATOR_* reaches it.
        crate::support::cli::orchestrator()
            .current_dir(self.path())
            .args(["--config", "domains.yaml", "deploy", "--accounts"])
            .arg(&self.account)
            .args(["--retry-delay", "1s"])
            // This test's S3 (terraform's backend block says so too): another test's bucket
            // of the same name is another state.
            .env("AWS_ENDPOINT_URL_S3", &self.moto.url)
            .env("CI", "true")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .output()
    }

    fn report(&self) -> orchestrator::report::RunReport {
        read_report(&self.path().join(".orchestrator/report.json")).unwrap()
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn rfc3339(time: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

#[test]
fn a_lock_a_dead_run_left_in_s3_is_reported_with_the_force_unlock_that_clears_it() {
    let org = Org::new("lockdead");
    // Another machine's lock, taken long before this layer's timeout: its run is gone.
    org.leave_lock("runner@fv-az123-456", "2026-01-01T00:00:00Z");
    let failed = org.deploy();
    let err = stderr(&failed);
    assert_eq!(failed.status.code(), Some(1), "{err}");
    let report = org.report();
    let platform = layer(&report, &org.account, "platform");
    assert_eq!(platform.status, Status::Failed);
    assert_eq!(
        platform.attempts.len(),
        1,
        "no retry in vain: {platform:#?}"
    );
    assert_eq!(
        platform.reason.as_deref(),
        Some("state lock left by a run that died")
    );
    let recovery = platform.recovery.as_ref().expect("a recovery");
    assert_eq!(recovery.kind, RecoveryKind::StateLock);
    assert_eq!(recovery.lock_id.as_deref(), Some(LOCK_ID));
    assert!(
        recovery
            .command
            .ends_with(&format!("terraform force-unlock {LOCK_ID}")),
        "{}",
        recovery.command
    );
    // The failure leads with the account, the layer, the lock and who left it, then the command.
    assert!(
        platform.error[0].starts_with(&format!("{} platform: state lock {LOCK_ID}", org.account)),
        "{:?}",
        platform.error
    );
    assert!(platform.error[0].contains("runner@fv-az123-456"));
    assert!(platform.error.contains(&recovery.command));
    assert!(err.contains(&recovery.command), "{err}");
    assert!(
        err.contains(&format!(
            "{} platform: state lock {LOCK_ID} was left by a run that died",
            org.account
        )),
        "{err}"
    );

    // The printed command, confirmed as terraform asks, releases it; the next run converges.
    let mut unlock = Command::new("sh")
        .args(["-c", &recovery.command])
        .env_remove("TF_PLUGIN_CACHE_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    unlock.stdin.take().unwrap().write_all(b"yes\n").unwrap();
    let unlocked = unlock.wait_with_output().unwrap();
    assert!(unlocked.status.success(), "{}", stderr(&unlocked));
    assert!(!org.lock_exists());
    let again = org.deploy();
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        layer(&org.report(), &org.account, "platform").status,
        Status::Succeeded
    );
}

#[test]
fn a_fresh_lock_of_this_machine_with_nothing_running_is_left_by_a_dead_run() {
    let org = Org::new("lockfresh");
    // Taken seconds ago by this user on this machine (a run that was killed), and no process
    // works in the layer's directory any more.
    let now = rfc3339(std::time::SystemTime::now());
    org.leave_lock(&orchestrator::terraform::this_machine(), &now);
    let failed = org.deploy();
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let report = org.report();
    let platform = layer(&report, &org.account, "platform");
    assert_eq!(platform.attempts.len(), 1, "{platform:#?}");
    assert_eq!(
        platform.recovery.as_ref().unwrap().lock_id.as_deref(),
        Some(LOCK_ID)
    );
}

#[test]
fn a_fresh_lock_of_another_machine_may_be_a_live_run_and_is_retried() {
    let org = Org::new("lockremote");
    let now = rfc3339(std::time::SystemTime::now());
    org.leave_lock("runner@fv-az999-000", &now);
    let failed = org.deploy();
    let err = stderr(&failed);
    assert_eq!(failed.status.code(), Some(1), "{err}");
    let report = org.report();
    let platform = layer(&report, &org.account, "platform");
    // The first attempt and two retries, then the lock and its command for the operator.
    assert_eq!(platform.attempts.len(), 3, "{platform:#?}");
    let recovery = platform.recovery.as_ref().expect("a recovery");
    assert!(recovery
        .command
        .ends_with(&format!("terraform force-unlock {LOCK_ID}")));
    assert!(
        err.contains(&format!(
            "{} platform: state lock {LOCK_ID} is still held by runner@fv-az999-000",
            org.account
        )),
        "{err}"
    );
    assert!(err.contains("if no run is using it, release it"), "{err}");
    assert!(
        org.lock_exists(),
        "never released behind the operator's back"
    );
}
