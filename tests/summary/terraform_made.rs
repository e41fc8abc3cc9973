//! Plans made by real terraform (1.11, `terraform_data`, local state) while the tests run:
//! one configuration change that produces create, update, delete, both replacement orders,
//! no-op, read, move (`moved`), import (`import`) and forget (`removed`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use orchestrator::summary::{read_plan, Counts};

use super::summary;

const BASE: &str = r#"
resource "terraform_data" "update_me" { input = "v1" }
resource "terraform_data" "delete_me" { input = "x" }
resource "terraform_data" "replace_dc" { triggers_replace = "v1" }
resource "terraform_data" "replace_cd" {
  triggers_replace = "v1"
  lifecycle { create_before_destroy = true }
}
resource "terraform_data" "same" { input = "same" }
resource "terraform_data" "old_name" { input = "moved" }
resource "terraform_data" "forget_me" { input = "forget" }
"#;

const NEXT: &str = r#"
resource "terraform_data" "create_me" { input = "new" }
resource "terraform_data" "update_me" { input = "v2" }
resource "terraform_data" "replace_dc" { triggers_replace = "v2" }
resource "terraform_data" "replace_cd" {
  triggers_replace = "v2"
  lifecycle { create_before_destroy = true }
}
resource "terraform_data" "same" { input = "same" }
moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}
resource "terraform_data" "new_name" { input = "moved" }
removed {
  from = terraform_data.forget_me
  lifecycle { destroy = false }
}
import {
  to = terraform_data.imported
  id = "imported-id"
}
resource "terraform_data" "imported" {}
data "terraform_remote_state" "read" {
  backend = "local"
  config  = { path = terraform_data.create_me.output }
}
"#;

pub struct Made {
    _dir: tempfile::TempDir,
    /// `terraform show -json` of the plan.
    pub json: PathBuf,
    /// terraform's own `Plan: ...` line for it.
    pub plan_line: String,
    /// A plan with no changes.
    pub unchanged: PathBuf,
}

fn terraform(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("terraform on PATH");
    assert!(
        out.status.success(),
        "terraform {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Made once per test run: apply BASE, plan NEXT.
pub fn made() -> &'static Made {
    static MADE: OnceLock<Made> = OnceLock::new();
    MADE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(work.join("main.tf"), BASE).unwrap();
        terraform(&work, &["init", "-input=false", "-no-color"]);
        terraform(
            &work,
            &["apply", "-auto-approve", "-input=false", "-no-color"],
        );
        terraform(
            &work,
            &["plan", "-input=false", "-no-color", "-out=unchanged"],
        );
        let unchanged = dir.path().join("unchanged.json");
        std::fs::write(
            &unchanged,
            terraform(&work, &["show", "-json", "unchanged"]),
        )
        .unwrap();
        std::fs::write(work.join("main.tf"), NEXT).unwrap();
        terraform(&work, &["plan", "-input=false", "-no-color", "-out=tfplan"]);
        let json = dir.path().join("plan.json");
        std::fs::write(&json, terraform(&work, &["show", "-json", "tfplan"])).unwrap();
        let text = terraform(&work, &["show", "-no-color", "tfplan"]);
        let plan_line = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Plan: "))
            .expect("a Plan: line")
            .to_string();
        Made {
            _dir: dir,
            json,
            plan_line,
            unchanged,
        }
    })
}

const DESTROYED: [&str; 3] = [
    "destroy `terraform_data.delete_me` (no longer in the configuration)",
    "replace `terraform_data.replace_cd`",
    "replace `terraform_data.replace_dc`",
];

#[test]
fn every_kind_terraform_1_11_makes_is_counted_exactly() {
    let made = made();
    // The plan holds every kind: the counts below are not vacuous.
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&made.json).unwrap()).unwrap();
    let changes = raw["resource_changes"].as_array().unwrap();
    let lists: std::collections::BTreeSet<String> = changes
        .iter()
        .map(|c| c["change"]["actions"].to_string())
        .collect();
    for list in [
        r#"["create"]"#,
        r#"["update"]"#,
        r#"["delete"]"#,
        r#"["delete","create"]"#,
        r#"["create","delete"]"#,
        r#"["no-op"]"#,
        r#"["read"]"#,
        r#"["forget"]"#,
    ] {
        assert!(lists.contains(list), "{list} is not in {lists:?}");
    }
    assert!(changes.iter().any(|c| c["previous_address"].is_string()));
    assert!(changes.iter().any(|c| c["change"]["importing"].is_object()));
    let plan = read_plan(&made.json).unwrap();
    assert_eq!(
        plan.counts,
        Counts {
            add: 1,
            change: 1,
            destroy: 1,
            replace: 2,
            forget: 1,
            moved: 1,
            imported: 1,
            outputs: 0,
            other: 0,
        }
    );
    // The one counting Slack, the run report and the comment share is terraform's own.
    let line = plan.counts.terraform_line();
    assert!(
        made.plan_line.starts_with(&format!(
            "{} to import, {} to add, {} to change, {} to destroy",
            plan.counts.imported, line.add, line.change, line.destroy
        )),
        "{}",
        made.plan_line
    );
    assert_eq!(
        read_plan(&made.unchanged).unwrap().counts,
        Counts::default()
    );
}

#[test]
fn real_plans_in_the_runner_layout_name_every_destroy_with_account_and_layer() {
    let made = made();
    let dir = tempfile::tempdir().unwrap();
    for account in ["shop-dev", "shop-prod"] {
        std::fs::create_dir_all(dir.path().join(account)).unwrap();
        std::fs::copy(&made.json, dir.path().join(account).join("static.json")).unwrap();
        std::fs::copy(
            &made.unchanged,
            dir.path().join(account).join("platform.json"),
        )
        .unwrap();
    }
    let out = summary(&[dir.path().to_str().unwrap()]).run();
    out.expect_code(0);
    let c = &out.stdout;
    out.expect_stdout_contains("## Terraform plan: 2 accounts, 2 with changes")
        .expect_stdout_contains("**6 to add, 2 to change, 6 to destroy** · 4 replacements · 2 to forget · 2 moved · 2 imported");
    // Identical destroys in both accounts: one entry naming both, every address with its layer.
    let destroys = c.split("### Destroys and replacements").nth(1).unwrap();
    let entry = destroys
        .split(
            "- **shop-dev**, **shop-prod** (identical in 2 accounts): 1 to destroy, 2 to replace\n",
        )
        .nth(1)
        .unwrap_or_else(|| panic!("{destroys}"));
    for destroyed in DESTROYED {
        assert!(
            entry.contains(&format!("  - `static` {destroyed}")),
            "{destroyed}: {c}"
        );
    }
    out.expect_stdout_contains("| account | platform | static |")
        .expect_stdout_contains("identical in 2 accounts")
        .expect_stdout_contains(
            "- forget `terraform_data.forget_me` (the object stays; terraform stops managing it)",
        )
        .expect_stdout_contains("- move `terraform_data.old_name` to `terraform_data.new_name`")
        .expect_stdout_contains("- import `terraform_data.imported` (id `imported-id`)")
        .expect_stdout_lacks("terraform_remote_state");
}

#[test]
fn real_plans_in_a_flat_directory_are_one_row_each() {
    let made = made();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&made.json, dir.path().join("plan-network.json")).unwrap();
    std::fs::copy(&made.unchanged, dir.path().join("plan-dns.json")).unwrap();
    let out = summary(&[dir.path().to_str().unwrap()]).run();
    out.expect_code(0);
    out.expect_stdout_contains("## Terraform plan: 2 accounts, 1 with changes")
        .expect_stdout_contains("| account | plan |\n| --- | --- |\n")
        .expect_stdout_contains(
            "| **plan-network** | +1 ~1 **-1** **±2** forget 1 moved 1 import 1 |",
        )
        .expect_stdout_contains("| plan-dns | no changes |");
    for destroyed in DESTROYED {
        out.expect_stdout_contains(&format!("  - `plan` {destroyed}"));
    }
}

/// Sensitive values (a variable, the attributes it flows into, a sensitive output) change in
/// a real plan; the plan file holds them, but nothing the summary writes does: the comment,
/// the full version, the job summary, the destroy list, stderr.
#[test]
fn sensitive_values_in_real_plans_never_reach_anything_written() {
    const OLD: &str = "old-Pa55word-7f3k";
    const NEW: &str = "new-Pa55word-q9x2";
    let config = r#"
variable "db_password" {
  type      = string
  sensitive = true
}
resource "terraform_data" "db" { input = var.db_password }
resource "terraform_data" "rotate" { triggers_replace = var.db_password }
resource "terraform_data" "obsolete" {
  count = var.db_password == "old-Pa55word-7f3k" ? 1 : 0
  input = var.db_password
}
output "password" {
  value     = var.db_password
  sensitive = true
}
"#;
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("main.tf"), config).unwrap();
    let var = |value: &str| format!("-var=db_password={value}");
    terraform(&work, &["init", "-input=false", "-no-color"]);
    terraform(
        &work,
        &[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            &var(OLD),
        ],
    );
    terraform(
        &work,
        &[
            "plan",
            "-input=false",
            "-no-color",
            "-out=tfplan",
            &var(NEW),
        ],
    );
    let plan = terraform(&work, &["show", "-json", "tfplan"]);
    assert!(
        plan.contains(NEW) && plan.contains(OLD),
        "the plan file itself holds the values"
    );
    let plans = dir.path().join("plans");
    std::fs::create_dir_all(plans.join("vault-prod")).unwrap();
    std::fs::write(plans.join("vault-prod/static.json"), &plan).unwrap();

    let full = dir.path().join("full.md");
    let destroys = dir.path().join("destroys.json");
    let step_summary = dir.path().join("step-summary.md");
    let out = summary(&[
        plans.to_str().unwrap(),
        "--full",
        full.to_str().unwrap(),
        "--destroy-list",
        destroys.to_str().unwrap(),
    ])
    .env("GITHUB_STEP_SUMMARY", &step_summary)
    .run();
    out.expect_code(0);
    // What changed is still named.
    out.expect_stdout_contains("update `terraform_data.db`")
        .expect_stdout_contains("replace `terraform_data.rotate`")
        .expect_stdout_contains("destroy `terraform_data.obsolete[0]`")
        .expect_stdout_contains("output `password` (update)");
    // The values are secrets: nothing printed or written holds one.
    for secret in [OLD, NEW, "Pa55word"] {
        out.expect_never_prints(secret)
            .expect_file_lacks(&full, secret)
            .expect_file_lacks(&destroys, secret)
            .expect_file_lacks(&step_summary, secret);
    }
}
