//! Which failures are retried, with real terraform on a copy of `examples/sandbox` (which
//! allows 2 retries): a full disk and an error that merely quotes throttling-like words fail
//! at once with terraform's own message. The classification of AWS's structured errors is
//! tested on the AWS provider's real texts in `orchestrator/terraform/transient.rs`.

use crate::support::sandbox::{layer, Sandbox};

use orchestrator::report::Status;

/// The disk fills up while terraform writes its state lock (`/dev/full` answers every write
/// with ENOSPC): the layer fails on its first attempt, and the user is told the disk is full,
/// not that a lock is held.
#[test]
fn a_full_disk_under_the_state_lock_fails_at_once_and_says_so() {
    let sandbox = Sandbox::new();
    let state = sandbox.state("platform", "catalog-dev");
    std::fs::create_dir_all(state.parent().unwrap()).unwrap();
    let lock_info = state.with_file_name(".catalog-dev.tfstate.lock.info");
    std::os::unix::fs::symlink("/dev/full", &lock_info).unwrap();

    let run = sandbox.run(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--layers",
        "platform",
    ]);
    run.expect_code(1);
    run.expect_stderr_contains("platform: failed in");
    run.expect_stderr_contains("terraform plan failed: disk full (no space left on device)");
    assert!(
        run.stdout.contains(
            "catalog-dev (platform: terraform plan failed: disk full (no space left on device))"
        ),
        "{}",
        run.stdout
    );
    run.expect_stderr_lacks("state lock held");
    run.expect_stderr_lacks("retry");

    let platform = layer(&sandbox.report(), "catalog-dev", "platform").clone();
    assert_eq!(platform.status, Status::Failed);
    assert_eq!(platform.attempts.len(), 1, "a full disk was retried");
    assert_eq!(
        platform.reason.as_deref(),
        Some("terraform plan failed: disk full (no space left on device)")
    );
    assert!(
        platform
            .error
            .iter()
            .any(|l| l.contains("no space left on device")),
        "{:?}",
        platform.error
    );
}

/// terraform's own error quotes `api-throttling-alarm`, `status code 500`, `unexpected EOF`,
/// `connection refused` and AWS's codes in their `Code: message` form (a precondition's message
/// starting `Throttling: `, a runbook's `InternalError: `): none of them is AWS saying "slow down", so the layer is not retried
/// and the report carries terraform's message.
#[test]
fn look_alike_words_in_a_real_error_fail_at_once() {
    let sandbox = Sandbox::new();
    sandbox
        .add_layer(
            "alarms",
            r#"
variable "account_name" { type = string }
resource "terraform_data" "alarm" {
  input = "api-throttling-alarm"
  lifecycle {
    precondition {
      condition     = var.account_name == "nobody"
      error_message = "Throttling: disabled for this account, InternalError: see runbook. api-throttling-alarm of ${var.account_name}: expected status code 500 to be one of [200], unexpected EOF in the policy, dial tcp 127.0.0.1:1: connect: connection refused"
    }
  }
}
"#,
        )
        .edit_config(
            "layers: [platform, static, dynamic]",
            "layers: [platform, static, dynamic, alarms]",
        );
    let run = sandbox.run(&["deploy", "--accounts", "catalog-dev", "--layers", "alarms"]);
    run.expect_code(1);
    run.expect_stderr_contains("api-throttling-alarm of catalog-dev: expected status code 500");

    let alarms = layer(&sandbox.report(), "catalog-dev", "alarms").clone();
    assert_eq!(alarms.status, Status::Failed);
    assert_eq!(alarms.attempts.len(), 1, "a real error was retried");
    assert_eq!(alarms.reason.as_deref(), Some("terraform plan failed"));
    assert!(
        alarms
            .error
            .iter()
            .any(|l| l.contains("connection refused")),
        "{:?}",
        alarms.error
    );
}

/// A provisioner's command that prints AWS's own throttling text and fails: its words are the
/// user's program speaking, and the failed provisioner tainted its resource, so the layer is
/// not retried.
#[test]
fn a_provisioners_output_does_not_make_its_failure_transient() {
    let sandbox = Sandbox::new();
    sandbox
        .add_layer(
            "hooks",
            r#"
resource "terraform_data" "hook" {
  provisioner "local-exec" {
    command = "echo 'operation error IAM: CreateRole, https response error StatusCode: 400, RequestID: 1, api error Throttling: Rate exceeded'; exit 1"
  }
}
"#,
        )
        .edit_config(
            "layers: [platform, static, dynamic]",
            "layers: [platform, static, dynamic, hooks]",
        );
    let run = sandbox.run(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--layers",
        "hooks",
        "--retry-delay",
        "1ms",
    ]);
    run.expect_code(1);
    let hooks = layer(&sandbox.report(), "catalog-dev", "hooks").clone();
    assert_eq!(hooks.status, Status::Failed);
    assert_eq!(
        hooks.attempts.len(),
        1,
        "a provisioner's failure was retried"
    );
    assert!(
        hooks
            .error
            .iter()
            .any(|l| l.contains("local-exec provisioner error")),
        "{:?}",
        hooks.error
    );
}
