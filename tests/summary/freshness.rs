//! `summary --report` after real plan-only runs of `examples/sandbox` (real terraform,
//! `terraform_data`, local state): only the plans the report names are summarised, its
//! failed and missing plans are listed, and the comment names the commit and the CI run,
//! from the report, the GitHub Actions variables or the flags.

use super::{count, orchestrator, Cli, Run};
use std::path::{Path, PathBuf};

/// A copy of examples/sandbox whose runs share one work dir (`.orchestrator`), as an
/// operator's successive local runs do.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sandbox");
        std::fs::copy(source.join("domains.yaml"), dir.path().join("domains.yaml")).unwrap();
        for layer in ["platform", "static", "dynamic"] {
            let to = dir.path().join("layers").join(layer);
            std::fs::create_dir_all(&to).unwrap();
            std::fs::copy(
                source.join("layers").join(layer).join("main.tf"),
                to.join("main.tf"),
            )
            .unwrap();
        }
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn plans(&self) -> PathBuf {
        self.path().join(".orchestrator/plans")
    }

    fn latest_report(&self) -> PathBuf {
        self.path().join(".orchestrator/report.json")
    }

    /// `orchestrator <args>` in the sandbox, with quick deploys.
    fn command(&self, args: &[&str]) -> Cli {
        orchestrator()
            .current_dir(self.path())
            .args(["--config", "domains.yaml"])
            .args(args)
            .env("TF_VAR_deploy_seconds", "0")
            .env("CI", "true")
    }

    /// A plan-only run; `code` is what it must exit with.
    fn plan(&self, selectors: &[&str], env: &[(&str, &str)], code: i32) {
        let command = self
            .command(&["run", "--plan-only"])
            .args(selectors)
            .envs(env.iter().copied());
        let out = command.run();
        assert_eq!(out.code, Some(code), "{}\n{}", out.stdout, out.stderr);
    }

    /// The static layer's plan fails for `account` (a precondition, checked while planning).
    fn fail_static_plan_of(&self, account: &str) {
        let path = self.path().join("layers/static/main.tf");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&format!(
            r#"
resource "terraform_data" "guard" {{
  lifecycle {{
    precondition {{
      condition     = var.account_name != "{account}"
      error_message = "The static layer of {account} is frozen."
    }}
  }}
}}
"#
        ));
        std::fs::write(path, text).unwrap();
    }

    fn summary(&self, args: &[&str]) -> Run {
        self.command(&["summary"]).args(args).run()
    }
}

const SHA: &str = "3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f7a8b9c0d";
const RUN_ENV: [(&str, &str); 4] = [
    ("GITHUB_SHA", SHA),
    ("GITHUB_REPOSITORY", "acme/platform"),
    ("GITHUB_SERVER_URL", "https://github.com"),
    ("GITHUB_RUN_ID", "4242"),
];

/// First every catalog account is planned; then a run limited to two of them, in which
/// catalog-dev's static plan fails, and one plan file it wrote is lost afterwards.
fn two_runs() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.plan(&["--domain", "catalog"], &[], 0);
    sandbox.fail_static_plan_of("catalog-dev");
    sandbox.plan(
        &["--account", "catalog-dev", "--account", "catalog-stage"],
        &RUN_ENV,
        1,
    );
    std::fs::remove_file(sandbox.plans().join("catalog-stage/dynamic.json")).unwrap();
    sandbox
}

#[test]
fn a_report_uses_only_its_plans_and_lists_failed_and_missing_ones() {
    let sandbox = two_runs();
    // Both of the first run's catalog-dev plans that the second did not replace are still
    // there, as are catalog-prod's: five files the report does not name.
    for stale in [
        "catalog-dev/static.json",
        "catalog-dev/dynamic.json",
        "catalog-prod/platform.json",
    ] {
        assert!(sandbox.plans().join(stale).is_file(), "{stale}");
    }
    let plans = sandbox.plans();
    let report = sandbox.latest_report();
    let out = sandbox.summary(&[
        plans.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    out.expect_code(0);
    let c = &out.stdout;

    out.expect_stdout_contains("## Terraform plan: 2 accounts, 2 with changes")
        .expect_stdout_contains(":x: **1 plan failed** · :x: **1 plan missing** · 5 plan files not in the run report left out");
    // Listed by path, and nowhere else: not in the counts, the table or the lists.
    let stale = c
        .split("### Plan files not in the run report (left out)\n\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{c}"));
    let stale = &stale[..stale.find("\n\n").unwrap()];
    let mut listed: Vec<&str> = stale.lines().collect();
    listed.sort();
    let expected: Vec<String> = [
        "catalog-dev/dynamic.json",
        "catalog-dev/static.json",
        "catalog-prod/dynamic.json",
        "catalog-prod/platform.json",
        "catalog-prod/static.json",
    ]
    .iter()
    .map(|p| format!("- `{}`", plans.join(p).display()))
    .collect();
    assert_eq!(listed, expected);
    let rest = c.replace(stale, "");
    assert!(
        !rest.contains("catalog-prod"),
        "a stale account is shown: {c}"
    );
    // The failed plan: terraform's own error, not the older plan file of that layer.
    let failed = c.split("### Failed plans").nth(1).unwrap();
    assert!(
        failed.starts_with("\n\n- :x: **catalog-dev** · `static`"),
        "{c}"
    );
    assert!(
        failed.contains("The static layer of catalog-dev is frozen."),
        "{c}"
    );
    let missing = c.split("### Missing plans").nth(1).unwrap();
    assert!(
        missing.starts_with("\n\n- :x: **catalog-stage** · `dynamic`: the run report names `plans/catalog-stage/dynamic.json`, which is not among the plan files\n"),
        "{c}"
    );
    let row = |account: &str| {
        c.lines()
            .find(|l| l.starts_with(&format!("| {account} |")))
            .unwrap_or_else(|| panic!("no row for {account}: {c}"))
            .to_string()
    };
    assert!(
        row("catalog-dev").ends_with("| **failed** | skipped |"),
        "{c}"
    );
    assert!(row("catalog-stage").ends_with("| **missing** |"), "{c}");
    // The run's commit and CI run, from the report (no GitHub Actions variables here).
    out.expect_stdout_contains("Planned from commit `3f2a9c1e5b7d` · [CI run](https://github.com/acme/platform/actions/runs/4242)");

    // Without the report, every file counts: the third account is back.
    let out = sandbox.summary(&[plans.to_str().unwrap()]);
    out.expect_code(0)
        .expect_stdout_contains("## Terraform plan: 3 accounts,");
    assert_eq!(count(&out.stdout, "not in the run report"), 0);
}

#[test]
fn the_commit_and_run_come_from_flags_then_github_actions_then_the_report() {
    let sandbox = two_runs();
    let plans = sandbox.plans();
    let report = sandbox.latest_report();
    let inputs = [
        plans.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ];
    let planned_from = |out: &Run| {
        out.expect_code(0);
        out.stdout
            .lines()
            .find(|l| l.starts_with("Planned from "))
            .unwrap_or_else(|| panic!("{}", out.stdout))
            .to_string()
    };

    // In the comment job of a pull request: the PR's head (GITHUB_SHA is GitHub's merge
    // commit) and this run's page.
    let head = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";
    let event = sandbox.path().join("event.json");
    std::fs::write(
        &event,
        format!(r#"{{"pull_request": {{"number": 12, "head": {{"sha": "{head}"}}}}}}"#),
    )
    .unwrap();
    let command = sandbox
        .command(&["summary"])
        .args(inputs)
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_SHA", "1111111111111111111111111111111111111111")
        .env("GITHUB_REPOSITORY", "acme/platform")
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_RUN_ID", "777");
    assert_eq!(
        planned_from(&command.run()),
        "Planned from commit `9e8d7c6b5a4f` · [CI run](https://github.example/acme/platform/actions/runs/777)"
    );

    // A push: GITHUB_SHA.
    let command = sandbox
        .command(&["summary"])
        .args(inputs)
        .env("GITHUB_SHA", "2222222222222222222222222222222222222222");
    assert_eq!(
        planned_from(&command.run()),
        "Planned from commit `222222222222` · [CI run](https://github.com/acme/platform/actions/runs/4242)"
    );

    // Flags win over both.
    let command = sandbox
        .command(&["summary"])
        .args(inputs)
        .args([
            "--commit",
            "abcdef1",
            "--run-url",
            "https://ci.example/builds/5",
        ])
        .env("GITHUB_SHA", "2222222222222222222222222222222222222222")
        .env("GITHUB_REPOSITORY", "acme/platform")
        .env("GITHUB_RUN_ID", "777");
    assert_eq!(
        planned_from(&command.run()),
        "Planned from commit `abcdef1` · [CI run](https://ci.example/builds/5)"
    );

    // Anything else in those flags is bad input, before anything is written.
    for (flag, value, says) in [
        ("--commit", "main`](x)", "is not a commit id"),
        ("--run-url", "javascript:alert(1)", "is not an http(s) URL"),
        (
            "--run-url",
            "https://ci.example/a b",
            "is not an http(s) URL",
        ),
    ] {
        let full = sandbox.path().join("full.md");
        let out = sandbox.summary(&[
            inputs[0],
            inputs[1],
            inputs[2],
            flag,
            value,
            "--full",
            full.to_str().unwrap(),
        ]);
        assert_eq!(out.code, Some(2), "{flag} {value}: {}", out.stderr);
        out.expect_stderr_contains(says).expect_stdout("");
        assert!(!full.exists());
    }
}

/// A deployed account whose static layer now replaces one object and destroys another, and
/// a new account that creates everything: Slack, the job summary and the comment give the
/// same `N to add, N to change, N to destroy` (terraform's own counting, a replacement one
/// add and one destroy), from the one counting function.
#[test]
fn slack_the_job_summary_and_the_comment_count_the_same_plans() {
    let sandbox = Sandbox::new();
    sandbox
        .command(&["run", "--account", "catalog-dev", "--layer", "static"])
        .run()
        .expect_code(0);
    let path = sandbox.path().join("layers/static/main.tf");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            "resource \"terraform_data\" \"artifacts_bucket\" {\n",
            "resource \"terraform_data\" \"artifacts_bucket\" {\n  triggers_replace = \"v2\"\n",
        )
        .replace(
            "resource \"terraform_data\" \"logs_bucket\"",
            "resource \"terraform_data\" \"audit_bucket\"",
        );
    std::fs::write(&path, text).unwrap();
    sandbox.plan(
        &[
            "--account",
            "catalog-dev",
            "--account",
            "catalog-stage",
            "--layer",
            "static",
        ],
        &[],
        0,
    );

    let report = sandbox.latest_report();
    let plans = sandbox.plans();
    let comment = sandbox.summary(&[
        plans.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    comment.expect_code(0);
    // catalog-dev: audit_bucket created, artifacts_bucket replaced (one add and one
    // destroy), logs_bucket destroyed; catalog-stage: both buckets created.
    let counts = "4 to add, 0 to change, 2 to destroy";
    comment
        .expect_stdout_contains(&format!("**{counts}** · 1 replacement"))
        .expect_stdout_contains("  - `static` replace `terraform_data.artifacts_bucket`")
        .expect_stdout_contains("  - `static` destroy `terraform_data.logs_bucket`");

    let slack = crate::support::receiver::Receiver::start();
    sandbox
        .command(&["notify", "slack", "--on", "change", "--report"])
        .arg(report.to_str().unwrap())
        .env("SLACK_WEBHOOK_URL", slack.url("/services/T1/B1/x"))
        .run()
        .expect_code(0);
    let sent: String = slack.requests().iter().map(|r| r.body.clone()).collect();
    assert!(
        sent.contains(&format!("2 accounts with changes in their plan: {counts}")),
        "{sent}"
    );

    let step_summary = sandbox.path().join("step-summary.md");
    sandbox
        .command(&["report", "summary", "--report"])
        .arg(report.to_str().unwrap())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &step_summary)
        .run();
    let job_summary = std::fs::read_to_string(&step_summary).unwrap();
    assert!(
        job_summary.contains(&format!("2 accounts with changes: {counts}.")),
        "{job_summary}"
    );
}
