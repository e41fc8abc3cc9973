//! `orchestrator domain add`: the new entry lands at the end of `domains:` in the file's own
//! style, every other byte of the file is kept, the result validates, networks come from
//! the pool without overlap, and bad requests change nothing (exit 2).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use orchestrator::config::cidr::Cidr;

use super::cli::{dir_with_layers, repo, run};

/// `text` with `block` inserted right after the first occurrence of `after`.
fn inserted(text: &str, after: &str, block: &str) -> String {
    let at = text.find(after).expect("anchor in the file") + after.len();
    format!("{}{block}{}", &text[..at], &text[at..])
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn with_config(text: &str) -> tempfile::TempDir {
    let dir = dir_with_layers();
    std::fs::write(dir.path().join("domains.yaml"), text).unwrap();
    dir
}

#[test]
fn adds_a_domain_to_the_real_config_keeping_every_other_byte() {
    let original = std::fs::read_to_string(repo().join("domains.yaml")).unwrap();
    let dir = with_config(&original);
    let out = run(
        dir.path(),
        &[
            "domain",
            "add",
            "fubar",
            "--team",
            "fubar",
            "--envs",
            "dev,stage,prod",
            "--account-id",
            "dev=123456789012",
            "--account-id",
            "stage=123456789013",
            "--account-id",
            "prod=123456789014",
            "--slack-channel",
            "#fubar-deploys",
        ],
    );
    out.expect_code(0);
    assert_eq!(
        out.stderr,
        "domains.yaml: added domain `fubar` with fubar-dev (123456789012, 10.18.0.0/16), \
         fubar-stage (123456789013, 10.19.0.0/16), fubar-prod (123456789014, 10.20.0.0/16); \
         review the change and open a pull request\n"
    );
    let expected = inserted(
        &original,
        "      prod:  { account_id: \"260000000003\", network: { cidr: 10.17.0.0/16 } }\n",
        "
  - name: fubar
    team: fubar
    slack_channel: \"#fubar-deploys\"
    environments:
      dev:   { account_id: \"123456789012\", network: { cidr: 10.18.0.0/16 } }
      stage: { account_id: \"123456789013\", network: { cidr: 10.19.0.0/16 } }
      prod:  { account_id: \"123456789014\", network: { cidr: 10.20.0.0/16 } }
",
    );
    out.expect_file("domains.yaml", &expected);
    assert_eq!(
        files_in(dir.path()),
        ["domains.yaml", "layers"],
        "no temp file left"
    );

    // The result is a valid config whose networks are pairwise disjoint.
    let validate = run(dir.path(), &["validate"]);
    validate.expect_code(0);
    let config = orchestrator::config::load(&dir.path().join("domains.yaml")).unwrap();
    let blocks: Vec<Cidr> = config
        .accounts
        .iter()
        .map(|a| Cidr::parse(a.network_cidr.as_deref().unwrap()).unwrap())
        .collect();
    assert_eq!(blocks.len(), 21);
    for (i, a) in blocks.iter().enumerate() {
        for b in &blocks[..i] {
            assert!(!a.overlaps(b), "{a} overlaps {b}");
        }
    }
    let jobs = run(dir.path(), &["jobs", "--domain", "fubar"]);
    jobs.expect_stdout_contains("prod   fubar-prod   123456789014");
}

#[test]
fn matches_the_alignment_of_a_config_without_a_pool() {
    let original = std::fs::read_to_string(repo().join("examples/sandbox/domains.yaml")).unwrap();
    let dir = with_config(&original);
    let out = run(
        dir.path(),
        &[
            "domain",
            "add",
            "no",
            "--team",
            "Search Team",
            "--envs",
            "dev,prod",
            "--account-id",
            "dev=200000000001,prod=200000000002",
        ],
    );
    out.expect_code(0);
    // `no` and the team's space would change meaning unquoted; no pool, so no network.
    let expected = format!(
        "{original}\n  - name: \"no\"\n    team: \"Search Team\"\n    environments:\n      \
         dev:   {{ account_id: \"200000000001\" }}\n      prod:  {{ account_id: \"200000000002\" }}\n"
    );
    out.expect_file("domains.yaml", &expected);
    run(dir.path(), &["validate"]).expect_code(0);
    let jobs = run(dir.path(), &["jobs", "--domain", "no", "--format", "json"]);
    jobs.expect_stdout_contains("\"account\": \"no-prod\"");
}

#[test]
fn with_account_vending_ids_may_be_left_to_vend() {
    let original = std::fs::read_to_string(repo().join("examples/sandbox/domains.yaml")).unwrap();
    let vending =
        "\n  account_vending: { layer: organization, email_domain: example.com, root_id: r-abcd }";
    let with_vending = inserted(&original, "  retries: 2", vending);
    let dir = with_config(&with_vending);
    std::fs::create_dir_all(dir.path().join("layers/organization")).unwrap();
    std::fs::write(
        dir.path().join("layers/organization/main.tf"),
        "terraform {}\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "domain",
            "add",
            "fubar",
            "--team",
            "fubar",
            "--envs",
            "dev,prod",
            "--account-id",
            "prod=200000000002",
        ],
    );
    out.expect_code(0);
    let expected = format!(
        "{with_vending}\n  - name: fubar\n    team: fubar\n    environments:\n      \
         dev:   {{}}\n      prod:  {{ account_id: \"200000000002\" }}\n"
    );
    out.expect_file("domains.yaml", &expected);
    run(dir.path(), &["validate"]).expect_code(0);

    // Without account vending, every environment needs its id.
    let dir = with_config(&original);
    let out = run(
        dir.path(),
        &[
            "domain", "add", "fubar", "--team", "fubar", "--envs", "dev,prod",
        ],
    );
    out.expect_code(2)
        .expect_stderr_contains("no account id for dev, prod");
    out.expect_file("domains.yaml", &original);
}

const BLOCK_STYLE: &str = "version: 1
defaults:
  region: us-east-1
  layers: [platform, static, dynamic]
  state: { backend: local, path: \"state/{layer}/{account}.tfstate\" }
  network: { pool: 10.0.0.0/16, prefix: 18 }
domains:
- name: catalog
  team: catalog
  environments:
    dev:
      account_id: \"111111111111\"
      network:
        cidr: 10.0.0.0/18
    prod:
      account_id: \"333333333333\"
      network:
        cidr: 10.0.128.0/18
  # This comment is part of catalog's entry.

# Waves come after the domains in this file.
waves:
- name: stage
  environments: [dev]
- name: prod
  environments: [prod]
";

#[test]
fn follows_block_style_and_stops_before_what_comes_after_the_list() {
    let dir = with_config(BLOCK_STYLE);
    let out = run(
        dir.path(),
        &[
            "domain",
            "add",
            "fubar",
            "--team",
            "fubar",
            "--envs",
            "dev,prod",
            "--account-id",
            "dev=123456789012,prod=123456789014",
        ],
    );
    out.expect_code(0);
    // The free /18 blocks of 10.0.0.0/16 between and after the taken ones.
    let expected = inserted(
        BLOCK_STYLE,
        "  # This comment is part of catalog's entry.\n",
        "- name: fubar
  team: fubar
  environments:
    dev:
      account_id: \"123456789012\"
      network:
        cidr: 10.0.64.0/18
    prod:
      account_id: \"123456789014\"
      network:
        cidr: 10.0.192.0/18
",
    );
    out.expect_file("domains.yaml", &expected);
    run(dir.path(), &["validate"]).expect_code(0);

    // The pool is now full: the next domain is refused and nothing changes.
    let out = run(
        dir.path(),
        &[
            "domain",
            "add",
            "more",
            "--team",
            "more",
            "--envs",
            "dev",
            "--account-id",
            "dev=123456789015",
        ],
    );
    out.expect_code(2);
    assert_eq!(
        out.stderr,
        "error: domains.yaml: network pool 10.0.0.0/16 has no free /18 block left for more-dev; \
         widen defaults.network.pool or free a block\n"
    );
    out.expect_file("domains.yaml", &expected);
}

#[test]
fn keeps_crlf_line_ends_and_a_missing_final_newline() {
    let text = "version: 1\r\ndefaults:\r\n  region: us-east-1\r\n  state: { backend: local, path: \"s/{layer}/{account}\" }\r\ndomains:\r\n  - name: catalog\r\n    team: catalog\r\n    environments:\r\n      dev: { account_id: \"111111111111\" }";
    let dir = with_config(text);
    let out = run(
        dir.path(),
        &[
            "domain",
            "add",
            "fubar",
            "--team",
            "fubar",
            "--envs",
            "dev",
            "--account-id",
            "dev=123456789012",
        ],
    );
    out.expect_code(0);
    let expected = format!(
        "{text}\r\n  - name: fubar\r\n    team: fubar\r\n    environments:\r\n      dev: {{ account_id: \"123456789012\" }}\r\n"
    );
    out.expect_file("domains.yaml", &expected);
}

#[test]
fn dry_run_prints_a_diff_of_the_file_and_writes_nothing() {
    let original = std::fs::read_to_string(repo().join("domains.yaml")).unwrap();
    let dir = with_config(&original);
    let out = run(
        dir.path(),
        &[
            "domain",
            "add",
            "fubar",
            "--team",
            "fubar",
            "--envs",
            "prod",
            "--account-id",
            "prod=123456789014",
            "--dry-run",
        ],
    );
    out.expect_code(0);
    // A unified diff of the change: the added lines, three lines of context, not the file.
    assert!(
        out.stdout
            .starts_with("--- domains.yaml\n+++ domains.yaml\n@@ "),
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with(
        "+  - name: fubar\n+    team: fubar\n+    environments:\n+      prod:  { account_id: \"123456789014\", network: { cidr: 10.18.0.0/16 } }\n"
    ), "{}", out.stdout);
    let context = out.stdout.lines().filter(|l| l.starts_with(' ')).count();
    assert!(context <= 3, "{}", out.stdout);
    assert!(out
        .stdout
        .lines()
        .all(|l| !l.starts_with('-') || l.starts_with("---")));
    out.expect_file("domains.yaml", &original);
}

#[test]
fn bad_requests_exit_2_and_change_nothing() {
    let original = std::fs::read_to_string(repo().join("domains.yaml")).unwrap();
    let dir = with_config(&original);
    std::fs::set_permissions(
        dir.path().join("domains.yaml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let ids = [
        "--account-id",
        "dev=123456789012,stage=123456789013,prod=123456789014",
    ];
    // The example org's `catalog:` entry, wherever edits to domains.yaml have moved it.
    let catalog_line = original
        .lines()
        .position(|l| l.trim_start() == "- name: catalog")
        .expect("the example org has a catalog domain")
        + 1;
    let exists = format!(
        "error: domains.yaml: domain `catalog` already exists (line {catalog_line}); choose another name, or edit its entry\n"
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            [&["catalog", "--team", "x"][..], &ids].concat(),
            exists.as_str(),
        ),
        (
            vec!["fubar", "--team", "x", "--account-id", "dev:123456789012"],
            "error: --account-id `dev:123456789012` is not ENV=ID; write it like --account-id prod=123456789012\n",
        ),
        (
            vec!["fubar", "--team", "x", "--account-id", "=123456789012"],
            "error: --account-id `=123456789012` is not ENV=ID; write it like --account-id prod=123456789012\n",
        ),
        (
            vec!["fubar", "--team", "x", "--account-id", "dev=12345"],
            "error: --account-id dev=12345: an AWS account id is exactly 12 digits; copy it from the AWS console\n",
        ),
        (
            vec!["fubar", "--team", "x", "--envs", "dev", "--account-id", "dev=123456789012,prod=123456789014"],
            "error: --account-id names environment `prod`, which is not in --envs; add it to --envs or drop the id\n",
        ),
        (
            vec!["fubar", "--team", "x", "--envs", "dev", "--account-id", "dev=123456789012,dev=123456789013"],
            "error: --account-id gives environment `dev` two ids; give it one\n",
        ),
        (
            vec!["fubar", "--team", "x", "--account-id", "dev=123456789012"],
            "error: no account id for stage, prod; pass --account-id ENV=ID for each environment (or set defaults.account_vending, and `orchestrator vend` creates the accounts)\n",
        ),
        (
            [&["fubar", "--team", "x", "--account-id", "dev=111111111111"][..], &ids[..1], &["stage=123456789013,prod=123456789014"]].concat(),
            "error: domains.yaml: account id 111111111111 (for dev) is already the id of catalog-dev; every account needs its own AWS account id\n",
        ),
        (
            [&["Fubar", "--team", "x"][..], &ids].concat(),
            "error: invalid domain name `Fubar`: it has uppercase letters; use lowercase letters, digits and `-`, starting with a letter, at most 32 characters\n",
        ),
        (
            vec!["fubar", "--team", "x", "--envs", "dev,qa", "--account-id", "dev=123456789012,qa=123456789013"],
            "error: domains.yaml: environment `qa` is in no wave (waves: stage, prod); add it to a wave in the config first, or choose environments a wave deploys\n",
        ),
        (
            vec!["fubar", "--team", "x", "--envs", "dev,dev", "--account-id", "dev=123456789012"],
            "error: environment `dev` is listed twice in --envs; list it once\n",
        ),
        (
            [&["fubar", "--team", "x", "--slack-channel", "fubar"][..], &ids].concat(),
            "",
        ),
    ];
    for (args, message) in cases {
        let args = [&["domain", "add"][..], &args].concat();
        let out = run(dir.path(), &args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        if message.is_empty() {
            // Refused by validating the new text: the reader's own message comes through.
            assert!(
                out.stderr
                    .contains("slack_channel `fubar` is not a channel name"),
                "{args:?}: {}",
                out.stderr
            );
        } else {
            out.expect_stderr(message);
        }
        out.expect_file("domains.yaml", &original);
        assert_eq!(files_in(dir.path()), ["domains.yaml", "layers"], "{args:?}");
    }

    // A successful add keeps the file's permissions.
    let out = run(
        dir.path(),
        &[&["domain", "add", "fubar", "--team", "x"][..], &ids].concat(),
    );
    out.expect_code(0);
    let mode = std::fs::metadata(dir.path().join("domains.yaml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn an_invalid_config_is_not_edited() {
    let broken =
        std::fs::read_to_string(super::cli::fixtures().join("account-id-used-twice.yaml")).unwrap();
    let dir = with_config(&broken);
    let out = run(
        dir.path(),
        &[
            "domain",
            "add",
            "fubar",
            "--team",
            "x",
            "--envs",
            "dev",
            "--account-id",
            "dev=123456789012",
        ],
    );
    out.expect_code(2);
    assert!(
        out.stderr.starts_with(
            "error: domains.yaml: the config has problems of its own; run `orchestrator validate` and fix them first:\n"
        ) && out.stderr.contains("domains.yaml:20:28: account_id \"222222222222\" of payments-stage"),
        "{}",
        out.stderr
    );
    out.expect_file("domains.yaml", &broken);
}

#[test]
fn a_flow_style_domain_list_is_refused_with_what_to_do() {
    let text = "version: 1\ndefaults:\n  region: us-east-1\n  state: { backend: local, path: \"s/{layer}/{account}\" }\ndomains: [{ name: catalog, team: catalog, environments: { dev: { account_id: \"111111111111\" } } }]\n";
    let dir = with_config(text);
    let out = run(
        dir.path(),
        &[
            "domain",
            "add",
            "fubar",
            "--team",
            "x",
            "--envs",
            "dev",
            "--account-id",
            "dev=123456789012",
        ],
    );
    out.expect_code(2)
        .expect_stderr("error: domains.yaml: `domains:` is written as a flow list ([...]); `domain add` appends to the block form (`- name: ...` lines): rewrite the list in that form first\n")
        .expect_file("domains.yaml", text);
}
