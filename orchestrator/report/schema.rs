//! The JSON Schema (draft 2020-12) of the run report, published as
//! `run-report.schema.json` (`orchestrator schema --run-report` prints it), and the check
//! `read_report` makes with it, so `report merge`, `gate` and `notify` say which field of
//! which job is wrong instead of a serde position.
//!
//! The enums come from the vocabulary's own lists (`Status::ALL`, ...), so the schema cannot
//! spell a status differently from the code. Unknown fields are allowed: the report's
//! shape grows by adding fields, and an older reader must take a newer report.

use serde_json::{json, Map, Value};

use crate::events::{
    AttemptOutcome, HealthOutcome, Mode, Outcome, RecoveryKind, RunAction, Status, WaveStatus,
};

fn words<T: Copy>(all: &[T], word: fn(T) -> &'static str) -> Value {
    Value::Array(all.iter().map(|v| Value::from(word(*v))).collect())
}

fn object(required: &[&str], properties: &[(&str, Value)]) -> Value {
    let properties: Map<String, Value> = properties
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    json!({ "type": "object", "required": required, "properties": properties })
}

fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn count(description: &str) -> Value {
    json!({ "type": "integer", "minimum": 0, "description": description })
}

fn lines(description: &str) -> Value {
    json!({ "type": "array", "items": { "type": "string" }, "description": description })
}

/// The schema as JSON.
pub fn json_schema() -> Value {
    let mut schema = object(
        &[
            "version",
            "run_id",
            "mode",
            "outcome",
            "started_at",
            "finished_at",
            "duration_ms",
            "config",
            "waves",
            "jobs",
        ],
        &[
            ("version", json!({ "const": super::REPORT_VERSION })),
            (
                "run_id",
                string("The GitHub run id and attempt, or local-<time>-<pid>."),
            ),
            (
                "mode",
                json!({ "enum": words(&Mode::ALL, Mode::as_str), "description": "`plan` for --plan-only runs." }),
            ),
            ("outcome", json!({ "$ref": "#/$defs/outcome" })),
            ("started_at", string("RFC 3339, UTC.")),
            ("finished_at", string("RFC 3339, UTC.")),
            ("duration_ms", count("Wall time of the run.")),
            ("config", string("The config file the run used.")),
            ("source", json!({ "$ref": "#/$defs/source" })),
            (
                "action",
                json!({ "enum": words(&RunAction::ALL, RunAction::as_str), "description": "`destroy` for `orchestrator destroy`, `vend` for `orchestrator vend` (one job, the organisation, with the account vending layer); absent for a deploy." }),
            ),
            (
                "stack",
                string("The copy of the stack layer the run worked on (`--stack`); absent for the main stack."),
            ),
            (
                "resumed_from",
                object(&["run_id", "report"], &[
                    ("run_id", string("The run this one finished (`run --resume` / `deploy --resume`).")),
                    ("report", string("The run report it read, as given on the command line.")),
                ]),
            ),
            (
                "waves",
                json!({ "type": "array", "items": { "$ref": "#/$defs/wave" } }),
            ),
            (
                "jobs",
                json!({ "type": "array", "items": { "$ref": "#/$defs/job" } }),
            ),
        ],
    );
    let defs = json!({
        "outcome": {
            "enum": words(&Outcome::ALL, Outcome::as_str),
            "description": "The run as a whole."
        },
        "status": {
            "enum": words(&Status::ALL, Status::as_str),
            "description": "A job's or a layer's status."
        },
        "source": object(&[], &[
            ("repository", string("owner/name")),
            ("commit", string("The commit deployed.")),
            ("run_url", string("The CI run's page.")),
            ("server_url", string("The GitHub server.")),
        ]),
        "wave": object(&["name", "status", "failure_tolerance", "failures"], &[
            ("name", string("The wave's name in the config.")),
            ("status", json!({ "enum": words(&WaveStatus::ALL, WaveStatus::as_str) })),
            ("failure_tolerance", count("Failed (or cancelled) jobs the wave may have and still let the next start.")),
            ("failures", count("Failed jobs.")),
            ("reason", string("Why the wave did not run.")),
        ]),
        "job": object(
            &["account", "domain", "environment", "wave", "account_id", "region", "status", "duration_ms", "layers"],
            &[
                ("account", string("<domain>-<environment>")),
                ("domain", string("")),
                ("environment", string("")),
                ("wave", string("")),
                ("account_id", string("The 12-digit AWS account id.")),
                ("region", string("")),
                ("status", json!({ "$ref": "#/$defs/status" })),
                ("reason", string("Why it failed, was skipped or cancelled.")),
                ("duration_ms", count("")),
                ("layers", json!({ "type": "array", "items": { "$ref": "#/$defs/layer" } })),
            ],
        ),
        "layer": object(&["layer", "status", "duration_ms", "attempts"], &[
            ("layer", string("The layer's name.")),
            ("status", json!({ "$ref": "#/$defs/status" })),
            ("reason", string("Why it failed, was skipped or cancelled.")),
            ("duration_ms", count("")),
            ("attempts", json!({ "type": "array", "items": { "$ref": "#/$defs/attempt" } })),
            ("error", lines("The first meaningful error lines of the last attempt.")),
            ("changes", object(&["add", "change", "destroy"], &[
                ("add", count("")),
                ("change", count("")),
                ("destroy", count("")),
            ])),
            ("plan_json", string("`terraform show -json` of the plan, relative to the report.")),
            ("log", string("terraform's output for this layer, relative to the report.")),
            ("health_checks", json!({ "type": "array", "items": { "$ref": "#/$defs/health_check" } })),
            ("recovery", json!({ "$ref": "#/$defs/recovery" })),
        ]),
        "recovery": object(&["kind", "command"], &[
            ("kind", json!({ "enum": words(&RecoveryKind::ALL, RecoveryKind::as_str) })),
            ("path", string("errored-state: the file terraform saved the state to (absolute, on the machine that ran).")),
            ("lock_id", string("state-lock: the lock's ID, as `terraform force-unlock` takes it.")),
            ("lock_holder", string("state-lock: who took the lock, when and for what.")),
            ("command", string("The command that clears it, run where the layer ran with the account's credentials.")),
        ]),
        "attempt": object(&["number", "duration_ms", "outcome"], &[
            ("number", count("1 for the first attempt.")),
            ("duration_ms", count("")),
            ("outcome", json!({ "enum": words(&AttemptOutcome::ALL, AttemptOutcome::as_str) })),
            ("exit_code", json!({ "type": "integer" })),
            ("error", lines("")),
        ]),
        "health_check": object(&["output", "expect_status", "outcome", "attempts", "duration_ms"], &[
            ("output", string("The layer output holding the URL.")),
            ("url", string("The URL without credentials, query or fragment.")),
            ("expect_status", count("")),
            ("outcome", json!({ "enum": words(&HealthOutcome::ALL, HealthOutcome::as_str) })),
            ("status", count("The status of the last answer.")),
            ("attempts", count("HTTP requests made.")),
            ("duration_ms", count("")),
        ]),
    });
    let top = schema.as_object_mut().expect("an object");
    let mut head = Map::new();
    head.insert(
        "$schema".into(),
        "https://json-schema.org/draft/2020-12/schema".into(),
    );
    head.insert("title".into(), "run report".into());
    head.insert(
        "description".into(),
        "What happened to every wave, job (account) and layer of one run of the orchestrator: written by `run` and `deploy`, merged by `report merge`, read by `gate`, `notify` and `summary`.".into(),
    );
    head.extend(std::mem::take(top));
    head.insert("$defs".into(), defs);
    Value::Object(head)
}

/// Every place `value` breaks `schema` (the subset of JSON Schema this module writes:
/// `type`, `required`, `properties`, `items`, `enum`, `const`, `minimum`, local `$ref`),
/// as `/jobs/3/status: ...` lines.
pub fn problems(schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(schema, schema, value, "", &mut found);
    found
}

fn check(root: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    let place = if at.is_empty() { "/" } else { at };
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/$defs/");
        if let Some(def) = root.get("$defs").and_then(|d| d.get(name)) {
            check(root, def, value, at, found);
        }
        return;
    }
    if let Some(expected) = schema.get("const") {
        if value != expected {
            found.push(format!("{place}: {value} where {expected} was expected"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            let list: Vec<String> = allowed.iter().map(ToString::to_string).collect();
            found.push(format!(
                "{place}: {value} is not one of {}",
                list.join(", ")
            ));
            return;
        }
    }
    let Some(kind) = schema.get("type").and_then(Value::as_str) else {
        return;
    };
    let fits = match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => true,
    };
    if !fits {
        found.push(format!("{place}: {value} is not {}", article(kind)));
        return;
    }
    if let Some(minimum) = schema.get("minimum").and_then(Value::as_i64) {
        if value.as_i64().is_some_and(|v| v < minimum) {
            found.push(format!("{place}: {value} is below {minimum}"));
        }
    }
    if let (Some(fields), Some(object)) = (schema.get("properties"), value.as_object()) {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !object.contains_key(name) {
                found.push(format!("{place}: `{name}` is missing"));
            }
        }
        for (name, field) in object {
            if let Some(field_schema) = fields.get(name) {
                check(root, field_schema, field, &format!("{at}/{name}"), found);
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check(root, items, item, &format!("{at}/{i}"), found);
        }
    }
}

fn article(kind: &str) -> String {
    match kind {
        "object" | "array" | "integer" => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_report_has_no_problem_and_a_bad_one_names_the_field() {
        let schema = json_schema();
        let mut report: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/plans/report.json")).unwrap();
        assert_eq!(problems(&schema, &report), Vec::<String>::new());
        report["jobs"][1]["status"] = "green".into();
        report["jobs"][0].as_object_mut().unwrap().remove("account");
        report["waves"][0]["failures"] = (-1).into();
        let found = problems(&schema, &report);
        assert!(
            found.contains(&"/jobs/0: `account` is missing".to_string()),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("/jobs/1/status: \"green\" is not one of \"succeeded\"")),
            "{found:?}"
        );
        assert!(
            found.contains(&"/waves/0/failures: -1 is below 0".to_string()),
            "{found:?}"
        );
    }
}
