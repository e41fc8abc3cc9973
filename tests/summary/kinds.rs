//! Kinds of plan terraform 1.11 cannot make here, hand-written as their terraform (or
//! OpenTofu) versions write them: errored and incomplete plans with diagnostics, deferred
//! changes, drift, action invocations (1.14), format 0.x (terraform 0.12 to 1.0), OpenTofu's
//! `["forget","create"]`, an action list nobody knows yet, and format 2.x.

use serde_json::{json, Value};

use super::{count, summary};

fn change(address: &str, actions: &[&str]) -> Value {
    json!({
        "address": address, "mode": "managed", "type": "aws_s3_bucket", "name": "b",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": { "actions": actions, "before": null, "after": {}, "after_unknown": {} }
    })
}

fn write(dir: &std::path::Path, name: &str, plan: &Value) {
    std::fs::write(dir.join(name), serde_json::to_vec_pretty(plan).unwrap()).unwrap();
}

fn summarise(dir: &std::path::Path) -> super::Run {
    summary(&[dir.to_str().unwrap()]).run()
}

#[test]
fn errored_and_incomplete_plans_are_failed_loudly_with_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "catalog-dev.json",
        &json!({
            "format_version": "1.2", "terraform_version": "1.9.0", "errored": true,
            "complete": false, "applyable": false, "planned_values": {},
            "resource_changes": [change("aws_s3_bucket.partial", &["delete"])],
            "diagnostics": [{
                "severity": "error", "summary": "Invalid count argument",
                "detail": "The \"count\" value depends on resource attributes\nthat cannot be determined until apply.",
                "range": { "filename": "main.tf", "start": { "line": 14, "column": 11 } }
            }]
        }),
    );
    write(
        dir.path(),
        "catalog-prod.json",
        &json!({ "format_version": "1.2", "complete": false, "planned_values": {},
                 "resource_changes": [change("aws_s3_bucket.a", &["create"])] }),
    );
    write(
        dir.path(),
        "catalog-stage.json",
        &json!({ "format_version": "1.2", "complete": true, "errored": false,
                 "planned_values": {}, "resource_changes": [] }),
    );
    let out = summarise(dir.path());
    out.expect_code(0);
    out.expect_stdout_contains(":x: **2 plans failed**")
        .expect_stdout_contains("- :x: **catalog-dev** · `plan`: terraform stopped planning on an error (`errored`)")
        .expect_stdout_contains("Error: Invalid count argument: The \"count\" value depends on resource attributes that cannot be determined until apply. (main.tf:14)")
        .expect_stdout_contains("- :x: **catalog-prod** · `plan`: the plan is incomplete (`complete: false`)")
        .expect_stdout_contains("| **catalog-dev** | **errored** **-1** |")
        .expect_stdout_contains("| catalog-prod | **incomplete** +1 |");
    // What an errored plan would destroy is still named.
    out.expect_stdout_contains("destroy `aws_s3_bucket.partial`")
        .expect_stdout_contains("**No changes** in 1 account: catalog-stage");
}

#[test]
fn drift_deferred_changes_and_actions_get_their_own_section() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "payments-dev.json",
        &json!({
            "format_version": "1.2", "terraform_version": "1.14.0", "planned_values": {},
            "complete": false,
            "resource_drift": [change("aws_security_group.web", &["update"]), change("aws_s3_bucket.tmp", &["delete"])],
            "deferred_changes": [{ "reason": "resource_config_unknown",
                                   "resource_change": change("aws_instance.app[\"a\"]", &["create"]) }],
            "action_invocations": [{ "address": "action.aws_lambda_invoke.notify", "type": "aws_lambda_invoke",
                                     "name": "notify", "lifecycle_action_trigger": { "action_trigger_event": "after_create" } }],
            "deferred_action_invocations": [{ "reason": "deferred_prereq",
                                              "action_invocation": { "address": "action.aws_lambda_invoke.audit", "type": "aws_lambda_invoke", "name": "audit" } }],
            "resource_changes": [change("aws_s3_bucket.logs", &["no-op"])]
        }),
    );
    let out = summarise(dir.path());
    out.expect_code(0);
    let c = &out.stdout;
    let section = c
        .split("### Drift, deferred changes and actions")
        .nth(1)
        .unwrap_or_else(|| panic!("{c}"));
    assert!(section.contains("- **payments-dev** · `plan`: changed outside terraform: updated `aws_security_group.web`, deleted `aws_s3_bucket.tmp`; deferred to a later plan: create `aws_instance.app[\"a\"]` (resource\\_config\\_unknown), invoke `action.aws_lambda_invoke.audit` (deferred\\_prereq); actions invoked: `action.aws_lambda_invoke.notify`"), "{section}");
    // Drift is not a change this plan makes.
    out.expect_stdout_contains("**0 to add, 0 to change, 0 to destroy**");
}

#[test]
fn unknown_action_lists_are_other_and_named_never_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "tofu-dev.json",
        &json!({
            "format_version": "1.2", "terraform_version": "1.8.0", "planned_values": {},
            "resource_changes": [
                change("aws_s3_bucket.swapped", &["forget", "create"]),
                change("aws_s3_bucket.archived", &["archive"]),
                change("aws_s3_bucket.odd", &["update", "delete"])
            ]
        }),
    );
    let out = summarise(dir.path());
    out.expect_code(0);
    let c = &out.stdout;
    // OpenTofu's forget-then-create is a create and a forget.
    out.expect_stdout_contains(
        "**1 to add, 0 to change, 0 to destroy** · 1 to forget · 2 other actions",
    )
    .expect_stdout_contains("other `aws_s3_bucket.archived` (actions archive)");
    // An unknown list holding delete is listed with the destroys.
    let destroys = c.split("### Destroys and replacements").nth(1).unwrap();
    assert!(
        destroys.contains("other `aws_s3_bucket.odd` (actions update, delete)"),
        "{c}"
    );
}

#[test]
fn format_0_x_is_read_and_2_x_is_refused_naming_file_and_format() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "legacy-prod.json",
        &json!({
            "format_version": "0.1", "terraform_version": "0.12.31", "planned_values": {},
            "resource_changes": [change("aws_instance.web", &["delete", "create"]), change("aws_eip.ip", &["delete"])]
        }),
    );
    let out = summarise(dir.path());
    out.expect_code(0)
        .expect_stdout_contains("**1 to add, 0 to change, 2 to destroy** · 1 replacement")
        .expect_stdout_contains("  - `plan` replace `aws_instance.web`")
        .expect_stdout_contains("  - `plan` destroy `aws_eip.ip`");

    let future = dir.path().join("future.json");
    write(
        dir.path(),
        "future.json",
        &json!({ "format_version": "2.0", "planned_values": {}, "resource_changes": [] }),
    );
    let out = summarise(dir.path());
    out.expect_code(2).expect_stderr_contains(&format!(
        "{}: plan format_version \"2.0\" is not supported (this build reads formats 0.x and 1.x",
        future.display()
    ));
    out.expect_stdout("");
    assert_eq!(count(&out.stderr, "error: "), 1, "{}", out.stderr);
}
