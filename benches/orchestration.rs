//! Orchestration overhead: 1,000 accounts x 3 layers in 2 waves, `--parallel 100`, with a
//! FAKE terraform (benches/fake-terraform-sleep.sh) that sleeps a fixed time per command.
//! Prints the wall time against the ideal critical path (sum over waves of
//! ceil(jobs / parallel) x one job's time) and the orchestrator's own CPU time per job.
//!
//!     cargo bench --bench orchestration
//!
//! Knobs: BENCH_ACCOUNTS (default 1000, two waves of half each), BENCH_PARALLEL (100),
//! BENCH_GUARD (1: terraform started through its guard, as the binary does; 0: directly),
//! FAKE_TERRAFORM_SLEEP (seconds per command, 2: terraform commands take seconds, and the
//! sleep must dwarf the start-up of the fake's own `sh` and `sleep` processes).

// a bench prints its figures; it is not the orchestrator's output.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use nix::sys::resource::{getrusage, UsageWho};
use orchestrator::config;
use orchestrator::credentials::NoCredentials;
use orchestrator::events;
use orchestrator::plan::{self, Selection};
use orchestrator::progress::{self, LogLines};
use orchestrator::report::{Mode, Outcome, ReportBuilder, ReportContext};
use orchestrator::runner::{self, Cancellation, RetryPolicy, RunOptions};
use orchestrator::terraform::Terraform;

/// init, plan, apply.
const COMMANDS_PER_LAYER: u32 = 3;
const LAYERS: [&str; 3] = ["platform", "static", "dynamic"];

fn main() {
    let accounts: usize = knob("BENCH_ACCOUNTS", 1000);
    let parallel: usize = knob("BENCH_PARALLEL", 100);
    let sleep: f64 = knob("FAKE_TERRAFORM_SLEEP", 2.0);
    // The fake terraform reads it from its environment.
    std::env::set_var("FAKE_TERRAFORM_SLEEP", sleep.to_string());
    let fake = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fake-terraform-sleep.sh");
    // As the binary does: every terraform started through its guard (`runner::parent_death`),
    // a `posix_spawn` of a small process. BENCH_GUARD=0 starts the fake directly, with the
    // parent-death signal set between fork and exec (a copy of the orchestrator's memory).
    if knob("BENCH_GUARD", 1) == 1 {
        orchestrator::runner::enable_guard(env!("CARGO_BIN_EXE_orchestrator").into());
    }

    let dir = tempfile::tempdir().unwrap();
    let config_path = write_organisation(dir.path(), accounts / 2);
    let config = config::load(&config_path).expect("the generated config is valid");
    let plan = plan::build(&config, &Selection::default()).unwrap();
    let work_dir = dir.path().join(".orchestrator");
    let options = RunOptions {
        mode: Mode::Apply,
        parallel,
        fail_fast: false,
        job_timeout: Duration::from_secs(3600),
        grace_period: Duration::from_secs(5),
        retry: RetryPolicy::exponential(0, Duration::from_secs(1)),
        terraform: Terraform {
            program: fake,
            lock_timeout: Duration::ZERO,
        },
        work_dir: work_dir.clone(),
        plans_dir: work_dir.join("plans"),
        serialise_init: false,
        stack: None,
        destroy: false,
        output: Default::default(),
    };
    let context = ReportContext {
        run_id: "bench".into(),
        mode: Mode::Apply,
        config: config_path.display().to_string(),
        source: None,
        action: Default::default(),
        stack: None,
        report_path: work_dir.join("report.json"),
        resumed_from: None,
    };
    let mut builder = ReportBuilder::new(context, &plan, SystemTime::now());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    let cpu_before = cpu(UsageWho::RUSAGE_SELF);
    let children_before = cpu(UsageWho::RUSAGE_CHILDREN);
    let started = Instant::now();
    runtime.block_on(async {
        let (sender, receiver) = events::channel();
        let run = runner::run(
            &plan,
            Arc::new(config),
            options,
            Arc::new(NoCredentials),
            sender,
            Cancellation::never(),
        );
        let mut display = LogLines::default();
        tokio::join!(run, progress::drive(receiver, &mut builder, &mut display));
    });
    let report = builder.report(SystemTime::now());
    orchestrator::report::write_atomic(
        &work_dir.join("report.json"),
        &serde_json::to_vec_pretty(&report).unwrap(),
    )
    .unwrap();
    let wall = started.elapsed();
    let own_cpu = cpu(UsageWho::RUSAGE_SELF) - cpu_before;
    let children_cpu = cpu(UsageWho::RUSAGE_CHILDREN) - children_before;

    assert_eq!(
        report.outcome,
        Outcome::Succeeded,
        "every fake job succeeds"
    );
    let per_job =
        Duration::from_secs_f64(sleep * f64::from(COMMANDS_PER_LAYER) * count(LAYERS.len()));
    let batches: usize = plan
        .waves
        .iter()
        .map(|w| w.jobs.len().div_ceil(parallel))
        .sum();
    let ideal = per_job * u32::try_from(batches).unwrap();
    let mean_job = Duration::from_millis(
        report.jobs.iter().map(|j| j.duration_ms).sum::<u64>() / report.jobs.len() as u64,
    );
    let jobs = report.jobs.len();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "orchestration overhead (fake terraform, {sleep}s per command)"
    );
    let _ = writeln!(
        out,
        "  {jobs} accounts x {} layers, {} waves, --parallel {parallel}: {batches} batches",
        LAYERS.len(),
        plan.waves.len()
    );
    let _ = writeln!(out, "  wall time             {:>8.2}s", wall.as_secs_f64());
    let _ = writeln!(
        out,
        "  ideal critical path   {:>8.2}s  ({batches} x {:.2}s per job)",
        ideal.as_secs_f64(),
        per_job.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  wall / ideal          {:>8.3}",
        wall.as_secs_f64() / ideal.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  mean job duration     {:>8.2}s  (ideal {:.2}s: the rest is process start-up)",
        mean_job.as_secs_f64(),
        per_job.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  wall / (batches x mean job)  {:.3}  (scheduling alone)",
        wall.as_secs_f64() / (mean_job.as_secs_f64() * count(batches))
    );
    let _ = writeln!(
        out,
        "  orchestrator CPU      {:>8.2}s  = {:.2} ms per job ({:.3} ms per terraform command)",
        own_cpu.as_secs_f64(),
        own_cpu.as_secs_f64() * 1000.0 / count(jobs),
        own_cpu.as_secs_f64() * 1000.0
            / (count(jobs * LAYERS.len()) * f64::from(COMMANDS_PER_LAYER))
    );
    let _ = writeln!(
        out,
        "  fake terraform CPU    {:>8.2}s  (sh + sleep, for scale)",
        children_cpu.as_secs_f64()
    );
    print!("{out}");
}

/// 2 x `per_wave` accounts: one stage and one prod account per domain.
fn write_organisation(dir: &Path, per_wave: usize) -> std::path::PathBuf {
    for layer in LAYERS {
        std::fs::create_dir_all(dir.join("layers").join(layer)).unwrap();
    }
    let mut yaml = String::from(
        "version: 1\n\
         defaults:\n  \
           region: eu-west-1\n  \
           credentials: none\n  \
           layers: [platform, static, dynamic]\n  \
           layers_dir: layers\n  \
           state: { backend: local, path: \"state/{layer}/{account}.tfstate\" }\n\
         waves:\n  \
           - { name: stage, environments: [stage] }\n  \
           - { name: prod, environments: [prod] }\n\
         domains:\n",
    );
    for i in 1..=per_wave {
        let _ = write!(
            yaml,
            "  - name: d{i:04}\n    team: bench\n    environments:\n      \
             stage: {{ account_id: \"1{i:011}\" }}\n      \
             prod: {{ account_id: \"2{i:011}\" }}\n"
        );
    }
    let path = dir.join("domains.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

fn cpu(who: UsageWho) -> Duration {
    let usage = getrusage(who).unwrap();
    let time = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
    };
    time(usage.user_time()) + time(usage.system_time())
}

fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A count of jobs, batches or layers as f64 for a printed ratio; through u32 (at most
/// millions here), so the conversion is exact.
fn count(n: usize) -> f64 {
    f64::from(u32::try_from(n).expect("a count under 2^32"))
}
