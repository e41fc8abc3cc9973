//! Copies of the stack layer (`--stack`) and `destroy`, with real terraform on a copy of
//! `examples/sandbox`: copies and the main stack side by side with their own states, destroy
//! of one copy, destroy order, every refusal, prevent_destroy, Ctrl-C, `--from-ref` and the
//! confirmation typed on a terminal.

use crate::support::sandbox;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::Signal;
use orchestrator::report::{Mode, Outcome, RunAction, Status};
use sandbox::{job, layer, wait_until, Run, Sandbox};

/// The resources a state file holds, by the `name` input of the sandbox's resources.
fn names_in(state: &Path) -> Vec<String> {
    let text =
        std::fs::read_to_string(state).unwrap_or_else(|e| panic!("{}: {e}", state.display()));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut names = Vec::new();
    for resource in value["resources"].as_array().unwrap() {
        for instance in resource["instances"].as_array().unwrap() {
            let name = &instance["attributes"]["input"]["value"]["name"];
            names.push(name.as_str().unwrap_or("?").to_string());
        }
    }
    names
}

fn copy_state(sandbox: &Sandbox, account: &str, stack: &str) -> PathBuf {
    sandbox
        .path()
        .join(".orchestrator/state/dynamic")
        .join(format!("{account}-{stack}.tfstate"))
}

/// Everything under the work dir, to show a refused command wrote nothing.
fn files_under(dir: &Path) -> Vec<(PathBuf, std::time::SystemTime)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let modified = entry.metadata().unwrap().modified().unwrap();
                found.push((path, modified));
            }
        }
    }
    found.sort();
    found
}

fn deploy_main_and_two_copies(sandbox: &Sandbox) {
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev"])
        .expect_code(0);
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-1"])
        .expect_code(0);
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-2"])
        .expect_code(0);
}

/// Lines of stderr that mention `needle`, in order, as indexes.
fn position(run: &Run, needle: &str) -> usize {
    run.stderr
        .find(needle)
        .unwrap_or_else(|| panic!("stderr has no {needle:?}:\n{}", run.stderr))
}

#[test]
fn two_copies_and_the_main_stack_coexist_with_separate_states() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev"])
        .expect_code(0);
    let main_state = sandbox.state("dynamic", "catalog-dev");
    let main_before = std::fs::read(&main_state).unwrap();
    let static_before = std::fs::read(sandbox.state("static", "catalog-dev")).unwrap();

    let first = sandbox.run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-1"]);
    first.expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.stack.as_deref(), Some("pr-1"));
    assert_eq!(report.action, RunAction::Deploy);
    // Only the stack layer ran: a copy builds on the account's main platform and static.
    let layers: Vec<&str> = job(&report, "catalog-dev")
        .layers
        .iter()
        .map(|l| l.layer.as_str())
        .collect();
    assert_eq!(layers, ["dynamic"]);
    assert_eq!(
        layer(&report, "catalog-dev", "dynamic").status,
        Status::Succeeded
    );
    let log = layer(&report, "catalog-dev", "dynamic")
        .log
        .clone()
        .unwrap();
    assert!(log.ends_with("dynamic@pr-1.log"), "{log}");

    sandbox
        .run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-2"])
        .expect_code(0);

    assert_eq!(names_in(&main_state), ["catalog-app"]);
    assert_eq!(
        names_in(&copy_state(&sandbox, "catalog-dev", "pr-1")),
        ["catalog-app-pr-1"]
    );
    assert_eq!(
        names_in(&copy_state(&sandbox, "catalog-dev", "pr-2")),
        ["catalog-app-pr-2"]
    );
    // The main stack was never touched by a --stack command.
    assert_eq!(std::fs::read(&main_state).unwrap(), main_before);
    assert_eq!(
        std::fs::read(sandbox.state("static", "catalog-dev")).unwrap(),
        static_before
    );
    let work = sandbox.path().join(".orchestrator");
    for dir in ["dynamic", "dynamic@pr-1", "dynamic@pr-2"] {
        assert!(work.join("data/catalog-dev").join(dir).is_dir(), "{dir}");
    }

    // A second deploy of a copy finds no changes in it.
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-1"])
        .expect_code(0);
    assert_eq!(
        layer(&sandbox.report(), "catalog-dev", "dynamic").status,
        Status::NoChanges
    );

    let listed = sandbox.run(&["stacks", "--accounts", "catalog-dev", "--format", "json"]);
    listed.expect_code(0);
    let copies: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let names: Vec<&str> = copies
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["stack"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["pr-1", "pr-2"]);
    for copy in copies.as_array().unwrap() {
        assert_eq!(copy["account"], "catalog-dev");
        assert_eq!(copy["resources"], 1);
        assert!(
            copy["last_apply"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z')),
            "{copy}"
        );
    }
    let table = sandbox.run(&["stacks", "--accounts", "catalog-dev"]);
    table.expect_stdout_contains("2 copies of layer dynamic");
}

#[test]
fn plan_only_and_jobs_work_on_the_copy_alone() {
    let sandbox = Sandbox::new();
    let jobs = sandbox.run(&[
        "jobs",
        "--account",
        "catalog-dev",
        "--stack",
        "pr-1",
        "--format",
        "json",
    ]);
    jobs.expect_code(0);
    let views: serde_json::Value = serde_json::from_str(&jobs.stdout).unwrap();
    assert_eq!(views[0]["layers"], serde_json::json!(["dynamic"]));
    let matrix = sandbox.run(&[
        "matrix", "--stack", "pr-1", "--wave", "stage", "--domain", "catalog",
    ]);
    matrix.expect_code(0).expect_stdout_contains("catalog-dev");

    let planned = sandbox.run(&[
        "run",
        "--account",
        "catalog-dev",
        "--stack",
        "pr-1",
        "--plan-only",
    ]);
    planned.expect_code(0);
    let report = sandbox.report();
    assert_eq!(report.mode, Mode::Plan);
    let plan = layer(&report, "catalog-dev", "dynamic")
        .plan_json
        .clone()
        .unwrap();
    assert!(plan.ends_with("dynamic@pr-1.json"), "{plan}");
    // A plan writes no state: the copy does not exist yet.
    assert!(!copy_state(&sandbox, "catalog-dev", "pr-1").exists());
}

#[test]
fn destroying_one_copy_leaves_the_main_stack_and_the_other_copy() {
    let sandbox = Sandbox::new();
    deploy_main_and_two_copies(&sandbox);
    let main_before = std::fs::read(sandbox.state("dynamic", "catalog-dev")).unwrap();
    let other_before = std::fs::read(copy_state(&sandbox, "catalog-dev", "pr-2")).unwrap();

    let run = sandbox.run(&[
        "destroy",
        "--accounts",
        "catalog-dev",
        "--stack",
        "pr-1",
        "--yes",
    ]);
    run.expect_code(0);
    // What goes is shown first, as the PR comment shows plans.
    run.expect_stderr_contains("### Destroys and replacements")
        .expect_stderr_contains("destroy `terraform_data.app`");
    let report = sandbox.report();
    assert_eq!(report.action, RunAction::Destroy);
    assert_eq!(report.stack.as_deref(), Some("pr-1"));
    assert_eq!(report.mode, Mode::Apply);
    assert_eq!(report.outcome, Outcome::Succeeded);
    assert_eq!(
        layer(&report, "catalog-dev", "dynamic").status,
        Status::Succeeded
    );

    assert!(
        !copy_state(&sandbox, "catalog-dev", "pr-1").exists(),
        "its state is removed"
    );
    // Notifications say what happened: a destroy of that copy.
    let told = sandbox.run(&["report", "summary", "--report", ".orchestrator/report.json"]);
    told.expect_code(0)
        .expect_stdout_contains("Destroy succeeded (copy pr-1)");
    assert!(!sandbox
        .path()
        .join(".orchestrator/data/catalog-dev/dynamic@pr-1")
        .exists());
    assert_eq!(
        std::fs::read(sandbox.state("dynamic", "catalog-dev")).unwrap(),
        main_before
    );
    assert_eq!(
        std::fs::read(copy_state(&sandbox, "catalog-dev", "pr-2")).unwrap(),
        other_before
    );
    let listed = sandbox.run(&["stacks", "--accounts", "catalog-dev", "--format", "json"]);
    let copies: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(copies.as_array().unwrap().len(), 1);
    assert_eq!(copies[0]["stack"], "pr-2");

    // Gone means gone: destroying it again is an unknown copy.
    let again = sandbox.run(&[
        "destroy",
        "--accounts",
        "catalog-dev",
        "--stack",
        "pr-1",
        "--yes",
    ]);
    again
        .expect_code(2)
        .expect_stderr_contains("its copies: pr-2");
}

#[test]
fn destroy_goes_last_layer_first_and_last_wave_first() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev,catalog-prod"])
        .expect_code(0);
    let run = sandbox.run(&[
        "destroy",
        "--accounts",
        "catalog-dev,catalog-prod",
        "--env",
        "dev,prod",
        "--including-platform",
        "--yes",
        "--parallel",
        "1",
    ]);
    run.expect_code(0);
    // The apply pass: prod's wave before the stage wave, and in each account dynamic, then
    // static, then platform.
    let applying = &run.stderr[position(&run, "run (apply)")..];
    let at = |needle: &str| {
        applying
            .find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in\n{applying}"))
    };
    assert!(at("catalog-prod dynamic: apply") < at("catalog-prod static: apply"));
    assert!(at("catalog-prod static: apply") < at("catalog-prod platform: apply"));
    assert!(at("catalog-prod platform: apply") < at("catalog-dev dynamic: apply"));
    assert!(at("catalog-dev dynamic: apply") < at("catalog-dev static: apply"));
    assert!(at("catalog-dev static: apply") < at("catalog-dev platform: apply"));
    for account in ["catalog-dev", "catalog-prod"] {
        for name in ["platform", "static", "dynamic"] {
            assert!(
                names_in(&sandbox.state(name, account)).is_empty(),
                "{account} {name}"
            );
        }
    }
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Succeeded);
    let order: Vec<&str> = report.waves.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(order, ["prod", "stage"]);
}

#[test]
fn a_failed_layer_stops_the_destroy_of_the_layers_beneath_it() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev"])
        .expect_code(0);
    // prevent_destroy: terraform refuses the plan with its own message, nothing is forced.
    let main_tf = sandbox.path().join("layers/dynamic/main.tf");
    let text = std::fs::read_to_string(&main_tf).unwrap();
    let guarded = text.replacen(
        "resource \"terraform_data\" \"app\" {",
        "resource \"terraform_data\" \"app\" {\n  lifecycle {\n    prevent_destroy = true\n  }\n",
        1,
    );
    std::fs::write(&main_tf, guarded).unwrap();

    let run = sandbox.run(&[
        "destroy",
        "--accounts",
        "catalog-dev",
        "--layers",
        "static,dynamic",
        "--yes",
    ]);
    run.expect_code(1);
    let report = sandbox.report();
    assert_eq!(report.outcome, Outcome::Failed);
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::Failed);
    assert!(
        dynamic
            .error
            .iter()
            .any(|l| l.contains("Instance cannot be destroyed")),
        "{:?}",
        dynamic.error
    );
    // Nothing was applied: the plan failed, so static was not destroyed either.
    assert_eq!(
        names_in(&sandbox.state("dynamic", "catalog-dev")),
        ["catalog-app"]
    );
    assert!(!names_in(&sandbox.state("static", "catalog-dev")).is_empty());
    run.expect_stderr_lacks("run (apply)");
}

#[test]
fn every_refusal_exits_2_before_anything_runs() {
    let sandbox = Sandbox::new();
    deploy_main_and_two_copies(&sandbox);
    sandbox
        .run(&[
            "deploy",
            "--accounts",
            "catalog-prod",
            "--layers",
            "platform",
        ])
        .expect_code(0);
    let work = sandbox.path().join(".orchestrator");
    let before = files_under(&work);
    let cases: &[(&[&str], &str)] = &[
        (
            &["destroy", "--accounts", "catalog-dev", "--stack", "pr-1"],
            "stdin is not one: pass --yes",
        ),
        (
            &[
                "destroy",
                "--accounts",
                "catalog-dev",
                "--stack",
                "nope",
                "--yes",
            ],
            "catalog-dev has no copy `nope` of layer `dynamic`; its copies: pr-1, pr-2",
        ),
        (
            &["deploy", "--accounts", "catalog-dev", "--stack", "Feat-1"],
            "it has uppercase letters",
        ),
        (
            &["deploy", "--accounts", "catalog-dev", "--stack", "feat_1"],
            "`_` is not allowed",
        ),
        (
            &[
                "run",
                "--account",
                "catalog-dev",
                "--stack",
                "a-very-long-branch-name-x",
            ],
            "the limit is 20",
        ),
        (
            &[
                "deploy",
                "--accounts",
                "catalog-dev",
                "--stack",
                "pr-1",
                "--layers",
                "static",
            ],
            "layer `static` has no copies, only `dynamic` has",
        ),
        (
            &[
                "destroy",
                "--accounts",
                "catalog-dev",
                "--layers",
                "dynamic",
                "--yes",
                "--stack",
                "pr-1",
                "--env",
                "prod",
            ],
            "catalog-dev is in environment `dev`, which --env prod does not name",
        ),
        (
            &[
                "destroy",
                "--accounts",
                "catalog-prod",
                "--layers",
                "platform",
                "--yes",
                "--including-platform",
            ],
            "catalog-prod is production: destroying it needs `--env prod` spelled out and --yes",
        ),
        (
            &["destroy", "--accounts", "catalog-dev", "--yes"],
            "pass --including-platform to mean it",
        ),
        (
            &[
                "destroy",
                "--accounts",
                "catalog-dev",
                "--layers",
                "static",
                "--yes",
            ],
            "still has copies of layer `dynamic` (pr-1, pr-2) that depend on layer `static`",
        ),
    ];
    for (args, message) in cases {
        let run = sandbox.run(args);
        assert_eq!(run.code, Some(2), "{args:?}\n{}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("terraform"),
            "{args:?} ran terraform: {}",
            run.stderr
        );
    }
    assert_eq!(
        files_under(&work),
        before,
        "a refused command wrote nothing"
    );

    // --stack where the config declares no stack layer.
    sandbox.edit_config("  stacks: { layer: dynamic, variable: stack_suffix }", "");
    let run = sandbox.run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-1"]);
    run.expect_code(2)
        .expect_stderr_contains("declares no layer with copies");
}

#[test]
fn validate_requires_the_stack_in_the_state_template() {
    let sandbox = Sandbox::new();
    sandbox.edit_config("{account}-{stack}.tfstate", "{account}.tfstate");
    let run = sandbox.run(&["validate"]);
    run.expect_code(2)
        .expect_stderr_contains("domains.yaml:")
        .expect_stderr_contains("does not contain `{stack}`");
}

#[test]
fn ctrl_c_during_destroy_stops_terraform_gracefully() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-1"])
        .expect_code(0);
    // A destroy that takes long enough for the interrupt to arrive mid-apply.
    let main_tf = sandbox.path().join("layers/dynamic/main.tf");
    let text = std::fs::read_to_string(&main_tf).unwrap();
    let slow = text.replacen(
        "resource \"terraform_data\" \"app\" {",
        "resource \"terraform_data\" \"app\" {\n  provisioner \"local-exec\" {\n    when    = destroy\n    command = \"sleep 120\"\n  }\n",
        1,
    );
    std::fs::write(&main_tf, slow).unwrap();
    // The provisioner is part of the resource's state once applied.
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-1"])
        .expect_code(0);

    let cmd = sandbox.command(&[
        "destroy",
        "--accounts",
        "catalog-dev",
        "--stack",
        "pr-1",
        "--yes",
    ]);
    let child = sandbox.spawn(cmd);
    let log = sandbox
        .path()
        .join(".orchestrator/logs/catalog-dev/dynamic@pr-1.log");
    wait_until("the destroy provisioner", Duration::from_secs(60), || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Provisioning with 'local-exec'"))
    });
    child.signal(Signal::SIGINT);
    let run = sandbox.finished(child.wait());
    run.expect_code(130);
    let report = sandbox.report();
    assert_eq!(report.action, RunAction::Destroy);
    assert_eq!(report.outcome, Outcome::Cancelled);
    let dynamic = layer(&report, "catalog-dev", "dynamic");
    assert_eq!(dynamic.status, Status::Cancelled);
    assert_eq!(dynamic.reason.as_deref(), Some("interrupted"));
    // terraform saved the state and released its lock; the copy's state is kept (its
    // resource may still exist).
    assert!(copy_state(&sandbox, "catalog-dev", "pr-1").is_file());
    assert_eq!(sandbox.lock_files(), Vec::<PathBuf>::new());
}

#[test]
fn from_ref_destroys_an_account_removed_from_the_config() {
    let sandbox = Sandbox::new();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(sandbox.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(sandbox.path().join(".gitignore"), ".orchestrator/\n").unwrap();
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "org"]);
    sandbox
        .run(&[
            "deploy",
            "--accounts",
            "commerce-dev",
            "--layers",
            "static,dynamic",
        ])
        .expect_code(0);
    sandbox.edit_config(
        "  - name: commerce\n    team: commerce\n    environments:\n      dev:   { account_id: \"100000000021\" }\n      stage: { account_id: \"100000000022\" }\n      prod:  { account_id: \"100000000023\" }\n",
        "",
    );
    git(&["commit", "-qam", "commerce leaves"]);

    let gone = sandbox.run(&[
        "destroy",
        "--accounts",
        "commerce-dev",
        "--layers",
        "static,dynamic",
        "--yes",
    ]);
    gone.expect_code(2)
        .expect_stderr_contains("unknown account `commerce-dev`");

    let run = sandbox.run(&[
        "destroy",
        "--accounts",
        "commerce-dev",
        "--layers",
        "static,dynamic",
        "--yes",
        "--from-ref",
        "HEAD~1",
    ]);
    run.expect_code(0);
    assert!(names_in(&sandbox.state("dynamic", "commerce-dev")).is_empty());
    assert!(names_in(&sandbox.state("static", "commerce-dev")).is_empty());

    let bad = sandbox.run(&[
        "destroy",
        "--accounts",
        "commerce-dev",
        "--yes",
        "--from-ref",
        "no-such-ref",
    ]);
    bad.expect_code(2)
        .expect_stderr_contains("--from-ref: unknown git ref `no-such-ref`");
}

/// The orchestrator on a terminal (`script` gives it one), answering `answer`.
fn on_a_terminal(sandbox: &Sandbox, args: &[&str], answer: &str) -> Run {
    let inner = sandbox.command(args);
    let mut line = format!("{}", inner.get_program().to_string_lossy());
    for arg in inner.get_args() {
        line.push_str(&format!(" '{}'", arg.to_string_lossy()));
    }
    // The one environment policy, for the orchestrator `script` starts.
    let mut cmd = Command::new("script");
    crate::support::cli::isolate(&mut cmd);
    cmd.current_dir(sandbox.path())
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("TF_VAR_deploy_seconds", "0")
        .env("CI", "true")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        // The question comes after the destroy plan; the answer waits in the terminal.
        stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
    }
    sandbox.finished(child.wait_with_output().unwrap())
}

#[test]
fn on_a_terminal_destroy_asks_and_only_an_explicit_answer_destroys() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-1"])
        .expect_code(0);
    let args = ["destroy", "--accounts", "catalog-dev", "--stack", "pr-1"];

    let declined = on_a_terminal(&sandbox, &args, "no");
    declined
        .expect_code(1)
        .expect_stdout_contains("Type `destroy` to go on")
        .expect_stdout_contains("nothing was destroyed");
    assert_eq!(
        names_in(&copy_state(&sandbox, "catalog-dev", "pr-1")),
        ["catalog-app-pr-1"]
    );

    let confirmed = on_a_terminal(&sandbox, &args, "destroy");
    confirmed.expect_code(0);
    assert!(!copy_state(&sandbox, "catalog-dev", "pr-1").exists());

    // Prod is never destroyed on a typed answer: --yes is required as well.
    sandbox
        .run(&[
            "deploy",
            "--accounts",
            "catalog-prod",
            "--layers",
            "platform",
        ])
        .expect_code(0);
    let prod = on_a_terminal(
        &sandbox,
        &[
            "destroy",
            "--accounts",
            "catalog-prod",
            "--env",
            "prod",
            "--including-platform",
        ],
        "destroy",
    );
    prod.expect_code(2)
        .expect_stdout_contains("needs `--env prod` spelled out and --yes");
    assert_eq!(
        names_in(&sandbox.state("platform", "catalog-prod")).len(),
        1
    );
}
