//! Account vending with real terraform: `orchestrator vend` runs an organization layer made of
//! terraform_data (tests/fixtures/vending), records the ids it outputs, and `jobs`, `matrix`
//! and `run` give them to the accounts that omit `account_id`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_orchestrator");

const VENDING: &str =
    "  account_vending: { layer: organization, email_domain: example.com, root_id: r-abcd }\n";

/// catalog has its ids; fubar is new and has none.
fn config(vending: &str) -> String {
    format!(
        "version: 1
defaults:
  region: eu-west-1
  credentials: none
  layers: [platform]
  layers_dir: layers
  state: {{ backend: local, path: \"state/{{layer}}/{{account}}.tfstate\" }}
  retries: 0
{vending}waves:
  - {{ name: stage, environments: [dev] }}
  - {{ name: prod, environments: [prod] }}
domains:
  - name: catalog
    team: catalog
    environments:
      dev:  {{ account_id: \"100000000001\" }}
      prod: {{ account_id: \"100000000003\" }}
  - name: fubar
    team: fubar
    environments:
      dev: {{}}
      prod: {{ region: us-east-1 }}
"
    )
}

struct Org {
    dir: tempfile::TempDir,
}

impl Org {
    fn new(vending: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vending/layers");
        for layer in ["organization", "platform"] {
            let to = dir.path().join("layers").join(layer);
            std::fs::create_dir_all(&to).unwrap();
            std::fs::copy(fixture.join(layer).join("main.tf"), to.join("main.tf")).unwrap();
        }
        std::fs::write(dir.path().join("domains.yaml"), config(vending)).unwrap();
        Self { dir }
    }

    /// The orchestrator in the config's directory (so `.orchestrator/` is the work dir),
    /// with base credentials in its environment as a management-account job has them.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("ORCHESTRATOR_WORK_DIR")
            .env("AWS_ACCESS_KEY_ID", "AKIDMANAGEMENTTEST")
            .env("AWS_SECRET_ACCESS_KEY", "management-secret-testing")
            .env(
                "TF_VAR_witness_file",
                self.path("witness").to_str().unwrap(),
            )
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.dir.path().join(relative)
    }

    fn recorded_ids(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.path(".orchestrator/account-ids.json"))
            .expect("vend records the ids");
        serde_json::from_str(&text).unwrap()
    }

    fn jobs(&self) -> BTreeMap<String, String> {
        let (code, stdout, stderr) = self.run(&["jobs", "--format", "json"]);
        assert_eq!(code, 0, "{stderr}");
        let jobs: Vec<Value> = serde_json::from_str(&stdout).unwrap();
        jobs.iter()
            .map(|j| {
                (
                    j["account"].as_str().unwrap().to_string(),
                    j["account_id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

#[test]
fn an_account_without_id_needs_account_vending() {
    let org = Org::new("");
    let (code, _, stderr) = org.run(&["validate"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("missing required field `account_id` in environment `dev`"),
        "{stderr}"
    );

    let org = Org::new(VENDING);
    let (code, stdout, stderr) = org.run(&["validate"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn vend_creates_the_missing_accounts_and_run_deploys_them() {
    let org = Org::new(VENDING);

    // Before vending, `jobs` and `matrix` describe the rest of the organisation and name
    // the accounts waiting for vending; nothing that selects fubar's accounts runs.
    for args in [&["jobs", "--format", "json"][..], &["matrix"][..]] {
        let (code, stdout, stderr) = org.run(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(
            stderr.contains("2 accounts are waiting for vending (no account id yet), left out: fubar-dev, fubar-prod")
                && stderr.contains("orchestrator vend"),
            "{args:?}: {stderr}"
        );
        assert!(
            stdout.contains("catalog-dev") && !stdout.contains("fubar-"),
            "{args:?}: {stdout}"
        );
    }
    for args in [
        &["run", "--domain", "fubar"][..],
        &["deploy", "--accounts", "fubar-dev,fubar-prod"][..],
    ] {
        let (code, _, stderr) = org.run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("fubar-dev, fubar-prod")
                && stderr.contains("run `orchestrator vend` first"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!org.path("state").exists(), "nothing was deployed");
    // catalog alone has its ids: it is not held back by fubar.
    let (code, _, stderr) = org.run(&["jobs", "--domain", "catalog"]);
    assert_eq!(code, 0, "{stderr}");

    // A plan creates nothing and records no id.
    let (code, stdout, stderr) = org.run(&["vend", "--plan-only"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("organization planned (changes) for 4 accounts"),
        "{stdout}"
    );
    assert!(!org.path(".orchestrator/account-ids.json").exists());

    let (code, stdout, stderr) = org.run(&["vend"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("4 account ids recorded"), "{stdout}");
    // One state for the organisation, from the state template.
    assert!(org
        .path("state/organization/organization.tfstate")
        .is_file());
    // The layer ran as the management account: with the process's own credentials.
    assert_eq!(
        std::fs::read_to_string(org.path("witness")).unwrap(),
        "AKIDMANAGEMENTTEST"
    );
    let ids = org.recorded_ids();
    assert_eq!(
        ids.keys().collect::<Vec<_>>(),
        ["catalog-dev", "catalog-prod", "fubar-dev", "fubar-prod"]
    );
    for id in ids.values() {
        assert!(
            id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
    }
    assert_ne!(ids["fubar-dev"], ids["fubar-prod"]);

    // Ids written in domains.yaml win; the others come from vending.
    let jobs = org.jobs();
    assert_eq!(jobs["catalog-dev"], "100000000001");
    assert_eq!(jobs["fubar-dev"], ids["fubar-dev"]);
    assert_eq!(jobs["fubar-prod"], ids["fubar-prod"]);
    let (code, stdout, stderr) = org.run(&["matrix"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("fubar-prod"), "{stdout}");

    // A second vend changes nothing and keeps the same ids.
    let (code, stdout, stderr) = org.run(&["vend"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("applied (no changes)"), "{stdout}");
    assert_eq!(org.recorded_ids(), ids);

    let (code, stdout, stderr) = org.run(&["run", "--domain", "fubar"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    for account in ["fubar-dev", "fubar-prod"] {
        let state = std::fs::read_to_string(org.path(&format!("state/platform/{account}.tfstate")))
            .expect("the account was deployed");
        let state: Value = serde_json::from_str(&state).unwrap();
        assert_eq!(
            state["outputs"]["account_id"]["value"].as_str(),
            Some(ids[account].as_str()),
            "{account} deployed with its vended id"
        );
    }
}

#[test]
fn vend_without_account_vending_is_bad_input() {
    let org = Org::new("");
    std::fs::write(
        org.path("domains.yaml"),
        config("")
            .replace("dev: {}", "dev: { account_id: \"100000000005\" }")
            .replace(
                "prod: { region: us-east-1 }",
                "prod: { account_id: \"100000000006\" }",
            ),
    )
    .unwrap();
    let (code, _, stderr) = org.run(&["vend"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no defaults.account_vending"), "{stderr}");
}

/// Ctrl-C during the vending layer's apply: terraform gets one SIGINT in its own process
/// group (as every layer of a run does), `vend` exits 130, and no process is left.
#[test]
fn ctrl_c_during_vend_stops_terraform_and_leaves_no_process() {
    let org = Org::new(VENDING);
    std::fs::write(
        org.path("layers/organization/main.tf"),
        r#"
terraform {
  backend "local" {}
}
variable "accounts" { type = any }
variable "email_domain" { type = string }
variable "root_id" { type = string }
variable "witness_file" { type = string }
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 120"
  }
}
output "account_ids" { value = {} }
"#,
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .arg("vend")
        .current_dir(org.dir.path())
        .env_remove("ORCHESTRATOR_WORK_DIR")
        .env("TF_VAR_witness_file", org.path("witness").to_str().unwrap())
        .env("CHECKPOINT_DISABLE", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let log = org.path(".orchestrator/logs/organization/organization.log");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Provisioning with 'local-exec'"))
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(90),
            "the apply never started: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted during"), "{stderr}");
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains("interrupted: SIGINT sent"),
        "terraform got its SIGINT"
    );
    // Nothing runs in the org's directory any more (terraform, its provisioner's sleep).
    let root = org.dir.path().to_string_lossy().into_owned();
    let settle = std::time::Instant::now();
    loop {
        let left: Vec<String> = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            })
            .filter(|e| {
                std::fs::read_link(e.path().join("cwd"))
                    .is_ok_and(|cwd| cwd.to_string_lossy().starts_with(&root))
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if left.is_empty() {
            break;
        }
        assert!(
            settle.elapsed() < std::time::Duration::from_secs(3),
            "processes left behind: {left:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
