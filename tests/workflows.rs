//! The GitHub Actions wiring, checked without GitHub: deploy.yml's outputs match the waves of
//! domains.yaml, matrix values reach shell steps only through `env:`, prod waits for the gate,
//! the report job always runs, every action is pinned, and the provider lock files the cache
//! is keyed on can be made as the docs say (scripts/lock-providers) or are named as missing.

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

/// In an adopter's repository (no Rust sources) every workflow follows the pin: a workflow's
/// `build` job is skipped when ORCHESTRATOR_VERSION names a release, every job that needs it
/// still runs when it was skipped (`always()` or an explicit `skipped`), and every
/// setup-orchestrator step installs that release from ORCHESTRATOR_RELEASE_REPOSITORY (empty:
/// the orchestrator's own releases, never the adopter's repository).
#[test]
fn every_setup_step_installs_the_pinned_release() {
    let mut setups = 0;
    for (name, workflow) in all_workflows() {
        let jobs = workflow["jobs"].as_mapping().unwrap();
        // release.yml's `build` compiles the release itself: it is not this kind of build.
        let compiles_orchestrator = workflow["jobs"]
            .get("build")
            .is_some_and(|build| job_uses(build, "./.github/actions/build-orchestrator"));
        for (id, job) in jobs {
            let id = text(id);
            let condition = text(&job["if"]);
            if compiles_orchestrator && id == "build" {
                assert!(
                    condition.contains("(vars.ORCHESTRATOR_VERSION || 'source') == 'source'"),
                    "{name}: `build` runs although a release is pinned: {condition}"
                );
            }
            if compiles_orchestrator && needs(job).iter().any(|n| n == "build") {
                assert!(
                    condition.contains("always()")
                        || (condition.contains("!cancelled()")
                            && condition.contains(
                                "contains(fromJSON('[\"success\",\"skipped\"]'), needs.build.result)"
                            )),
                    "{name}: job `{id}` does not run when `build` is skipped: {condition}"
                );
            }
            for step in steps(job) {
                if text(&step["uses"]) != "./.github/actions/setup-orchestrator" {
                    continue;
                }
                setups += 1;
                assert_eq!(
                    text(&step["with"]["version"]),
                    "${{ vars.ORCHESTRATOR_VERSION || 'source' }}",
                    "{name}: job `{id}`"
                );
                assert_eq!(
                    text(&step["with"]["release-repository"]),
                    "${{ vars.ORCHESTRATOR_RELEASE_REPOSITORY }}",
                    "{name}: job `{id}`"
                );
            }
        }
    }
    assert!(setups >= 10, "only {setups} setup-orchestrator steps found");
}

fn job_uses(job: &Value, action: &str) -> bool {
    steps(job).iter().any(|s| text(&s["uses"]) == action)
}

/// A release is compiled with exactly the toolchain Cargo.toml's `rust-version` names, the one
/// ci.yml's msrv job builds with: both read it from Cargo.toml, before anything compiles, and
/// neither workflow spells the version itself (one home for it).
#[test]
fn the_release_and_msrv_jobs_use_cargo_tomls_rust_version() {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let rust_version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("Cargo.toml declares rust-version");
    for (file, job_name) in [("release.yml", "build"), ("ci.yml", "msrv")] {
        let workflow = workflow(file);
        let runs: Vec<String> = steps(job(&workflow, job_name))
            .iter()
            .map(|s| text(&s["run"]))
            .collect();
        let install = runs
            .iter()
            .position(|r| {
                r.contains("s/^rust-version = ")
                    && r.contains("Cargo.toml")
                    && r.contains("rustup toolchain install \"$version\"")
            })
            .unwrap_or_else(|| {
                panic!("{file} {job_name}: no step installs Cargo.toml's rust-version")
            });
        let first_cargo = runs
            .iter()
            .position(|r| {
                ["cargo build", "cargo zigbuild", "cargo check", "cargo \"+$"]
                    .iter()
                    .any(|c| r.contains(c))
            })
            .unwrap_or_else(|| panic!("{file} {job_name}: nothing compiles"));
        assert!(
            install < first_cargo,
            "{file} {job_name}: compiles before the toolchain is installed"
        );
        let text = std::fs::read_to_string(repo().join(".github/workflows").join(file)).unwrap();
        assert!(
            !text.contains(rust_version),
            "{file} spells {rust_version}: read it from Cargo.toml instead"
        );
    }
    let release = workflow("release.yml");
    let install = steps(job(&release, "build"))
        .into_iter()
        .map(|s| text(&s["run"]))
        .find(|r| r.contains("rustup toolchain install"))
        .unwrap();
    // The matrix target's standard library, and every later step on that toolchain.
    assert!(install.contains("--target \"$TARGET\""), "{install}");
    assert!(install.contains("RUSTUP_TOOLCHAIN=$version"), "{install}");
}

/// Every Python tool a workflow installs is pinned in a root `requirements-*.txt`, installed
/// with `-r`, where Dependabot's pip updates (directory `/`) see it: no inline `pkg==1.2.3`
/// that nothing keeps current.
#[test]
fn python_tools_of_the_workflows_are_pinned_where_dependabot_sees_them() {
    let mut installs = 0;
    for (name, workflow) in all_workflows() {
        for (_, job) in workflow["jobs"].as_mapping().unwrap() {
            for step in steps(job) {
                let run = text(&step["run"]).replace("\\\n", " ");
                for line in run
                    .lines()
                    .filter(|l| l.contains("pip\" install") || l.contains("pip install"))
                {
                    installs += 1;
                    assert!(!line.contains("=="), "{name}: an inline pin: {line}");
                    let file = line
                        .split_whitespace()
                        .skip_while(|w| *w != "-r")
                        .nth(1)
                        .unwrap_or_else(|| panic!("{name}: not `pip install -r <file>`: {line}"));
                    assert!(
                        file.starts_with("requirements-") && !file.contains('/'),
                        "{name}: {file} is not a root requirements file"
                    );
                    let pins = std::fs::read_to_string(repo().join(file))
                        .unwrap_or_else(|e| panic!("{name}: {file}: {e}"));
                    for pin in pins
                        .lines()
                        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                    {
                        assert!(pin.contains("=="), "{file}: `{pin}` is not pinned");
                    }
                }
            }
        }
    }
    assert!(
        installs >= 1,
        "release.yml installs its build tools with pip"
    );
    let config: Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join(".github/dependabot.yml")).unwrap(),
    )
    .unwrap();
    let pip = config["updates"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|u| text(&u["package-ecosystem"]) == "pip")
        .expect("Dependabot has pip updates");
    assert_eq!(text(&pip["directory"]), "/");
}

/// docs/github-actions.md's "What to copy" table names every file of ours that the copied
/// workflows use (`uses: ./...`, reusable workflows and local actions, recursively), and
/// nothing an adopter's pinned run can do without: the build-orchestrator action only runs in
/// the `build` job a pinned version skips, and install.sh comes from the release.
#[test]
fn the_adopters_copy_list_is_what_the_workflows_use() {
    let docs = std::fs::read_to_string(repo().join("docs/github-actions.md")).unwrap();
    let table = docs
        .split_once("**What to copy**")
        .expect("docs/github-actions.md has a **What to copy** table")
        .1;
    let mut listed = BTreeSet::new();
    for row in table
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
    {
        let first = row.split('|').nth(1).unwrap();
        let mut dir = String::new();
        for path in first.split('`').skip(1).step_by(2) {
            let path = if path.contains('/') {
                dir = path.rsplit_once('/').unwrap().0.to_string();
                path.to_string()
            } else {
                format!("{dir}/{path}")
            };
            assert!(
                repo().join(&path).is_file(),
                "the copy list names {path}, which is not a file"
            );
            listed.insert(path);
        }
    }
    let workflows: Vec<String> = listed
        .iter()
        .filter(|p| p.starts_with(".github/workflows/"))
        .cloned()
        .collect();
    for must in [
        "deploy.yml",
        "plan.yml",
        "redeploy.yml",
        "drift.yml",
        "legs.yml",
    ] {
        assert!(
            workflows.contains(&format!(".github/workflows/{must}")),
            "{must} is not in the copy list: {listed:?}"
        );
    }
    for file in &workflows {
        let name = file.trim_start_matches(".github/workflows/");
        let workflow = workflow(name);
        for (id, job) in workflow["jobs"].as_mapping().unwrap() {
            let skipped_when_pinned =
                text(&job["if"]).contains("(vars.ORCHESTRATOR_VERSION || 'source') == 'source'");
            let mut uses: Vec<String> = vec![text(&job["uses"])];
            let mut all = Vec::new();
            expanded_steps(
                &steps(job).into_iter().cloned().collect::<Vec<_>>(),
                &mut all,
            );
            uses.extend(all.iter().map(|s| text(&s["uses"])));
            for local in uses.iter().filter_map(|u| u.strip_prefix("./")) {
                let needed = if local.ends_with(".yml") {
                    local.to_string()
                } else {
                    format!("{local}/action.yml")
                };
                if skipped_when_pinned {
                    continue;
                }
                assert!(
                    listed.contains(&needed),
                    "{name}: job `{}` uses {needed}, which the copy list does not name",
                    text(id)
                );
            }
        }
    }
    assert!(!listed
        .iter()
        .any(|p| p.ends_with("install.sh") || p.contains("build-orchestrator")));
}

/// The setup-orchestrator action runs the install.sh of the release it installs, once it
/// matches that release's SHA256SUMS: every release must publish install.sh with an entry in
/// SHA256SUMS, beside the archives.
#[test]
fn every_release_publishes_the_install_script_the_action_runs() {
    let release = workflow("release.yml");
    let runs: Vec<String> = steps(job(&release, "publish"))
        .iter()
        .map(|s| text(&s["run"]))
        .collect();
    assert!(
        runs.iter().any(|r| r.contains("cp ../install.sh .")
            && r.contains("sha256sum -- *.tar.gz install.sh > SHA256SUMS")),
        "SHA256SUMS has no entry for install.sh: {runs:#?}"
    );
    assert!(
        runs.iter().any(|r| r.contains("gh release create")
            && r.contains("dist/SHA256SUMS")
            && r.contains("dist/install.sh")),
        "the release does not carry install.sh and SHA256SUMS: {runs:#?}"
    );
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

/// The directories of `layers/` that are root modules (hold `.tf` files), by name.
fn root_layers(layers: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(layers)
        .unwrap()
        .flatten()
        .filter(|e| tf_files(&e.path()).next().is_some())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn tf_files(dir: &std::path::Path) -> impl Iterator<Item = PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tf"))
}

/// The `hashicorp/<name>` providers a layer's own files require.
fn required_providers(layer: &std::path::Path) -> BTreeSet<String> {
    tf_files(layer)
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .filter_map(|line| {
                    let (key, value) = line.split_once('=')?;
                    (key.trim() == "source")
                        .then(|| value.trim().trim_matches('"').strip_prefix("hashicorp/"))
                        .flatten()
                        .map(str::to_string)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A copy of the repository's `scripts/lock-providers` and `layers/` without lock files.
fn fresh_layers() -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name == ".terraform.lock.hcl" || name == ".terraform" || name == ".build" {
                continue;
            }
            if entry.path().is_dir() {
                copy(&entry.path(), &to.join(&*name));
            } else {
                std::fs::copy(entry.path(), to.join(&*name)).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&repo().join("layers"), &dir.path().join("layers"));
    std::fs::create_dir_all(dir.path().join("scripts")).unwrap();
    std::fs::copy(
        repo().join("scripts/lock-providers"),
        dir.path().join("scripts/lock-providers"),
    )
    .unwrap();
    dir
}

const LOCK_PLATFORMS: [&str; 3] = ["linux_amd64", "darwin_amd64", "darwin_arm64"];

/// A filesystem mirror (terraform's unpacked layout) holding `providers` (name, version) for
/// linux_amd64 and darwin: stand-ins whose bytes differ per platform, so each has its own hash.
fn provider_mirror(providers: &[(&str, &str)]) -> tempfile::TempDir {
    let mirror = tempfile::tempdir().unwrap();
    for (name, version) in providers {
        for platform in LOCK_PLATFORMS {
            let dir = mirror
                .path()
                .join("registry.terraform.io/hashicorp")
                .join(name)
                .join(version)
                .join(platform);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join(format!("terraform-provider-{name}_v{version}_x5")),
                format!("stand-in {name} {version} {platform}\n"),
            )
            .unwrap();
        }
    }
    mirror
}

fn lock_providers(tree: &std::path::Path, mirror: &std::path::Path) -> std::process::Output {
    let config = tree.join("terraformrc");
    std::fs::write(&config, "").unwrap();
    std::process::Command::new("bash")
        .arg(tree.join("scripts/lock-providers"))
        .arg(format!("-fs-mirror={}", mirror.display()))
        .env("TF_CLI_CONFIG_FILE", &config)
        .env_remove("TF_PLUGIN_CACHE_DIR")
        .env_remove("TF_DATA_DIR")
        .output()
        .unwrap()
}

/// `scripts/lock-providers`, the documented way to make the lock files the provider cache is
/// keyed on, run as a platform team would (here from a mirror instead of the registry): every
/// layer gets a lock file naming each provider it requires with a hash for linux_amd64 and
/// both darwin platforms, modules get none, and nothing is written under the layers but the
/// lock files. A provider the mirror lacks fails the layers that need it, by name, and the
/// others are still locked.
#[test]
fn lock_providers_locks_every_layer_for_linux_and_darwin() {
    let tree = fresh_layers();
    let layers = tree.path().join("layers");
    let roots = root_layers(&layers);
    assert!(roots.len() >= 3, "{roots:?}");
    let mirror = provider_mirror(&[("aws", "5.100.0"), ("archive", "2.7.1")]);
    let output = lock_providers(tree.path(), mirror.path());
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{log}");
    for root in &roots {
        let lock = std::fs::read_to_string(layers.join(root).join(".terraform.lock.hcl"))
            .unwrap_or_else(|e| panic!("layers/{root}: no lock file ({e})\n{log}"));
        let required = required_providers(&layers.join(root));
        assert!(!required.is_empty(), "layers/{root} requires no provider?");
        for provider in &required {
            assert!(
                lock.contains(&format!(
                    "provider \"registry.terraform.io/hashicorp/{provider}\""
                )),
                "layers/{root}: {provider} not locked\n{lock}"
            );
        }
        let blocks = lock.matches("\nprovider \"").count();
        assert_eq!(
            lock.matches("\"h1:").count(),
            blocks * LOCK_PLATFORMS.len(),
            "layers/{root}: one hash per platform and provider\n{lock}"
        );
    }
    let mut written = Vec::new();
    let mut stack = vec![layers.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() == ".terraform.lock.hcl" {
                written.push(path.parent().unwrap().to_path_buf());
            } else if !repo()
                .join(path.strip_prefix(tree.path()).unwrap())
                .exists()
            {
                panic!("{} written under the layers", path.display());
            }
        }
    }
    written.sort();
    let expected: Vec<PathBuf> = roots.iter().map(|r| layers.join(r)).collect();
    assert_eq!(
        written, expected,
        "lock files only in root layers, not in modules"
    );

    // A mirror without hashicorp/archive: exactly the layers that need it fail, named.
    let tree = fresh_layers();
    let layers = tree.path().join("layers");
    let mirror = provider_mirror(&[("aws", "5.100.0")]);
    let output = lock_providers(tree.path(), mirror.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error: no complete lock file for"))
        .unwrap_or_else(|| panic!("{stderr}"));
    for root in &roots {
        let needs_archive = required_providers(&layers.join(root)).contains("archive");
        assert_eq!(
            error.contains(&format!("layers/{root}")),
            needs_archive,
            "{root}: {error}"
        );
        assert_eq!(
            layers.join(root).join(".terraform.lock.hcl").is_file(),
            !needs_archive,
            "{root}"
        );
    }
}

/// docs/github-actions.md (Lock files) names the layers of this repository that have no lock
/// file: exactly those the warm-provider-cache action will warn about.
#[test]
fn the_docs_name_exactly_the_layers_without_a_lock_file() {
    let docs = std::fs::read_to_string(repo().join("docs/github-actions.md")).unwrap();
    let flat = docs.split_whitespace().collect::<Vec<_>>().join(" ");
    const LEAD: &str = "Layers without a lock file in this repository: ";
    let listed = flat
        .split_once(LEAD)
        .map(|(_, rest)| rest)
        .expect("docs/github-actions.md names the layers without a lock file");
    let listed = listed.split(['(', '.']).next().unwrap();
    let listed: BTreeSet<String> = listed
        .split(',')
        .map(|s| s.trim().trim_matches('`').to_string())
        .filter(|s| s != "none")
        .collect();
    let layers = repo().join("layers");
    let missing: BTreeSet<String> = root_layers(&layers)
        .into_iter()
        .filter(|l| {
            !required_providers(&layers.join(l)).is_empty()
                && !layers.join(l).join(".terraform.lock.hcl").is_file()
        })
        .map(|l| format!("layers/{l}"))
        .collect();
    assert_eq!(listed, missing, "update docs/github-actions.md, Lock files");
}

/// The steps of a job or composite action, with every local composite action they use
/// (`./.github/actions/<name>`) replaced by its own steps, recursively.
fn expanded_steps(steps: &[Value], out: &mut Vec<Value>) {
    for step in steps {
        let uses = text(&step["uses"]);
        if let Some(local) = uses.strip_prefix("./") {
            let path = repo().join(local).join("action.yml");
            let action: Value = serde_yaml::from_str(
                &std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            )
            .unwrap();
            let inner = action["runs"]["steps"]
                .as_sequence()
                .cloned()
                .unwrap_or_default();
            expanded_steps(&inner, out);
        }
        out.push(step.clone());
    }
}

/// A leg's path, whatever the `version` of setup-orchestrator, holds nothing that compiles:
/// no cargo or rustc, no Rust toolchain action, not the build-orchestrator action. The time
/// before terraform starts (docs/github-actions.md, Time to expect) counts on it.
#[test]
fn nothing_on_a_legs_path_compiles() {
    let legs = workflow("legs.yml");
    let leg_steps: Vec<Value> = steps(job(&legs, "leg")).into_iter().cloned().collect();
    let mut all = Vec::new();
    expanded_steps(&leg_steps, &mut all);
    assert!(
        all.iter()
            .any(|s| text(&s["name"]) == "Download the orchestrator binary"),
        "setup-orchestrator's steps were expanded"
    );
    for step in &all {
        let run = text(&step["run"]);
        let uses = text(&step["uses"]).to_lowercase();
        let name = text(&step["name"]);
        for word in run.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')) {
            assert!(
                !["cargo", "rustc", "rustup", "make", "gcc"].contains(&word),
                "step `{name}` runs {word}: {run}"
            );
        }
        for toolchain in [
            "build-orchestrator",
            "rust-toolchain",
            "actions-rs/",
            "rust-cache",
        ] {
            assert!(!uses.contains(toolchain), "step `{name}` uses {uses}");
        }
    }
}

/// A leg's time limit (legs.yml's `timeout-minutes`, as each caller passes it) is longer than
/// the orchestrator's own job timeout plus its grace period (root domains.yaml), with minutes
/// to spare for the leg's other steps: a slow account is stopped by the orchestrator, which
/// stops terraform gracefully and reports it, before GitHub cancels the leg.
#[test]
fn a_legs_time_limit_leaves_room_for_the_orchestrators_timeout_and_grace_period() {
    let legs = workflow("legs.yml");
    let default = legs["on"]["workflow_call"]["inputs"]["timeout-minutes"]["default"]
        .as_u64()
        .expect("legs.yml has a default timeout-minutes");
    assert_eq!(
        text(&job(&legs, "leg")["timeout-minutes"]),
        "${{ inputs.timeout-minutes }}"
    );
    let config = orchestrator::config::load(&repo().join("domains.yaml")).unwrap();
    let execution = &config.execution;
    // Checkout, setup, credentials and the uploads after terraform: a few minutes at most.
    let other_steps = std::time::Duration::from_secs(5 * 60);
    let needed = execution.job_timeout + execution.grace_period + other_steps;
    let mut callers = 0;
    for (name, workflow) in all_workflows() {
        for (id, caller) in workflow["jobs"].as_mapping().unwrap() {
            if !text(&caller["uses"]).ends_with("/legs.yml") {
                continue;
            }
            callers += 1;
            let minutes = caller["with"]
                .get("timeout-minutes")
                .map(|m| m.as_u64().expect("a number of minutes"))
                .unwrap_or(default);
            assert!(
                std::time::Duration::from_secs(minutes * 60) >= needed,
                "{name}: {} gives its legs {minutes} min, but the orchestrator may take {} (timeout {}, grace period {}) plus {} for the other steps",
                text(id),
                humantime::format_duration(needed),
                humantime::format_duration(execution.job_timeout),
                humantime::format_duration(execution.grace_period),
                humantime::format_duration(other_steps),
            );
        }
    }
    assert!(
        callers >= 4,
        "deploy, plan, redeploy and drift call legs.yml"
    );
}

/// Dependabot keeps every pin current: the actions of every workflow and of every local
/// composite action (each its own directory for Dependabot), and the providers and modules of
/// every layer and local module (the lock files the provider cache is keyed on).
#[test]
fn dependabot_watches_every_action_directory_and_every_layer() {
    let config: Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join(".github/dependabot.yml")).unwrap(),
    )
    .unwrap();
    let watched = |ecosystem: &str| -> BTreeSet<String> {
        let update = config["updates"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|u| text(&u["package-ecosystem"]) == ecosystem)
            .unwrap_or_else(|| panic!("no {ecosystem} updates"));
        let mut dirs: BTreeSet<String> = update["directories"]
            .as_sequence()
            .map(|d| d.iter().map(text).collect())
            .unwrap_or_default();
        if let Some(dir) = update.get("directory") {
            dirs.insert(text(dir));
        }
        dirs
    };
    let subdirs = |under: &str| -> Vec<String> {
        let mut dirs: Vec<String> = std::fs::read_dir(repo().join(under))
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| format!("/{under}/{}", e.file_name().to_string_lossy()))
            .collect();
        dirs.sort();
        dirs
    };

    let actions = watched("github-actions");
    assert!(actions.contains("/"), "the workflows: {actions:?}");
    for dir in subdirs(".github/actions") {
        assert!(actions.contains(&dir), "{dir} is not watched: {actions:?}");
    }
    let terraform = watched("terraform");
    let layers = repo().join("layers");
    let mut expected: Vec<String> = root_layers(&layers)
        .into_iter()
        .map(|l| format!("/layers/{l}"))
        .collect();
    expected.extend(subdirs("layers/modules"));
    for dir in expected {
        assert!(
            terraform.contains(&dir),
            "{dir} is not watched: {terraform:?}"
        );
    }
}

/// Prod's deploy legs run in the `production` environment (the only subject the prod entry
/// role trusts, behind its reviewers) and nothing else does: stage legs, plans and drift run
/// on the branch's subject and so can never assume the prod role.
#[test]
fn only_prod_deploy_legs_run_in_the_production_environment() {
    let mut prod_deploys = 0;
    for (name, workflow) in all_workflows() {
        for (id, caller) in workflow["jobs"].as_mapping().unwrap() {
            if !text(&caller["uses"]).ends_with("/legs.yml") {
                continue;
            }
            let with = &caller["with"];
            let environment = with.get("environment").map(text).unwrap_or_default();
            let plan_only = with.get("plan-only").map(text).unwrap_or_default();
            let deploys =
                plan_only.is_empty() || plan_only == "false" || plan_only.contains("inputs.");
            let prod = text(&with["wave"]) == "prod";
            if prod && deploys {
                prod_deploys += 1;
                assert_eq!(environment, "production", "{name}: {}", text(id));
            } else {
                assert_eq!(
                    environment,
                    "",
                    "{name}: {} must not run in an environment",
                    text(id)
                );
            }
        }
    }
    assert!(
        prod_deploys >= 5,
        "deploy's prod chunks and redeploy's prod job"
    );
}

/// docs/github-actions.md lets a team adopt the workflows from one table: every variable and
/// secret the workflows and actions read, and every environment a job runs in, is a row of
/// it (by name, in the table's `name` column).
#[test]
fn the_adoption_table_lists_every_variable_secret_and_environment() {
    let docs = std::fs::read_to_string(repo().join("docs/github-actions.md")).unwrap();
    let section = docs
        .split_once("## Adopting the workflows")
        .expect("an `Adopting the workflows` section")
        .1;
    let rows: Vec<Vec<String>> = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    let header = &rows[0];
    let kind = header
        .iter()
        .position(|c| c == "kind")
        .expect("a kind column");
    let name = header
        .iter()
        .position(|c| c == "name")
        .expect("a name column");
    let listed = |wanted: &str, what: &str| {
        rows.iter().skip(2).any(|row| {
            row[kind] == what
                && row[name].trim_matches('`').split_whitespace().next() == Some(wanted)
        })
    };

    let mut used = BTreeSet::new();
    let mut environments = BTreeSet::new();
    let mut files = vec![repo().join(".github/workflows")];
    let mut texts = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path()),
            );
        } else if path.extension().is_some_and(|e| e == "yml") {
            texts.push(std::fs::read_to_string(&path).unwrap());
        }
    }
    for entry in std::fs::read_dir(repo().join(".github/actions"))
        .unwrap()
        .flatten()
    {
        texts.push(std::fs::read_to_string(entry.path().join("action.yml")).unwrap());
    }
    for text in &texts {
        for context in ["vars", "secrets"] {
            for (i, _) in text.match_indices(&format!("{context}.")) {
                let before = text[..i].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let rest = &text[i + context.len() + 1..];
                let ident: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !ident.is_empty() {
                    used.insert((context, ident));
                }
            }
        }
        for line in text.lines() {
            if let Some(value) = line.trim().strip_prefix("environment: ") {
                if !value.contains("${{") {
                    environments.insert(value.trim().to_string());
                }
            }
        }
    }
    assert!(used.len() >= 5, "{used:?}");
    for (context, ident) in &used {
        let what = if *context == "vars" {
            "variable"
        } else {
            "secret"
        };
        // GITHUB_TOKEN is GitHub's own: listed as the automatic token.
        let what = if ident == "GITHUB_TOKEN" {
            "token"
        } else {
            what
        };
        assert!(
            listed(ident, what),
            "{context}.{ident} is not a `{what}` row of the adoption table"
        );
    }
    assert!(environments.contains("production"), "{environments:?}");
    for environment in environments {
        assert!(
            listed(&environment, "environment"),
            "environment {environment} is not in the adoption table"
        );
    }
}

/// No run that holds terraform state locks is ever cancelled by a newer one: a cancelled
/// plan or deploy could die holding a state's lock (the next deploy of that account would
/// then need `terraform force-unlock`). Plans are never cancelled rather than run with
/// `-lock=false`: a plan that refreshes without the lock could read a state mid-apply.
#[test]
fn no_workflow_that_runs_terraform_cancels_a_run_in_progress() {
    for name in [
        "deploy.yml",
        "plan.yml",
        "redeploy.yml",
        "drift.yml",
        "legs.yml",
        "preview.yml",
    ] {
        let workflow = workflow(name);
        let mut groups = vec![("workflow".to_string(), workflow["concurrency"].clone())];
        for (id, job) in workflow["jobs"].as_mapping().unwrap() {
            groups.push((text(id), job["concurrency"].clone()));
        }
        for (at, concurrency) in groups {
            if concurrency.is_null() || concurrency.is_string() {
                continue;
            }
            let cancel = concurrency.get("cancel-in-progress").map(text);
            assert!(
                matches!(cancel.as_deref(), None | Some("false")),
                "{name} ({at}): cancel-in-progress {cancel:?}"
            );
        }
        // legs.yml runs inside its caller's run; its legs have their own groups.
        assert!(
            name == "legs.yml" || !workflow["concurrency"].is_null(),
            "{name}: runs of one workflow queue, never overlap"
        );
    }
}

/// GitHub signals only a step's entry process on cancel or timeout, then kills the tree:
/// a step whose last command runs terraform through the orchestrator (deploy, destroy, run)
/// `exec`s it, so the orchestrator itself gets the SIGINT and stops terraform gracefully.
#[test]
fn steps_that_end_in_terraform_exec_the_orchestrator() {
    let mut checked = 0;
    for (name, workflow) in all_workflows() {
        for (id, job) in workflow["jobs"].as_mapping().unwrap() {
            for step in steps(job) {
                let run = text(&step["run"]);
                let Some(last) = run
                    .lines()
                    .map(str::trim)
                    .rfind(|l| !l.is_empty() && !l.starts_with('#'))
                else {
                    continue;
                };
                let runs_terraform = ["deploy", "destroy", "run"].iter().any(|command| {
                    last.contains(&format!("orchestrator {command} "))
                        || last.contains("orchestrator \"${args[@]}\"")
                });
                if runs_terraform {
                    checked += 1;
                    assert!(
                        last.starts_with("exec orchestrator"),
                        "{name}: job {}, step `{}` ends in `{last}` without exec",
                        text(id),
                        text(&step["name"])
                    );
                }
            }
        }
    }
    assert!(
        checked >= 3,
        "legs.yml's Deploy and preview.yml's deploy and destroy"
    );
}

/// preview.yml's nightly cleanup runs one destroy after another, so it cannot `exec`: its
/// shell passes GitHub's SIGINT on to the destroy running at that moment and starts no other.
/// Run here as GitHub would cancel it (SIGINT to the step's shell only), with a fake
/// orchestrator (it only records the signal; real terraform is not needed to see it arrive)
/// and a fake curl answering that every pull request is closed.
#[test]
fn the_preview_cleanup_passes_a_cancel_on_to_the_running_destroy() {
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};

    let preview = workflow("preview.yml");
    let script = steps(job(&preview, "cleanup"))
        .into_iter()
        .find(|s| text(&s["name"]) == "Destroy the copies whose pull request is closed")
        .map(|s| text(&s["run"]))
        .expect("the cleanup step");
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.path().join("fake.log");
    let fake_orchestrator = r#"#!/usr/bin/env python3
# A fake orchestrator: lists two copies and "destroys" one at a time until interrupted.
import json, os, signal, sys, time
log = open(os.environ["FAKE_LOG"], "a", buffering=1)
command = sys.argv[1]
if command == "jobs":
    print(json.dumps([{"account": "catalog-dev"}]))
elif command == "stacks":
    print(json.dumps([{"account": "catalog-dev", "stack": "pr-1"}, {"account": "catalog-dev", "stack": "pr-2"}]))
elif command == "destroy":
    stack = sys.argv[sys.argv.index("--stack") + 1]
    def stop(signum, frame):
        log.write(f"interrupted {stack} by {signal.Signals(signum).name}\n")
        sys.exit(130)
    signal.signal(signal.SIGINT, stop)
    log.write(f"start {stack}\n")
    deadline = time.time() + 20
    while time.time() < deadline:
        time.sleep(0.05)
    log.write(f"finished {stack}\n")
"#;
    let fake_curl =
        "#!/bin/sh\n# A fake curl: every pull request is closed.\necho '{\"state\": \"closed\"}'\n";
    for (name, body) in [("orchestrator", fake_orchestrator), ("curl", fake_curl)] {
        let path = bin.join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut shell = std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .current_dir(dir.path())
        .env("PATH", path)
        .env("FAKE_LOG", &log)
        .env("GH_TOKEN", "fake-token")
        .env("GITHUB_API_URL", "http://127.0.0.1:9")
        .env("GITHUB_REPOSITORY", "acme/aws-accounts")
        .env("SLACK_WEBHOOK_URL", "")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let read = || std::fs::read_to_string(&log).unwrap_or_default();
    let started = Instant::now();
    while !read().contains("start pr-1") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no destroy started: {}",
            read()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // As GitHub cancels a step: SIGINT to its entry process only, not to the process group.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(shell.id()).unwrap()),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let status = loop {
        if let Some(status) = shell.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the shell did not stop: {}",
            read()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = read();
    assert!(log.contains("interrupted pr-1 by SIGINT"), "{log}");
    assert!(!log.contains("finished pr-1"), "{log}");
    assert!(
        !log.contains("start pr-2"),
        "no other destroy starts: {log}"
    );
    assert!(!status.success(), "a cancelled cleanup is not a success");
}

/// Every workflow names `bash` as the shell of its run steps, so GitHub runs them with
/// `-eo pipefail` (as the rehearsal does), not `bash -e`: a failing `curl` in front of `jq`
/// must fail the step, not feed `jq` nothing (drift.yml would open a second tracking issue).
#[test]
fn every_workflow_runs_its_steps_with_pipefail() {
    for (name, workflow) in all_workflows() {
        assert_eq!(
            text(&workflow["defaults"]["run"]["shell"]),
            "bash",
            "{name}: add `defaults: run: shell: bash`"
        );
        for (id, job) in workflow["jobs"].as_mapping().unwrap() {
            for step in steps(job) {
                let shell = text(&step["shell"]);
                assert!(
                    shell.is_empty() || shell == "bash",
                    "{name}: job {}: a step with shell `{shell}`",
                    text(id)
                );
            }
        }
    }
}
