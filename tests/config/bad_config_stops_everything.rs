//! A config that fails validation never starts anything: every command that reads it exits
//! 2 with exactly `validate`'s messages and leaves no file behind (no `.orchestrator/`, no
//! state, no `$GITHUB_OUTPUT`).

use std::collections::BTreeSet;
use std::path::Path;

use super::cli::{command, dir_with_layers, fixtures, run};

fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            found.insert(path.strip_prefix(dir).unwrap().display().to_string());
            if path.is_dir() {
                todo.push(path);
            }
        }
    }
    found
}

#[test]
fn jobs_matrix_deploy_and_run_refuse_a_bad_config_and_create_nothing() {
    for fixture in [
        "several-problems",
        "account-id-used-twice",
        "yaml-syntax-error",
    ] {
        let dir = dir_with_layers();
        let config = std::fs::read(fixtures().join(format!("{fixture}.yaml"))).unwrap();
        std::fs::write(dir.path().join("domains.yaml"), config).unwrap();
        let before = files_under(dir.path());

        let validate = run(dir.path(), &["validate"]);
        assert_eq!(validate.code, Some(2), "{fixture}: {}", validate.stderr);
        validate.expect_stderr_contains("domains.yaml:");

        let github_output = dir.path().join("github_output");
        let commands: [&[&str]; 6] = [
            &["jobs"],
            &["jobs", "--format", "json"],
            &["matrix"],
            &["deploy", "--accounts", "catalog-dev"],
            &["run"],
            &["run", "--plan-only", "--report", "out/report.json"],
        ];
        for args in commands {
            let out = command(dir.path(), args)
                .env("GITHUB_OUTPUT", &github_output)
                .run();
            assert_eq!(out.code, Some(2), "{fixture}: {args:?}: {}", out.stderr);
            assert_eq!(out.stderr, validate.stderr, "{fixture}: {args:?}");
            assert_eq!(out.stdout, "", "{fixture}: {args:?}");
            assert_eq!(
                files_under(dir.path()),
                before,
                "{fixture}: {args:?} left files behind"
            );
        }
    }
}

#[test]
fn a_missing_config_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["validate"][..], &["jobs"], &["matrix"], &["run"]] {
        let out = run(dir.path(), args);
        assert_eq!(out.code, Some(2), "{args:?}");
        assert!(
            // No domains.yaml here or above: the message says where it looked.
            out.stderr.starts_with("error: no domains.yaml found in ")
                && out
                    .stderr
                    .contains(&format!("looked in {}", dir.path().display()))
                && out
                    .stderr
                    .contains("pass --config <path> or set ORCHESTRATOR_CONFIG"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            files_under(dir.path()).is_empty(),
            "{args:?} left files behind"
        );
    }
}
