//! The comment's budget when the destroyed addresses alone exceed GitHub's 65,536
//! characters: grouped by address across accounts, then counted per account with the full
//! list in the job summary, `--full` and `--destroy-list`; the note says exactly what was
//! left out, and everything else comes back as far as room allows.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::{assert_balanced, corpus, count, destroys_section, summary, Run};

const LIMIT: usize = 65_536;

fn summarise(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    summary(&["plans"])
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .run()
}

/// The note's one line (after `> `).
fn note(comment: &str) -> &str {
    comment
        .lines()
        .find_map(|l| {
            l.strip_prefix("> ")
                .filter(|n| n.starts_with("Shortened to fit"))
        })
        .unwrap_or_else(|| panic!("no note: {comment}"))
}

/// Accounts that change but whose resource list did not fit in the comment.
fn lists_left_out(comment: &str, changed: usize) -> usize {
    let shown: usize = comment
        .lines()
        .filter(|l| l.starts_with("<details><summary>"))
        .map(|l| count(l, "<b>"))
        .sum();
    changed - shown
}

fn resource_lists_phrase(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "the resource lists of 1 account; ".into(),
        n => format!("the resource lists of {n} accounts; "),
    }
}

/// Thirty addresses destroyed in the same 45 accounts, each of which also destroys one of its
/// own: naming them under each account needs twice the limit; grouped, the 45 accounts are
/// named once for the thirty shared addresses.
#[test]
fn destroys_shared_by_many_accounts_are_grouped_by_address_and_the_table_stays() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    let shared: Vec<String> = (0..30)
        .map(|r| format!("module.storage.aws_s3_bucket.logs[\"archive-bucket-{r:02}\"]"))
        .collect();
    // Without a config, accounts are in name order.
    let mut accounts: Vec<String> = (0..45).map(corpus::account_name).collect();
    accounts.sort();
    for account in &accounts {
        let mut changes: Vec<(String, &[&str])> = shared
            .iter()
            .map(|a| (a.clone(), &["delete"][..]))
            .collect();
        changes.push((format!("aws_iam_role.ci[\"{account}\"]"), &["create"]));
        changes.push((format!("aws_s3_bucket.own[\"{account}\"]"), &["delete"]));
        corpus::write(&plans, account, "static", &corpus::plan(&changes));
        corpus::write(&plans, account, "platform", &corpus::plan(&[]));
    }
    for i in 45..50 {
        corpus::write(
            &plans,
            &corpus::account_name(i),
            "static",
            &corpus::plan(&[]),
        );
    }
    let out = summarise(dir.path(), &["--full", "full.md"], &[]);
    out.expect_code(0);
    let c = &out.stdout;
    assert!(c.encode_utf16().count() <= LIMIT, "{}", c.len());
    assert_balanced(c);
    let full = std::fs::read_to_string(dir.path().join("full.md")).unwrap();
    assert!(
        destroys_section(&full).encode_utf16().count() > LIMIT,
        "the full destroy list must exceed the limit for this test"
    );

    // The shared addresses under one entry naming all 45 accounts; each own bucket under
    // its account.
    let section = destroys_section(c);
    let names: Vec<String> = accounts.iter().map(|a| format!("**{a}**")).collect();
    let mut shared_entry = format!("- 45 accounts: {}\n", names.join(", "));
    for address in &shared {
        shared_entry.push_str(&format!("  - `static` destroy `{address}`\n"));
    }
    assert!(section.contains(&shared_entry), "{section}");
    for account in &accounts {
        assert!(
            section.contains(&format!(
                "- **{account}**\n  - `static` destroy `aws_s3_bucket.own[\"{account}\"]`\n"
            )),
            "{account}: {section}"
        );
    }
    assert_eq!(
        count(section, "  - `static` destroy "),
        30 + 45,
        "{section}"
    );

    // The grouped destroys leave room for the whole table again.
    out.expect_stdout_contains("| account | platform | static |");
    for i in 0..50 {
        let account = corpus::account_name(i);
        assert!(
            c.contains(&format!("| **{account}** |")) || c.contains(&format!("| {account} |")),
            "{account} has no row"
        );
    }
    out.expect_stdout_contains("**No changes** in 5 accounts: ");

    let left_out = lists_left_out(c, 45);
    assert_eq!(
        note(c),
        format!(
            "Shortened to fit the 65,536-character limit of a PR comment: left out {}terraform's reason for each destroy (every destroyed address is named, by account). The full version is in `full.md`.",
            resource_lists_phrase(left_out)
        )
    );
}

/// 1,200 different addresses destroyed or replaced in 30 accounts: even grouped they need
/// twice the limit, so the comment counts them per account and says where the list is.
#[test]
fn as_a_last_resort_destroys_are_counted_per_account_and_listed_in_the_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    let mut expected = BTreeSet::new();
    let accounts: Vec<String> = (0..30).map(corpus::account_name).collect();
    for account in &accounts {
        let mut changes: Vec<(String, &[&str])> = Vec::new();
        for r in 0..40 {
            let address =
                format!("module.service[\"{account}-worker-{r:02}\"].aws_sqs_queue.dead_letters");
            let (actions, action): (&[&str], &str) = if r < 30 {
                (&["delete"], "destroy")
            } else {
                (&["create", "delete"], "replace")
            };
            changes.push((address.clone(), actions));
            expected.insert((account.clone(), "dynamic".to_string(), action, address));
        }
        changes.push((format!("aws_iam_role.ci[\"{account}\"]"), &["update"]));
        corpus::write(&plans, account, "dynamic", &corpus::plan(&changes));
    }
    let step_summary = dir.path().join("step-summary.md");
    let env = [
        ("GITHUB_STEP_SUMMARY", step_summary.to_str().unwrap()),
        ("GITHUB_REPOSITORY", "acme/platform"),
        ("GITHUB_RUN_ID", "31337"),
    ];
    let out = summarise(
        dir.path(),
        &["--full", "full.md", "--destroy-list", "destroys.json"],
        &env,
    );
    out.expect_code(0);
    let c = &out.stdout;
    assert!(c.encode_utf16().count() <= LIMIT, "{}", c.len());
    assert_balanced(c);

    let section = destroys_section(c);
    for account in &accounts {
        assert!(
            section.contains(&format!("- **{account}**: 30 to destroy, 10 to replace\n")),
            "{account}: {section}"
        );
    }
    assert!(!section.contains("dead_letters"), "{section}");

    let run = "https://github.com/acme/platform/actions/runs/31337";
    let left_out = lists_left_out(c, 30);
    assert_eq!(
        note(c),
        format!(
            "Shortened to fit the 65,536-character limit of a PR comment: left out {}the 1200 destroyed and replaced addresses (counted per account). The full version is in the job summary of [the CI run]({run}) and in `full.md`. Every destroyed and replaced address, with its account and layer, is in `destroys.json` of [the CI run]({run}).",
            resource_lists_phrase(left_out)
        )
    );
    // Counted destroys leave room for the table again.
    out.expect_stdout_contains("| account | dynamic |");

    // The artifact: every destroyed and replaced address with account, layer and action.
    let list: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("destroys.json")).unwrap()).unwrap();
    assert_eq!(list["count"], 1200);
    let listed: BTreeSet<(String, String, &str, String)> = list["destroys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap().to_string();
            let action = match d["action"].as_str().unwrap() {
                "destroy" => "destroy",
                "replace" => "replace",
                other => panic!("{other}"),
            };
            (s("account"), s("layer"), action, s("address"))
        })
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(
        list["destroys"][0]["reason"], "delete_because_no_resource_config",
        "terraform's reason is kept"
    );

    // The job summary and --full hold the full version: every address under its account.
    let full = std::fs::read_to_string(dir.path().join("full.md")).unwrap();
    let job_summary = std::fs::read_to_string(&step_summary).unwrap();
    assert!(job_summary.contains(&full));
    for (_, _, action, address) in &expected {
        assert!(
            full.contains(&format!("  - `dynamic` {action} `{address}`")),
            "{address}"
        );
    }
}

#[test]
fn the_destroy_list_is_written_even_when_nothing_is_destroyed() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    corpus::write(
        &plans,
        "shop-dev",
        "static",
        &corpus::plan(&[("aws_s3_bucket.b".into(), &["create"])]),
    );
    // A list left over from an earlier run must not survive as if current.
    std::fs::write(dir.path().join("destroys.json"), "stale").unwrap();
    let out = summarise(dir.path(), &["--destroy-list", "destroys.json"], &[]);
    out.expect_code(0);
    let list: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("destroys.json")).unwrap()).unwrap();
    assert_eq!(list, serde_json::json!({ "count": 0, "destroys": [] }));
    out.expect_stdout_lacks("destroys.json");
}

/// The same thirty destroys in 45 accounts: one entry naming the 45, with terraform's
/// reasons, instead of 45 copies; nothing about the destroys is shortened.
#[test]
fn identical_destroys_in_many_accounts_are_one_entry_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    // Without a config, accounts are in name order.
    let mut accounts: Vec<String> = (0..45).map(corpus::account_name).collect();
    accounts.sort();
    for account in &accounts {
        let mut changes: Vec<(String, &[&str])> = (0..30)
            .map(|r| {
                (
                    format!("aws_s3_bucket.logs[\"archive-{r:02}\"]"),
                    &["delete"][..],
                )
            })
            .collect();
        changes.push((format!("aws_iam_role.ci[\"{account}\"]"), &["create"]));
        corpus::write(&plans, account, "static", &corpus::plan(&changes));
    }
    let out = summarise(dir.path(), &[], &[]);
    out.expect_code(0);
    let section = destroys_section(&out.stdout);
    let names: Vec<String> = accounts.iter().map(|a| format!("**{a}**")).collect();
    let mut entry = format!(
        "- {} (identical in 45 accounts): 30 to destroy\n",
        names.join(", ")
    );
    for r in 0..30 {
        entry.push_str(&format!(
            "  - `static` destroy `aws_s3_bucket.logs[\"archive-{r:02}\"]` (no longer in the configuration)\n"
        ));
    }
    assert_eq!(section, format!("### Destroys and replacements\n\n{entry}"));
    out.expect_stdout_lacks("reason for each destroy")
        .expect_stdout_lacks("destroyed and replaced addresses");
}

#[test]
fn a_directory_or_one_file_for_both_outputs_is_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    corpus::write(
        &plans,
        "shop-dev",
        "static",
        &corpus::plan(&[("aws_s3_bucket.b".into(), &["delete"])]),
    );
    std::fs::create_dir(dir.path().join("out")).unwrap();
    for (args, says) in [
        (
            &["--destroy-list", "out", "--full", "full.md"][..],
            "--destroy-list out: not a file name",
        ),
        (&["--full", "out"][..], "--full out: not a file name"),
        (
            &["--full", "same.json", "--destroy-list", "same.json"][..],
            "--full and --destroy-list both name same.json",
        ),
    ] {
        let out = summarise(dir.path(), args, &[]);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        out.expect_stderr_contains(says).expect_stdout("");
        assert!(!dir.path().join("full.md").exists());
        assert!(!dir.path().join("same.json").exists());
    }
}

/// A run report of `accounts` accounts whose platform plan failed (two error lines each)
/// and whose static plan file is lost; each of the first `destroying` also has a dynamic
/// plan that destroys one bucket. Returns the report's path.
fn failing_run(dir: &Path, accounts: usize, destroying: usize) -> std::path::PathBuf {
    let fixture: Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plans/report.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let template = &fixture["jobs"][1];
    let (failed, planned) = (&template["layers"][1], &template["layers"][0]);
    let mut jobs = Vec::new();
    for i in 0..accounts {
        let account = format!("workload-{i:04}-{}", corpus::account_name(i));
        let mut job = template.clone();
        job["account"] = account.clone().into();
        job["status"] = "failed".into();
        let mut platform = failed.clone();
        platform["layer"] = "platform".into();
        platform["error"] = serde_json::json!([
            "Error: No valid credential sources found",
            "  with provider[\"registry.terraform.io/hashicorp/aws\"],"
        ]);
        let mut lost = planned.clone();
        lost["layer"] = "static".into();
        lost["plan_json"] = format!("plans/{account}/static.json").into();
        let mut layers = vec![platform, lost];
        if i < destroying {
            let mut dynamic = planned.clone();
            dynamic["layer"] = "dynamic".into();
            dynamic["plan_json"] = format!("plans/{account}/dynamic.json").into();
            corpus::write(
                &dir.join("plans"),
                &account,
                "dynamic",
                &corpus::plan(&[(format!("aws_s3_bucket.old[\"{account}\"]"), &["delete"])]),
            );
            layers.push(dynamic);
        }
        job["layers"] = layers.into();
        jobs.push(job);
    }
    let mut report = fixture.clone();
    report["jobs"] = jobs.into();
    let path = dir.join("report.json");
    std::fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
    std::fs::create_dir_all(dir.join("plans")).unwrap();
    path
}

/// Hundreds of failed and missing plans (expired credentials fail every plan): first they
/// are named without their errors, then, when even their names exceed the limit, counted;
/// the destroyed addresses are named all along, and the note says exactly what went.
#[test]
fn hundreds_of_failed_and_missing_plans_are_named_then_counted() {
    for (accounts, names) in [(300, true), (1_000, false)] {
        let dir = tempfile::tempdir().unwrap();
        failing_run(dir.path(), accounts, 20);
        let out = summarise(
            dir.path(),
            &["--report", "report.json", "--full", "full.md"],
            &[],
        );
        out.expect_code(0);
        let c = &out.stdout;
        assert!(c.encode_utf16().count() <= LIMIT, "{accounts}: {}", c.len());
        assert_balanced(c);
        out.expect_stdout_contains(&format!(
            ":x: **{accounts} plans failed** · :x: **{accounts} plans missing**"
        ));
        for i in 0..20 {
            let account = format!("workload-{i:04}-{}", corpus::account_name(i));
            out.expect_stdout_contains(&format!(
                "- **{account}**: 1 to destroy\n  - `dynamic` destroy `aws_s3_bucket.old[\"{account}\"]`"
            ));
        }
        let full = std::fs::read_to_string(dir.path().join("full.md")).unwrap();
        assert_eq!(
            count(&full, "Error: No valid credential sources found"),
            accounts
        );
        assert_eq!(count(c, "Error: No valid credential sources found"), 0);
        let (failed, missing) = (
            c.split("### Failed plans\n\n").nth(1).unwrap(),
            c.split("### Missing plans\n\n").nth(1).unwrap(),
        );
        let left_out = if names {
            for i in 0..accounts {
                let account = format!("workload-{i:04}-{}", corpus::account_name(i));
                assert!(failed.contains(&format!("- :x: **{account}** · `platform`\n")));
                assert!(missing.contains(&format!("- :x: **{account}** · `static`\n")));
            }
            format!("the reasons for {accounts} failed plans (each is named); the reasons for {accounts} missing plans (each is named)")
        } else {
            assert!(failed.starts_with(&format!(
                "{accounts} failed plans: each is listed in the full version (see the note above).\n"
            )));
            assert!(missing.starts_with(&format!(
                "{accounts} missing plans: each is listed in the full version (see the note above).\n"
            )));
            format!("the accounts and layers of {accounts} failed plans; the accounts and layers of {accounts} missing plans")
        };
        assert_eq!(
            note(c),
            format!(
                "Shortened to fit the 65,536-character limit of a PR comment: left out {}; the account by layer table. The full version is in `full.md`.",
                left_out
            ),
            "{accounts}"
        );
    }
}

/// 1,100 accounts with long names, each destroying or replacing one bucket of its own: even
/// a count per account is over the limit, so accounts that destroy as many share a line;
/// every destroying account is still named.
#[test]
fn a_thousand_destroying_accounts_share_lines_by_their_counts() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    std::fs::create_dir_all(&plans).unwrap();
    let accounts: Vec<String> = (0..1_100)
        .map(|i| format!("workload-{i:04}-eu-west-1-production-platform"))
        .collect();
    for (i, account) in accounts.iter().enumerate() {
        let actions: &[&str] = if i % 2 == 0 {
            &["delete"]
        } else {
            &["delete", "create"]
        };
        let plan = corpus::plan(&[(format!("aws_s3_bucket.own[\"{account}\"]"), actions)]);
        std::fs::write(
            plans.join(format!("{account}.json")),
            serde_json::to_vec(&plan).unwrap(),
        )
        .unwrap();
    }
    let out = summarise(dir.path(), &["--destroy-list", "destroys.json"], &[]);
    out.expect_code(0);
    let c = &out.stdout;
    assert!(c.encode_utf16().count() <= LIMIT, "{}", c.len());
    let section = destroys_section(c);
    let lines: Vec<&str> = section.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(lines.len(), 2, "{section}");
    assert!(lines[0].starts_with("- 550 accounts, 1 to destroy each: **workload-0000-"));
    assert!(lines[1].starts_with("- 550 accounts, 1 to replace each: **workload-0001-"));
    for account in &accounts {
        assert_eq!(count(section, &format!("**{account}**")), 1, "{account}");
    }
    assert!(note(c).contains("the 1100 destroyed and replaced addresses (counted per account)"));
    assert!(note(c).contains(
        "Every destroyed and replaced address, with its account and layer, is in `destroys.json`."
    ));
}
