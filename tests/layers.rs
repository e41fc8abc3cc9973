//! The contract between domains.yaml and the Terraform layers, checked on the real layers and
//! on deliberately broken copies of them.

mod iam;
use crate::support::moto;
mod moto_iam;
mod policy;
mod render;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use orchestrator::config;
use orchestrator::contract::{check_config, check_layer};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the repository's layers and domains.yaml in a temp dir, to break on purpose.
fn copy_of_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("layers"), &dir.path().join("layers"));
    std::fs::copy(repo().join("domains.yaml"), dir.path().join("domains.yaml")).unwrap();
    dir
}

fn violations_of(root: &Path) -> Vec<String> {
    let config = config::load(&root.join("domains.yaml")).expect("the config is valid");
    check_config(&config, root)
        .iter()
        .map(|v| v.to_string())
        .collect()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_real_layers_keep_the_contract_with_domains_yaml() {
    let violations = violations_of(&repo());
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_sandbox_layers_keep_the_contract() {
    let root = repo().join("examples/sandbox");
    let config = config::load(&root.join("domains.yaml")).unwrap();
    let violations = check_config(&config, &root);
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn a_passed_variable_that_is_not_declared_breaks_the_contract() {
    let dir = copy_of_repo();
    let variables = dir.path().join("layers/static/variables.tf");
    let text = std::fs::read_to_string(&variables).unwrap();
    let start = text
        .find("variable \"region\"")
        .expect("static declares region");
    let end = start + text[start..].find("\n}\n").unwrap() + 3;
    std::fs::write(&variables, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let violations = violations_of(dir.path());
    assert!(
        violations.iter().any(|v| v.contains("layers/static")
            && v.contains("passes `region`")
            && v.contains("does not declare")),
        "{violations:#?}"
    );
}

#[test]
fn a_required_variable_nobody_passes_breaks_the_contract() {
    let dir = copy_of_repo();
    let variables = dir.path().join("layers/dynamic/variables.tf");
    let mut text = std::fs::read_to_string(&variables).unwrap();
    text.push_str("\nvariable \"database_password\" {\n  type = string\n}\n");
    std::fs::write(&variables, text).unwrap();
    let violations = violations_of(dir.path());
    assert!(
        violations
            .iter()
            .any(|v| v.contains("`database_password` has no default")),
        "{violations:#?}"
    );
}

#[test]
fn a_backend_with_settings_in_the_code_breaks_the_contract() {
    let dir = copy_of_repo();
    edit(
        &dir.path().join("layers/platform/versions.tf"),
        "backend \"s3\" {}",
        "backend \"s3\" {\n    bucket = \"shared\"\n  }",
    );
    let violations = violations_of(dir.path());
    assert!(
        violations
            .iter()
            .any(|v| v.contains("layers/platform") && v.contains("sets bucket")),
        "{violations:#?}"
    );
}

#[test]
fn a_local_backend_where_the_config_uses_s3_breaks_the_contract() {
    let dir = copy_of_repo();
    edit(
        &dir.path().join("layers/static/versions.tf"),
        "backend \"s3\" {}",
        "backend \"local\" {}",
    );
    let violations = violations_of(dir.path());
    assert!(
        violations
            .iter()
            .any(|v| v.contains("backend \"local\" but domains.yaml configures `s3`")),
        "{violations:#?}"
    );
}

#[test]
fn credentials_in_a_provider_block_break_the_contract() {
    let dir = copy_of_repo();
    let providers = dir.path().join("layers/dynamic/providers.tf");
    let mut text = std::fs::read_to_string(&providers).unwrap();
    text.push_str("\nprovider \"aws\" {\n  alias      = \"leaky\"\n  access_key = \"AKIAEXAMPLE\"\n  secret_key = \"example\"\n}\n");
    std::fs::write(&providers, text).unwrap();
    let violations = violations_of(dir.path());
    assert!(
        violations.iter().any(|v| v.contains("sets `access_key`")),
        "{violations:#?}"
    );
    assert!(
        violations.iter().any(|v| v.contains("sets `secret_key`")),
        "{violations:#?}"
    );
}

#[test]
fn module_sources_must_stay_in_the_repository_or_be_pinned() {
    let dir = copy_of_repo();
    let main = dir.path().join("layers/static/main.tf");
    let mut text = std::fs::read_to_string(&main).unwrap();
    text.push_str(concat!(
        "\nmodule \"outside\" {\n  source = \"../../../elsewhere/module\"\n}\n",
        "\nmodule \"floating\" {\n  source  = \"terraform-aws-modules/s3-bucket/aws\"\n  version = \"~> 4.0\"\n}\n",
        "\nmodule \"unpinned_git\" {\n  source = \"git::https://example.com/modules.git\"\n}\n",
        "\nmodule \"pinned\" {\n  source  = \"terraform-aws-modules/s3-bucket/aws\"\n  version = \"4.1.2\"\n}\n",
    ));
    std::fs::write(&main, text).unwrap();
    let violations = violations_of(dir.path());
    assert!(
        violations
            .iter()
            .any(|v| v.contains("module \"outside\"") && v.contains("outside the repository")),
        "{violations:#?}"
    );
    assert!(
        violations
            .iter()
            .any(|v| v.contains("module \"floating\"") && v.contains("not pinned")),
        "{violations:#?}"
    );
    assert!(
        violations
            .iter()
            .any(|v| v.contains("module \"unpinned_git\"") && v.contains("not pinned")),
        "{violations:#?}"
    );
    assert!(
        !violations.iter().any(|v| v.contains("module \"pinned\"")),
        "{violations:#?}"
    );
}

#[test]
fn check_layer_reports_nothing_for_a_minimal_correct_layer() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  backend \"s3\" {}\n}\nvariable \"region\" {\n  type = string\n}\nvariable \"tier\" {\n  default = \"small\"\n}\n",
    )
    .unwrap();
    let passed: BTreeSet<String> = ["region".to_string()].into();
    assert_eq!(check_layer(dir.path(), &passed, "s3", dir.path()), vec![]);
}

#[test]
fn a_health_check_on_an_output_the_layer_lacks_breaks_the_contract() {
    let dir = copy_of_repo();
    edit(
        &dir.path().join("domains.yaml"),
        "output: health_url",
        "output: status_page",
    );
    let violations = violations_of(dir.path());
    assert!(
        violations
            .iter()
            .any(|v| v.contains("layers/dynamic") && v.contains("output `status_page`")),
        "{violations:#?}"
    );
}
