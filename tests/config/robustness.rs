//! No input may panic or hang the reader: thousands of mutated copies of the real configs,
//! random bytes, `[[[[...` 100,000 deep, a "billion laughs" alias bomb and huge scalars
//! all end in a config or in located problems. The library takes most of them (fast), a
//! few go through the binary under a memory limit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use orchestrator::config::{self, LoadError};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::cli::{clean_env, dir_with_layers, finish, repo, BIN};

/// A hang detector, not a timing assertion: a healthy input takes milliseconds.
const DEADLINE: Duration = Duration::from_secs(60);

/// Text that tends to break YAML structure when dropped into a line.
const NASTY: &[&str] = &[
    ":", ": ", "- ", "[", "]", "{", "}", "&a ", "*a", "!", "!!str ", "\"", "'", "#", "\t", "|",
    ">", "?", "%", "@", "`", ",", "\n", "---\n", "...\n", "~", "\u{feff}", "\u{0}", "é", "😀",
];

fn root_config() -> String {
    std::fs::read_to_string(repo().join("domains.yaml")).expect("root domains.yaml")
}

fn sandbox_config() -> String {
    std::fs::read_to_string(repo().join("examples/sandbox/domains.yaml"))
        .expect("sandbox domains.yaml")
}

/// Deterministic mutations of `text`: the same seed gives the same inputs on every run.
fn mutations(text: &str, seed: u64, count: usize) -> Vec<(String, String)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let (what, mutated) = match i % 7 {
            0 => {
                // Flip bytes (fixed up to valid UTF-8, as any text editor would save it).
                let mut bytes = text.as_bytes().to_vec();
                let flips = rng.random_range(1..=4);
                for _ in 0..flips {
                    let at = rng.random_range(0..bytes.len());
                    bytes[at] ^= 1 << rng.random_range(0..8);
                }
                ("byte flips", String::from_utf8_lossy(&bytes).into_owned())
            }
            1 => {
                let mut l = lines.clone();
                let at = rng.random_range(0..l.len());
                let n = rng.random_range(1..=3).min(l.len() - at);
                l.drain(at..at + n);
                ("line deletion", l.join("\n"))
            }
            2 => {
                let mut l = lines.clone();
                let at = rng.random_range(0..l.len());
                let n = rng.random_range(1..=3);
                for _ in 0..n {
                    l.insert(at, lines[at]);
                }
                ("line duplication", l.join("\n"))
            }
            3 => {
                let mut cut = rng.random_range(0..text.len());
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                ("truncation", text[..cut].to_string())
            }
            4 => {
                let mut s = text.to_string();
                for _ in 0..rng.random_range(1..=3) {
                    let mut at = rng.random_range(0..s.len());
                    while !s.is_char_boundary(at) {
                        at -= 1;
                    }
                    s.insert_str(at, NASTY[rng.random_range(0..NASTY.len())]);
                }
                ("nasty insertion", s)
            }
            5 => {
                let mut l = lines.clone();
                let (a, b) = (rng.random_range(0..l.len()), rng.random_range(0..l.len()));
                l.swap(a, b);
                ("line swap", l.join("\n"))
            }
            _ => {
                // Re-indent one line by a random amount.
                let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
                let at = rng.random_range(0..l.len());
                let indent = " ".repeat(rng.random_range(0..8));
                l[at] = format!("{indent}{}", l[at].trim_start());
                ("re-indent", l.join("\n"))
            }
        };
        out.push((format!("{what} #{i} (seed {seed})"), mutated));
    }
    out
}

fn random_texts(seed: u64, count: usize) -> Vec<(String, String)> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let len = rng.random_range(0..2_000);
            let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            (
                format!("random bytes #{i} (seed {seed})"),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

/// Inputs built to exhaust the stack, the CPU or the memory of a naive reader.
fn hostile_texts() -> Vec<(String, String)> {
    let mut laughs = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let huge_scalar = root_config().replace(
        "team: catalog",
        &format!("team: {}", "x".repeat(16 * 1024 * 1024)),
    );
    let many_keys: String = std::iter::once("version: 1\ndefaults:\n  vars:\n".to_string())
        .chain((0..100_000).map(|i| format!("    v{i}: {i}\n")))
        .collect();
    let deep_block: String = (0..2_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    vec![
        ("[ x 100000".into(), "[".repeat(100_000)),
        ("{ x 100000".into(), "{".repeat(100_000)),
        ("[a: x 50000".into(), "[a: ".repeat(50_000)),
        ("- x 100000".into(), "- ".repeat(100_000)),
        ("nested block mappings 2000 deep".into(), deep_block),
        ("billion laughs".into(), laughs),
        ("16 MB scalar".into(), huge_scalar),
        ("100000 keys".into(), many_keys),
        (
            "100000 anchors".into(),
            (0..100_000).map(|i| format!("- &a{i} x\n")).collect(),
        ),
        ("alias to a missing anchor".into(), "a: *nowhere\n".into()),
        ("a lone BOM".into(), "\u{feff}".into()),
        ("only a comment".into(), "# nothing here\n".into()),
        (
            "two documents".into(),
            format!("{}---\n{}", root_config(), root_config()),
        ),
    ]
}

/// Either a config, or problems that each have a position and say what to do.
fn check_outcome(what: &str, path: &Path, result: Result<config::Config, LoadError>) {
    match result {
        Ok(config) => assert!(!config.accounts.is_empty(), "{what}: valid but no accounts"),
        Err(LoadError::Invalid(errors)) => {
            assert!(
                !errors.problems.is_empty(),
                "{what}: invalid without a problem"
            );
            for p in &errors.problems {
                assert!(
                    p.pos.line >= 1 && p.pos.col >= 1,
                    "{what}: bad position {p:?}"
                );
                assert!(!p.message.is_empty() && !p.help.is_empty(), "{what}: {p:?}");
            }
            let shown = errors.to_string();
            for line in shown.lines() {
                assert!(
                    line.starts_with(&format!("{}:", path.display())),
                    "{what}: `{line}` does not name the file"
                );
            }
        }
        Err(other) => panic!("{what}: unexpected error {other}"),
    }
}

/// Feeds every input to `config::from_str` on a worker thread; a panic or a hang names the
/// input that caused it.
fn feed(path: PathBuf, inputs: Vec<(String, String)>) -> usize {
    let (progress, done) = mpsc::channel::<String>();
    let total = inputs.len();
    let worker = std::thread::spawn(move || {
        for (what, text) in inputs {
            progress.send(what.clone()).ok();
            let result = config::from_str(&path, &text);
            check_outcome(&what, &path, result);
        }
    });
    let mut seen = 0;
    let mut last = String::from("(none yet)");
    loop {
        match done.recv_timeout(DEADLINE) {
            Ok(what) => {
                seen += 1;
                last = what;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("the reader hangs on input `{last}`")
            }
        }
    }
    if let Err(panic) = worker.join() {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("the reader panicked on input `{last}`: {why}");
    }
    assert_eq!(seen, total);
    seen
}

#[test]
fn mutated_real_configs_give_a_config_or_located_problems() {
    let dir = dir_with_layers();
    let root_path = dir.path().join("domains.yaml");
    let mut inputs = mutations(&root_config(), 1, 1_400);
    inputs.extend(random_texts(3, 300));
    feed(root_path, inputs);

    let sandbox_path = repo().join("examples/sandbox/domains.yaml");
    feed(sandbox_path, mutations(&sandbox_config(), 2, 1_400));
}

#[test]
fn hostile_inputs_are_refused_with_a_message() {
    let dir = dir_with_layers();
    let path = dir.path().join("domains.yaml");
    let inputs = hostile_texts();
    let count = inputs.len();
    assert_eq!(feed(path.clone(), inputs), count);
    // The ones built to exhaust something must be refused, not accepted.
    for (what, text) in hostile_texts() {
        if what == "16 MB scalar" {
            continue;
        }
        assert!(
            config::from_str(&path, &text).is_err(),
            "{what} was accepted"
        );
    }
}

#[test]
fn the_unmutated_configs_are_valid() {
    let dir = dir_with_layers();
    config::from_str(&dir.path().join("domains.yaml"), &root_config()).expect("root config");
    config::from_str(
        &repo().join("examples/sandbox/domains.yaml"),
        &sandbox_config(),
    )
    .expect("sandbox config");
}

/// Through the binary, with the address space capped: a reader that tried to expand the
/// alias bomb or build the deep tree would die of the cap instead of exiting 2.
#[test]
fn the_binary_exits_2_within_a_memory_cap_on_hostile_files() {
    let dir = dir_with_layers();
    let mut cases: Vec<(String, Vec<u8>)> = hostile_texts()
        .into_iter()
        .filter(|(what, _)| what != "16 MB scalar")
        .map(|(what, text)| (what, text.into_bytes()))
        .collect();
    cases.push((
        "not UTF-8".into(),
        b"version: 1\ndefaults:\n  region: \xff\xfe\n".to_vec(),
    ));
    cases.push(("random bytes".into(), {
        let mut rng = StdRng::seed_from_u64(7);
        (0..4096).map(|_| rng.random()).collect()
    }));
    for (what, bytes) in cases {
        let file = dir.path().join("hostile.yaml");
        std::fs::write(&file, &bytes).unwrap();
        // 1 GiB of address space: far above what a config needs, far below a bomb.
        let script = format!("ulimit -v 1048576; exec '{BIN}' --config hostile.yaml validate");
        let mut cmd = Command::new("sh");
        clean_env(&mut cmd);
        let output = cmd
            .current_dir(dir.path())
            .args(["-c", &script])
            .output()
            .expect("sh runs");
        let out = finish(output);
        assert_eq!(out.code, 2, "{what}: exit {}\n{}", out.code, out.stderr);
        assert!(
            out.stderr.starts_with("error: hostile.yaml is not valid"),
            "{what}: {}",
            out.stderr
        );
        assert!(
            out.stderr
                .lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("hostile.yaml:")),
            "{what}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{what}: {}", out.stderr);
    }
}
