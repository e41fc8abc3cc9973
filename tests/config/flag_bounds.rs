//! Every duration, count and memory-cap flag has bounds, checked before anything runs: a zero, an
//! overflow or an absurd value is refused with exit code 2, naming the flag, the value and
//! the range to give instead (durations from the one table in `config/durations.rs`).

use super::cli::{command, dir_with_layers};

/// (command line before the flag, flag, refused value, what the message says).
const REFUSED: &[(&[&str], &str, &str, &str)] = &[
    (
        &["run"],
        "--retry-delay",
        "0s",
        "--retry-delay `0s` is zero; give a value from 1ms to 2m",
    ),
    (
        &["run"],
        "--retry-delay",
        "999999999999h",
        "--retry-delay `999999999999h` is too large",
    ),
    (
        &["deploy"],
        "--retry-delay",
        "1h",
        "--retry-delay `1h` is too large; give a value from 1ms to 2m",
    ),
    (&["run"], "--retries", "11", "11 is not in 0..=10"),
    (
        &["deploy", "--accounts", "a-dev"],
        "--timeout",
        "0s",
        "--timeout `0s` is zero; give a value from 1s to 7days",
    ),
    (
        &["run"],
        "--grace-period",
        "0",
        "--grace-period `0` is zero; give a value from 1s to 1h",
    ),
    (
        &["deploy", "--accounts", "a-dev"],
        "--grace-period",
        "99999999999999999999s",
        "--grace-period `99999999999999999999s` is too large",
    ),
    (
        &["run"],
        "--max-output-line",
        "0",
        "invalid value '0' for '--max-output-line <MAX_OUTPUT_LINE>': 0 is too small",
    ),
    (
        &["run"],
        "--max-output-line",
        "17000000",
        "17000000 is too large: the cap is what keeps a huge output out of memory; give a number of bytes from 256 to 16777216",
    ),
    (
        &["deploy", "--accounts", "a-dev"],
        "--max-output-line",
        "99999999999999999999999",
        "--max-output-line",
    ),
    (
        &["run"],
        "--max-output-tail",
        "100",
        "'--max-output-tail <MAX_OUTPUT_TAIL>': 100 is too small",
    ),
    (
        &["run"],
        "--max-output-tail",
        "1000000000000",
        "'--max-output-tail <MAX_OUTPUT_TAIL>': 1000000000000 is too large",
    ),
    (&["run"], "--retries", "4294967296", "--retries"),
    (
        &["notify", "slack", "--report", "r.json"],
        "--timeout",
        "0",
        "--timeout `0` is zero; give a value from 100ms to 5m",
    ),
    (
        &["notify", "slack", "--report", "r.json"],
        "--timeout",
        "18446744073709551615",
        "--timeout `18446744073709551615` is too large",
    ),
    (
        &["notify", "slack", "--report", "r.json"],
        "--timeout",
        "10ms",
        "--timeout `10ms` is too short",
    ),
    (
        &["notify", "slack", "--report", "r.json"],
        "--retry-delay",
        "0ms",
        "--retry-delay `0ms` is zero; give a value from 1ms to 1m",
    ),
    (
        &["notify", "slack", "--report", "r.json"],
        "--retry-delay",
        "1y",
        "--retry-delay `1y` is too large",
    ),
    (
        &["notify", "slack", "--report", "r.json"],
        "--retries",
        "1000000",
        "1000000 is not in 0..=10",
    ),
];

#[test]
fn duration_and_count_flags_refuse_zero_overflow_and_absurd_values() {
    let dir = dir_with_layers();
    for (command_line, flag, value, says) in REFUSED {
        let out = command(dir.path(), command_line)
            .args([*flag, *value])
            .run();
        let what = format!("{} {flag} {value}", command_line.join(" "));
        assert_eq!(out.code, Some(2), "{what}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{what}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{what}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{what}: {}", out.stdout);
    }
}

/// The same flags from the environment CI sets them through.
#[test]
fn bounded_flags_are_checked_when_they_come_from_the_environment() {
    let dir = dir_with_layers();
    for (command_line, variable, value, says) in [
        (
            &["run"][..],
            "ORCHESTRATOR_RETRY_DELAY",
            "0s",
            "--retry-delay `0s` is zero",
        ),
        (
            &["notify", "slack", "--report", "r.json"][..],
            "ORCHESTRATOR_SLACK_TIMEOUT",
            "9999999999999999999h",
            "is too large",
        ),
    ] {
        let out = command(dir.path(), command_line).env(variable, value).run();
        assert_eq!(out.code, Some(2), "{variable}={value}: {}", out.stderr);
        assert!(
            out.stderr.contains(says),
            "{variable}={value}: {}",
            out.stderr
        );
    }
}
