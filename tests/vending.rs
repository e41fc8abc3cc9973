//! Account vending with real terraform: `orchestrator vend` runs an organization layer made of
//! terraform_data (tests/fixtures/vending), records the ids it outputs, and `jobs`, `matrix`
//! and `run` give them to the accounts that omit `account_id`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::cli::orchestrator;
use crate::support::receiver::{Receiver, Reply};

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
        self.run_with(args, &[])
    }

    /// `run` with more variables in the orchestrator's environment.
    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        let out = orchestrator()
            .args(args)
            .envs(env.iter().copied())
            .current_dir(self.dir.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDMANAGEMENTTEST")
            .env("AWS_SECRET_ACCESS_KEY", "management-secret-testing")
            .env(
                "TF_VAR_witness_file",
                self.path("witness").to_str().unwrap(),
            )
            .env("CHECKPOINT_DISABLE", "1")
            .run();
        (out.code.unwrap_or(-1), out.stdout, out.stderr)
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.dir.path().join(relative)
    }

    fn recorded_ids(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.path(".orchestrator/account-ids.json"))
            .expect("vend records the ids");
        serde_json::from_str(&text).unwrap()
    }

    /// The latest run report in the work dir, once it passes run-report.schema.json; the run's
    /// own report under `runs/<run id>/` says the same.
    fn report(&self) -> Value {
        let text = std::fs::read_to_string(self.path(".orchestrator/report.json"))
            .expect("vend writes a run report");
        let report: Value = serde_json::from_str(&text).unwrap();
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("run-report.schema.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{}: {e}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{text}");
        let own = self.path(&format!(
            ".orchestrator/runs/{}/report.json",
            report["run_id"].as_str().unwrap()
        ));
        let own: Value = serde_json::from_str(&std::fs::read_to_string(own).unwrap()).unwrap();
        assert_eq!(own["outcome"], report["outcome"]);
        assert_eq!(own["jobs"][0]["status"], report["jobs"][0]["status"]);
        report
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

    // A plan creates nothing and records no id; it says what it would do to each account:
    // catalog's accounts exist (ids in domains.yaml) and are imported, fubar's are created.
    let (code, stdout, stderr) = org.run(&["vend", "--plan-only"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        account_lines(&stdout),
        [
            "catalog-dev   imported (account id 100000000001)",
            "catalog-prod  imported (account id 100000000003)",
            "fubar-dev     created: terraform_data.account[\"fubar-dev\"] (create)",
            "fubar-prod    created: terraform_data.account[\"fubar-prod\"] (create)",
        ],
        "{stdout}"
    );
    assert!(
        stdout.contains("2 created, 2 imported, 0 left alone"),
        "{stdout}"
    );
    assert!(stdout.contains("nothing applied"), "{stdout}");
    assert!(!org.path(".orchestrator/account-ids.json").exists());
    assert!(!org.path("state/organization/organization.tfstate").exists());

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

    // The imported accounts keep the ids they have.
    assert_eq!(ids["catalog-dev"], "100000000001");
    assert_eq!(ids["catalog-prod"], "100000000003");

    // A second vend changes nothing and keeps the same ids.
    let (code, stdout, stderr) = org.run(&["vend"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("applied (no changes)"), "{stdout}");
    assert!(stdout.lines().any(|l| l == "4 left alone"), "{stdout}");
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

/// The account lines of `vend`'s plan (indented by two spaces), trimmed.
fn account_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.starts_with("  ") && !l.trim_start().starts_with("not an account"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// An existing organisation: every account has its id in domains.yaml. The plan imports them
/// all and creates none; after `vend` the state manages them with their own ids.
#[test]
fn vend_on_an_existing_organisation_plans_imports_only() {
    let org = Org::new(VENDING);
    let text = config(VENDING)
        .replace("dev: {}", "dev: { account_id: \"100000000005\" }")
        .replace(
            "prod: { region: us-east-1 }",
            "prod: { account_id: \"100000000006\" }",
        );
    std::fs::write(org.path("domains.yaml"), text).unwrap();

    let (code, stdout, stderr) = org.run(&["vend", "--plan-only"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        account_lines(&stdout),
        [
            "catalog-dev   imported (account id 100000000001)",
            "catalog-prod  imported (account id 100000000003)",
            "fubar-dev     imported (account id 100000000005)",
            "fubar-prod    imported (account id 100000000006)",
        ],
        "{stdout}"
    );
    assert!(stdout.contains("4 imported, 0 left alone"), "{stdout}");
    assert!(!stdout.contains("created"), "{stdout}");

    let (code, stdout, stderr) = org.run(&["vend"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(org.path("state/organization/organization.tfstate")).unwrap(),
    )
    .unwrap();
    let mut managed: Vec<(String, String)> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "terraform_data" && r["name"] == "account")
        .flat_map(|r| r["instances"].as_array().unwrap().iter())
        .map(|i| {
            (
                i["index_key"].as_str().unwrap().to_string(),
                i["attributes"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    managed.sort();
    assert_eq!(
        managed,
        [
            ("catalog-dev".into(), "100000000001".into()),
            ("catalog-prod".into(), "100000000003".into()),
            ("fubar-dev".into(), "100000000005".into()),
            ("fubar-prod".into(), "100000000006".into()),
        ]
    );

    // Once imported they are left alone.
    let (code, stdout, stderr) = org.run(&["vend", "--plan-only"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        account_lines(&stdout)
            .iter()
            .all(|l| l.ends_with("left alone")),
        "{stdout}"
    );
}

/// A vending layer without the `import` block would create a second account for each one
/// that exists: `vend` names them and stops before applying anything, plan-only included.
#[test]
fn vend_refuses_a_plan_that_creates_an_account_which_has_an_id() {
    let org = Org::new(VENDING);
    let main_tf = org.path("layers/organization/main.tf");
    let text = std::fs::read_to_string(&main_tf).unwrap();
    let start = text.find("import {").unwrap();
    let end = start + text[start..].find("}\n").unwrap() + 2;
    std::fs::write(&main_tf, format!("{}{}", &text[..start], &text[end..])).unwrap();

    for args in [&["vend", "--plan-only"][..], &["vend"][..]] {
        let (code, stdout, stderr) = org.run(args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("catalog-dev (account_id 100000000001), catalog-prod (account_id 100000000003) already exist")
                && stderr.contains("nothing was applied")
                && stderr.contains("existing_account_ids"),
            "{args:?}: {stderr}"
        );
        assert!(
            stdout.contains("catalog-dev   created"),
            "{args:?}: {stdout}"
        );
    }
    assert!(!org.path("state/organization/organization.tfstate").exists());
    assert!(!org.path(".orchestrator/account-ids.json").exists());
    let report = org.report();
    assert_eq!(report["outcome"], "failed");
    let error = report["jobs"][0]["layers"][0]["error"].to_string();
    assert!(
        error.contains("catalog-dev (account_id 100000000001)")
            && error.contains("nothing was applied"),
        "{error}"
    );
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
    let mut child = orchestrator()
        .arg("vend")
        .current_dir(org.dir.path())
        .env("TF_VAR_witness_file", org.path("witness").to_str().unwrap())
        .env("CHECKPOINT_DISABLE", "1")
        .command()
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
    // A second vend from another work dir would apply the same organization state: refused,
    // naming the first (its work dir lock is not this one's, its state claim is).
    let elsewhere = org.path("elsewhere");
    let (code, _, second) = org.run_with(
        &["vend"],
        &[("ORCHESTRATOR_WORK_DIR", elsewhere.to_str().unwrap())],
    );
    assert_eq!(code, 2, "{second}");
    assert!(
        second.contains(&format!("PID {}", child.id())) && second.contains("organization.tfstate"),
        "{second}"
    );
    assert!(!elsewhere.join("logs").exists(), "nothing ran");
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
    // The run report says the vend was cancelled during its apply.
    let report = org.report();
    assert_eq!(report["outcome"], "cancelled");
    let layer = &report["jobs"][0]["layers"][0];
    assert_eq!(layer["status"], "cancelled");
    assert_eq!(layer["attempts"][0]["outcome"], "cancelled");
    assert_eq!(layer["error"][0], "interrupted during terraform apply");
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

/// `vend` ends with a run report like every run: what it did (`action: vend`, the
/// organisation's job with the vending layer, the plan's counts, its log) and how it ended,
/// plan-only and applied alike; the GitHub job summary says it in the same words.
#[test]
fn vend_writes_a_run_report_of_what_it_did() {
    let org = Org::new(VENDING);
    let (code, stdout, stderr) = org.run(&["vend", "--plan-only"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("Report: .orchestrator/runs/"), "{stdout}");
    let report = org.report();
    assert_eq!(report["action"], "vend");
    assert_eq!(report["mode"], "plan");
    // Accounts to create are what a vending plan is for, and what the report calls changes.
    assert_eq!(report["outcome"], "drifted");
    assert_eq!(report["jobs"].as_array().unwrap().len(), 1);
    let job = &report["jobs"][0];
    assert_eq!(job["account"], "organization");
    assert_eq!(job["status"], "changes");
    let layer = &job["layers"][0];
    assert_eq!(layer["layer"], "organization");
    assert_eq!(layer["status"], "changes");
    // The counts are terraform's own, as its plan line in the layer's log says.
    let log = std::fs::read_to_string(
        org.path(".orchestrator")
            .join(layer["log"].as_str().unwrap()),
    )
    .unwrap();
    let counts = &layer["changes"];
    let line = format!(
        "{} to add, {} to change, {} to destroy.",
        counts["add"], counts["change"], counts["destroy"]
    );
    assert!(log.contains(&line), "{line}\n{log}");
    assert!(counts["add"].as_u64() >= Some(2), "{layer}");
    assert_eq!(layer["attempts"][0]["outcome"], "succeeded");

    let summary = org.path("step-summary.md");
    let (code, stdout, stderr) = org.run_with(
        &["vend"],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report = org.report();
    assert_eq!(
        (&report["mode"], &report["outcome"]),
        (&"apply".into(), &"succeeded".into())
    );
    let layer = &report["jobs"][0]["layers"][0];
    assert_eq!(layer["status"], "succeeded");
    // The log is recorded relative to the report, and is terraform's.
    let log = org
        .path(".orchestrator")
        .join(layer["log"].as_str().unwrap());
    assert!(
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Apply complete")),
        "{}",
        log.display()
    );
    let summary = std::fs::read_to_string(summary).unwrap();
    assert!(summary.contains("Account vending succeeded"), "{summary}");

    // A vend with nothing to do is still a run with a report.
    let (code, _, stderr) = org.run(&["vend", "--plan-only"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(org.report()["outcome"], "succeeded");
    assert_eq!(org.report()["jobs"][0]["status"], "no-changes");

    // `--report FILE`: a copy more, named first, as `run` does.
    let (code, stdout, stderr) = org.run(&["vend", "--plan-only", "--report", "out/vend.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Report: out/vend.json (also kept as .orchestrator/runs/"),
        "{stdout}"
    );
    let copy: Value =
        serde_json::from_str(&std::fs::read_to_string(org.path("out/vend.json")).unwrap()).unwrap();
    assert_eq!(copy["action"], "vend");
    assert_eq!(copy["run_id"], org.report()["run_id"]);
}

/// A vend that fails says so in its report, with terraform's error, and Slack tells the
/// platform team what failed and to run `vend` again, never to redeploy an account.
#[test]
fn a_failed_vend_is_reported_and_slack_says_to_vend_again() {
    let org = Org::new(VENDING);
    let main_tf = org.path("layers/organization/main.tf");
    let text = std::fs::read_to_string(&main_tf).unwrap();
    std::fs::write(
        &main_tf,
        format!(
            "{text}\nresource \"terraform_data\" \"broken\" {{\n  input = file(\"/nonexistent/org-policy.json\")\n}}\n"
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = org.run(&["vend"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("terraform plan"), "{stderr}");
    let report = org.report();
    assert_eq!(report["outcome"], "failed");
    let layer = &report["jobs"][0]["layers"][0];
    assert_eq!(layer["status"], "failed");
    assert_eq!(layer["reason"], "terraform plan failed");
    let error = layer["error"].to_string();
    assert!(error.contains("org-policy.json"), "{error}");
    assert!(!org.path(".orchestrator/account-ids.json").exists());

    let slack = Receiver::start();
    slack.otherwise(Reply::ok());
    let url = slack.url("/hooks/platform");
    let (code, stdout, stderr) = org.run_with(
        &["notify", "slack", "--report", ".orchestrator/report.json"],
        &[("SLACK_WEBHOOK_URL", url.as_str())],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let sent = slack.requests_to("/hooks/platform");
    assert_eq!(sent.len(), 1);
    let message = sent[0].json().to_string();
    assert!(message.contains("Account vending failed"), "{message}");
    assert!(message.contains("org-policy.json"), "{message}");
    assert!(message.contains("orchestrator vend"), "{message}");
    assert!(!message.contains("deploy --accounts"), "{message}");
    assert!(!message.contains("--resume"), "{message}");

    // The latest report is vend's: a resume of it is refused, pointing to `vend`.
    let (code, _, stderr) = org.run(&["run", "--resume", ".orchestrator/report.json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "the report of `orchestrator vend`, not of a roll-out; run `orchestrator vend` again"
        ),
        "{stderr}"
    );
}
