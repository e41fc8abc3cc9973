//! The GitHub Actions wiring, checked without GitHub: deploy.yml's outputs match the waves of
//! domains.yaml, matrix values reach shell steps only through `env:`, prod waits for the gate,
//! the report job always runs, and every action is pinned.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_yaml::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workflow(name: &str) -> Value {
    let path = repo().join(".github/workflows").join(name);
    serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn job<'a>(workflow: &'a Value, name: &str) -> &'a Value {
    workflow["jobs"]
        .get(name)
        .unwrap_or_else(|| panic!("no job `{name}`"))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => serde_yaml::to_string(other).unwrap(),
    }
}

fn needs(job: &Value) -> Vec<String> {
    match &job["needs"] {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items.iter().map(text).collect(),
        _ => Vec::new(),
    }
}

fn steps(job: &Value) -> Vec<&Value> {
    job["steps"]
        .as_sequence()
        .map(|s| s.iter().collect())
        .unwrap_or_default()
}

fn all_workflows() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(repo().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            out.push((name.clone(), workflow(&name)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The chunk jobs of a wave in deploy.yml: `<wave>-1`, `<wave>-2`, ...
fn chunk_jobs<'a>(workflow: &'a Value, wave: &str) -> Vec<(String, &'a Value)> {
    (1..)
        .map(|n| format!("{wave}-{n}"))
        .map_while(|id| workflow["jobs"].get(&id).map(|j| (id, j)))
        .collect()
}

/// The `--chunks` the plan-waves step passes to `orchestrator matrix`.
fn chunks_flag(workflow: &Value) -> usize {
    let script = steps(job(workflow, "plan-waves"))
        .iter()
        .map(|s| text(&s["run"]))
        .find(|r| r.contains("orchestrator matrix"))
        .expect("plan-waves runs orchestrator matrix");
    let after = script
        .split("--chunks ")
        .nth(1)
        .expect("orchestrator matrix --chunks N");
    after
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .expect("--chunks takes a number")
}

#[test]
fn plan_waves_declares_every_wave_chunk_and_guard_and_a_job_for_each_chunk() {
    let config = orchestrator::config::load(&repo().join("domains.yaml")).unwrap();
    let deploy = workflow("deploy.yml");
    let chunks = chunks_flag(&deploy);
    assert!(chunks >= 2, "--chunks {chunks}");
    let expected: BTreeSet<String> = config
        .waves
        .iter()
        .flat_map(|w| {
            let mut names = vec![format!("{}_empty", w.name)];
            for n in 1..=chunks {
                names.push(format!("{}_{n}", w.name));
                names.push(format!("{}_{n}_empty", w.name));
            }
            names
        })
        .collect();
    let outputs: BTreeSet<String> = job(&deploy, "plan-waves")["outputs"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(text)
        .collect();
    assert_eq!(outputs, expected);
    // Exactly `--chunks` jobs per wave, each fed by its own chunk and guarded by its own
    // `_empty`, each calling the one definition of a leg.
    for wave in &config.waves {
        let jobs = chunk_jobs(&deploy, &wave.name);
        assert_eq!(jobs.len(), chunks, "{}: chunk jobs", wave.name);
        for (n, (id, chunk)) in jobs.iter().enumerate() {
            let n = n + 1;
            assert_eq!(text(&chunk["uses"]), "./.github/workflows/legs.yml", "{id}");
            assert_eq!(
                text(&chunk["with"]["matrix"]),
                format!("${{{{ needs.plan-waves.outputs.{}_{n} }}}}", wave.name),
                "{id}"
            );
            assert_eq!(text(&chunk["with"]["wave"]), wave.name, "{id}");
            let condition = text(&chunk["if"]);
            assert!(
                condition.contains(&format!(
                    "needs.plan-waves.outputs.{}_{n}_empty == 'false'",
                    wave.name
                )),
                "{id}: {condition}"
            );
        }
    }
    let legs = workflow("legs.yml");
    assert_eq!(
        job(&legs, "leg")["strategy"]["fail-fast"],
        Value::Bool(false),
        "fail-fast must be off"
    );
}

#[test]
fn every_matrix_leg_gets_its_accounts_through_env() {
    for (name, wf) in all_workflows() {
        for (job_name, job) in wf["jobs"].as_mapping().unwrap() {
            // Account legs take their matrix from `orchestrator matrix` (an expression); a
            // literal matrix (release.yml's build targets) has no accounts.
            if !text(&job["strategy"]["matrix"]).contains("fromJSON") {
                continue;
            }
            // Legs call `orchestrator deploy --accounts "$ACCOUNTS" ...`, possibly through an args array.
            let deploys: Vec<&Value> = steps(job)
                .into_iter()
                .filter(|s| {
                    text(&s["run"]).contains("orchestrator")
                        && text(&s["run"]).contains("deploy --accounts")
                })
                .collect();
            assert!(
                !deploys.is_empty(),
                "{name}/{}: a matrix job without `orchestrator deploy`",
                text(job_name)
            );
            for step in deploys {
                assert_eq!(
                    text(&step["env"]["ACCOUNTS"]),
                    "${{ matrix.accounts }}",
                    "{name}/{}",
                    text(job_name)
                );
                assert!(
                    text(&step["run"]).contains("--accounts \"$ACCOUNTS\""),
                    "{name}/{}",
                    text(job_name)
                );
            }
        }
    }
}

#[test]
fn no_expression_is_ever_expanded_inside_a_shell_step() {
    for (name, wf) in all_workflows() {
        for (job_name, job) in wf["jobs"].as_mapping().unwrap() {
            for step in steps(job) {
                let run = text(&step["run"]);
                assert!(
                    !run.contains("${{"),
                    "{name}/{}: `${{{{` inside run: {run}",
                    text(job_name)
                );
            }
        }
    }
}

#[test]
fn prod_depends_on_the_gate_and_the_report_always_runs() {
    let deploy = workflow("deploy.yml");
    for (id, prod) in chunk_jobs(&deploy, "prod") {
        assert!(
            needs(prod).contains(&"gate".to_string()),
            "{id} needs {:?}",
            needs(prod)
        );
        assert!(
            text(&prod["if"]).contains("needs.gate.outputs.proceed == 'true'"),
            "{id}: {}",
            text(&prod["if"])
        );
        assert_eq!(text(&prod["with"]["environment"]), "production", "{id}");
    }
    for (id, stage) in chunk_jobs(&deploy, "stage") {
        assert_eq!(text(&stage["with"]["environment"]), "", "{id}");
    }
    let gate = job(&deploy, "gate");
    for (id, _) in chunk_jobs(&deploy, "stage") {
        assert!(needs(gate).contains(&id), "gate must wait for {id}");
    }
    assert!(steps(gate)
        .iter()
        .any(|s| text(&s["run"]).contains("orchestrator gate --wave stage")));
    let report = job(&deploy, "report");
    assert!(
        text(&report["if"]).contains("always()"),
        "{}",
        text(&report["if"])
    );
    for wave in ["stage", "prod"] {
        for (id, _) in chunk_jobs(&deploy, wave) {
            assert!(needs(report).contains(&id), "report must wait for {id}");
        }
    }
    assert!(steps(report)
        .iter()
        .any(|s| text(&s["run"]).contains("orchestrator notify slack")));
}

#[test]
fn permissions_are_least_and_actions_are_pinned_to_a_commit() {
    let mut uses = Vec::new();
    for (name, wf) in all_workflows() {
        assert!(
            wf["permissions"].as_mapping().is_some_and(|m| m.is_empty()),
            "{name}: top-level permissions must be {{}}"
        );
        for (_, job) in wf["jobs"].as_mapping().unwrap() {
            uses.extend(
                steps(job)
                    .iter()
                    .map(|s| text(&s["uses"]))
                    .filter(|u| !u.is_empty()),
            );
        }
    }
    for entry in std::fs::read_dir(repo().join(".github/actions")).unwrap() {
        let action: Value = serde_yaml::from_str(
            &std::fs::read_to_string(entry.unwrap().path().join("action.yml")).unwrap(),
        )
        .unwrap();
        for step in action["runs"]["steps"].as_sequence().unwrap() {
            let used = text(&step["uses"]);
            if !used.is_empty() {
                uses.push(used);
            }
            assert!(
                !text(&step["run"]).contains("${{"),
                "composite action expands an expression in run: {}",
                text(&step["run"])
            );
        }
    }
    assert!(!uses.is_empty());
    for used in uses {
        if used.starts_with("./") {
            continue;
        }
        let (_, reference) = used
            .split_once('@')
            .unwrap_or_else(|| panic!("{used}: no version"));
        assert!(
            reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()),
            "{used}: pin to a full commit SHA"
        );
    }
}

/// An adopter pins a released version: setup-orchestrator must then install the
/// checksum-verified release (install.sh) and run nothing that compiles, nor touch the build
/// artifact that only this repository's own `build` job uploads.
#[test]
fn setup_orchestrator_with_a_released_version_never_compiles() {
    let action: Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join(".github/actions/setup-orchestrator/action.yml"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(text(&action["inputs"]["version"]["default"]), "source");
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let pinned: Vec<&Value> = steps
        .iter()
        .filter(|s| text(&s["if"]) != "inputs.version == 'source'")
        .collect();
    assert!(
        pinned
            .iter()
            .any(|s| text(&s["run"]).contains("install.sh\" --version \"$VERSION\"")),
        "no step installs the released version with install.sh"
    );
    for step in &pinned {
        assert!(
            !text(&step["run"]).contains("cargo"),
            "{}",
            text(&step["name"])
        );
        assert!(
            !text(&step["uses"]).starts_with("actions/download-artifact"),
            "{}",
            text(&step["name"])
        );
    }
}

/// The warm-provider-cache action's first step, run on this repository's layers: every layer
/// that names a provider but has no lock file is named, in a warning and in the job summary;
/// layers with a lock file are not.
#[test]
fn layers_without_a_provider_lock_file_are_named_in_the_job_summary() {
    let action: Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join(".github/actions/warm-provider-cache/action.yml"))
            .unwrap(),
    )
    .unwrap();
    let script = action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| text(&s["name"]) == "Warn about layers without a provider lock file")
        .map(|s| text(&s["run"]))
        .expect("the warning step");
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "").unwrap();
    let output = std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .current_dir(repo())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = std::fs::read_to_string(&summary).unwrap();
    let mut layers = Vec::new();
    for entry in std::fs::read_dir(repo().join("layers")).unwrap().flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let uses_providers = std::fs::read_dir(entry.path())
            .unwrap()
            .flatten()
            .filter(|f| f.path().extension().is_some_and(|e| e == "tf"))
            .any(|f| {
                let tf = std::fs::read_to_string(f.path()).unwrap();
                tf.contains("required_providers") || tf.contains("provider \"")
            });
        let name = format!("layers/{}", entry.file_name().to_string_lossy());
        let missing = uses_providers && !entry.path().join(".terraform.lock.hcl").is_file();
        layers.push((name, missing));
    }
    assert!(!layers.is_empty());
    for (name, missing) in layers {
        let listed = format!("- `{name}`");
        assert_eq!(summary.contains(&listed), missing, "{name}: {summary}");
        assert_eq!(
            stdout.contains("::warning title=provider lock files::") && stdout.contains(&name),
            missing,
            "{name}: {stdout}"
        );
    }
}
