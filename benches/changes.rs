//! Change detection at scale: a git repository whose domains.yaml has 1,000 accounts, a diff
//! of a few files, and the whole `orchestrator matrix --changed-since HEAD~1` process timed
//! (spawn, config load, git, module graph, config comparison, plan, matrix JSON).
//!
//!     cargo bench --bench changes
//!
//! Set ORCHESTRATOR_BENCH_KEEP=1 to keep the generated repository (its path is printed) and
//! time it with other tools.

// a bench prints its figures; it is not the orchestrator's output.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const DOMAINS: usize = 250;
const ENVIRONMENTS: [&str; 4] = ["dev", "test", "stage", "prod"];
const RUNS: usize = 30;

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let repo = dir.path();
    generate(repo);
    git(repo, &["init", "--quiet", "--initial-branch=main"]);
    commit(repo, "base");
    // The diff, 4 files: a shared module used through another module, one layer file, a doc,
    // and domains.yaml (one domain's vars, one account's CIDR).
    append(repo, "layers/modules/vpc/main.tf", "\n# wider subnets\n");
    append(repo, "layers/static/main.tf", "\n# tuned\n");
    append(repo, "docs/guide-007.md", "\nMore words.\n");
    edit(
        repo,
        "domains.yaml",
        "vars: { tier: d17 }",
        "vars: { tier: gold }",
    );
    edit(
        repo,
        "domains.yaml",
        "cidr: 10.0.200.0/24",
        "cidr: 10.3.232.0/24",
    );
    commit(repo, "a few files");

    let bin = env!("CARGO_BIN_EXE_orchestrator");
    println!(
        "repository: {} accounts, {} files, diff of {} files",
        DOMAINS * ENVIRONMENTS.len(),
        git(repo, &["ls-files"]).lines().count(),
        git(repo, &["diff", "--name-only", "HEAD~1"])
            .lines()
            .count()
    );
    for args in [
        &["matrix", "--changed-since", "HEAD~1"][..],
        &["matrix", "--changed-since", "HEAD~1", "--wave", "prod"][..],
        &[
            "jobs",
            "--explain",
            "--format",
            "json",
            "--changed-since",
            "HEAD~1",
        ][..],
        &["matrix"][..],
    ] {
        time(repo, bin, args);
    }
    if std::env::var_os("ORCHESTRATOR_BENCH_KEEP").is_some() {
        println!("kept {}", dir.keep().display());
    }
}

fn time(repo: &Path, bin: &str, args: &[&str]) {
    let run = || {
        let start = Instant::now();
        let out = Command::new(bin)
            .current_dir(repo)
            .args(args)
            .env_remove("ORCHESTRATOR_CONFIG")
            .env_remove("GITHUB_OUTPUT")
            .output()
            .expect("the orchestrator runs");
        let took = start.elapsed();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (took, out.stdout.len())
    };
    for _ in 0..3 {
        run();
    }
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut bytes = 0;
    let cpu_before = children_cpu();
    for _ in 0..RUNS {
        let (took, len) = run();
        times.push(took);
        bytes = len;
    }
    let cpu = children_cpu()
        .zip(cpu_before)
        // Through u32: the run count converts to f64 exactly.
        .map(|(after, before)| {
            format!(
                "{:5.1} ms",
                ms(after - before) / f64::from(u32::try_from(RUNS).expect("a few runs"))
            )
        })
        .unwrap_or_else(|| "n/a".into());
    times.sort();
    println!(
        "orchestrator {:<58} min {:6.1} ms  median {:6.1} ms  p90 {:6.1} ms  max {:6.1} ms  cpu {cpu}  ({bytes} bytes out)",
        args.join(" "),
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(times[RUNS * 9 / 10]),
        ms(times[RUNS - 1]),
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// CPU time (user + system) of every finished child process and its own children (the git
/// calls): a figure that, unlike wall time, other work on the machine barely moves. Linux
/// only (`/proc/self/stat` fields cutime and cstime, in 1/100 s).
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// domains.yaml with 250 domains x 4 environments, three layers, shared modules (platform
/// uses network, which uses vpc; static uses tags), and 400 other files (docs, code).
fn generate(repo: &Path) {
    let mut config = String::from(
        "version: 1\n\
         defaults:\n  region: eu-west-1\n  credentials: none\n  layers: [platform, static, dynamic]\n  \
         layers_dir: layers\n  state: { backend: s3, bucket: acme-tfstate, region: eu-west-1, key: \"{layer}/{account}.tfstate\" }\n  \
         network: { pool: 10.0.0.0/8, prefix: 24, layer: platform }\n  vars: { owner: platform-team }\n  \
         layer_vars:\n    static: { bucket_prefix: acme }\n\
         waves:\n  - { name: stage, environments: [dev, test, stage] }\n  - { name: prod, environments: [prod] }\n\
         domains:\n",
    );
    let mut n = 0u32;
    for d in 0..DOMAINS {
        config.push_str(&format!(
            "  - name: domain{d:03}\n    team: team{d:03}\n    vars: {{ tier: d{d} }}\n    environments:\n"
        ));
        for env in ENVIRONMENTS {
            let id = 100_000_000_000u64 + u64::from(n);
            config.push_str(&format!(
                "      {env}: {{ account_id: \"{id}\", network: {{ cidr: 10.{}.{}.0/24 }} }}\n",
                n / 256,
                n % 256
            ));
            n += 1;
        }
    }
    write(repo, "domains.yaml", &config);
    for layer in ["platform", "static", "dynamic"] {
        write(
            repo,
            &format!("layers/{layer}/main.tf"),
            "variable \"account_name\" { type = string }\n\nresource \"terraform_data\" \"this\" {\n  input = var.account_name\n}\n",
        );
        write(
            repo,
            &format!("layers/{layer}/variables.tf"),
            "variable \"region\" { type = string }\n",
        );
    }
    write(
        repo,
        "layers/platform/network.tf",
        "module \"network\" {\n  source = \"../modules/network\"\n}\n",
    );
    write(
        repo,
        "layers/static/tags.tf",
        "module \"tags\" {\n  source = \"../modules/tags\"\n}\n",
    );
    write(
        repo,
        "layers/modules/network/main.tf",
        "module \"vpc\" {\n  source = \"../vpc\"\n}\n",
    );
    write(
        repo,
        "layers/modules/vpc/main.tf",
        "resource \"terraform_data\" \"vpc\" {}\n",
    );
    write(
        repo,
        "layers/modules/tags/main.tf",
        "output \"tags\" {\n  value = {}\n}\n",
    );
    for i in 0..300 {
        write(
            repo,
            &format!("docs/guide-{i:03}.md"),
            &format!("# Guide {i}\n"),
        );
    }
    for i in 0..100 {
        write(repo, &format!("src/module_{i:03}.rs"), "pub fn f() {}\n");
    }
}

fn write(repo: &Path, rel: &str, text: &str) {
    let path = repo.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn append(repo: &Path, rel: &str, text: &str) {
    let old = std::fs::read_to_string(repo.join(rel)).unwrap();
    write(repo, rel, &(old + text));
}

fn edit(repo: &Path, rel: &str, from: &str, to: &str) {
    let old = std::fs::read_to_string(repo.join(rel)).unwrap();
    assert!(old.contains(from), "{rel} lacks {from}");
    write(repo, rel, &old.replacen(from, to, 1));
}

fn commit(repo: &Path, message: &str) {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "--quiet", "-m", message]);
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
