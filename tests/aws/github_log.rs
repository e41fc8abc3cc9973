//! Everything a run prints, read as the GitHub Actions runner reads it (`github_runner`):
//! eight accounts assuming their roles on moto, four at a time, with a FAKE terraform
//! (`fake-terraform-hostile.sh`) that prints workflow commands in every form the runner
//! parses and the credentials it was given, and one account whose apply fails with
//! commands in its error text. stdout and stderr are read as the runner reads them, each on
//! its own (`Runner::read_streams`: the runner's two queues give no order between them).
//! Nothing terraform printed may run; every secret is masked, on the stream it shows on,
//! before the runner meets it; the orchestrator's own groups and annotations still work.

use orchestrator::report::{read_report, Outcome, Status};

use super::moto::MotoServer;
use super::org::Org;
use crate::support::github_runner::{Executed, Runner};

const SCRIPT: &str = include_str!("fake-terraform-hostile.sh");
const FAILING: &str = "d03-prod";

#[test]
fn terraform_output_runs_no_workflow_command_and_every_secret_is_masked_first() {
    check_a_hostile_run(&[]);
}

/// Without the preflight each account assumes its role when its job starts: its masks are
/// printed while other accounts' groups are being printed.
#[test]
fn masks_printed_while_other_accounts_print_still_come_first() {
    let stdout = check_a_hostile_run(&["--skip-preflight"]);
    let lines: Vec<&str> = stdout.lines().collect();
    let first_group = lines.iter().position(|l| l.starts_with("::group::"));
    let last_mask = lines.iter().rposition(|l| l.starts_with("::add-mask::"));
    assert!(
        first_group < last_mask,
        "every mask came before the first group: the run did not interleave them"
    );
}

/// Runs the org with `extra` flags and checks everything it printed; returns its stdout.
fn check_a_hostile_run(extra: &[&str]) -> String {
    let org = Org::generated(4, "", "");
    let outside = tempfile::tempdir().unwrap();
    let moto = MotoServer::start(outside.path());
    let fake = org.dir.path().join("fake-terraform-hostile");
    std::fs::write(&fake, SCRIPT).unwrap();
    make_executable(&fake);
    let summary = org.dir.path().join("step-summary.md");

    let run = org
        .cli()
        .args(["run", "--terraform", fake.to_str().unwrap()])
        .args(["--parallel", "4", "--retries", "0"])
        .args(extra.iter().copied())
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
        .env("FAKE_FAIL_ACCOUNT", FAILING)
        .run();
    let output = format!("{}{}", run.stdout, run.stderr);

    let report = read_report(&org.dir.path().join(".orchestrator/report.json")).unwrap();
    assert_eq!(report.outcome, Outcome::Failed, "{output}");
    run.expect_code(1);
    let failed: Vec<&str> = report
        .jobs
        .iter()
        .filter(|j| j.status == Status::Failed)
        .map(|j| j.account.as_str())
        .collect();
    assert_eq!(failed, [FAILING]);
    let accounts: Vec<&str> = report.jobs.iter().map(|j| j.account.as_str()).collect();
    assert_eq!(accounts.len(), 8);

    // Every secret moto issued (the preflight's sessions and the run's).
    let sessions = moto.issued_sessions();
    assert!(sessions.len() >= 8, "{sessions:?}");
    let secrets: Vec<String> = sessions
        .iter()
        .flat_map(|s| [s.secret_access_key.clone(), s.session_token.clone()])
        .collect();
    // The fake printed them: unmasked, they would be in the log.
    let printed = secrets
        .iter()
        .filter(|s| {
            output
                .lines()
                .any(|l| l.contains(s.as_str()) && !l.starts_with("::add-mask::"))
        })
        .count();
    assert!(
        printed >= 2 * 8,
        "terraform's credentials were not in its output"
    );

    let streams = Runner::read_streams(&run.stdout, &run.stderr, &secrets);
    assert!(
        streams.leaks().is_empty(),
        "secrets shown before their mask on their stream, at (stream, line, secret) {:?}",
        streams.leaks()
    );
    assert_eq!(
        streams.ignored_masks(),
        0,
        "a mask fell in a stop-commands region"
    );

    // Only the orchestrator's own commands ran.
    for command in streams.executed() {
        match command.name.as_str() {
            "add-mask" => assert!(
                sessions.iter().any(
                    |s| [&s.access_key_id, &s.secret_access_key, &s.session_token]
                        .contains(&&command.data)
                ),
                "masked something moto never issued: {:?}",
                command.data
            ),
            "group" => assert!(
                accounts
                    .iter()
                    .any(|a| command.data.starts_with(&format!("{a} platform: "))),
                "a group the orchestrator did not open: {command:?}"
            ),
            "endgroup" => {}
            "error" => assert_eq!(
                command.property("title"),
                Some(format!("{FAILING} / platform").as_str()),
                "an annotation the orchestrator did not write: {command:?}"
            ),
            _ => panic!("the runner would execute {command:?}"),
        }
    }
    // Each finished layer is one group on stdout, closed before the next opens.
    let runner = &streams.stdout;
    let groups = runner.named("group");
    let ends = runner.named("endgroup");
    assert_eq!(groups.len(), 8, "{}", run.stdout);
    assert_eq!(ends.len(), groups.len());
    for (open, close) in groups.iter().zip(&ends) {
        assert!(open.line < close.line);
    }
    for pair in groups.windows(2) {
        let close = ends.iter().find(|e| e.line > pair[0].line).unwrap();
        assert!(close.line < pair[1].line, "a group opened inside another");
    }
    // The failure is annotated once, with terraform's error in it.
    let errors: Vec<&Executed> = streams.executed().filter(|c| c.name == "error").collect();
    assert_eq!(errors.len(), 1, "{output}");
    assert!(
        errors[0].data.contains("Error: creating bucket"),
        "{:?}",
        errors[0]
    );
    // What terraform printed is shown, defused, not dropped.
    for text in [
        "::set-output name=pwned::d00-dev",
        "##\\[error]forged error from d00-dev",
        "::stop-commands::forged-token",
        "x ##\\[set-env name=PWNED;]1",
    ] {
        assert!(
            runner.shown.iter().any(|l| l.contains(text)),
            "`{text}` is not in the log:\n{}",
            run.stdout
        );
    }
    // The error terraform printed quoted the account's credentials: the annotation shows it
    // (masked in the log), but nothing written to a file keeps them.
    assert!(
        report
            .jobs
            .iter()
            .flat_map(|j| &j.layers)
            .flat_map(|l| &l.error)
            .any(|line| line.contains("signed with ***")),
        "the failing layer's error lines do not show the redacted credentials"
    );
    for file in files_under(org.dir.path()) {
        if file.components().any(|c| c.as_os_str() == "logs")
            || file.file_name().is_some_and(|n| n == "output.txt")
        {
            // terraform's own log, written by terraform itself, and this test's copy of the
            // job log: the job log's masks cover them.
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for secret in &secrets {
            // Whole, or its start (a line cut short for a message).
            assert!(
                !text.contains(&secret[..24]),
                "{} keeps a credential terraform printed",
                file.display()
            );
        }
    }
    // No terminal escape reached the log.
    assert!(!output.contains('\u{1b}'), "an escape sequence was printed");
    run.stdout
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A layer whose resource keys, provisioner output and precondition message hold workflow
/// commands, a carriage return and terminal escapes: REAL terraform prints them in its plan,
/// its apply and its error text.
const HOSTILE_LAYER: &str = r###"
terraform {
  backend "local" {}
}

variable "account_name" { type = string }

resource "terraform_data" "keys" {
  for_each = toset(["::add-mask::key", "##[error]key", "x\r::stop-commands::key"])
  input    = each.key

  provisioner "local-exec" {
    command = "printf 'provisioned\\r::add-mask::provisioned\\n##[error]forged\\n::stop-commands::tok\\n\\033]0;title\\007::set-output name=a::b\\n'"
  }
}

resource "terraform_data" "refused" {
  lifecycle {
    precondition {
      condition     = var.account_name != "catalog-stage"
      error_message = "refused\r::set-output name=pwned::1\n::add-mask::refused ##[error]forged\n\u001b]0;title\u0007::stop-commands::t"
    }
  }
}
"###;

/// What a command printed, read as the runner reads it: nothing but the orchestrator's own
/// groups (titled by an account) and annotations (for a failed layer) may run.
fn only_own_commands(what: &str, run: &crate::support::cli::Run) {
    let streams = Runner::read_streams(&run.stdout, &run.stderr, &[]);
    for command in streams.executed() {
        let own = match command.name.as_str() {
            "group" => command.data.starts_with("catalog-"),
            "endgroup" => true,
            "error" => command.property("title") == Some("catalog-stage / hostile"),
            _ => false,
        };
        assert!(
            own,
            "{what}: the runner would execute {command:?}\n{}{}",
            run.stdout, run.stderr
        );
    }
    let printed = format!("{}{}", run.stdout, run.stderr);
    assert!(
        !printed.contains(['\u{1b}', '\u{7}']),
        "{what}: a terminal escape was printed:\n{printed:?}"
    );
}

#[test]
fn real_terraform_output_errors_and_plan_addresses_run_no_workflow_command() {
    let sandbox = crate::support::sandbox::Sandbox::new();
    sandbox
        .add_layer("hostile", HOSTILE_LAYER)
        .edit_config("layers: [platform, static, dynamic]", "layers: [hostile]")
        .edit_config("  stacks: { layer: dynamic, variable: stack_suffix }\n", "");
    let summary = sandbox.path().join("step-summary.md");
    let github = |args: &[&str]| {
        sandbox
            .cli(args)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_RUN_ID", "4242")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .run()
    };

    // The plan of both accounts: catalog-stage's precondition fails with commands in its text.
    let plan = github(&[
        "deploy",
        "--accounts",
        "catalog-dev,catalog-stage",
        "--plan-only",
    ]);
    plan.expect_code(1);
    only_own_commands("plan", &plan);
    let streams = Runner::read_streams(&plan.stdout, &plan.stderr, &[]);
    let errors: Vec<&Executed> = streams.executed().filter(|c| c.name == "error").collect();
    assert_eq!(errors.len(), 1, "{}{}", plan.stdout, plan.stderr);
    assert!(errors[0].data.contains("refused"), "{:?}", errors[0]);
    // terraform's text is shown, defused.
    let shown = format!("{}{}", plan.stdout, plan.stderr);
    assert!(shown.contains("refused\\r::set-output"), "{shown}");

    // The apply: the provisioner's output is in catalog-dev's group, its escape shown.
    let apply = github(&["deploy", "--accounts", "catalog-dev"]);
    apply.expect_code(0);
    only_own_commands("apply", &apply);
    assert!(
        apply
            .stdout
            .contains("(local-exec): \\x1b]0;title\\x07::set-output"),
        "{}",
        apply.stdout
    );

    // The PR comment of the saved plan, on stdout: its addresses quote the hostile keys.
    let plans: Vec<std::path::PathBuf> = files_under(&sandbox.path().join(".orchestrator"))
        .into_iter()
        .filter(|f| f.ends_with("catalog-dev/hostile.json"))
        .collect();
    assert!(!plans.is_empty(), "no saved plan");
    let comment = github(&["summary", plans[0].to_str().unwrap()]);
    comment.expect_code(0);
    assert!(
        comment.stdout.contains("add-mask::key"),
        "{}",
        comment.stdout
    );
    only_own_commands("summary", &comment);
}

/// Arguments that echo back in errors (an unknown account, layer, stack, wave, file, git
/// ref, flag), each holding workflow commands, a CR and terminal escapes: whatever each
/// command answers, read as the runner reads it, runs nothing and shows no raw escape.
#[test]
fn hostile_arguments_echoed_in_errors_run_no_workflow_command() {
    const H: &str =
        "x\r::add-mask::x\n##[set-output name=a;]b\u{1b}]0;t\u{7}\u{ad}::stop-commands::t";
    let sandbox = crate::support::sandbox::Sandbox::new();
    // A repository, for `--changed-since` to look the ref up in.
    for git in [
        &["init", "-q"][..],
        &["add", "-A"],
        &["commit", "-qm", "sandbox"],
    ] {
        let done = std::process::Command::new("git")
            .arg("-C")
            .arg(sandbox.path())
            .args(git)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .unwrap();
        assert!(done.success(), "git {git:?}");
    }
    let cases: Vec<Vec<String>> = [
        &["jobs", "--account", H][..],
        &["deploy", "--accounts", H],
        &["deploy", "--accounts", "catalog-dev", "--layers", H],
        &["deploy", "--accounts", "catalog-dev", "--stack", H],
        &["matrix", "--wave", H],
        &["summary", H],
        &["notify", "slack", "--report", H],
        &["run", "--resume", H],
        &["jobs", "--changed-since", H],
        &["domain", "add", H, "--team", H, "--envs", H],
        &["jobs", H],
        &["validate", "--config", H],
    ]
    .iter()
    .map(|args| args.iter().map(|a| (*a).to_string()).collect())
    .collect();
    let mut echoed = 0;
    for args in cases {
        let run = sandbox
            .cli(&[])
            .args(&args)
            .env("GITHUB_ACTIONS", "true")
            .env("SLACK_WEBHOOK_URL", "http://127.0.0.1:9/hook")
            .run();
        let streams = Runner::read_streams(&run.stdout, &run.stderr, &[]);
        let executed: Vec<&Executed> = streams.executed().collect();
        assert!(
            executed.is_empty(),
            "{args:?}: the runner would execute {executed:?}\n{}{}",
            run.stdout,
            run.stderr
        );
        let printed = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !printed.contains(['\u{1b}', '\u{7}', '\u{ad}']),
            "{args:?}: a raw escape was printed:\n{printed:?}"
        );
        assert_ne!(run.code, Some(0), "{args:?} accepted a hostile argument");
        if printed.contains("x\\r::add-mask::x") {
            echoed += 1;
        }
    }
    assert!(echoed >= 10, "only {echoed} commands quoted the argument");
}
