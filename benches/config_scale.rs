//! Whole-process cost of `validate` and `matrix` (all waves) on a generated organisation of
//! 10,000 domains x 3 environments (30,000 accounts): wall time and peak memory of the
//! release binary, as CI pays them.
//!
//! `cargo bench --bench config_scale` (figures and targets in benches/README.md).
//! Each run is measured by a small helper process (this binary again) whose only child is
//! the orchestrator, so `getrusage(RUSAGE_CHILDREN)` gives that one process's peak RSS.

// a bench prints its figures; it is not the orchestrator's output.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

#[path = "generated_config.rs"]
mod generated_config;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};

const BIN: &str = env!("CARGO_BIN_EXE_orchestrator");
const DOMAINS: usize = 10_000;
const RUNS: usize = 15;
const TARGET_WALL: Duration = Duration::from_millis(150);
const TARGET_PEAK_MB: f64 = 64.0;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--measure-child") {
        measure_child(&args[1..]);
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    generated_config::write_generated_config(dir.path(), DOMAINS);
    let config = dir.path().join("domains.yaml");
    let size = std::fs::metadata(&config).expect("config").len();
    println!(
        "config: {DOMAINS} domains x 3 environments = {} accounts, {:.1} MB of YAML",
        DOMAINS * 3,
        // Through u32 (the YAML is megabytes): the conversion to f64 is exact.
        f64::from(u32::try_from(size).expect("under 4 GB")) / 1e6
    );
    let config = config.to_str().expect("UTF-8 path");
    for (label, args) in [
        ("validate", vec!["--config", config, "validate"]),
        ("matrix (all waves)", vec!["--config", config, "matrix"]),
        (
            "jobs --format json",
            vec!["--config", config, "jobs", "--format", "json"],
        ),
    ] {
        // One warm-up run fills the page cache; it is not counted.
        measure(&args);
        let samples: Vec<Sample> = (0..RUNS).map(|_| measure(&args)).collect();
        let median = |mut values: Vec<Duration>| {
            values.sort();
            values[RUNS / 2]
        };
        let wall = median(samples.iter().map(|s| s.wall).collect());
        let cpu = median(samples.iter().map(|s| s.cpu).collect());
        let fastest = samples.iter().map(|s| s.wall).min().expect("runs");
        let peak_kb = samples.iter().map(|s| s.peak_kb).max().expect("runs");
        // Through u32 (kilobytes of one process): the conversion to f64 is exact.
        let peak_mb = f64::from(u32::try_from(peak_kb).expect("under 4 TB")) / 1024.0;
        let verdict = if wall < TARGET_WALL && peak_mb < TARGET_PEAK_MB {
            "within target"
        } else {
            "OVER TARGET"
        };
        println!(
            "{label:<20} wall median {:>6.1} ms (fastest {:.1}), CPU median {:>6.1} ms, peak RSS {peak_mb:>5.1} MB  [{verdict}: < {} ms, < {TARGET_PEAK_MB} MB]",
            ms(wall),
            ms(fastest),
            ms(cpu),
            TARGET_WALL.as_millis(),
        );
    }
    // For scale: the YAML tokenizer alone (yaml-rust2 events, nothing built), in-process.
    let text = std::fs::read_to_string(config).expect("config");
    let mut tokenizer: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let mut parser = yaml_rust2::parser::Parser::new_from_str(&text);
            while let Ok((event, _)) = parser.next_token() {
                if event == yaml_rust2::parser::Event::StreamEnd {
                    break;
                }
            }
            start.elapsed()
        })
        .collect();
    tokenizer.sort();
    println!(
        "{:<20} median {:>6.1} ms (in-process: reading the YAML events only, no tree, no checks)",
        "yaml-rust2 events",
        ms(tokenizer[RUNS / 2])
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine: {} CPUs, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One run of the orchestrator.
struct Sample {
    wall: Duration,
    /// User + system CPU time: less disturbed than wall time on a shared machine.
    cpu: Duration,
    peak_kb: i64,
}

/// Runs the orchestrator once under a helper process.
fn measure(args: &[&str]) -> Sample {
    let me = std::env::current_exe().expect("own path");
    let out = Command::new(me)
        .arg("--measure-child")
        .args(args)
        .output()
        .expect("helper runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "helper failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut fields = text.split_whitespace();
    let nanos: u64 = fields.next().and_then(|s| s.parse().ok()).expect("nanos");
    let peak_kb: i64 = fields.next().and_then(|s| s.parse().ok()).expect("max RSS");
    let cpu: u64 = fields
        .next()
        .and_then(|s| s.parse().ok())
        .expect("CPU time");
    Sample {
        wall: Duration::from_nanos(nanos),
        cpu: Duration::from_nanos(cpu),
        peak_kb,
    }
}

/// In the helper: spawn, wait, and report wall nanoseconds and the child's peak RSS (KiB).
fn measure_child(args: &[String]) {
    let start = Instant::now();
    let status = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("orchestrator runs");
    let wall = start.elapsed();
    assert!(status.success(), "orchestrator {args:?} failed: {status}");
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let cpu = |t: nix::sys::time::TimeVal| {
        u128::try_from(t.tv_sec()).unwrap_or(0) * 1_000_000_000
            + u128::try_from(t.tv_usec()).unwrap_or(0) * 1000
    };
    println!(
        "{} {} {}",
        wall.as_nanos(),
        usage.max_rss(),
        cpu(usage.user_time()) + cpu(usage.system_time())
    );
}
