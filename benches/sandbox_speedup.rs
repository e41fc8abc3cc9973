//! Real terraform on the sandbox layers at 24 accounts (8 domains x dev/stage/prod):
//! `orchestrator run --parallel 24` against a plain sequential loop of the same terraform
//! commands (init, plan -out, apply of that plan, per account and layer), both from empty
//! state, measured in one run.
//!
//!     cargo bench --bench sandbox_speedup
//!
//! Knob: SANDBOX_DEPLOY_SECONDS, the sandbox's simulated deploy time per layer (default: the
//! layers' own default, 1s).

// a bench prints its figures; it is not the orchestrator's output.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use orchestrator::config::{self, Config};
use orchestrator::plan::{self, Selection};
use orchestrator::terraform::{BackendConfig, LayerWorkspace, Terraform};

const DOMAINS: [&str; 8] = [
    "catalog", "payments", "commerce", "platform", "search", "media", "identity", "billing",
];

fn main() {
    let deploy_seconds = std::env::var("SANDBOX_DEPLOY_SECONDS").ok();
    if let Some(seconds) = &deploy_seconds {
        std::env::set_var("TF_VAR_deploy_seconds", seconds);
    }
    // Warm the page cache with terraform's binary, so neither side pays for it.
    let _ = Command::new("terraform")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();

    let sequential_dir = organisation();
    let parallel_dir = organisation();
    let config = config::load(&sequential_dir.path().join("domains.yaml")).unwrap();
    let accounts = config.accounts.len();

    let started = Instant::now();
    let commands = sequential_loop(&config, sequential_dir.path());
    let sequential = started.elapsed();

    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_orchestrator"))
        .current_dir(parallel_dir.path())
        .args(["--config", "domains.yaml", "run", "--parallel", "24"])
        .env("CI", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let parallel = started.elapsed();
    assert!(status.success(), "orchestrator run failed");

    println!(
        "sandbox, real terraform, {accounts} accounts x 3 layers, deploy_seconds={}",
        deploy_seconds.as_deref().unwrap_or("1 (default)")
    );
    println!(
        "  sequential loop ({commands} terraform commands)  {:>7.2}s",
        sequential.as_secs_f64()
    );
    println!(
        "  orchestrator run --parallel 24          {:>7.2}s",
        parallel.as_secs_f64()
    );
    println!(
        "  speed-up                                {:>7.2}x",
        sequential.as_secs_f64() / parallel.as_secs_f64()
    );
    println!(
        "  machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
}

/// The same commands the orchestrator runs, one after the other; returns how many ran.
fn sequential_loop(config: &Config, root: &Path) -> usize {
    let terraform = Terraform {
        program: PathBuf::from("terraform"),
        lock_timeout: Duration::ZERO,
    };
    let work_dir = root.join(".orchestrator");
    let layers_dir = std::path::absolute(&config.layers_dir).unwrap();
    let plan = plan::build(config, &Selection::default()).unwrap();
    let mut commands = 0;
    for job in plan.jobs() {
        let account = &job.account;
        for layer in &job.layers {
            let ws = LayerWorkspace::new(&work_dir, root, &layers_dir, &account.name, layer);
            ws.prepare(&account.inputs(layer, config.network_layer()))
                .unwrap();
            let backend = BackendConfig::render(&config.state, root, account, layer);
            let run = |cmd: orchestrator::terraform::TerraformCommand| {
                cmd.to_command()
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .unwrap()
                    .code()
            };
            assert_eq!(run(terraform.init(&ws, &backend, false)), Some(0));
            let planned = run(terraform.plan(&ws));
            commands += 2;
            if planned == Some(2) {
                assert_eq!(run(terraform.apply(&ws)), Some(0));
                commands += 1;
            }
        }
    }
    commands
}

/// A copy of the sandbox layers with 8 domains x dev/stage/prod.
fn organisation() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sandbox/layers");
    for layer in ["platform", "static", "dynamic"] {
        let to = dir.path().join("layers").join(layer);
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(sandbox.join(layer).join("main.tf"), to.join("main.tf")).unwrap();
    }
    let mut yaml = String::from(
        "version: 1\n\
         defaults:\n  \
           region: eu-west-1\n  \
           credentials: none\n  \
           layers: [platform, static, dynamic]\n  \
           layers_dir: layers\n  \
           state: { backend: local, path: \".orchestrator/state/{layer}/{account}.tfstate\" }\n\
         waves:\n  \
           - { name: stage, environments: [dev, stage] }\n  \
           - { name: prod, environments: [prod] }\n\
         domains:\n",
    );
    for (i, domain) in DOMAINS.iter().enumerate() {
        yaml.push_str(&format!(
            "  - name: {domain}\n    team: {domain}\n    environments:\n      \
             dev: {{ account_id: \"1000000000{i}1\" }}\n      \
             stage: {{ account_id: \"1000000000{i}2\" }}\n      \
             prod: {{ account_id: \"1000000000{i}3\" }}\n"
        ));
    }
    std::fs::write(dir.path().join("domains.yaml"), yaml).unwrap();
    dir
}
