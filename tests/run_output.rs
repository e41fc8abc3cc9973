//! What a user sees on stdout at the end of `orchestrator run` on `examples/sandbox`, off a
//! terminal and without colour (a CI log, a pipe): snapshots, so a change to it shows in
//! review. Durations, the run id and the choice of slowest jobs change from run to run and
//! are redacted; everything else is exact.

use crate::support::sandbox::Sandbox;

/// `run` in the sandbox as a CI log sees it: stdout a pipe, `NO_COLOR`.
fn run(sandbox: &Sandbox, args: &[&str], fail_account: Option<&str>) -> (i32, String) {
    let mut cmd = sandbox.command(args);
    cmd.env("NO_COLOR", "1").env_remove("TERM");
    if let Some(account) = fail_account {
        cmd.env("TF_VAR_fail_account", account);
    }
    let run = sandbox.run_with(cmd);
    (run.code.expect("an exit code"), redact(&run.stdout))
}

/// The parts of the output that differ between two identical runs.
fn redact(stdout: &str) -> String {
    stdout
        .lines()
        .map(|line| {
            if let Some(slowest) = line.strip_prefix("Slowest: ") {
                // Which jobs were slowest is up to the machine; that each names a job and
                // a duration is not.
                let jobs: Vec<&str> = slowest.split(", ").collect();
                for job in &jobs {
                    let (name, duration) = job.rsplit_once(' ').expect("`<job> <duration>`");
                    assert!(!name.is_empty() && is_duration(duration), "{line}");
                }
                format!("Slowest: [{} jobs]", jobs.len())
            } else {
                line.split(' ')
                    .map(redact_word)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        })
        .map(|line| line + "\n")
        .collect()
}

fn redact_word(word: &str) -> String {
    let bare = word.trim_end_matches([':', ',', ')']);
    let rest = &word[bare.len()..];
    if is_duration(bare) {
        return format!("[duration]{rest}");
    }
    // runs/local-20261201T175330Z-9420/report.json: the run id has the time and a pid.
    if let Some(start) = bare.find("/local-") {
        let id_start = start + 1;
        let end = bare[id_start..]
            .find('/')
            .map_or(bare.len(), |e| id_start + e);
        if is_local_run_id(&bare[id_start..end]) {
            return format!("{}[run id]{}{rest}", &bare[..id_start], &bare[end..]);
        }
    }
    word.to_string()
}

/// `local-20261201T175330Z-9420`: a local run's id, its start time and process id.
fn is_local_run_id(text: &str) -> bool {
    let Some((time, pid)) = text
        .strip_prefix("local-")
        .and_then(|rest| rest.rsplit_once('-'))
    else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some((date, clock)) = time.strip_suffix('Z').and_then(|t| t.split_once('T')) else {
        return false;
    };
    digits(date) && digits(clock) && digits(pid)
}

/// `5.6s`, `350ms`, `1m2s`, `2h3m`: how the closing summary writes a duration.
fn is_duration(word: &str) -> bool {
    let mut rest = word;
    while !rest.is_empty() {
        let number = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        if number.len() == rest.len() {
            return false;
        }
        let Some(after) = ["ms", "h", "m", "s"]
            .iter()
            .find_map(|unit| number.strip_prefix(unit))
        else {
            return false;
        };
        rest = after;
    }
    !word.is_empty()
}

#[test]
fn a_run_that_deploys_everything() {
    let sandbox = Sandbox::new();
    let (code, stdout) = run(&sandbox, &["run"], None);
    assert_eq!(code, 0, "{stdout}");
    insta::assert_snapshot!("run_succeeded", stdout);

    // Nothing to do the second time, and plan-only sees no changes.
    let (code, stdout) = run(&sandbox, &["run", "--plan-only"], None);
    assert_eq!(code, 0, "{stdout}");
    insta::assert_snapshot!("run_plan_only_no_changes", stdout);
}

#[test]
fn a_run_halted_by_a_stage_failure() {
    let sandbox = Sandbox::new();
    let (code, stdout) = run(&sandbox, &["run"], Some("payments-stage"));
    assert_eq!(code, 1, "{stdout}");
    insta::assert_snapshot!("run_halted", stdout);
}

#[test]
fn redaction_keeps_everything_but_times_and_run_ids() {
    assert_eq!(
        redact("Run halted in 1m5.0s: 12 jobs in 2 waves\nSlowest: a-dev 3.5s, b-prod 350ms\nReport: .orchestrator/runs/local-20261201T175330Z-9420/report.json\n"),
        "Run halted in [duration]: 12 jobs in 2 waves\nSlowest: [2 jobs]\nReport: .orchestrator/runs/[run id]/report.json\n"
    );
    assert_eq!(
        redact("Error: local-exec failed\n"),
        "Error: local-exec failed\n"
    );
    assert!(!is_duration("12"));
    assert!(!is_duration("2s3"));
    assert!(!is_duration("stage"));
}
