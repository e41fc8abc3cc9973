//! No run report may panic a reader or reach the terminal or the GitHub runner raw: thousands
//! of mutated copies of a real report (hostile values, huge numbers, duplicated and colliding
//! accounts, control characters, missing fields, flipped bytes) end in a report or in a
//! refusal naming the file; a sample goes through every command that reads reports.

use std::path::Path;

use orchestrator::report::{read_report, ReportError};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::Value;

use crate::support::cli::{orchestrator, Run};
use crate::support::receiver::{Receiver, Reply};

const BASE: &str = include_str!("fixtures/plans/report.json");

/// Values that have broken readers elsewhere: control characters, workflow commands, terminal
/// escapes, a huge string, another account's name.
const HOSTILE_TEXT: &[&str] = &[
    "",
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}[2J\u{1b}[H",
    "a\rb\n::error::forged",
    "::set-output name=proceed::true",
    "##[error]forged",
    "\u{202e}evil",
    "\u{9b}31m",
    "a\u{0}b",
    "payments-dev",
    "catalog-dev\n",
    "../../etc/passwd",
    "9999999999999999999999999",
    "2026-13-45T99:99:99Z",
];

fn hostile_number(rng: &mut StdRng) -> Value {
    match rng.random_range(0..7) {
        0 => Value::from(0),
        1 => Value::from(u64::MAX),
        2 => Value::from(-1),
        3 => serde_json::from_str("18446744073709551616").unwrap(),
        4 => serde_json::from_str("1e308").unwrap(),
        5 => Value::from(1.5),
        _ => Value::from(i64::MIN),
    }
}

/// Every path to a node of `value`, in document order.
fn paths(value: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                at.push(Value::from(k.as_str()));
                paths(v, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push(Value::from(i));
                paths(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn node<'a>(root: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(root, |v, k| match k {
        Value::String(k) => &mut v[k.as_str()],
        _ => &mut v[usize::try_from(k.as_u64().unwrap()).unwrap()],
    })
}

/// One deterministic mutation of the base report: (what was done, the file's text).
fn mutation(base: &Value, rng: &mut StdRng, i: usize) -> (String, String) {
    let mut report = base.clone();
    let mut all = Vec::new();
    paths(&report, &mut Vec::new(), &mut all);
    all.remove(0);
    let what = match i % 6 {
        0 | 1 => {
            let path = all[rng.random_range(0..all.len())].clone();
            let target = node(&mut report, &path);
            *target = match target {
                Value::String(_) | Value::Null => {
                    if rng.random_range(0..8) == 0 {
                        Value::from("x".repeat(64 << 10))
                    } else {
                        Value::from(HOSTILE_TEXT[rng.random_range(0..HOSTILE_TEXT.len())])
                    }
                }
                Value::Number(_) => hostile_number(rng),
                _ => [
                    Value::Null,
                    Value::from(true),
                    Value::Array(vec![]),
                    Value::from(""),
                ][rng.random_range(0..4)]
                .clone(),
            };
            format!("hostile value at {path:?}")
        }
        2 => {
            // Account-name collisions: a job copied, or renamed to another job's account.
            let jobs = report["jobs"].as_array_mut().unwrap();
            let a = rng.random_range(0..jobs.len());
            let b = rng.random_range(0..jobs.len());
            if rng.random_range(0..2) == 0 {
                let copy = jobs[a].clone();
                jobs.push(copy);
                format!("job {a} twice")
            } else {
                let name = jobs[b]["account"].clone();
                jobs[a]["account"] = name;
                format!("job {a} renamed to job {b}'s account")
            }
        }
        3 => {
            let path = all[rng.random_range(0..all.len())].clone();
            let (last, parent) = path.split_last().unwrap();
            match (node(&mut report, parent), last) {
                (Value::Object(map), Value::String(k)) => {
                    map.remove(k);
                }
                (Value::Array(items), n) => {
                    items.remove(usize::try_from(n.as_u64().unwrap()).unwrap());
                }
                _ => {}
            }
            format!("removed {path:?}")
        }
        4 => {
            // A layer twice in its job.
            let jobs = report["jobs"].as_array_mut().unwrap();
            let j = rng.random_range(0..jobs.len());
            let layers = jobs[j]["layers"].as_array_mut().unwrap();
            let k = rng.random_range(0..layers.len());
            let copy = layers[k].clone();
            layers.push(copy);
            "a layer twice".to_string()
        }
        _ => {
            let mut bytes = report.to_string().into_bytes();
            for _ in 0..rng.random_range(1..=4) {
                let at = rng.random_range(0..bytes.len());
                bytes[at] ^= 1 << rng.random_range(0..8);
            }
            return (
                "byte flips".into(),
                String::from_utf8_lossy(&bytes).into_owned(),
            );
        }
    };
    (what, report.to_string())
}

fn mutations(seed: u64, count: usize) -> Vec<(String, String)> {
    let base: Value = serde_json::from_str(BASE).unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count).map(|i| mutation(&base, &mut rng, i)).collect()
}

/// 1,000 mutations through the one reader every command uses: a report or a refusal that
/// names the file, never a panic; every report it accepts names each account once.
#[test]
fn mutated_reports_are_read_or_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let (mut accepted, mut refused) = (0, 0);
    // Duplicates refused as such: the consistency check, not the parser, caught them.
    let mut duplicates_checked = 0;
    for (i, (what, text)) in mutations(13, 1_000).into_iter().enumerate() {
        std::fs::write(&path, &text).unwrap();
        let read = std::panic::catch_unwind(|| read_report(&path))
            .unwrap_or_else(|_| panic!("mutation #{i} ({what}) panicked the reader"));
        match read {
            Ok(report) => {
                accepted += 1;
                let mut names: Vec<&str> = report.jobs.iter().map(|j| j.account.as_str()).collect();
                names.sort_unstable();
                let count = names.len();
                names.dedup();
                assert_eq!(
                    names.len(),
                    count,
                    "#{i} ({what}): an account twice was accepted"
                );
            }
            Err(e) => {
                refused += 1;
                assert!(
                    e.to_string().starts_with(&path.display().to_string()),
                    "#{i} ({what}): {e}"
                );
                if what.contains("twice") || what.contains("renamed") {
                    if let ReportError::Invalid { problems, .. } = &e {
                        duplicates_checked += 1;
                        assert!(
                            problems.iter().any(|p| p.contains(" is also /jobs/")),
                            "#{i} ({what}): {problems:?}"
                        );
                    }
                }
            }
        }
    }
    // The generator must exercise both sides.
    assert!(
        accepted > 100 && refused > 100,
        "{accepted} accepted, {refused} refused"
    );
    assert!(
        duplicates_checked > 100,
        "only {duplicates_checked} duplicated accounts or layers reached the consistency check"
    );
}

/// Each command that reads a run report, on a sample of the mutations: exit 0, 1 or 2,
/// never a panic, and nothing a report holds reaches the output as a control character or a
/// workflow command.
#[test]
fn commands_that_read_reports_never_panic_or_echo_raw_data() {
    let dir = tempfile::tempdir().unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sandbox/domains.yaml");
    std::fs::create_dir_all(dir.path().join("plans")).unwrap();
    let commands: [&[&str]; 5] = [
        &["gate", "--wave", "stage", "--report", "r.json"],
        &["report", "merge", "--out", "merged.json", "r.json"],
        &["report", "summary", "--report", "r.json"],
        &["summary", "--report", "r.json", "plans"],
        &["notify", "slack", "--report", "r.json", "--on", "always"],
    ];
    let slack = Receiver::start();
    slack.otherwise(Reply::ok());
    let (mut runs, mut read) = (0, 0);
    // The reports the reader takes (what the commands act on) and a few it refuses.
    let probe = dir.path().join("probe.json");
    let (mut taken, mut refused) = (Vec::new(), Vec::new());
    for (i, (what, text)) in mutations(29, 400).into_iter().enumerate() {
        if i % 6 == 5 {
            continue; // byte flips: the reader's test has them
        }
        std::fs::write(&probe, &text).unwrap();
        match read_report(&probe) {
            Ok(_) if taken.len() < 20 => taken.push((i, what, text)),
            Err(_) if refused.len() < 8 => refused.push((i, what, text)),
            _ => {}
        }
    }
    for (i, what, text) in taken.into_iter().chain(refused) {
        std::fs::write(dir.path().join("r.json"), &text).unwrap();
        for args in commands {
            let run: Run = orchestrator()
                .current_dir(dir.path())
                .arg("--config")
                .arg(&config)
                .args(["--work-dir", "work"])
                .args(args)
                .env("SLACK_WEBHOOK_URL", slack.url("/hook"))
                .run();
            runs += 1;
            read += usize::from(matches!(run.code, Some(0 | 1)));
            let case = format!("#{i} ({what}) {}", args.join(" "));
            assert!(
                matches!(run.code, Some(0..=2)),
                "{case}: exit {:?}\n{}",
                run.code,
                run.stderr
            );
            for (stream, out) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert!(!out.contains("panicked"), "{case}: {out}");
                let raw = out
                    .chars()
                    .find(|&c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}');
                assert!(raw.is_none(), "{case}: {raw:?} on {stream}:\n{out}");
                for line in out.lines() {
                    assert!(
                        !line.trim_start().starts_with("::") && !line.contains("##["),
                        "{case}: a workflow command on {stream}: {line}"
                    );
                }
            }
        }
    }
    // Both sides: reports the commands acted on, and reports they refused.
    assert!(
        runs >= 140 && read >= 30 && runs - read >= 30,
        "{runs} runs, {read} read"
    );
}
