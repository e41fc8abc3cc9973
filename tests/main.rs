//! The integration tests, one binary (`autotests = false` in Cargo.toml): one link instead of
//! one per file, and one place where what the tests share lives (`support`). Each file of
//! `tests/` is a module here; run one area with its module path, e.g.
//! `cargo test --test integration architecture::` or `cargo test --test integration engine::`.
//!
//! The tests of one binary run in one process, in parallel: no test may change the process's
//! environment or working directory. What a child process needs is given to its `Command`.

mod architecture;
mod aws;
mod changes;
mod config;
mod drift;
mod engine;
mod equivalence;
mod extreme_limits;
mod health;
mod huge_output;
mod install;
mod layers;
mod matrix;
mod notify;
mod operator;
mod plan;
mod preview;
mod readme;
mod redeploy;
mod rehearsal;
mod reliability;
mod report_robustness;
mod report_schema;
mod retries;
mod run_output;
mod stacks;
mod stacks_s3;
mod summary;
mod support;
mod terminal;
mod vending;
mod workflows;

/// A file under `tests/` that no module declares would never be compiled, and its tests
/// would silently never run: every `tests/<name>.rs` must be a `mod <name>;` here, and every
/// `tests/<dir>/<name>.rs` a `mod <name>;` of `tests/<dir>.rs`.
#[test]
fn every_test_file_is_a_declared_module() {
    use std::path::{Path, PathBuf};

    fn declares(parent: &Path, name: &str) -> bool {
        let text =
            std::fs::read_to_string(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        text.lines().any(|line| {
            let line = line.trim();
            let line = line
                .strip_prefix("pub(crate) ")
                .or_else(|| line.strip_prefix("pub "))
                .unwrap_or(line);
            line == format!("mod {name};")
        })
    }

    fn walk(dir: &Path, parent: &Path, missing: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                // Data the tests read, not code.
                if name != "fixtures" && name != "snapshots" {
                    walk(&path, &dir.join(format!("{name}.rs")), missing);
                }
            } else if let Some(module) = name.strip_suffix(".rs") {
                if path != parent && !declares(parent, module) {
                    missing.push(format!(
                        "{}: add `mod {module};` to {}",
                        path.display(),
                        parent.display()
                    ));
                }
            }
        }
    }

    let tests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut missing = Vec::new();
    walk(&tests, &tests.join("main.rs"), &mut missing);
    missing.sort();
    assert!(
        missing.is_empty(),
        "test files never compiled:\n{}",
        missing.join("\n")
    );
}
