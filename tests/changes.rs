//! `--changed-since`: temporary git repositories, changed on purpose, and the (account, layer)
//! pairs the built binary then plans.

mod repo;

use repo::{every_layer, jobs_of, pairs, Repo};

#[test]
fn a_file_in_a_layer_affects_that_layer_in_every_account_that_has_it() {
    let repo = Repo::sandbox();
    repo.append("layers/dynamic/main.tf", "\n# tuned\n");
    repo.commit("tune dynamic");
    // payments has no dynamic layer.
    let all = &["dynamic"][..];
    assert_eq!(
        repo.changed("HEAD~1", &[]),
        pairs(&[
            ("catalog-dev", all),
            ("catalog-prod", all),
            ("commerce-dev", all),
            ("commerce-prod", all),
        ])
    );
}

#[test]
fn a_module_a_layer_uses_directly_affects_that_layer() {
    let repo = Repo::sandbox();
    repo.append("layers/modules/tags/main.tf", "\n# more tags\n");
    repo.commit("tags");
    let changed = repo.changed("HEAD~1", &[]);
    assert_eq!(changed.len(), 7, "every account has static: {changed:?}");
    assert!(changed.values().all(|ls| ls == &["static"]), "{changed:?}");
}

#[test]
fn a_module_used_through_another_module_affects_the_layer_at_the_top() {
    let repo = Repo::sandbox();
    repo.append("layers/modules/vpc/main.tf", "\n# wider subnets\n");
    repo.commit("vpc");
    let changed = repo.changed("HEAD~1", &[]);
    assert_eq!(changed.len(), 7, "{changed:?}");
    assert!(
        changed.values().all(|ls| ls == &["platform"]),
        "{changed:?}"
    );

    let explained = repo.explain("HEAD~1");
    let why = explained["jobs"][0]["because"]["platform"][0].clone();
    assert_eq!(why["file"], "layers/modules/vpc/main.tf");
    assert_eq!(why["change"], "modified");
    assert_eq!(
        why["why"],
        "module layers/modules/vpc used by layer platform through layers/modules/network"
    );
}

#[test]
fn a_module_no_layer_uses_and_docs_and_code_affect_nothing() {
    let repo = Repo::sandbox();
    repo.append("layers/modules/unused/main.tf", "\n# nobody calls me\n");
    repo.append("README.md", "More words.\n");
    repo.write("orchestrator/lib.rs", "pub fn f() {}\n");
    repo.commit("docs and code");
    let out = repo.orchestrator(&["jobs", "--format", "json", "--changed-since", "HEAD~1"]);
    out.expect_success();
    assert!(jobs_of(&out).is_empty());

    let explained = repo.explain("HEAD~1");
    assert_eq!(
        explained["unused_files"],
        serde_json::json!([
            "README.md",
            "layers/modules/unused/main.tf",
            "orchestrator/lib.rs"
        ])
    );
}

#[test]
fn all_on_prefixes_trigger_every_layer_of_every_account() {
    let repo = Repo::sandbox();
    repo.write(".github/workflows/deploy.yml", "name: deploy\n");
    repo.commit("workflow");
    assert!(repo.changed("HEAD~1", &[]).is_empty());
    assert_eq!(
        repo.changed("HEAD~1", &["--all-on", "versions.tf,.github/workflows/"]),
        every_layer()
    );
    // A prefix that matches nothing changes nothing.
    assert!(repo
        .changed("HEAD~1", &["--all-on", "terraform/"])
        .is_empty());
}

#[test]
fn a_new_account_gets_all_its_layers() {
    let repo = Repo::sandbox();
    repo.edit(
        "domains.yaml",
        "      prod:  { account_id: \"100000000003\"",
        "      stage: { account_id: \"100000000002\", network: { cidr: 10.2.0.0/16 } }\n      prod:  { account_id: \"100000000003\"",
    );
    repo.commit("catalog-stage");
    assert_eq!(
        repo.changed("HEAD~1", &[]),
        pairs(&[("catalog-stage", &["platform", "static", "dynamic"])])
    );
    let explained = repo.explain("HEAD~1");
    assert_eq!(
        explained["jobs"][0]["because"]["static"][0]["why"],
        "new account"
    );
}

#[test]
fn changed_vars_feed_every_layer_of_the_account() {
    let repo = Repo::sandbox();
    repo.edit(
        "domains.yaml",
        "      dev:   { account_id: \"100000000021\"",
        "      dev:   { vars: { size: large }, account_id: \"100000000021\"",
    );
    repo.commit("bigger commerce-dev");
    assert_eq!(
        repo.changed("HEAD~1", &[]),
        pairs(&[("commerce-dev", &["platform", "static", "dynamic"])])
    );
    let explained = repo.explain("HEAD~1");
    assert_eq!(
        explained["jobs"][0]["because"]["dynamic"][0]["why"],
        "vars.size changed"
    );
}

#[test]
fn changed_layer_vars_feed_only_that_layer() {
    let repo = Repo::sandbox();
    repo.edit(
        "domains.yaml",
        "    vars: { owner: commerce-team }",
        "    vars: { owner: commerce-team }\n    layer_vars: { static: { bucket_prefix: commerce } }",
    );
    repo.commit("commerce buckets");
    assert_eq!(
        repo.changed("HEAD~1", &[]),
        pairs(&[
            ("commerce-dev", &["static"]),
            ("commerce-prod", &["static"])
        ])
    );
    assert_eq!(
        repo.explain("HEAD~1")["jobs"][0]["because"]["static"][0]["why"],
        "layer_vars.static.bucket_prefix changed"
    );
}

#[test]
fn a_changed_network_cidr_feeds_only_the_network_layer() {
    let repo = Repo::sandbox();
    repo.edit("domains.yaml", "cidr: 10.13.0.0/16", "cidr: 10.14.0.0/16");
    repo.commit("renumber payments-prod");
    assert_eq!(
        repo.changed("HEAD~1", &[]),
        pairs(&[("payments-prod", &["platform"])])
    );
    assert_eq!(
        repo.explain("HEAD~1")["jobs"][0]["because"]["platform"][0]["why"],
        "network_cidr changed"
    );
}

#[test]
fn a_defaults_change_reaches_every_account_that_inherits_it() {
    let repo = Repo::sandbox();
    repo.edit(
        "domains.yaml",
        "vars: { owner: platform-team }",
        "vars: { owner: cloud-team }",
    );
    repo.commit("new owner");
    // commerce sets its own owner, so the new default does not reach it.
    let mut expected = every_layer();
    expected.retain(|account, _| !account.starts_with("commerce-"));
    assert_eq!(repo.changed("HEAD~1", &[]), expected);
}

#[test]
fn a_defaults_change_that_feeds_no_layer_deploys_nothing() {
    let repo = Repo::sandbox();
    repo.edit("domains.yaml", "timeout: 10m", "timeout: 20m");
    repo.commit("longer timeout");
    assert!(repo.changed("HEAD~1", &[]).is_empty());
}

#[test]
fn a_wave_change_affects_every_account_it_reaches() {
    let repo = Repo::sandbox();
    repo.edit(
        "domains.yaml",
        "{ name: prod, environments: [prod] }",
        "{ name: prod, environments: [prod], failure_tolerance: 1 }",
    );
    repo.commit("tolerate one prod failure");
    let mut expected = every_layer();
    expected.retain(|account, _| account.ends_with("-prod"));
    assert_eq!(repo.changed("HEAD~1", &[]), expected);
    assert_eq!(
        repo.explain("HEAD~1")["jobs"][0]["because"]["platform"][0]["why"],
        "wave prod changed"
    );
}

#[test]
fn an_environment_moved_to_another_wave_redeploys_its_accounts() {
    let repo = Repo::sandbox();
    repo.edit(
        "domains.yaml",
        "  - { name: stage, environments: [dev, stage] }\n",
        "  - { name: dev, environments: [dev] }\n  - { name: stage, environments: [stage] }\n",
    );
    repo.commit("dev first");
    let changed = repo.changed("HEAD~1", &[]);
    let accounts: Vec<&str> = changed.keys().map(String::as_str).collect();
    // dev moved to a new wave and the stage wave changed what it holds; prod only moved in
    // the order, which changes when it deploys, not what.
    assert_eq!(
        accounts,
        [
            "catalog-dev",
            "commerce-dev",
            "payments-dev",
            "payments-stage"
        ]
    );
    let explained = repo.explain("HEAD~1");
    let reasons: Vec<String> = explained["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            format!(
                "{}: {}",
                j["account"].as_str().unwrap(),
                j["because"]["platform"][0]["why"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        reasons.contains(&"catalog-dev: moved from wave stage to wave dev".to_string()),
        "{reasons:?}"
    );
}

#[test]
fn a_removed_account_is_reported_loudly_and_not_deployed() {
    let repo = Repo::sandbox();
    repo.edit(
        "domains.yaml",
        "      prod:  { account_id: \"100000000013\", network: { cidr: 10.13.0.0/16 } }\n",
        "",
    );
    repo.commit("retire payments-prod");
    let out = repo.orchestrator(&["jobs", "--format", "json", "--changed-since", "HEAD~1"]);
    out.expect_code(0);
    assert!(jobs_of(&out).is_empty());
    let message = "payments-prod: removed from config: destroy it with `orchestrator destroy --accounts payments-prod --layers static,platform --from-ref HEAD~1 --including-platform` (or by hand: terraform destroy in layers/static, layers/platform, in that order, with its state)";
    out.expect_stderr_contains(&format!("warning: {message}"));

    // matrix says it too (as an annotation on GitHub), and so does the explanation, in
    // JSON and as a table.
    let out = repo::command_in(repo.path(), &["matrix", "--changed-since", "HEAD~1"])
        .env("GITHUB_ACTIONS", "true")
        .run();
    out.expect_success()
        .expect_stderr_contains(&format!("::warning title=Removed from config::{message}"));
    let explained = repo.explain("HEAD~1");
    assert_eq!(
        explained["removed"],
        serde_json::json!([{
            "account": "payments-prod",
            "account_removed": true,
            "layer_dirs": ["layers/static", "layers/platform"],
            "layers": ["static", "platform"],
            "message": message,
        }])
    );
    let out = repo.orchestrator(&["jobs", "--explain", "--changed-since", "HEAD~1"]);
    out.expect_stdout_contains(message);
}

#[test]
fn a_layer_removed_from_the_config_is_reported_and_the_old_config_still_reads() {
    let repo = Repo::sandbox();
    // The dynamic layer goes entirely: its directory too, so the config at HEAD~1 names a
    // layer the working tree no longer has.
    repo.edit(
        "domains.yaml",
        "layers: [platform, static, dynamic]",
        "layers: [platform, static]",
    );
    repo.git(&["rm", "-r", "--quiet", "layers/dynamic"]);
    repo.commit("drop dynamic");
    let out = repo.orchestrator(&["jobs", "--format", "json", "--changed-since", "HEAD~1"]);
    out.expect_success();
    assert!(jobs_of(&out).is_empty(), "{}", out.stderr);
    for account in [
        "catalog-dev",
        "catalog-prod",
        "commerce-dev",
        "commerce-prod",
    ] {
        out.expect_stderr_contains(&format!("{account}: layer dynamic removed from config: destroy it with `orchestrator destroy --accounts {account} --layers dynamic --from-ref HEAD~1` (or by hand: terraform destroy in layers/dynamic with its state)"));
    }
    out.expect_stderr_lacks("payments");
}

#[test]
fn moving_the_layers_directory_redeploys_everything() {
    let repo = Repo::sandbox();
    repo.git(&["mv", "layers", "stacks"]);
    repo.edit("domains.yaml", "layers_dir: layers", "layers_dir: stacks");
    repo.commit("layers -> stacks");
    assert_eq!(repo.changed("HEAD~1", &[]), every_layer());
    let explained = repo.explain("HEAD~1");
    let whys: Vec<&str> = explained["jobs"][0]["because"]["platform"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["why"].as_str().unwrap())
        .collect();
    assert!(whys.contains(&"layers_dir changed"), "{whys:?}");
    assert!(whys.contains(&"in layer platform"), "{whys:?}");
}

#[test]
fn a_config_that_was_invalid_at_the_ref_makes_every_account_changed() {
    let repo = Repo::sandbox();
    repo.edit("domains.yaml", "version: 1", "version: 7");
    repo.commit("broken");
    repo.edit("domains.yaml", "version: 7", "version: 1");
    repo.commit("fixed");
    let out = repo.orchestrator(&["jobs", "--format", "json", "--changed-since", "HEAD~1"]);
    out.expect_success();
    assert_eq!(jobs_of(&out), every_layer());
    out.expect_stderr_contains("domains.yaml at ")
        .expect_stderr_contains("unsupported version");
}

#[test]
fn uncommitted_and_untracked_changes_count_and_ignored_files_do_not() {
    let repo = Repo::sandbox();
    repo.append("layers/platform/main.tf", "\n# not committed\n");
    repo.write("layers/static/extra.tf", "# untracked\n");
    repo.write("layers/dynamic/.terraform/terraform.tfstate", "{}\n");
    let changed = repo.changed("HEAD", &[]);
    assert_eq!(changed["catalog-dev"], ["platform", "static"]);
    assert_eq!(changed["payments-dev"], ["platform", "static"]);

    let explained = repo.explain("HEAD");
    let because = &explained["jobs"][0]["because"];
    assert_eq!(because["platform"][0]["change"], "modified");
    assert_eq!(because["static"][0]["file"], "layers/static/extra.tf");
    assert_eq!(because["static"][0]["change"], "untracked");
}

#[test]
fn a_rename_counts_on_both_sides() {
    let repo = Repo::sandbox();
    repo.git(&["mv", "layers/static/tags.tf", "layers/dynamic/tags.tf"]);
    repo.commit("move tags");
    let changed = repo.changed("HEAD~1", &[]);
    assert_eq!(changed["catalog-dev"], ["static", "dynamic"]);
    assert_eq!(changed["payments-dev"], ["static"]);
    let explained = repo.explain("HEAD~1");
    let because = &explained["jobs"][0]["because"];
    assert_eq!(
        because["static"][0]["change"],
        "renamed to layers/dynamic/tags.tf"
    );
    assert_eq!(
        because["dynamic"][0]["change"],
        "renamed from layers/static/tags.tf"
    );
}

#[test]
fn an_unknown_ref_is_bad_input_and_says_how_to_fetch_it() {
    let repo = Repo::sandbox();
    let out = repo.orchestrator(&["jobs", "--changed-since", "origin/nope"]);
    out.expect_code(2);
    out.expect_stderr_contains("unknown git ref `origin/nope`")
        .expect_stderr_contains("git fetch --depth=1 origin origin/nope")
        .expect_stdout("");
}

#[test]
fn outside_a_git_repository_is_bad_input() {
    let sandbox = Repo::sandbox();
    let plain = tempfile::tempdir().unwrap();
    for path in repo_files(sandbox.path()) {
        let to = plain.path().join(&path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(sandbox.path().join(&path), to).unwrap();
    }
    let out = repo::command_in(plain.path(), &["matrix", "--changed-since", "main"])
        // Keep git from finding a repository above the temp dir.
        .env("GIT_CEILING_DIRECTORIES", plain.path().parent().unwrap())
        .run();
    out.expect_code(2)
        .expect_stderr_contains("run the command in a clone of the repository")
        .expect_stdout("");
}

#[test]
fn a_shallow_clone_works_once_the_ref_is_fetched() {
    let origin = Repo::sandbox();
    let base = origin.git(&["rev-parse", "HEAD"]).trim().to_string();
    origin.append("layers/modules/vpc/main.tf", "\n# change\n");
    origin.commit("vpc");

    let clone = tempfile::tempdir().unwrap();
    let dir = clone.path().join("clone");
    repo::git_in(
        clone.path(),
        &[
            "clone",
            "--quiet",
            "--depth=1",
            &repo::file_url(origin.path()),
            dir.to_str().unwrap(),
        ],
    );
    let out = repo::orchestrator_in(&dir, &["jobs", "--changed-since", &base]);
    out.expect_code(2);
    out.expect_stderr_contains("this clone is shallow")
        .expect_stderr_contains(&format!("git fetch --depth=1 origin {base}"));
    let out = repo::orchestrator_in(&dir, &["jobs", "--changed-since", "HEAD~1"]);
    out.expect_code(2).expect_stderr_contains("deepen");

    repo::git_in(&dir, &["fetch", "--quiet", "--depth=1", "origin", &base]);
    let out = repo::orchestrator_in(
        &dir,
        &["jobs", "--format", "json", "--changed-since", &base],
    );
    out.expect_success();
    let changed = jobs_of(&out);
    assert_eq!(changed.len(), 7);
    assert!(
        changed.values().all(|ls| ls == &["platform"]),
        "{changed:?}"
    );
}

#[test]
fn the_matrix_holds_only_the_affected_accounts() {
    let repo = Repo::sandbox();
    repo.edit("domains.yaml", "cidr: 10.1.0.0/16", "cidr: 10.4.0.0/16");
    repo.commit("renumber catalog-dev");
    let out = repo.orchestrator(&["matrix", "--changed-since", "HEAD~1"]);
    out.expect_success();
    let matrix: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(matrix["stage"]["include"].as_array().unwrap().len(), 1);
    assert_eq!(matrix["stage"]["include"][0]["account"], "catalog-dev");
    assert_eq!(matrix["prod"]["include"], serde_json::json!([]));
}

#[test]
fn the_config_file_can_live_below_the_repository_top() {
    let repo = Repo::empty();
    let sandbox = Repo::sandbox();
    // The same layout, one directory down; the command runs from the top.
    for path in repo_files(sandbox.path()) {
        let text = std::fs::read_to_string(sandbox.path().join(&path)).unwrap();
        repo.write(&format!("org/{path}"), &text);
    }
    repo.commit("base");
    repo.append("org/layers/static/main.tf", "\n# change\n");
    let out = repo.orchestrator(&[
        "--config",
        "org/domains.yaml",
        "jobs",
        "--format",
        "json",
        "--changed-since",
        "HEAD",
    ]);
    out.expect_success();
    let changed = jobs_of(&out);
    assert_eq!(changed.len(), 7);
    assert!(changed.values().all(|ls| ls == &["static"]), "{changed:?}");
}

#[test]
fn explain_needs_changed_since() {
    let repo = Repo::sandbox();
    let out = repo.orchestrator(&["jobs", "--explain"]);
    out.expect_code(2).expect_stderr_contains("--changed-since");
}

#[test]
fn an_empty_changed_since_selects_everything() {
    // What `ORCHESTRATOR_CHANGED_SINCE: ${{ github.event.pull_request.base.sha }}` gives on a push.
    let repo = Repo::sandbox();
    let out = repo::command_in(repo.path(), &["jobs", "--format", "json"])
        .env("ORCHESTRATOR_CHANGED_SINCE", "")
        .env("ORCHESTRATOR_ALL_ON", ".github/")
        .run();
    out.expect_success();
    assert_eq!(jobs_of(&out), every_layer());
}

#[test]
fn explain_table() {
    let repo = Repo::sandbox();
    repo.append("layers/modules/vpc/main.tf", "\n# change\n");
    repo.edit(
        "domains.yaml",
        "    vars: { owner: commerce-team }",
        "    vars: { owner: commerce-team }\n    layer_vars: { static: { bucket_prefix: commerce } }",
    );
    repo.edit(
        "domains.yaml",
        "      dev:   { account_id: \"100000000011\", network: { cidr: 10.11.0.0/16 } }\n",
        "",
    );
    repo.append("README.md", "Docs.\n");
    repo.commit("a mix");
    let out = repo.orchestrator(&["jobs", "--explain", "--changed-since", "HEAD~1"]);
    out.expect_success();
    // The commit id depends on the sandbox layers' text; the snapshot should not.
    let base = repo.git(&["rev-parse", "HEAD~1"]);
    let text = out.stdout.replace(&base[..12], "<commit>");
    insta::assert_snapshot!(text);
}

fn repo_files(dir: &std::path::Path) -> Vec<String> {
    repo::git_in(dir, &["ls-files"])
        .lines()
        .map(str::to_string)
        .collect()
}
