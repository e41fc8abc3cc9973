//! Two accounts that would share state, data dir or logs are refused by `validate` (exit 2),
//! with both places in the file named, before anything could run.

fn validate(config: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("domains.yaml"), config).unwrap();
    for layer in ["platform", "static"] {
        let layer_dir = dir.path().join("layers").join(layer);
        std::fs::create_dir_all(&layer_dir).unwrap();
        // `validate` refuses an empty layer directory.
        std::fs::write(layer_dir.join("main.tf"), "terraform {}\n").unwrap();
    }
    let out = crate::support::cli::orchestrator()
        .current_dir(dir.path())
        .args(["--config", "domains.yaml", "validate"])
        .run();
    (out.code, out.stderr)
}

fn config(state: &str, domains: &str) -> String {
    format!(
        "version: 1\ndefaults:\n  region: eu-west-1\n  credentials: none\n  layers: [platform, static]\n  state: {state}\nwaves:\n  - {{ name: all, environments: [dev-stage, stage, dev, prod] }}\ndomains:\n{domains}"
    )
}

const LOCAL: &str = "{ backend: local, path: \"state/{layer}/{account}.tfstate\" }";

#[test]
fn two_domains_that_make_the_same_account_name_are_refused_with_both_lines() {
    let (code, stderr) = validate(&config(
        LOCAL,
        "  - name: foo\n    team: t\n    environments:\n      dev-stage: { account_id: \"100000000001\" }\n  - name: foo-dev\n    team: t\n    environments:\n      stage: { account_id: \"100000000002\" }\n",
    ));
    assert_eq!(code, Some(2), "{stderr}");
    // The second account's environment (line 17, col 7) and the first's (line 13, col 7).
    assert!(
        stderr.contains("domains.yaml:17:7: account name `foo-dev-stage`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("domain foo, environment dev-stage at 13:7"),
        "{stderr}"
    );
    assert!(
        stderr.contains("share state, data dir and logs"),
        "{stderr}"
    );
}

#[test]
fn a_state_template_without_the_layer_is_refused() {
    let (code, stderr) = validate(&config(
        "{ backend: s3, bucket: b, region: eu-west-1, key: \"{account}.tfstate\" }",
        "  - name: foo\n    team: t\n    environments:\n      dev: { account_id: \"100000000001\" }\n",
    ));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "the state of foo-dev layer static would be `s3://b/foo-dev.tfstate`, which is also the state of foo-dev layer platform"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("state template at 6:"), "{stderr}");
}

#[test]
fn placeholders_that_run_into_each_other_are_refused_through_the_template() {
    // `{account}{layer}`: foo-dev + static and foo-devs... cannot be built from names, but
    // `..` in a local path can fold two accounts into one file.
    let (code, stderr) = validate(&config(
        "{ backend: local, path: \"state/{account}/../{layer}.tfstate\" }",
        "  - name: foo\n    team: t\n    environments:\n      dev: { account_id: \"100000000001\" }\n      prod: { account_id: \"100000000002\" }\n",
    ));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "would be `state/platform.tfstate`, which is also the state of foo-dev layer platform"
        ),
        "{stderr}"
    );
}

#[test]
fn distinct_accounts_and_layers_validate() {
    let (code, stderr) = validate(&config(
        LOCAL,
        "  - name: foo\n    team: t\n    environments:\n      dev: { account_id: \"100000000001\" }\n      stage: { account_id: \"100000000002\" }\n  - name: foo-dev\n    team: t\n    environments:\n      prod: { account_id: \"100000000003\" }\n",
    ));
    assert_eq!(code, Some(0), "{stderr}");
}

/// `{layer}/{account}-{stack}.tfstate` (the sandbox's): a copy named `stage` of catalog-dev's
/// dynamic layer would be the state of account catalog-dev-stage (domain catalog-dev), and
/// its apply would rewrite that account's resources. Refused before anything runs.
#[test]
fn a_stack_copy_that_would_use_another_accounts_state_is_refused() {
    let sandbox = super::sandbox::Sandbox::new();
    sandbox.edit_config(
        "  - name: payments\n",
        "  - name: catalog-dev\n    team: catalog\n    environments:\n      stage: { account_id: \"100000000009\" }\n\n  - name: payments\n",
    );
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev-stage"])
        .expect_code(0);
    let theirs = sandbox.state("dynamic", "catalog-dev-stage");
    let before = std::fs::read(&theirs).unwrap();

    let run = sandbox.run(&["deploy", "--accounts", "catalog-dev", "--stack", "stage"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(
            "--stack stage: catalog-dev's copy of layer `dynamic` would use the state `.orchestrator/state/dynamic/catalog-dev-stage.tfstate`"
        ) && run.stderr.contains(
            "which is the state of catalog-dev-stage layer `dynamic`; choose another stack name"
        ),
        "{}",
        run.stderr
    );
    assert!(sandbox.traces_of("catalog-dev").is_empty());
    assert_eq!(std::fs::read(&theirs).unwrap(), before, "untouched");
    // Another name is another state.
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev", "--stack", "pr-7"])
        .expect_code(0);
}

/// `{account}-{stack}`: catalog-dev's copy `stage-pr-1` and catalog-dev-stage's copy `pr-1`
/// (domain catalog-dev) would be one state, though neither is a main stack: each is refused
/// naming the other, before anything runs.
#[test]
fn two_stack_copies_that_would_share_a_state_are_refused() {
    let sandbox = super::sandbox::Sandbox::new();
    sandbox.edit_config(
        "  - name: payments\n",
        "  - name: catalog-dev\n    team: catalog\n    environments:\n      stage: { account_id: \"100000000009\" }\n\n  - name: payments\n",
    );
    let state = "`.orchestrator/state/dynamic/catalog-dev-stage-pr-1.tfstate` (defaults.state)";
    for (account, stack, other) in [
        (
            "catalog-dev",
            "stage-pr-1",
            "catalog-dev-stage's copy of layer `dynamic` made with --stack pr-1",
        ),
        (
            "catalog-dev-stage",
            "pr-1",
            "catalog-dev's copy of layer `dynamic` made with --stack stage-pr-1",
        ),
    ] {
        let run = sandbox.run(&["deploy", "--accounts", account, "--stack", stack]);
        run.expect_code(2);
        assert!(
            run.stderr.contains(&format!(
                "--stack {stack}: {account}'s copy of layer `dynamic` would use the state {state}, which is the state of {other}; choose another stack name"
            )),
            "{}",
            run.stderr
        );
        assert!(sandbox.traces_of(account).is_empty(), "nothing ran");
    }
    assert!(!sandbox.path().join(".orchestrator/state/dynamic").exists());
}
