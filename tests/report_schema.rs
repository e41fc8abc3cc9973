//! The run report's JSON Schema: `run-report.schema.json` is exactly what
//! `orchestrator schema --run-report` prints, it is a valid draft 2020-12 schema, reports of
//! real runs (apply and plan-only) pass it, and `gate` and `report merge` refuse a report
//! that breaks it, naming the field.

use crate::support::sandbox;

use std::path::Path;

use sandbox::Sandbox;
use serde_json::Value;

fn committed() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("run-report.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("committed schema")).unwrap()
}

#[test]
fn the_committed_schema_is_the_commands_output() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(&["schema", "--run-report"]);
    out.expect_code(0);
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("run-report.schema.json"),
    )
    .unwrap();
    assert!(
        out.stdout == committed,
        "run-report.schema.json is stale: run `cargo run -- schema --run-report > run-report.schema.json`"
    );
}

#[test]
fn it_is_a_valid_draft_2020_12_schema() {
    jsonschema::draft202012::meta::validate(&committed()).expect("valid against the meta-schema");
}

#[test]
fn reports_of_real_runs_pass_it() {
    let validator = jsonschema::draft202012::new(&committed()).expect("the schema compiles");
    let sandbox = Sandbox::new();
    for args in [
        &["deploy", "--accounts", "catalog-dev"][..],
        &["deploy", "--accounts", "catalog-dev", "--plan-only"][..],
    ] {
        sandbox.run(args).expect_code(0);
        let text = std::fs::read_to_string(sandbox.path().join(".orchestrator/report.json"))
            .expect("the run report is written");
        let report: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{}: {e}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
    let fixture: Value = serde_json::from_str(include_str!("fixtures/plans/report.json")).unwrap();
    assert!(validator.is_valid(&fixture));
}

#[test]
fn gate_and_merge_refuse_a_report_that_breaks_it() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev"])
        .expect_code(0);
    let path = sandbox.path().join(".orchestrator/report.json");
    let mut report: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    report["jobs"][0]["status"] = "green".into();
    std::fs::write(sandbox.path().join("bad.json"), report.to_string()).unwrap();
    let validator = jsonschema::draft202012::new(&committed()).unwrap();
    assert!(!validator.is_valid(&report), "the schema itself refuses it");

    for args in [
        &["gate", "--wave", "stage", "--report", "bad.json"][..],
        &["report", "merge", "--out", "merged.json", "bad.json"][..],
    ] {
        let out = sandbox.run(args);
        out.expect_code(2)
            .expect_stderr_contains("bad.json: not a valid run report")
            .expect_stderr_contains("/jobs/0/status: \"green\" is not one of");
    }
    assert!(
        !sandbox.path().join("merged.json").exists(),
        "nothing half done"
    );
}
