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

use super::cli::{command, dir_with_layers, isolate, repo, Run, BIN};

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
        isolate(&mut cmd);
        let output = cmd
            .current_dir(dir.path())
            .args(["-c", &script])
            .output()
            .expect("sh runs");
        let out = Run::utf8(output);
        assert_eq!(
            out.code,
            Some(2),
            "{what}: exit {:?}\n{}",
            out.code,
            out.stderr
        );
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

/// Every duration field with zero, overflowing, negative, fractional and absurd values: each
/// ends in a config or in a located problem, and the ones that cannot be a sane limit are
/// refused (a zero or an overflow never reaches the run, where deadline arithmetic would panic).
#[test]
fn duration_fields_refuse_zero_overflow_and_absurd_values() {
    let dir = dir_with_layers();
    let path = dir.path().join("domains.yaml");
    let base = root_config();
    const FIELDS: &[&str] = &[
        "timeout",
        "lock_timeout",
        "grace_period",
        "session_duration",
    ];
    const REFUSED: &[&str] = &[
        "0",
        "0s",
        "0h 0m",
        "999999999999h",
        "18446744073709551615",
        "99999999999999999999999999",
        "584542046091y",
        "10000d",
        "-1s",
        "1e9",
        "\"\"",
        "ms",
    ];
    const ACCEPTED: &[&str] = &["1h", "3600", "45m 30s", "0.75h"];
    let mut inputs = Vec::new();
    for field in FIELDS {
        let key = format!("  {field}:");
        let present = base.lines().any(|l| l.starts_with(&key));
        for value in REFUSED.iter().chain(ACCEPTED) {
            let mut text = Vec::new();
            for l in base.lines() {
                if l.starts_with(&key) {
                    text.push(format!("{key} {value}"));
                    continue;
                }
                text.push(l.to_string());
                if !present && l == "defaults:" {
                    text.push(format!("{key} {value}"));
                }
            }
            inputs.push((format!("{field}: {value}"), text.join("\n")));
        }
    }
    feed(path.clone(), inputs.clone());
    for (what, text) in inputs {
        let value = what.split_once(": ").unwrap().1;
        let result = config::from_str(&path, &text);
        if REFUSED.contains(&value) {
            let Err(LoadError::Invalid(errors)) = result else {
                panic!("{what} was accepted");
            };
            let field = what.split_once(':').unwrap().0;
            assert!(
                errors.problems.iter().any(|p| p.message.starts_with(field)),
                "{what}: no problem names {field}: {errors}"
            );
        } else {
            assert!(result.is_ok(), "{what} was refused");
        }
    }
}

/// `--timeout` has the bounds of `defaults.timeout`: a zero or an overflow is refused with
/// exit code 2 before anything runs, saying what to give instead.
#[test]
fn the_timeout_flag_refuses_zero_and_overflow() {
    let dir = dir_with_layers();
    for value in ["0s", "999999999999h", "8d"] {
        let out = command(dir.path(), &["run", "--timeout", value]).run();
        assert_eq!(out.code, Some(2), "--timeout {value}: {}", out.stderr);
        assert!(
            out.stderr.contains(&format!("--timeout `{value}` is"))
                && out.stderr.contains("give a value from 1s to 7days"),
            "--timeout {value}: {}",
            out.stderr
        );
        out.expect_stderr_lacks("panicked");
    }
}

/// A random duration as someone could write it: any number of digits, signs, fractions,
/// units real and made up, two components, non-ASCII digits, nothing at all.
fn random_duration(rng: &mut StdRng) -> String {
    const UNITS: &[&str] = &[
        "", "ns", "us", "ms", "s", "sec", "m", "min", "h", "hr", "d", "days", "w", "M", "y", "x",
        "µs", "秒",
    ];
    const SIGNS: &[&str] = &["", "", "", "-", "+"];
    let mut text = String::new();
    for part in 0..rng.random_range(1..=2) {
        if part > 0 {
            text.push(' ');
        }
        text.push_str(SIGNS[rng.random_range(0..SIGNS.len())]);
        let digits = rng.random_range(0..=26);
        for _ in 0..digits {
            text.push(char::from(b'0' + rng.random_range(0..10u8)));
        }
        match rng.random_range(0..10) {
            0 => text.push_str(".5"),
            1 => text.push_str("e9"),
            2 => text.push_str("١٢"),
            _ => {}
        }
        text.push_str(UNITS[rng.random_range(0..UNITS.len())]);
    }
    text
}

/// Every duration field, `health_check.timeout` included, with 1,500 random values: no
/// panic, a config or located problems, and a value the reader accepts is inside the bounds
/// of its field (`config/durations.rs`).
#[test]
fn random_durations_in_every_field_give_a_config_or_located_problems() {
    let dir = dir_with_layers();
    let path = dir.path().join("domains.yaml");
    let base = root_config();
    assert!(
        base.contains("timeout: 60s }"),
        "the root config has a health check"
    );
    let mut rng = StdRng::seed_from_u64(13);
    let mut inputs = Vec::new();
    for i in 0..1_500 {
        let value = random_duration(&mut rng);
        let text = match i % 5 {
            0 => base.replace("  timeout: 30m", &format!("  timeout: {value}")),
            1 => base.replace("  lock_timeout: 2m", &format!("  lock_timeout: {value}")),
            2 => base.replace(
                "  session_duration: 1h",
                &format!("  session_duration: {value}"),
            ),
            3 => base.replace(
                "defaults:\n",
                &format!("defaults:\n  grace_period: {value}\n"),
            ),
            _ => base.replace("timeout: 60s }", &format!("timeout: \"{value}\" }}")),
        };
        inputs.push((
            format!("duration `{value}` in field #{} (seed 13)", i % 5),
            text,
        ));
    }
    feed(path.clone(), inputs.clone());
    let bounds = [
        config::durations::JOB_TIMEOUT,
        config::durations::LOCK_TIMEOUT,
        config::durations::SESSION_DURATION,
        config::durations::GRACE_PERIOD,
        config::durations::HEALTH_CHECK_TIMEOUT,
    ];
    for (i, (what, text)) in inputs.iter().enumerate() {
        let value = what.split('`').nth(1).unwrap();
        if let Ok(parsed) = config::durations::parse(&bounds[i % 5], value) {
            assert!(
                parsed >= bounds[i % 5].min && parsed <= bounds[i % 5].max,
                "{what}: {parsed:?}"
            );
        } else {
            assert!(
                config::from_str(&path, text).is_err(),
                "{what} was accepted"
            );
        }
    }
}

/// Account names cut at a random `-` into a domain and an environment (`a-b-dev` is domain
/// `a` + `b-dev` or `a-b` + `dev`), so two different pairs often make the same account:
/// every config whose account names collide is refused naming the account, the others load
/// with unique names. No panic.
#[test]
fn random_account_name_collisions_are_always_refused() {
    const NAMES: &[&str] = &["a-b-dev", "a-b-c-stage", "x-dev-stage", "a-dev", "b-c"];
    let dir = dir_with_layers();
    let path = dir.path().join("domains.yaml");
    let mut rng = StdRng::seed_from_u64(17);
    let mut collided = 0;
    for round in 0..400 {
        let mut domains: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
            std::collections::BTreeMap::new();
        for _ in 0..rng.random_range(2..=4) {
            let name = NAMES[rng.random_range(0..NAMES.len())];
            let cuts: Vec<usize> = name.match_indices('-').map(|(i, _)| i).collect();
            let cut = cuts[rng.random_range(0..cuts.len())];
            domains
                .entry(&name[..cut])
                .or_default()
                .insert(&name[cut + 1..]);
        }
        let mut text = String::new();
        let mut accounts = Vec::new();
        let mut environments = std::collections::BTreeSet::new();
        for (i, (domain, envs)) in domains.iter().enumerate() {
            text.push_str(&format!(
                "  - name: {domain}\n    team: t\n    environments:\n"
            ));
            for (j, env) in envs.iter().enumerate() {
                text.push_str(&format!(
                    "      {env}: {{ account_id: \"{}\" }}\n",
                    100_000_000_000u64 + 10 * i as u64 + j as u64
                ));
                accounts.push(format!("{domain}-{env}"));
                environments.insert(*env);
            }
        }
        let waves = environments.into_iter().collect::<Vec<_>>().join(", ");
        let text = format!(
            "version: 1\ndefaults:\n  region: eu-west-1\n  credentials: none\n  layers: [platform]\n  \
             state: {{ backend: local, path: \"state/{{layer}}/{{account}}.tfstate\" }}\n\
             waves:\n  - {{ name: all, environments: [{waves}] }}\ndomains:\n{text}"
        );
        let mut seen = std::collections::BTreeSet::new();
        let duplicate = accounts.iter().find(|a| !seen.insert(a.as_str()));
        let what = format!("round {round} (seed 17): {accounts:?}");
        feed(path.clone(), vec![(what.clone(), text.clone())]);
        match (config::from_str(&path, &text), duplicate) {
            (Ok(config), None) => {
                let mut unique = std::collections::BTreeSet::new();
                assert!(
                    config.accounts.iter().all(|a| unique.insert(&a.name)),
                    "{what}"
                );
                assert_eq!(config.accounts.len(), accounts.len(), "{what}");
            }
            (Ok(_), Some(name)) => panic!("{what}: `{name}` twice, accepted"),
            (Err(LoadError::Invalid(errors)), Some(name)) => {
                collided += 1;
                assert!(
                    errors
                        .problems
                        .iter()
                        .any(|p| p.message.contains(&format!("account name `{name}`"))),
                    "{what}: {errors}"
                );
            }
            (Err(e), _) => panic!("{what}: refused without a collision: {e}"),
        }
    }
    assert!(
        collided > 50,
        "the generator made only {collided} collisions"
    );
}

/// Control characters, terminal escapes and workflow commands in every kind of value: the
/// binary's `validate` never panics, exits 0 or 2, and what it prints holds no control
/// character (tab and newline aside) and nothing the GitHub runner would execute.
#[test]
fn control_characters_in_values_never_reach_the_terminal_or_the_runner() {
    const HOSTILE: &[&str] = &[
        "\u{1b}]0;pwned\u{7}",
        "\u{1b}[2J\u{1b}[H",
        "\u{9b}31m",
        "x\r::set-output name=a::b",
        "::add-mask::x",
        "##[error]forged",
        "\u{202e}evil",
        "\u{ad}::stop-commands::t",
        "a\u{0}b",
        "\u{8}\u{8}\u{8}",
    ];
    const PLACES: &[&str] = &[
        "name: catalog",
        "team: catalog",
        "region: eu-west-1",
        "layers: [platform, static, dynamic]",
    ];
    let dir = dir_with_layers();
    let base = root_config();
    let mut checked = 0;
    for (i, hostile) in HOSTILE.iter().enumerate() {
        for place in PLACES {
            let Some((key, _)) = place.split_once(": ") else {
                unreachable!()
            };
            // Double-quoted YAML, escaped so every character reaches the reader as written.
            let quoted = serde_json::to_string(&format!("v{i}{hostile}")).unwrap();
            let replacement = if key == "layers" {
                format!("layers: [platform, {quoted}]")
            } else {
                format!("{key}: {quoted}")
            };
            let text = base.replacen(place, &replacement, 1);
            assert_ne!(text, base, "{place} is in the root config");
            std::fs::write(dir.path().join("domains.yaml"), &text).unwrap();
            let out = command(dir.path(), &["--config", "domains.yaml", "validate"]).run();
            let what = format!("{key} = {hostile:?}");
            assert!(
                matches!(out.code, Some(0 | 2)),
                "{what}: exit {:?}: {}",
                out.code,
                out.stderr
            );
            let printed = format!("{}{}", out.stdout, out.stderr);
            assert!(!printed.contains("panicked"), "{what}: {printed}");
            if let Some(c) = printed
                .chars()
                .find(|&c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}')
            {
                panic!("{what}: {c:?} printed:\n{printed:?}");
            }
            let runner = crate::support::github_runner::Runner::read(&printed, &[]);
            assert!(runner.executed.is_empty(), "{what}: {:?}", runner.executed);
            checked += 1;
        }
    }
    assert_eq!(checked, HOSTILE.len() * PLACES.len());
}

/// One 100 KB value written once as a YAML anchor and aliased by the 9,999 other domains
/// (30,000 accounts): every account holds the same value, not a copy (copied, it took 1.2 GB).
/// The binary validates it under a 1 GiB address-space limit.
#[test]
fn a_big_value_aliased_by_every_domain_is_stored_once() {
    let text: String = std::iter::once(format!(
        "version: 1\ndefaults: {{ region: eu-west-1, credentials: none, state: {{ backend: local, path: \"state/{{layer}}/{{account}}.tfstate\" }} }}\ndomains:\n  - name: d0\n    team: t\n    vars: {{ big: &big \"{}\" }}\n    environments: {{ dev: {{ account_id: \"000000000000\" }} }}\n",
        "x".repeat(100_000)
    ))
    .chain((1..10_000).map(|i| {
        format!("  - name: d{i}\n    team: t\n    vars: {{ big: *big }}\n    environments: {{ dev: {{ account_id: \"{i:012}\" }}, stage: {{ account_id: \"{:012}\" }}, prod: {{ account_id: \"{:012}\" }} }}\n", i + 100_000, i + 200_000)
    }))
    .collect();
    let dir = dir_with_layers();
    let path = dir.path().join("domains.yaml");
    let config = config::from_str(&path, &text).expect("valid");
    assert_eq!(config.accounts.len(), 29_998);
    let first = &config.accounts[0].vars["big"];
    assert!(config
        .accounts
        .iter()
        .all(|a| a.vars["big"].is_shared_with(first)));
    drop(config);

    std::fs::write(&path, &text).unwrap();
    let script = format!("ulimit -v 1048576; exec '{BIN}' --config domains.yaml validate");
    let mut cmd = Command::new("sh");
    isolate(&mut cmd);
    let out = Run::utf8(
        cmd.current_dir(dir.path())
            .args(["-c", &script])
            .output()
            .expect("sh runs"),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}
