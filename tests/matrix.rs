//! `jobs` and `matrix` as CI sees them: snapshots for the real organisation, GitHub's
//! 256-entry limit at scale, `$GITHUB_OUTPUT` read back the way the runner reads it, and
//! byte-identical output across runs.

#[path = "../benches/generated_config.rs"]
mod generated_config;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use generated_config::write_generated_config;
use serde_json::Value;

struct Out {
    stdout: String,
    github_output: String,
}

/// Runs the binary in `dir` with a fresh `$GITHUB_OUTPUT` file; panics unless it exits 0.
fn orchestrator(dir: &Path, args: &[&str]) -> Out {
    let github_output = dir.join(format!("github_output_{}", rand_suffix()));
    let run = crate::support::cli::orchestrator()
        .current_dir(dir)
        .args(args)
        .env("GITHUB_OUTPUT", &github_output)
        .run();
    run.expect_success();
    Out {
        stdout: run.stdout,
        github_output: std::fs::read_to_string(&github_output).unwrap_or_default(),
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

/// The root domains.yaml in a temp dir with its three layer directories.
fn root_org() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("domains.yaml"), dir.path().join("domains.yaml")).unwrap();
    for layer in ["platform", "static", "dynamic"] {
        std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
    }
    dir
}

/// `$GITHUB_OUTPUT` as GitHub reads it: `name=value` lines and `name<<DELIM` blocks that end
/// at a line equal to DELIM. Written here independently of the tool's own writer.
fn read_github_output(text: &str) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            loop {
                let l = lines
                    .next()
                    .expect("a heredoc block ends with its delimiter");
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            assert!(values.insert(name.to_string(), value.join("\n")).is_none());
        } else {
            let (name, value) = line.split_once('=').expect("name=value");
            assert!(values.insert(name.to_string(), value.to_string()).is_none());
        }
    }
    values
}

fn delimiters(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once("<<").map(|(_, d)| d.to_string()))
        .collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn jobs_json_for_the_real_organisation() {
    let org = root_org();
    let out = orchestrator(org.path(), &["jobs", "--format", "json"]);
    insta::assert_snapshot!("jobs_json_root", out.stdout);
}

#[test]
fn jobs_table_for_the_real_organisation() {
    let org = root_org();
    let out = orchestrator(org.path(), &["jobs"]);
    insta::assert_snapshot!("jobs_table_root", out.stdout);
}

#[test]
fn matrix_for_the_real_organisation() {
    let org = root_org();
    let all = orchestrator(org.path(), &["matrix"]);
    let prod = orchestrator(org.path(), &["matrix", "--wave", "prod"]);
    insta::assert_json_snapshot!("matrix_all_waves_root", json(&all.stdout));
    insta::assert_json_snapshot!("matrix_prod_root", json(&prod.stdout));
    // Compact JSON on one line: `fromJSON` in a workflow takes it as it is.
    assert_eq!(all.stdout.lines().count(), 1);
    assert_eq!(prod.stdout.lines().count(), 1);
}

#[test]
fn github_output_reads_back_as_exactly_stdout() {
    let org = root_org();
    let all = orchestrator(org.path(), &["matrix"]);
    let outputs = read_github_output(&all.github_output);
    let stdout = json(&all.stdout);
    let waves = stdout.as_object().unwrap();
    assert_eq!(
        outputs.keys().cloned().collect::<BTreeSet<_>>(),
        [
            "prod",
            "prod_1",
            "prod_1_empty",
            "prod_chunks",
            "prod_empty",
            "stage",
            "stage_1",
            "stage_1_empty",
            "stage_chunks",
            "stage_empty"
        ]
        .map(String::from)
        .into()
    );
    for (wave, matrix) in waves {
        assert_eq!(&json(&outputs[wave]), matrix, "wave {wave}");
        // Within one chunk, the chunk is the whole wave.
        assert_eq!(&json(&outputs[&format!("{wave}_1")]), matrix, "wave {wave}");
        assert_eq!(outputs[&format!("{wave}_empty")], "false");
        assert_eq!(outputs[&format!("{wave}_chunks")], "1");
    }

    let prod = orchestrator(org.path(), &["matrix", "--wave", "prod"]);
    let outputs = read_github_output(&prod.github_output);
    assert_eq!(outputs.len(), 5, "{outputs:?}");
    assert_eq!(outputs["prod"], prod.stdout.trim_end());
    assert_eq!(outputs["prod_empty"], "false");
}

#[test]
fn an_empty_wave_is_guarded() {
    let org = root_org();
    // Only dev accounts: the prod wave has nothing to deploy.
    let out = orchestrator(org.path(), &["matrix", "--env", "dev"]);
    let outputs = read_github_output(&out.github_output);
    assert_eq!(outputs["prod"], r#"{"include":[]}"#);
    assert_eq!(outputs["prod_empty"], "true");
    assert_eq!(outputs["prod_chunks"], "0");
    assert_eq!(outputs["prod_1"], r#"{"include":[]}"#);
    assert_eq!(outputs["prod_1_empty"], "true");
    assert_eq!(outputs["stage_empty"], "false");
    assert_eq!(
        json(&outputs["stage"])["include"].as_array().unwrap().len(),
        6
    );
    assert_eq!(json(&out.stdout)["prod"], json(r#"{"include":[]}"#));
}

#[test]
fn output_is_byte_identical_across_runs_and_delimiters_are_random() {
    let org = root_org();
    for args in [
        &["matrix"][..],
        &["matrix", "--wave", "stage", "--max-jobs", "4"],
        &["jobs", "--format", "json"],
        &["jobs"],
    ] {
        let first = orchestrator(org.path(), args);
        let second = orchestrator(org.path(), args);
        assert_eq!(first.stdout, second.stdout, "{args:?}");
        assert_eq!(
            read_github_output(&first.github_output),
            read_github_output(&second.github_output),
            "{args:?}"
        );
        if args[0] == "matrix" {
            let (a, b) = (
                delimiters(&first.github_output),
                delimiters(&second.github_output),
            );
            assert!(!a.is_empty());
            assert!(
                a.iter().all(|d| !b.contains(d)),
                "delimiters repeat: {a:?} {b:?}"
            );
        }
    }
}

/// Every leg of a matrix: one account each, with its name, domain, id and region.
fn legs_of(matrix: &Value) -> Vec<String> {
    let mut accounts = Vec::new();
    for entry in matrix["include"].as_array().unwrap() {
        assert_eq!(
            entry["account"], entry["accounts"],
            "one account per leg: {entry}"
        );
        assert_eq!(entry["name"], entry["account"], "{entry}");
        for key in ["env", "domain", "account_id", "region"] {
            assert!(entry[key].is_string(), "{key} missing in {entry}");
        }
        accounts.push(entry["account"].as_str().unwrap().to_string());
    }
    accounts
}

fn expected_accounts(domains: usize, envs: &[&str]) -> BTreeSet<String> {
    (0..domains)
        .flat_map(|d| envs.iter().map(move |e| format!("domain-{d:05}-{e}")))
        .collect()
}

#[test]
fn seven_hundred_accounts_in_one_wave_are_chunks_of_one_account_legs() {
    let dir = tempfile::tempdir().unwrap();
    // 350 domains with dev and stage: 700 accounts in the stage wave, 350 in prod.
    write_generated_config(dir.path(), 350);
    let out = orchestrator(dir.path(), &["matrix", "--chunks", "4"]);
    let outputs = read_github_output(&out.github_output);
    let waves = json(&out.stdout);
    for (wave, envs, count, chunks) in [
        ("stage", &["dev", "stage"][..], 700, 3),
        ("prod", &["prod"][..], 350, 2),
    ] {
        // stdout: the whole wave, one leg per account.
        assert_eq!(legs_of(&waves[wave]).len(), count);
        assert_eq!(outputs[&format!("{wave}_chunks")], chunks.to_string());
        assert_eq!(outputs[&format!("{wave}_empty")], "false");
        // Above 256 the whole-wave output is not written: as a matrix it would exceed GitHub's limit.
        assert!(!outputs.contains_key(wave), "{wave}");
        let mut all = Vec::new();
        let mut sizes = Vec::new();
        for n in 1..=4 {
            let chunk = json(&outputs[&format!("{wave}_{n}")]);
            let legs = legs_of(&chunk);
            assert_eq!(
                outputs[&format!("{wave}_{n}_empty")],
                legs.is_empty().to_string(),
                "{wave}_{n}"
            );
            assert!(legs.len() <= 256, "{wave}_{n}: {} legs", legs.len());
            if n > chunks {
                assert!(legs.is_empty(), "{wave}_{n}");
            } else {
                sizes.push(legs.len());
            }
            all.extend(legs);
        }
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        assert!(max - min <= 1, "{wave}: unbalanced {sizes:?}");
        let unique: BTreeSet<String> = all.iter().cloned().collect();
        assert_eq!(unique.len(), all.len(), "{wave}: an account in two legs");
        assert_eq!(unique, expected_accounts(350, envs), "{wave}");
    }
}

#[test]
fn a_wave_needing_more_chunk_jobs_than_the_workflow_has_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_generated_config(dir.path(), 350);
    let github_output = dir.path().join("github_output");
    crate::support::cli::orchestrator()
        .current_dir(dir.path())
        .args(["matrix", "--chunks", "2"])
        .env("GITHUB_OUTPUT", &github_output)
        .run()
        .expect_code(2)
        .expect_stderr_contains("wave stage has 700 accounts")
        .expect_stderr_contains("3 chunk jobs")
        .expect_stderr_contains("the workflow has 2")
        // Nothing half-written.
        .expect_no_file(&github_output);
}

#[test]
fn max_jobs_sets_the_chunk_size_never_packs() {
    let dir = tempfile::tempdir().unwrap();
    write_generated_config(dir.path(), 20);
    let out = orchestrator(
        dir.path(),
        &["matrix", "--wave", "stage", "--max-jobs", "7"],
    );
    let outputs = read_github_output(&out.github_output);
    // 40 accounts at 7 a job: 6 chunks of 6 or 7 legs.
    assert_eq!(outputs["stage_chunks"], "6");
    let mut all = BTreeSet::new();
    for n in 1..=6 {
        let legs = legs_of(&json(&outputs[&format!("stage_{n}")]));
        assert!((6..=7).contains(&legs.len()), "stage_{n}: {}", legs.len());
        all.extend(legs);
    }
    assert_eq!(all, expected_accounts(20, &["dev", "stage"]));
    assert_eq!(legs_of(&json(&out.stdout)).len(), 40);
}

/// `matrix` reads the plan by reference; `run` and `deploy` take the owned plan. Both come
/// from one selection and give the same matrix, whatever the selectors.
#[test]
fn the_borrowed_and_the_owned_plan_give_the_same_matrix() {
    use orchestrator::{config, matrix, plan};
    let dir = tempfile::tempdir().unwrap();
    write_generated_config(dir.path(), 150);
    let config = config::load(&dir.path().join("domains.yaml")).unwrap();
    let selections = [
        plan::Selection::default(),
        plan::Selection {
            environments: vec!["prod".into(), "dev".into()],
            ..Default::default()
        },
        plan::Selection {
            domains: vec!["domain-00003".into(), "domain-00149".into()],
            layers: vec!["static".into()],
            ..Default::default()
        },
        plan::Selection::accounts(["domain-00007-stage", "domain-00100-prod"]),
    ];
    for selection in selections {
        let owned = plan::build(&config, &selection).unwrap();
        let borrowed = plan::select(&config, &selection).unwrap();
        assert_eq!(borrowed.to_plan(), owned);
        assert_eq!(
            matrix::for_selected(&borrowed),
            matrix::for_plan(&owned),
            "{selection:?}"
        );
    }
}
