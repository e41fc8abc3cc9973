//! The operator's loop after a failure, with real terraform on a copy of `examples/sandbox`:
//! resume a halted run, the guard on deploying prod after stage failed, plan-only planning
//! every wave, and finding the config and work dir from wherever the command runs.

use crate::support::sandbox;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use orchestrator::report::{read_report, Mode, Outcome, RunReport, Status, WaveStatus};
use sandbox::{job, Sandbox};

const LAYERS: [&str; 3] = ["platform", "static", "dynamic"];
const PROD: [&str; 4] = [
    "catalog-prod",
    "payments-prod",
    "commerce-prod",
    "platform-prod",
];

/// `run` with payments-stage failing: stage fails, prod is held back.
fn halted_run(sandbox: &Sandbox) -> RunReport {
    let mut cmd = sandbox.command(&["run"]);
    cmd.env("TF_VAR_fail_account", "payments-stage");
    sandbox.run_with(cmd).expect_code(1);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Halted);
    assert_eq!(job(&report, "payments-stage").status, Status::Failed);
    for account in PROD {
        assert_eq!(job(&report, account).status, Status::Skipped, "{account}");
    }
    report
}

/// The report kept under `runs/<run id>/`.
fn kept_report(sandbox: &Sandbox, run_id: &str) -> PathBuf {
    sandbox
        .path()
        .join(".orchestrator/runs")
        .join(run_id)
        .join("report.json")
}

/// Every state file of the sandbox's work dir, by path, with its bytes.
fn states(sandbox: &Sandbox) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let root = sandbox.path().join(".orchestrator/state");
    for layer in LAYERS {
        let Ok(entries) = std::fs::read_dir(root.join(layer)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tfstate") {
                found.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

fn accounts_run(report: &RunReport) -> Vec<String> {
    let mut ran: Vec<String> = report
        .jobs
        .iter()
        .filter(|j| j.layers.iter().any(|l| !l.attempts.is_empty()))
        .map(|j| j.account.clone())
        .collect();
    ran.sort();
    ran
}

#[test]
fn resume_deploys_exactly_the_failed_stage_account_and_the_held_back_prod_accounts() {
    let sandbox = Sandbox::new();
    let halted = halted_run(&sandbox);
    let halted_path = kept_report(&sandbox, &halted.run_id);
    assert!(halted_path.is_file(), "{}", halted_path.display());
    let succeeded: Vec<String> = halted
        .jobs
        .iter()
        .filter(|j| j.status == Status::Succeeded)
        .map(|j| j.account.clone())
        .collect();
    assert_eq!(succeeded.len(), 7, "{succeeded:?}");
    let before = states(&sandbox);

    let shown = format!(".orchestrator/runs/{}/report.json", halted.run_id);

    // A config that no longer has a layer the run left undone makes the report ambiguous,
    // and a deploy's report is not resumed as a plan: both refused, nothing run.
    let all = "layers: [platform, static, dynamic]";
    sandbox.edit_config(all, "layers: [platform, dynamic]");
    let refused = sandbox.run(&["run", "--resume", &shown]);
    refused.expect_code(2);
    assert!(
        refused.stderr.contains("cannot resume")
            && refused
                .stderr
                .contains("payments-stage: layer static is no longer one of its layers"),
        "{}",
        refused.stderr
    );
    sandbox.edit_config("layers: [platform, dynamic]", all);
    sandbox
        .run(&["run", "--plan-only", "--resume", &shown])
        .expect_code(2);
    assert_eq!(states(&sandbox), before);
    assert_eq!(sandbox.report().run_id, halted.run_id);

    // The cause is fixed: the failure switch is off (Sandbox::command clears it).
    let run = sandbox.run(&["run", "--resume", &shown]);
    run.expect_code(0);
    // It says what it will do before it starts, and that it resumed.
    let says = |account: &str, was: &str| {
        run.stderr
            .lines()
            .any(|l| l.contains(account) && l.contains(was))
    };
    assert!(says("payments-stage", "failed"), "{}", run.stderr);
    for account in PROD {
        assert!(says(account, "held back"), "{account}: {}", run.stderr);
    }
    run.expect_stderr_contains("not touched: 7 accounts");
    // The resume plan as the operator reads it, before anything starts.
    let plan: String = run
        .stderr
        .lines()
        .skip_while(|l| !l.starts_with("Resuming run "))
        .take_while(|l| l.starts_with("Resuming run ") || l.starts_with("  "))
        .map(|l| format!("{}\n", l.replace(&halted.run_id, "[run id]")))
        .collect();
    insta::assert_snapshot!("resume_plan", plan);
    run.expect_stdout_contains(&format!("resumed from run {}", halted.run_id));
    let resumed = sandbox.report();
    assert_ne!(resumed.run_id, halted.run_id);
    assert_eq!(resumed.outcome, Outcome::Succeeded);
    let from = resumed.resumed_from.as_ref().expect("resumed_from is set");
    assert_eq!(from.run_id, halted.run_id);
    assert!(from.report.ends_with("report.json"), "{}", from.report);

    let mut expected: Vec<String> = PROD.iter().map(|a| a.to_string()).collect();
    expected.push("payments-stage".into());
    expected.sort();
    assert_eq!(accounts_run(&resumed), expected);
    for account in &expected {
        assert_eq!(
            job(&resumed, account).status,
            Status::Succeeded,
            "{account}"
        );
        for layer in LAYERS {
            assert!(sandbox.state(layer, account).is_file(), "{account} {layer}");
        }
    }
    // The accounts that succeeded before were not run: their state files are byte-for-byte
    // what the halted run left.
    let after = states(&sandbox);
    for account in &succeeded {
        assert!(
            !accounts_run(&resumed).contains(account),
            "{account} ran again"
        );
        for layer in LAYERS {
            let path = sandbox.state(layer, account);
            assert_eq!(
                before.get(&path),
                after.get(&path),
                "{} changed",
                path.display()
            );
            assert!(before.contains_key(&path), "{}", path.display());
        }
    }
    // Both runs keep their reports.
    assert!(halted_path.is_file());
    assert!(kept_report(&sandbox, &resumed.run_id).is_file());
    assert_eq!(read_report(&halted_path).unwrap().run_id, halted.run_id);
}

#[test]
fn deploying_prod_after_its_stage_failed_is_refused_unless_forced() {
    let sandbox = Sandbox::new();
    let halted = halted_run(&sandbox);
    let halted_path = kept_report(&sandbox, &halted.run_id);
    let before = states(&sandbox);

    let refused = sandbox.run(&["deploy", "--accounts", "payments-prod"]);
    refused.expect_code(2);
    let said = format!("{}{}", refused.stdout, refused.stderr);
    assert!(said.contains("payments-stage"), "{said}");
    assert!(said.contains(&halted.run_id), "names the report: {said}");
    assert!(said.contains("--force"), "{said}");
    // Nothing ran and the latest report is still the halted run's.
    assert_eq!(states(&sandbox), before);
    assert_eq!(sandbox.traces_of("payments-prod"), Vec::<PathBuf>::new());
    assert_eq!(sandbox.report().run_id, halted.run_id);

    let forced = sandbox.run(&["deploy", "--accounts", "payments-prod", "--force"]);
    forced.expect_code(0);
    let said = format!("{}{}", forced.stdout, forced.stderr);
    assert!(
        said.contains("payments-prod is in wave prod; the earlier wave stage is not run"),
        "{said}"
    );
    let deployed = sandbox.report();
    assert_ne!(deployed.run_id, halted.run_id);
    assert_eq!(accounts_run(&deployed), vec!["payments-prod".to_string()]);
    assert_eq!(job(&deployed, "payments-prod").status, Status::Succeeded);
    for layer in LAYERS {
        assert!(sandbox.state(layer, "payments-prod").is_file(), "{layer}");
    }
    // The record of the halted roll-out survives the targeted deploy.
    assert_eq!(read_report(&halted_path).unwrap().run_id, halted.run_id);
    assert_eq!(
        read_report(&kept_report(&sandbox, &deployed.run_id))
            .unwrap()
            .run_id,
        deployed.run_id
    );
}

/// A precondition checked at plan time: the plan of `TF_VAR_fail_plan_account` fails.
const PLAN_FAILURE: &str = r#"
variable "fail_plan_account" {
  type    = string
  default = ""
}

resource "terraform_data" "plan_check" {
  lifecycle {
    precondition {
      condition     = var.fail_plan_account != var.account_name
      error_message = "simulated plan failure of ${var.account_name}"
    }
  }
}
"#;

#[test]
fn plan_only_with_a_failing_stage_plan_plans_every_prod_account() {
    let sandbox = Sandbox::new();
    // The sandbox's failure switch fails an apply; this one fails payments-stage's plan.
    let main_tf = sandbox.path().join("layers/platform/main.tf");
    let mut text = std::fs::read_to_string(&main_tf).unwrap();
    text.push_str(PLAN_FAILURE);
    std::fs::write(&main_tf, text).unwrap();
    let mut cmd = sandbox.command(&["run", "--plan-only"]);
    cmd.env("TF_VAR_fail_plan_account", "payments-stage");
    let run = sandbox.run_with(cmd);
    run.expect_code(1);
    let report = sandbox.report();
    assert_eq!(report.mode, Mode::Plan);
    assert_eq!(job(&report, "payments-stage").status, Status::Failed);
    assert_eq!(report.waves[0].status, WaveStatus::Failed);
    assert_ne!(report.waves[1].status, WaveStatus::Skipped);
    for account in PROD {
        let j = job(&report, account);
        assert!(
            matches!(j.status, Status::Changes | Status::NoChanges),
            "{account} was planned, not held back: {:?} {:?}",
            j.status,
            j.reason
        );
        assert!(j.layers.iter().all(|l| !l.attempts.is_empty()), "{account}");
    }
    assert_ne!(report.outcome, Outcome::Succeeded);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("payments-stage"), "{said}");
    let failed = &job(&report, "payments-stage").layers[0];
    assert!(
        failed
            .error
            .iter()
            .any(|e| e.contains("simulated plan failure of payments-stage")),
        "{:?}",
        failed.error
    );
    // Nothing was applied.
    assert_eq!(states(&sandbox).len(), 0);
}

/// The orchestrator with the sandbox's environment, run in `dir`.
fn command_in(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> sandbox::Run {
    command_in_failing(sandbox, dir, args, None)
}

/// `command_in` with the apply of `fail_account` failing.
fn command_in_failing(
    sandbox: &Sandbox,
    dir: &Path,
    args: &[&str],
    fail_account: Option<&str>,
) -> sandbox::Run {
    let mut cli = crate::support::cli::orchestrator()
        .current_dir(dir)
        .args(args)
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env("TF_VAR_deploy_seconds", "0");
    if let Some(account) = fail_account {
        cli = cli.env("TF_VAR_fail_account", account);
    }
    sandbox.run_with(cli.command())
}

#[test]
fn the_config_and_work_dir_are_found_from_the_root_the_config_dir_and_below_it() {
    // A repository whose config lives in `infra/`, as the sandbox's does in examples/.
    let sandbox = Sandbox::new();
    let root = sandbox.path().join("repo");
    let infra = root.join("infra");
    let below = infra.join("layers/platform");
    std::fs::create_dir_all(&infra).unwrap();
    for name in ["domains.yaml", "layers"] {
        std::fs::rename(sandbox.path().join(name), infra.join(name)).unwrap();
    }
    let work = infra.join(".orchestrator");

    let mut outputs = Vec::new();
    for (dir, args) in [
        (&root, vec!["--config", "infra/domains.yaml"]),
        (&infra, vec![]),
        (&below, vec![]),
    ] {
        for command in [
            ["validate"].as_slice(),
            ["jobs", "--format", "json"].as_slice(),
        ] {
            let mut all = args.clone();
            all.extend_from_slice(command);
            let run = command_in(&sandbox, dir, &all);
            run.expect_code(0);
            outputs.push((dir.clone(), command[0], run));
        }
    }
    // validate names the config it read; jobs lists the same jobs wherever it runs.
    for (dir, command, run) in &outputs {
        if *command == "jobs" {
            assert_eq!(run.stdout, outputs[1].2.stdout, "jobs in {}", dir.display());
        } else {
            // `<path>: valid: ...`, the path opening from where the command ran.
            let said = format!("{}{}", run.stdout, run.stderr);
            let printed = said
                .lines()
                .find_map(|l| l.split_once(": valid"))
                .map(|(path, _)| path.trim())
                .unwrap_or_else(|| panic!("{}: {said}", dir.display()));
            assert_eq!(
                dir.join(printed).canonicalize().unwrap(),
                infra.join("domains.yaml").canonicalize().unwrap(),
                "{}: {said}",
                dir.display()
            );
        }
    }
    // A mistyped account from the repository root: the did-you-mean hint's command carries
    // the --config it needs there.
    let typo = command_in(
        &sandbox,
        &root,
        &[
            "--config",
            "infra/domains.yaml",
            "jobs",
            "--account",
            "catalog-dve",
        ],
    );
    typo.expect_code(2).expect_stderr_contains(
        "did you mean `catalog-dev`? (`orchestrator --config infra/domains.yaml jobs` lists",
    );

    // A run from below the config's directory writes into the one work dir next to it.
    let run = command_in(&sandbox, &below, &["deploy", "--accounts", "catalog-dev"]);
    run.expect_code(0);
    assert!(work.join("report.json").is_file());
    assert!(work.join("state/platform/catalog-dev.tfstate").is_file());
    assert!(!below.join(".orchestrator").exists());
    assert!(!root.join(".orchestrator").exists());

    // A failure seen from below the config's directory: the log and report paths it prints
    // open from there.
    let failed = command_in_failing(
        &sandbox,
        &below,
        &["deploy", "--accounts", "catalog-dev"],
        Some("catalog-dev"),
    );
    failed.expect_code(1);
    for prefix in ["log: ", "Report: "] {
        let printed = printed_after(&failed.stdout, prefix);
        assert!(below.join(&printed).is_file(), "{prefix}{printed}");
    }
    // Seen from the repository root with --config: the resume command it prints carries
    // the --config, and run as printed (the cause fixed) it finishes the job.
    let failed = command_in_failing(
        &sandbox,
        &root,
        &[
            "--config",
            "infra/domains.yaml",
            "deploy",
            "--accounts",
            "catalog-dev",
        ],
        Some("catalog-dev"),
    );
    failed.expect_code(1);
    for prefix in ["log: ", "Report: "] {
        let printed = printed_after(&failed.stdout, prefix);
        assert!(root.join(&printed).is_file(), "{prefix}{printed}");
    }
    let resume = printed_after(&failed.stdout, "orchestrator ");
    let args: Vec<&str> = resume.split_whitespace().collect();
    assert_eq!(&args[..2], ["--config", "infra/domains.yaml"], "{resume}");
    assert!(args.contains(&"--resume"), "{resume}");
    let resumed = command_in(&sandbox, &root, &args);
    resumed.expect_code(0);
    let report = read_report(&work.join("report.json")).unwrap();
    assert!(report.resumed_from.is_some());
    assert_eq!(accounts_run(&report), vec!["catalog-dev".to_string()]);
}

/// What follows `prefix` on the first line that has it.
fn printed_after(output: &str, prefix: &str) -> String {
    output
        .lines()
        .find_map(|l| {
            l.split_once(prefix)
                .map(|(_, rest)| rest.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no {prefix:?} in\n{output}"))
}

/// `--work-dir` elsewhere moves logs, reports, plans and data dirs, not local state: state is
/// found from the config, so a run with the default work dir sees what the other applied.
#[test]
fn local_state_stays_with_the_config_whatever_the_work_dir() {
    let sandbox = Sandbox::new();
    let below = sandbox.path().join("layers/static");
    let elsewhere = tempfile::tempdir().unwrap();
    let work = elsewhere.path().join("work");
    let work_flag = work.to_str().unwrap();
    let deployed = command_in(
        &sandbox,
        &below,
        &[
            "deploy",
            "--accounts",
            "catalog-dev",
            "--work-dir",
            work_flag,
        ],
    );
    deployed
        .expect_code(0)
        .expect_stderr_contains("note: local state stays in ../../.orchestrator/state");
    for layer in LAYERS {
        assert!(sandbox.state(layer, "catalog-dev").is_file(), "{layer}");
    }
    assert!(work.join("report.json").is_file());
    assert!(work.join("logs/catalog-dev/platform.log").is_file());
    assert!(!work.join("state").exists());
    assert!(!below.join(".orchestrator").exists());

    // The default work dir, from the config's directory: the same state, nothing to do.
    let planned = command_in(
        &sandbox,
        sandbox.path(),
        &["deploy", "--accounts", "catalog-dev", "--plan-only"],
    );
    planned
        .expect_code(0)
        .expect_stderr_lacks("note: local state");
    let report = sandbox.report();
    assert_eq!(job(&report, "catalog-dev").status, Status::NoChanges);
}

/// `--report out/leg.json`: the closing line names the file the user asked for (opening
/// from where they stand), and the kept copy under `runs/<run id>/` beside it, the one the
/// resume command reads. Both hold the same run.
#[test]
fn the_report_line_names_the_file_asked_for() {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.command(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--report",
        "out/leg.json",
    ]);
    cmd.env("TF_VAR_fail_account", "catalog-dev");
    let run = sandbox.run_with(cmd);
    run.expect_code(1);
    let report = sandbox.report();
    let last = run.stdout.lines().last().unwrap_or_default();
    let kept = format!(".orchestrator/runs/{}/report.json", report.run_id);
    assert_eq!(last, format!("Report: out/leg.json (also kept as {kept})"));
    let asked = read_report(&sandbox.path().join("out/leg.json")).unwrap();
    assert_eq!(asked.run_id, report.run_id);
    run.expect_stdout_contains(&format!("run --resume {kept}"));
}

/// A work dir where the run's own report cannot be written is refused before anything runs,
/// and the message names the flag that chose it (`--work-dir`), not `--report`, which the
/// user never passed.
#[test]
fn an_unwritable_work_dir_is_refused_naming_the_work_dir_flag() {
    let sandbox = Sandbox::new();
    let file = sandbox.path().join("notes.txt");
    std::fs::write(&file, "").unwrap();
    let work = file.join("work");
    let run = sandbox.run(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--work-dir",
        work.to_str().unwrap(),
    ]);
    run.expect_code(2);
    run.expect_stderr_contains(&format!("{} is a file, not a directory", file.display()))
        .expect_stderr_contains("nothing was started")
        .expect_stderr_contains("--work-dir")
        .expect_stderr_lacks("--report");
    assert!(sandbox.traces_of("catalog-dev").is_empty());
}

/// `report merge` whose merged report cannot be written has done its work and lost it: a
/// failure (exit 1), like a run whose report cannot be written after it deployed, not the
/// bad input (exit 2) of a path refused before anything starts.
#[test]
fn a_merged_report_that_cannot_be_written_fails_the_merge() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev"])
        .expect_code(0);
    let file = sandbox.path().join("notes.txt");
    std::fs::write(&file, "").unwrap();
    let out = file.join("merged.json");
    let run = sandbox.run(&[
        "report",
        "merge",
        "--out",
        out.to_str().unwrap(),
        ".orchestrator/report.json",
    ]);
    run.expect_code(1)
        .expect_stderr_contains(&format!("{}: cannot write", out.display()));
}

/// A cancelled GitHub Actions step: the runner kills the step's processes about 10 s after
/// its SIGINT, so under GITHUB_ACTIONS the config's 30 s grace period is capped at 7 s (and
/// the log says so), unless `--grace-period` chooses: terraform is told when its kill comes.
#[test]
fn under_github_actions_the_grace_period_ends_before_the_runners_kill() {
    for (extra, expected) in [(None, "7s"), (Some("3s"), "3s")] {
        let sandbox = Sandbox::new();
        let mut args = vec!["deploy", "--accounts", "catalog-dev"];
        if let Some(grace) = extra {
            args.extend(["--grace-period", grace]);
        }
        let mut cmd = sandbox.command(&args);
        cmd.env("GITHUB_ACTIONS", "true")
            .env("TF_VAR_deploy_seconds", "60");
        let running = sandbox.spawn(cmd);
        let log = sandbox
            .path()
            .join(".orchestrator/logs/catalog-dev/platform.log");
        sandbox::wait_until(
            "the platform apply is under way",
            std::time::Duration::from_secs(60),
            || {
                std::fs::read_to_string(&log)
                    .is_ok_and(|text| text.contains("Provisioning with 'local-exec'"))
            },
        );
        running.signal(nix::sys::signal::Signal::SIGINT);
        let run = sandbox.finished(running.wait());
        run.expect_code(130);
        let logged = std::fs::read_to_string(&log).unwrap();
        assert!(
            logged.contains(&format!(
                "SIGINT sent, SIGKILL in {expected} (grace_period)"
            )),
            "{logged}"
        );
        let noted = run
            .stderr
            .contains("note: grace period 7s in GitHub Actions, not 30s (defaults.grace_period)");
        assert_eq!(noted, extra.is_none(), "{}", run.stderr);
    }
}

/// Twelve stage accounts fail under GitHub Actions, with real terraform: GitHub shows 10 error
/// annotations per step, so nine name an account each and the tenth names the other three
/// and points to the job summary, which has every failure and the resume command.
#[test]
fn more_than_ten_failed_accounts_under_github_actions_fold_into_the_tenth_annotation() {
    let sandbox = Sandbox::new();
    let mut config = String::from(
        "version: 1
defaults:
  region: eu-west-1
  credentials: none
  layers: [platform]
  layers_dir: layers
  state: { backend: local, path: \".orchestrator/state/{layer}/{account}.tfstate\" }
  retries: 0
waves:
  - { name: stage, environments: [stage] }
  - { name: prod, environments: [prod] }
domains:
",
    );
    for n in 0..12 {
        config.push_str(&format!(
            "  - name: d{n:02}\n    team: t\n    environments:\n      stage: {{ account_id: \"2000000000{n:02}\" }}\n"
        ));
    }
    std::fs::write(sandbox.path().join("domains.yaml"), config).unwrap();
    let main_tf = sandbox.path().join("layers/platform/main.tf");
    let mut text = std::fs::read_to_string(&main_tf).unwrap();
    text.push_str(
        r#"
resource "terraform_data" "always_fails" {
  provisioner "local-exec" {
    command = "echo 'Error: broken ${var.account_name}' >&2; exit 1"
  }
}
"#,
    );
    std::fs::write(&main_tf, text).unwrap();
    let summary = sandbox.path().join("step-summary.md");
    let mut cmd = sandbox.command(&["run", "--grace-period", "5s"]);
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary);
    let run = sandbox.run_with(cmd);
    run.expect_code(1);
    let errors: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 10, "{}", run.stdout);
    for (n, line) in errors[..9].iter().enumerate() {
        assert!(
            line.starts_with(&format!("::error title=d{n:02}-stage / platform::"))
                && line.contains(&format!("broken d{n:02}-stage")),
            "{line}"
        );
    }
    let folded = errors[9];
    assert!(
        folded.starts_with("::error title=3 more failed accounts::")
            && folded.contains("d09-stage (platform), d10-stage (platform), d11-stage (platform)")
            && folded.contains("job summary"),
        "{folded}"
    );
    for n in 0..12 {
        run.expect_file_contains(&summary, &format!("broken d{n:02}-stage"));
    }
    run.expect_file_contains(&summary, "run --resume");
}

/// A matrix leg's `deploy --resume REPORT --accounts <prod account>` on a machine whose work
/// dir shows the same domain's stage account still failed is refused like a targeted deploy;
/// a deploy that names the stage account too runs it first, behind the gate, so it is not.
#[test]
fn resuming_only_prod_is_guarded_and_a_deploy_with_its_stage_account_is_not() {
    let sandbox = Sandbox::new();
    let halted = halted_run(&sandbox);
    let shown = format!(".orchestrator/runs/{}/report.json", halted.run_id);
    let before = states(&sandbox);

    let refused = sandbox.run(&["deploy", "--resume", &shown, "--accounts", "payments-prod"]);
    refused.expect_code(2).expect_stderr_contains(
        "payments-prod: payments-stage (wave stage, same domain) failed in",
    );
    assert_eq!(states(&sandbox), before);
    assert!(sandbox.traces_of("payments-prod").is_empty());

    let both = sandbox.run(&["deploy", "--accounts", "payments-stage,payments-prod"]);
    both.expect_code(0).expect_stderr_lacks("refusing");
    // payments-dev, also in wave stage, is not run: the note says so.
    both.expect_stderr_contains("payments-prod is in wave prod; the earlier wave stage is not run");
    let deployed = sandbox.report();
    assert_eq!(
        accounts_run(&deployed),
        vec!["payments-prod".to_string(), "payments-stage".to_string()]
    );
}
