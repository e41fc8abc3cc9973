//! A layer that prints one enormous line: the run keeps only its caps' worth of it in memory
//! (`--max-output-line`, `--max-output-tail`), still finds terraform's error after it, and
//! the GitHub job log shows no line longer than the cap. Peak memory with a 400 MB line is in
//! benches/README.md ("Huge output").

use crate::support::sandbox::{layer, Sandbox};

/// A FAKE terraform (real terraform cannot be made to print one 30 MB line): `plan` prints a
/// 30 MB line, then a 200 KB one, then an error, and fails.
const FAKE: &str = r#"#!/bin/sh
case "$1" in
  plan)
    head -c 30000000 /dev/zero | tr '\0' x; echo
    head -c 200000 /dev/zero | tr '\0' y | fold -w 99 | tr '\n' ' '; echo
    printf 'Error: after the blob\n\nthe real cause\n'
    exit 1 ;;
  *) exit 0 ;;
esac
"#;

#[test]
fn a_huge_line_is_cut_to_the_caps_and_the_error_after_it_is_found() {
    let sandbox = Sandbox::new();
    let fake = sandbox.path().join("fake-terraform-huge-line.sh");
    std::fs::write(&fake, FAKE).unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let run = sandbox.run_with(
        sandbox
            .cli(&[
                "deploy",
                "--accounts",
                "catalog-dev",
                "--layers",
                "platform",
                "--max-output-line",
                "1024",
                "--max-output-tail",
                "1000000",
            ])
            .arg("--terraform")
            .arg(&fake)
            .env("GITHUB_ACTIONS", "true")
            .command(),
    );
    run.expect_code(1);

    let platform = layer(&sandbox.report(), "catalog-dev", "platform").clone();
    assert_eq!(platform.attempts.len(), 1);
    assert_eq!(platform.error, ["Error: after the blob", "the real cause"]);

    // The job log's group: the 200 KB line inside the tail (words of 99 bytes) is cut to at
    // most 1,024 bytes, between two words, and says so;
    // the 30 MB line before the tail is left out, with where the whole log is.
    let longest = run.stdout.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 1200, "a line of {longest} bytes in the job log");
    assert!(
        run.stdout.contains(&format!(
            "\n{}[... 201020 more bytes of this line cut]\n",
            format!("{} ", "y".repeat(99)).repeat(10)
        )),
        "{}",
        &run.stdout[..run.stdout.len().min(3000)]
    );
    assert!(run
        .stdout
        .contains("bytes left out, 1 long line cut; the whole log is in"));
    assert!(run.stdout.contains("Error: after the blob"));
    // The log file keeps everything.
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/platform.log");
    assert!(std::fs::metadata(log).unwrap().len() > 30_000_000);
}
