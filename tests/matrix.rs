//! `jobs` and `matrix` as CI sees them: snapshots for the real organisation, GitHub's
//! 256-entry limit at scale, `$GITHUB_OUTPUT` read back the way the runner reads it, and
//! byte-identical output across runs.

#[path = "../benches/generated_config.rs"]
mod generated_config;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use generated_config::write_generated_config;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_orchestrator");

struct Out {
    stdout: String,
    github_output: String,
}

/// Runs the binary in `dir` with a fresh `$GITHUB_OUTPUT` file; panics unless it exits 0.
fn orchestrator(dir: &Path, args: &[&str]) -> Out {
    let github_output = dir.join(format!("github_output_{}", rand_suffix()));
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("ORCHESTRATOR_") || key.starts_with("GITHUB_") {
            cmd.env_remove(key);
        }
    }
    let output = cmd
        .current_dir(dir)
        .args(args)
        .env("GITHUB_OUTPUT", &github_output)
        .output()
        .expect("the orchestrator binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?}: {stderr}");
    Out {
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
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
        ["prod", "prod_empty", "stage", "stage_empty"]
            .map(String::from)
            .into()
    );
    for (wave, matrix) in waves {
        assert_eq!(&json(&outputs[wave]), matrix, "wave {wave}");
        assert_eq!(outputs[&format!("{wave}_empty")], "false");
    }

    let prod = orchestrator(org.path(), &["matrix", "--wave", "prod"]);
    let outputs = read_github_output(&prod.github_output);
    assert_eq!(outputs.len(), 2, "{outputs:?}");
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

/// Every account of `wave` in a matrix, each once, and the entries' sizes.
fn accounts_in(matrix: &Value) -> (Vec<String>, Vec<usize>) {
    let mut accounts = Vec::new();
    let mut sizes = Vec::new();
    for entry in matrix["include"].as_array().unwrap() {
        let names: Vec<String> = entry["accounts"]
            .as_str()
            .unwrap()
            .split(' ')
            .map(String::from)
            .collect();
        if names.len() == 1 {
            // A single-account entry says which account, domain, id and region.
            assert_eq!(entry["account"], entry["accounts"]);
            for key in ["name", "env", "domain", "account_id", "region"] {
                assert!(entry[key].is_string(), "{key} missing in {entry}");
            }
        } else {
            assert!(entry.get("account").is_none(), "{entry}");
        }
        sizes.push(names.len());
        accounts.extend(names);
    }
    (accounts, sizes)
}

fn expected_accounts(domains: usize, envs: &[&str]) -> BTreeSet<String> {
    (0..domains)
        .flat_map(|d| envs.iter().map(move |e| format!("domain-{d:05}-{e}")))
        .collect()
}

#[test]
fn six_hundred_accounts_fit_githubs_limit_each_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    write_generated_config(dir.path(), 200);
    let out = orchestrator(dir.path(), &["matrix"]);
    let waves = json(&out.stdout);
    let outputs = read_github_output(&out.github_output);
    let mut total = 0;
    for (wave, envs) in [("stage", &["dev", "stage"][..]), ("prod", &["prod"][..])] {
        let matrix = &waves[wave];
        let (accounts, sizes) = accounts_in(matrix);
        assert!(sizes.len() <= 256, "{wave}: {} entries", sizes.len());
        let unique: BTreeSet<String> = accounts.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            accounts.len(),
            "{wave}: an account appears twice"
        );
        assert_eq!(unique, expected_accounts(200, envs), "{wave}");
        // Balanced: batch sizes differ by at most one.
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        assert!(max - min <= 1, "{wave}: sizes {min}..{max}");
        assert_eq!(&json(&outputs[wave]), matrix);
        total += accounts.len();
    }
    assert_eq!(total, 600);
    assert_eq!(waves["stage"]["include"].as_array().unwrap().len(), 256);
    assert_eq!(waves["prod"]["include"].as_array().unwrap().len(), 200);
}

#[test]
fn max_jobs_packs_accounts_into_balanced_batches() {
    let dir = tempfile::tempdir().unwrap();
    write_generated_config(dir.path(), 200);
    for (max_jobs, wave, envs, count) in [
        ("10", "stage", &["dev", "stage"][..], 400),
        ("10", "prod", &["prod"][..], 200),
        ("7", "stage", &["dev", "stage"][..], 400),
    ] {
        let out = orchestrator(
            dir.path(),
            &["matrix", "--wave", wave, "--max-jobs", max_jobs],
        );
        let matrix = json(&out.stdout);
        let (accounts, sizes) = accounts_in(&matrix);
        let n: usize = max_jobs.parse().unwrap();
        assert_eq!(sizes.len(), n, "--max-jobs {max_jobs} --wave {wave}");
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        assert!(max - min <= 1, "unbalanced: {sizes:?}");
        assert_eq!(accounts.len(), count);
        let unique: BTreeSet<String> = accounts.into_iter().collect();
        assert_eq!(unique, expected_accounts(200, envs));
        let entries = matrix["include"].as_array().unwrap();
        assert_eq!(
            entries[0]["name"],
            format!("{wave}-{:0w$}-of-{n}", 1, w = max_jobs.len())
        );
    }
}
