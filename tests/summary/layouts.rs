//! Directories as teams lay them out without the runner: nested folders of arbitrarily
//! named plans among other files, and file names that only partly match a config account.

use std::path::Path;

use super::{corpus, summary};

fn destroying(address: &str) -> Vec<u8> {
    serde_json::to_vec(&corpus::plan(&[(address.to_string(), &["delete"])])).unwrap()
}

fn write(root: &Path, path: &str, bytes: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The table's rows (account names) and its header.
fn table(comment: &str) -> (String, Vec<String>) {
    let section = comment
        .split("### Plans by account\n\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no table: {comment}"));
    let mut lines = section.lines().take_while(|l| l.starts_with('|'));
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .skip(1)
        .map(|l| l.split(" | ").next().unwrap()[2..].replace("**", ""))
        .collect();
    (header, rows)
}

#[test]
fn nested_folders_of_arbitrarily_named_plans_are_one_row_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files = [
        "batch-1/plan-0001.json",
        "batch-1/plan-0002.json",
        "batch-2/plan-0003.json",
        "batch-2/2024/plan-0004.json",
        "top.json",
        "LOUD.JSON",
    ];
    for (i, file) in files.iter().enumerate() {
        write(root, file, &destroying(&format!("aws_s3_bucket.b{i}")));
    }
    // A plan saved without .json; a README, a binary plan file and a log are passed over.
    write(root, "batch-2/tfplan-9", &destroying("aws_s3_bucket.b9"));
    write(root, "README.md", b"# Plans of the nightly job\n");
    write(root, "batch-1/tfplan", b"PK\x03\x04\x14\x00binary plan");
    write(
        root,
        "batch-1/plan.log",
        b"Plan: 0 to add, 0 to change, 1 to destroy.\n",
    );

    let out = summary(&[root.to_str().unwrap()]).run();
    out.expect_code(0)
        .expect_stdout_contains("## Terraform plan: 7 accounts, 7 with changes")
        .expect_stdout_contains("**0 to add, 0 to change, 7 to destroy**");
    let (header, rows) = table(&out.stdout);
    assert_eq!(header, "| account | plan |", "one column: no layers here");
    assert_eq!(
        rows,
        [
            "LOUD",
            "batch-1/plan-0001",
            "batch-1/plan-0002",
            "batch-2/2024/plan-0004",
            "batch-2/plan-0003",
            "batch-2/tfplan-9",
            "top"
        ]
    );
    for i in [0, 1, 2, 3, 4, 5, 9] {
        out.expect_stdout_contains(&format!("destroy `aws_s3_bucket.b{i}`"));
    }
}

#[test]
fn a_runner_layout_keeps_accounts_and_layers_in_the_same_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for account in ["shop-dev", "shop-prod", "org"] {
        for layer in ["platform", "static"] {
            write(
                root,
                &format!("{account}/{layer}.json"),
                &destroying(&format!("aws_s3_bucket.{layer}")),
            );
        }
    }
    // A layer only one account has is a column when the config names it; a file that
    // names no layer is a row of its own, never a column.
    write(root, "org/dynamic.json", &destroying("aws_s3_bucket.d"));
    write(
        root,
        "org/vending.json",
        &destroying("aws_organizations_account.a"),
    );
    let out = super::orchestrator()
        .args(["--config", "examples/sandbox/domains.yaml", "summary"])
        .arg(root.to_str().unwrap())
        .run();
    out.expect_code(0)
        .expect_stdout_contains("## Terraform plan: 4 accounts, 4 with changes")
        .expect_stdout_contains("destroy `aws_organizations_account.a`");
    let (header, rows) = table(&out.stdout);
    assert_eq!(header, "| account | platform | static | dynamic | plan |");
    assert_eq!(rows, ["org", "org/vending", "shop-dev", "shop-prod"]);
}

#[test]
fn dated_plans_of_one_account_are_each_their_own_row() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (i, name) in [
        "20240101-catalog-dev.json",
        "20240102-catalog-dev.json",
        "payments-prod-1.json",
        "payments-prod-2.json",
        "catalog-prod.json",
    ]
    .iter()
    .enumerate()
    {
        write(root, name, &destroying(&format!("aws_s3_bucket.b{i}")));
    }
    let out = super::orchestrator()
        .args(["--config", "examples/sandbox/domains.yaml", "summary"])
        .arg(root.to_str().unwrap())
        .run();
    out.expect_code(0)
        .expect_stdout_contains("## Terraform plan: 5 accounts, 5 with changes");
    let (header, rows) = table(&out.stdout);
    assert_eq!(header, "| account | plan |");
    assert_eq!(
        rows,
        [
            "catalog-prod",
            "20240101-catalog-dev",
            "20240102-catalog-dev",
            "payments-prod-1",
            "payments-prod-2"
        ]
    );
    for i in 0..5 {
        out.expect_stdout_contains(&format!("destroy `aws_s3_bucket.b{i}`"));
    }
}

#[test]
fn file_names_that_only_partly_match_a_config_account_are_their_own_rows() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (i, name) in [
        "catalog-dev.json",
        "catalog-dev-eu.json",
        "catalog.json",
        "catalog-development.json",
        "tfplan-catalog-prod.json",
        "payments_prod.static.json",
        "20240101-payments-dev.json",
    ]
    .iter()
    .enumerate()
    {
        write(root, name, &destroying(&format!("aws_s3_bucket.b{i}")));
    }
    let out = super::orchestrator()
        .args(["--config", "examples/sandbox/domains.yaml", "summary"])
        .arg(root.to_str().unwrap())
        .run();
    out.expect_code(0);
    let (header, rows) = table(&out.stdout);
    assert_eq!(header, "| account | static | plan |");
    // Config accounts in deploy order, then the files that match none, by name.
    assert_eq!(
        rows,
        [
            "catalog-dev",
            "payments-dev",
            "catalog-prod",
            "payments-prod",
            "catalog",
            "catalog-dev-eu",
            "catalog-development"
        ]
    );
    out.expect_stdout_contains("| **payments-prod** | **-1** |  |");
}

#[test]
fn with_the_config_a_folder_per_layer_of_files_per_account_is_understood() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for layer in ["static", "platform"] {
        for account in ["catalog-dev", "payments-prod"] {
            write(
                root,
                &format!("{layer}/{account}.json"),
                &destroying(&format!("aws_s3_bucket.{layer}")),
            );
        }
    }
    write(
        root,
        "dynamic/tfplan-catalog-dev.json",
        &destroying("aws_s3_bucket.d"),
    );
    let out = super::orchestrator()
        .args(["--config", "examples/sandbox/domains.yaml", "summary"])
        .arg(root.to_str().unwrap())
        .run();
    out.expect_code(0)
        .expect_stdout_contains("## Terraform plan: 2 accounts, 2 with changes");
    let (header, rows) = table(&out.stdout);
    assert_eq!(header, "| account | platform | static | dynamic |");
    assert_eq!(rows, ["catalog-dev", "payments-prod"]);
    out.expect_stdout_contains("| **catalog-dev** | **-1** | **-1** | **-1** |");
}

#[test]
fn accounts_split_by_region_keep_the_region_in_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for account in ["shop-dev", "shop-prod"] {
        for region in ["eu-west-1", "us-east-1"] {
            for layer in ["platform", "static"] {
                write(
                    root,
                    &format!("{account}/{region}/{layer}.json"),
                    &destroying(&format!("aws_s3_bucket.{layer}")),
                );
            }
        }
    }
    let out = summary(&[root.to_str().unwrap()]).run();
    out.expect_code(0)
        .expect_stdout_contains("## Terraform plan: 4 accounts, 4 with changes");
    let (header, rows) = table(&out.stdout);
    assert_eq!(header, "| account | platform | static |");
    assert_eq!(
        rows,
        [
            "shop-dev/eu-west-1",
            "shop-dev/us-east-1",
            "shop-prod/eu-west-1",
            "shop-prod/us-east-1"
        ]
    );
}
