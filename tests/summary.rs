//! `orchestrator summary`: plans made by real terraform (tests/fixtures/plans, see
//! generate.sh there), a synthetic organisation of 300 accounts, broken plan files, and a
//! GitHub API stand-in on 127.0.0.1 for `--post`.

mod budget;
mod corpus;
mod freshness;
mod github_server;
mod kinds;
mod layouts;
mod terraform_made;

use crate::support::cli::{self, Cli, Run};
use std::path::{Path, PathBuf};

use crate::support::receiver::Reply;
use github_server::{GithubServer, ACTIONS_BOT, PR, REPOSITORY, TOKEN};
use orchestrator::summary::{read_plan, Counts, MARKER};

const FIXTURES: &str = "tests/fixtures/plans";

/// The binary, run from the repository root (so paths in messages are relative and stable),
/// with the one environment policy (`support::cli`).
fn orchestrator() -> Cli {
    cli::orchestrator().current_dir(env!("CARGO_MANIFEST_DIR"))
}

fn summary(args: &[&str]) -> Cli {
    orchestrator().arg("summary").args(args)
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

/// Markdown that GitHub renders as intended: every `<details>` closed, every code fence
/// closed.
fn assert_balanced(markdown: &str) {
    assert_eq!(
        count(markdown, "<details>"),
        count(markdown, "</details>"),
        "unbalanced <details>"
    );
    let fences = markdown
        .lines()
        .filter(|line| line.trim_start().starts_with("```"))
        .count();
    assert_eq!(fences % 2, 0, "a code fence is left open");
}

// --- plans made by real terraform ------------------------------------------------------

#[test]
fn comment_for_real_terraform_plans_matches_the_golden_copy() {
    let out = summary(&[FIXTURES, "--report", "tests/fixtures/plans/report.json"]).run();
    out.expect_code(0);
    assert!(out.stdout.starts_with(MARKER));
    assert_balanced(&out.stdout);
    insta::assert_snapshot!("fixtures_with_report", out.stdout);
}

#[test]
fn without_a_report_accounts_and_layers_come_from_the_paths() {
    let out = summary(&[
        "--config",
        "examples/sandbox/domains.yaml",
        "tests/fixtures/plans/catalog-dev",
        "tests/fixtures/plans/catalog-prod/static.json",
        "tests/fixtures/plans/payments-prod",
    ])
    .run();
    out.expect_code(0);
    insta::assert_snapshot!("fixtures_from_paths", out.stdout);
}

#[test]
fn counts_of_real_plans_are_exact() {
    let counts = |plan: &str| {
        read_plan(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(FIXTURES)
                .join(plan),
        )
        .unwrap()
        .counts
    };
    let none = Counts::default();
    // create + update; the data source read is not a change.
    assert_eq!(
        counts("catalog-dev/platform.json"),
        Counts {
            add: 1,
            change: 1,
            ..none
        }
    );
    // ["delete","create"] is one replacement, not an add and a destroy.
    assert_eq!(
        counts("catalog-dev/static.json"),
        Counts {
            destroy: 1,
            replace: 1,
            ..none
        }
    );
    assert_eq!(counts("catalog-dev/dynamic.json"), none);
    assert_eq!(
        counts("catalog-prod/static.json"),
        Counts { outputs: 1, ..none }
    );
    assert_eq!(
        counts("catalog-prod/dynamic.json"),
        Counts { moved: 1, ..none }
    );
    // ["create","delete"] (create before destroy) is a replacement; forget is its own kind.
    assert_eq!(
        counts("payments-dev/platform.json"),
        Counts {
            replace: 1,
            forget: 1,
            ..none
        }
    );
    for layer in ["platform", "static", "dynamic"] {
        assert_eq!(counts(&format!("payments-prod/{layer}.json")), none);
    }
}

#[test]
fn failed_plans_show_their_first_error_lines() {
    let out = summary(&[FIXTURES, "--report", "tests/fixtures/plans/report.json"]).run();
    out.expect_stdout_contains(":x: **1 plan failed**");
    let failed = out.stdout.split("### Failed plans").nth(1).unwrap();
    assert!(failed.contains("- :x: **payments-dev** · `static`"));
    assert!(failed.contains("Error: Resource precondition failed"));
    // Destroys come before everything else that is listed.
    assert!(out.stdout.find("### Destroys and replacements") < out.stdout.find("### Failed plans"));
}

// --- a large organisation --------------------------------------------------------------

#[test]
fn three_hundred_accounts_fit_one_comment_and_name_every_destroy() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    corpus::organisation(&plans, 300);
    let full = dir.path().join("full.md");
    let step_summary = dir.path().join("step_summary.md");
    let out = summary(&[plans.to_str().unwrap(), "--full", full.to_str().unwrap()])
        .env("GITHUB_STEP_SUMMARY", &step_summary)
        .run();
    out.expect_code(0);

    let comment = &out.stdout;
    assert!(
        comment.encode_utf16().count() <= 65_536,
        "{} characters",
        comment.len()
    );
    assert_balanced(comment);
    let destroying: Vec<String> = (0..300)
        .filter(|&i| corpus::shape(i).destroys)
        .map(corpus::account_name)
        .collect();
    assert!(destroying.len() > 20);
    let destroys = comment
        .split("### Destroys and replacements")
        .nth(1)
        .unwrap();
    for account in &destroying {
        assert!(
            destroys.contains(&format!("**{account}**")),
            "{account} destroys something but is not named"
        );
    }
    out.expect_stdout_contains("> [!NOTE]\n> Shortened to fit the 65,536-character limit of a PR comment: left out the resource lists of")
        .expect_stdout_contains("The full version is in this CI job's summary and in");

    // The full version has every account's resources; the job summary holds it, within 1 MiB.
    let full = std::fs::read_to_string(&full).unwrap();
    assert!(full.chars().count() > 65_536);
    assert_balanced(&full);
    // Accounts with identical changes share one list; every changed account is named once.
    let listed: usize = full
        .lines()
        .filter(|l| l.starts_with("<details><summary>"))
        .map(|l| count(l, "<b>"))
        .sum();
    let changed = (0..300)
        .map(corpus::shape)
        .filter(|shape| !shape.unchanged || shape.destroys)
        .count();
    assert_eq!(listed, changed);
    let step_summary = std::fs::read_to_string(&step_summary).unwrap();
    assert!(step_summary.len() <= 1024 * 1024);
    assert!(step_summary.contains(&full));
}

#[test]
fn the_job_summary_stays_within_its_mib_when_other_steps_wrote_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    corpus::organisation(&plans, 300);
    let step_summary = dir.path().join("step_summary.md");
    let earlier = "earlier step output\n".repeat(40_000);
    std::fs::write(&step_summary, &earlier).unwrap();
    let out = summary(&[plans.to_str().unwrap(), "--full", "plan-summary.md"])
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &step_summary)
        .run();
    out.expect_code(0);
    let written = std::fs::read_to_string(&step_summary).unwrap();
    assert!(written.len() <= 1024 * 1024, "{} bytes", written.len());
    assert!(written.starts_with(&earlier));
    let ours = &written[earlier.len()..];
    assert_balanced(ours);
    assert!(ours.contains("limit of the job summary: left out the resource lists of"));
    assert!(ours.contains("The full version is in `plan-summary.md`."));
}

#[test]
fn a_limit_too_small_for_the_destroys_is_bad_input() {
    let out = summary(&[
        FIXTURES,
        "--report",
        "tests/fixtures/plans/report.json",
        "--max-chars",
        "200",
    ])
    .run();
    out.expect_code(2)
        .expect_stderr_contains("even with every detail left out");
    out.expect_stdout("");
}

// --- corpora in every layout ---------------------------------------------------------

/// The destroys section of a comment (up to the next section).
fn destroys_section(comment: &str) -> &str {
    let Some(start) = comment.find("### Destroys and replacements") else {
        return "";
    };
    let rest = &comment[start..];
    let end = rest[3..].find("\n### ").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

/// 130, 500 and 900 plans in each layout, one in two destroying: the comment fits, names
/// every destroyed address with its account whenever those lines alone fit, and always
/// names every destroying account.
#[test]
fn corpora_in_every_layout_fit_and_name_every_destroy() {
    use corpus::Layout;
    for layout in [Layout::Runner, Layout::PerAccount, Layout::Flat] {
        for plans in [130, 500, 900] {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("plans");
            let destroyed = corpus::layout_corpus(&root, plans, layout);
            let full = dir.path().join("full.md");
            let out = summary(&[root.to_str().unwrap(), "--full", full.to_str().unwrap()]).run();
            let case = format!("{layout:?} {plans}");
            assert_eq!(out.code, Some(0), "{case}: {}", out.stderr);
            let comment = &out.stdout;
            assert!(comment.encode_utf16().count() <= 65_536, "{case}");
            assert_balanced(comment);

            // Rows: one per account (runner, per account) or per file (flat); columns: layers.
            let rows = match layout {
                Layout::Runner => plans.div_ceil(3),
                _ => plans,
            };
            out.expect_stdout_contains(&format!("## Terraform plan: {rows} accounts,"));
            let full_text = std::fs::read_to_string(&full).unwrap();
            let header = full_text
                .lines()
                .find(|l| l.starts_with("| account |"))
                .unwrap();
            let columns = header.matches(" |").count() - 1;
            assert_eq!(
                columns,
                if layout == Layout::Runner { 3 } else { 1 },
                "{case}: {header}"
            );

            // Every destroy is in the full version, under its account.
            let full_destroys = destroys_section(&full_text);
            let section = destroys_section(comment);
            let mut accounts: Vec<&str> = destroyed.iter().map(|d| d.account.as_str()).collect();
            accounts.dedup();
            for account in &accounts {
                assert!(
                    section.contains(&format!("**{account}**")),
                    "{case}: {account} destroys but is not named"
                );
            }
            let headline = comment.find("### Destroys and replacements").unwrap();
            if full_destroys.encode_utf16().count() + headline + 2_000 <= 65_536 {
                // Their lines alone fit: every address is named, in its account's entry.
                assert_eq!(section, full_destroys, "{case}: destroys were shortened");
                for entry in section.split("\n- **").skip(1) {
                    let account = entry.split("**").next().unwrap();
                    for d in destroyed.iter().filter(|d| d.account == account) {
                        assert!(entry.contains(&d.address), "{case}: {d:?} not named");
                    }
                }
            } else {
                // Grouped by address, each naming its accounts; or counted, as a last resort
                // with the note saying so.
                let grouped = destroyed
                    .iter()
                    .all(|d| section.contains(&format!("`{}`", d.address)));
                assert!(
                    grouped
                        || comment
                            .contains("destroyed and replaced addresses (counted per account)"),
                    "{case}: neither every address nor the note"
                );
            }
            if comment.contains("Shortened to fit") {
                out.expect_stdout_contains(&format!("in `{}`", full.display()));
            }
        }
    }
}

#[test]
fn identical_plans_are_folded_into_one_list() {
    let dir = tempfile::tempdir().unwrap();
    let same = corpus::plan(&[
        ("aws_s3_bucket.logs".into(), &["update"]),
        ("aws_iam_role.ci".into(), &["create"]),
    ]);
    for i in 0..37 {
        corpus::write(dir.path(), &format!("shop{i:02}-dev"), "static", &same);
    }
    corpus::write(
        dir.path(),
        "odd-dev",
        "static",
        &corpus::plan(&[("aws_s3_bucket.other".into(), &["create"])]),
    );
    let out = summary(&[dir.path().to_str().unwrap()]).run();
    out.expect_code(0);
    assert_eq!(
        count(&out.stdout, "identical in 37 accounts"),
        1,
        "{}",
        out.stdout
    );
    assert_eq!(count(&out.stdout, "- update `aws_s3_bucket.logs`"), 1);
    assert_eq!(count(&out.stdout, "<details>"), 2);
}

// --- bad input -------------------------------------------------------------------------

#[test]
fn each_kind_of_bad_plan_file_exits_2_naming_the_file() {
    let good = serde_json::to_string(&corpus::plan(&[("a.b".into(), &["create"])])).unwrap();
    let cases = [
        (
            "not-json",
            "terraform plan output\n".to_string(),
            "not JSON",
        ),
        (
            "truncated",
            good[..good.len() / 2].to_string(),
            "the JSON ends early",
        ),
        (
            "state",
            r#"{"format_version":"1.0","values":{}}"#.to_string(),
            "not a terraform plan: it has no planned_values",
        ),
        ("array", "[1, 2, 3]".to_string(), "not a terraform plan"),
        (
            "report",
            std::fs::read_to_string("tests/fixtures/plans/report.json").unwrap(),
            "a run report, not a terraform plan: give it with `--report ",
        ),
        (
            "future",
            good.replace("\"1.2\"", "\"2.0\""),
            "format_version \"2.0\" is not supported",
        ),
    ];
    for (name, text, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        corpus::write(
            dir.path(),
            "catalog-dev",
            "platform",
            &corpus::plan(&[("a.b".into(), &["create"])]),
        );
        let bad = dir.path().join("catalog-dev").join(format!("{name}.json"));
        std::fs::write(&bad, text).unwrap();
        let full = dir.path().join("full.md");
        let out = summary(&[
            dir.path().to_str().unwrap(),
            "--full",
            full.to_str().unwrap(),
        ])
        .run();
        assert_eq!(out.code, Some(2), "{name}: {}", out.stderr);
        let expected = format!("error: {}", bad.display());
        assert!(out.stderr.starts_with(&expected), "{name}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{name}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{name}: printed a comment");
        assert!(!full.exists(), "{name}: wrote half a result");
    }
}

#[test]
fn keep_going_summarises_the_good_plans_and_lists_the_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    corpus::write(
        dir.path(),
        "catalog-dev",
        "platform",
        &corpus::plan(&[("aws_s3_bucket.a".into(), &["delete"])]),
    );
    std::fs::write(
        dir.path().join("catalog-dev").join("static.json"),
        "{\"format_version\":",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("catalog-dev").join("dynamic.json"),
        "<html>",
    )
    .unwrap();
    let out = summary(&[dir.path().to_str().unwrap(), "--keep-going"]).run();
    out.expect_code(2)
        .expect_stdout_contains(":warning: **2 plan files unreadable**")
        .expect_stdout_contains("destroy `aws_s3_bucket.a`");
    let listed = out
        .stdout
        .split("### Unreadable plan files")
        .nth(1)
        .unwrap();
    assert!(listed.contains("catalog-dev/static.json:1:18: the JSON ends early"));
    assert!(listed.contains("catalog-dev/dynamic.json:1:1: not JSON"));
    assert_eq!(count(&out.stderr, "error: "), 2, "{}", out.stderr);
}

// --- posting to the pull request -------------------------------------------------------

fn post(server: &GithubServer, plans: &Path, extra: &[&str]) -> Run {
    let command = summary(&[plans.to_str().unwrap(), "--post", "--pr", &PR.to_string()])
        .args(extra)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPOSITORY)
        .env("GITHUB_API_URL", server.api_url());
    let out = command.run();
    out.expect_never_prints(TOKEN);
    out
}

fn small_plans() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    corpus::write(
        dir.path(),
        "catalog-dev",
        "platform",
        &corpus::plan(&[("aws_s3_bucket.a".into(), &["create"])]),
    );
    dir
}

#[test]
fn post_creates_the_comment_then_updates_the_same_one() {
    let server = GithubServer::start();
    server.add_comments(["LGTM".to_string()]);
    let plans = small_plans();

    let first = post(&server, plans.path(), &[]);
    first
        .expect_code(0)
        .expect_stderr_contains("created the plan summary on acme/platform#7");

    corpus::write(
        plans.path(),
        "catalog-dev",
        "platform",
        &corpus::plan(&[("aws_s3_bucket.a".into(), &["delete"])]),
    );
    let second = post(&server, plans.path(), &[]);
    second
        .expect_code(0)
        .expect_stderr_contains("updated the plan summary");

    let ours: Vec<_> = server
        .comments()
        .into_iter()
        .filter(|c| c.body.contains(MARKER))
        .collect();
    assert_eq!(ours.len(), 1, "one comment in the end");
    assert!(ours[0].body.contains("destroy `aws_s3_bucket.a`"));
    assert_eq!(server.comments().len(), 2);
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["GET", "GET", "POST", "GET", "GET", "PATCH"]);
    let requests = server.requests();
    assert_eq!(requests[0].path, "/user");
    assert!(requests[1]
        .path
        .ends_with("/repos/acme/platform/issues/7/comments?per_page=100"));
    assert_eq!(
        requests[5].path,
        format!("/repos/acme/platform/issues/comments/{}", ours[0].id)
    );
}

/// A later push that affects no account: the plan legs' matrix is empty, `report merge`
/// makes a report with no job, and the comment about the earlier push is replaced by one
/// saying this commit affects nothing, never left standing as if it described it.
#[test]
fn a_push_that_affects_no_account_replaces_the_earlier_comment() {
    let server = GithubServer::start();
    let plans = small_plans();
    let first = post(&server, plans.path(), &[]);
    first.expect_code(0);

    let later = tempfile::tempdir().unwrap();
    let reports = later.path().join("reports");
    std::fs::create_dir_all(reports.join("plans")).unwrap();
    let legs = later.path().join("legs.json");
    std::fs::write(&legs, r#"{"stage":{"include":[]},"prod":{"include":[]}}"#).unwrap();
    let merged = later.path().join("merged.json");
    let merge = orchestrator()
        .args([
            "--config",
            "examples/sandbox/domains.yaml",
            "report",
            "merge",
            reports.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
            "--expect",
            legs.to_str().unwrap(),
            "--plan-only",
        ])
        .run();
    merge.expect_code(0);

    let commit = "89abcdef0123456789abcdef0123456789abcdef";
    let second = post(
        &server,
        &reports.join("plans"),
        &["--report", merged.to_str().unwrap(), "--commit", commit],
    );
    second.expect_code(0);
    let ours: Vec<_> = server
        .comments()
        .into_iter()
        .filter(|c| c.body.contains(MARKER))
        .collect();
    assert_eq!(
        ours.len(),
        1,
        "the earlier comment is updated, not joined by another"
    );
    let body = &ours[0].body;
    assert!(body.contains("no account affected"), "{body}");
    assert!(
        body.contains("`89abcdef0123`"),
        "the comment names the commit: {body}"
    );
    assert!(
        !body.contains("aws_s3_bucket.a"),
        "the earlier push's plan is gone: {body}"
    );

    // Without a run report an empty directory is still a mistake in the command line.
    let bare = summary(&[reports.join("plans").to_str().unwrap()]).run();
    bare.expect_code(2).expect_stderr_contains("no plan files");
}

#[test]
fn post_follows_pagination_to_find_its_comment() {
    let server = GithubServer::start();
    server.add_comments((0..130).map(|i| format!("review comment {i}")));
    let ours = server.add_comments_by(ACTIONS_BOT, [format!("{MARKER}\nold summary")])[0];
    server.add_comments((0..5).map(|i| format!("later comment {i}")));
    let plans = small_plans();

    let out = post(&server, plans.path(), &[]);
    out.expect_code(0);
    let requests = server.requests();
    let targets: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(requests.len(), 4, "{targets:?}");
    assert!(targets[2].ends_with("comments?per_page=100&page=2"));
    assert_eq!(requests[3].method, "PATCH");
    assert_eq!(
        targets[3],
        format!("/repos/acme/platform/issues/comments/{ours}")
    );
    assert_eq!(server.comments().len(), 136);
}

#[test]
fn post_waits_out_a_rate_limit_then_succeeds() {
    let server = GithubServer::start();
    server.script(
        "GET",
        Reply::new(
            429,
            r#"{"message":"You have exceeded a secondary rate limit."}"#,
        )
        .header("retry-after", "1"),
    );
    server.script(
        "POST",
        Reply::new(403, r#"{"message":"API rate limit exceeded"}"#)
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", "0"),
    );
    let plans = small_plans();
    let out = post(&server, plans.path(), &[]);
    out.expect_code(0);
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["GET", "GET", "GET", "POST", "POST"]);
    assert_eq!(server.comments().len(), 1);
}

#[test]
fn post_leaves_another_authors_marked_comment_alone() {
    let server = GithubServer::start();
    // Someone quoted our marker (or an older bot wrote it): not ours to overwrite.
    let theirs = server.add_comments([format!("{MARKER}\nquoted by a reviewer")])[0];
    let plans = small_plans();
    let first = post(&server, plans.path(), &[]);
    first
        .expect_code(0)
        .expect_stderr_contains("created the plan summary");
    let second = post(&server, plans.path(), &[]);
    second
        .expect_code(0)
        .expect_stderr_contains("updated the plan summary");
    let comments = server.comments();
    assert_eq!(comments.len(), 2);
    let kept = comments.iter().find(|c| c.id == theirs).unwrap();
    assert_eq!(kept.body, format!("{MARKER}\nquoted by a reviewer"));
    let ours = comments.iter().find(|c| c.id != theirs).unwrap();
    assert_eq!(ours.author, ACTIONS_BOT);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.path != format!("/repos/acme/platform/issues/comments/{theirs}")));
}

#[test]
fn post_with_a_personal_token_updates_only_that_users_comment() {
    let server = GithubServer::start();
    server.token_user("release-captain");
    let bots = server.add_comments_by(ACTIONS_BOT, [format!("{MARKER}\nby the bot")])[0];
    let mine = server.add_comments_by("release-captain", [format!("{MARKER}\nmine")])[0];
    let plans = small_plans();
    let out = post(&server, plans.path(), &[]);
    out.expect_code(0);
    let comments = server.comments();
    assert_eq!(comments.len(), 2);
    assert_eq!(
        comments.iter().find(|c| c.id == bots).unwrap().body,
        format!("{MARKER}\nby the bot")
    );
    assert!(comments
        .iter()
        .find(|c| c.id == mine)
        .unwrap()
        .body
        .contains("create `aws_s3_bucket.a`"));
    // --comment-author names the author without asking GitHub (app installation tokens).
    let out = post(&server, plans.path(), &["--comment-author", ACTIONS_BOT]);
    out.expect_code(0);
    assert!(
        server
            .requests()
            .iter()
            .filter(|r| r.path == "/user")
            .count()
            == 1
    );
    assert!(comments.len() == server.comments().len());
    assert!(server
        .comments()
        .iter()
        .find(|c| c.id == bots)
        .unwrap()
        .body
        .contains("create `aws_s3_bucket.a`"));
}

#[test]
fn a_comment_github_refuses_is_a_clear_error_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    corpus::organisation(dir.path(), 120);
    let server = GithubServer::start();
    // GitHub's answer to a body it finds too long (`--max-chars` cannot ask for one above
    // its limit): it must come back as a clear error.
    server.script(
        "POST",
        Reply::new(
            422,
            r#"{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"custom","field":"body","message":"body is too long (maximum is 65536 characters)"}]}"#,
        ),
    );
    let out = post(&server, dir.path(), &[]);
    out.expect_code(3)
        .expect_stderr_contains("acme/platform#7: the plan summary was not posted: GitHub refused the comment (422 Unprocessable Entity): Validation Failed: body is too long (maximum is 65536 characters)");
    assert!(server.comments().is_empty());
}

/// `--max-chars` above GitHub's limit would only be refused by GitHub once the plans are
/// read: it is bad input before anything is read or posted.
#[test]
fn max_chars_above_githubs_limit_is_bad_input() {
    let plans = small_plans();
    let server = GithubServer::start();
    let out = post(&server, plans.path(), &["--max-chars", "65537"]);
    out.expect_code(2);
    out.expect_stderr_contains("65537 is above GitHub's limit for a PR comment (65536 characters")
        .expect_stderr_contains("use at most 65536")
        .expect_stdout("");
    assert!(server.requests().is_empty());
    // At the limit is the default, and fine.
    let out = post(&server, plans.path(), &["--max-chars", "65536"]);
    out.expect_code(0);
}

#[test]
fn post_without_a_token_is_bad_input_and_writes_nothing() {
    let plans = small_plans();
    let full = plans.path().join("full.md");
    let out = summary(&[
        plans.path().to_str().unwrap(),
        "--post",
        "--pr",
        "7",
        "--full",
        full.to_str().unwrap(),
    ])
    .env("GITHUB_REPOSITORY", REPOSITORY)
    .run();
    out.expect_code(2)
        .expect_stderr_contains("--post needs GITHUB_TOKEN");
    assert!(!full.exists());
    out.expect_stdout("");
}

#[test]
fn the_pull_request_number_comes_from_the_event_file() {
    let server = GithubServer::start();
    let plans = small_plans();
    let elsewhere = tempfile::tempdir().unwrap();
    let event = elsewhere.path().join("event.json");
    std::fs::write(
        &event,
        format!(r#"{{"action":"synchronize","pull_request":{{"number":{PR}}}}}"#),
    )
    .unwrap();
    let out = summary(&[plans.path().to_str().unwrap(), "--post"])
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPOSITORY)
        .env("GITHUB_API_URL", server.api_url())
        .env("GITHUB_EVENT_PATH", PathBuf::from(&event))
        .run();
    out.expect_code(0);
    assert_eq!(server.comments().len(), 1);
}
