//! One fixture per validation problem, each with the exact message `validate` prints:
//! `file:line:col: what is wrong; what to do`, exit code 2. `at` is the text the position
//! must point to in the fixture, so a wrong column fails even if the message is right.

use std::collections::BTreeMap;

use super::cli::{fixtures, run};

struct Case {
    fixture: &'static str,
    /// The fixture's text at line:col starts with this.
    at: &'static str,
    /// The expected line after `<fixture>.yaml:`.
    line: &'static str,
}

/// Sorted by fixture, then by position (the order `validate` reports in).
const CASES: &[Case] = &[
    Case {
        fixture: "account-id-as-number",
        at: "011111111111",
        line: "13:28: account_id 011111111111 is written as a YAML number; quote it, account_id: \"011111111111\", so it stays text (as a number, leading zeros are lost)",
    },
    Case {
        fixture: "account-id-not-12-digits",
        at: "\"22222222222\"",
        line: "14:28: account_id \"22222222222\" has 11 digits, but an AWS account id is exactly 12 digits; copy the id from the AWS console, quoted",
    },
    Case {
        fixture: "account-id-used-twice",
        at: "\"222222222222\"",
        line: "20:28: account_id \"222222222222\" of payments-stage is also the id of catalog-stage (line 14); every account needs its own AWS account id: fix the one that was copied",
    },
    Case {
        fixture: "bad-durations",
        at: "0s",
        line: "6:12: timeout `0s` is zero; give a value from 1s to 7days (it is the time limit of one account's job); 30m is usual",
    },
    Case {
        fixture: "bad-durations",
        at: "999999999999h",
        line: "7:17: lock_timeout `999999999999h` is too large; give a value from 1s to 1day (it is how long terraform waits for a held state lock; omit it to fail at once on a held lock); 2m is usual",
    },
    Case {
        fixture: "bad-durations",
        at: "2h",
        line: "8:17: grace_period `2h` is too large; give a value from 1s to 1h (it is how long a stopped terraform may take to save its state before it is killed); 30s is usual",
    },
    Case {
        fixture: "bad-durations",
        at: "10m",
        line: "9:21: session_duration `10m` is too short; give a value from 15m to 12h (STS grants sessions of 15m to 12h); 1h is usual",
    },
    Case {
        fixture: "duplicate-domain",
        at: "catalog",
        line: "16:11: domain `catalog` is listed twice (first at line 10); each domain is listed once: merge the two entries",
    },
    Case {
        fixture: "duplicate-key",
        at: "team: search",
        line: "12:5: duplicate key `team` in domain `catalog` (first at line 11); keep one of them: YAML would silently use the last",
    },
    Case {
        fixture: "duplicate-network-cidr",
        at: "10.0.0.0/16",
        line: "15:61: network.cidr 10.0.0.0/16 of catalog-prod is the same block as 10.0.0.0/16 of catalog-dev (line 13); give every account its own block (`orchestrator domain add` picks a free one)",
    },
    Case {
        fixture: "empty-file",
        at: "",
        line: "1:1: the file is empty; start from the example in the README: `version: 1`, `defaults:`, `waves:` and `domains:`",
    },
    Case {
        fixture: "environment-in-no-wave",
        at: "qa:",
        line: "16:7: environment `qa` (account catalog-qa) is in no wave, so it would never deploy; add `qa` to the environments of one wave (waves: stage, prod)",
    },
    Case {
        fixture: "environment-in-two-waves",
        at: "stage",
        line: "8:34: environment `stage` is in two waves (`stage` and `prod`); keep each environment in exactly one wave",
    },
    Case {
        fixture: "invalid-domain-name-dollar",
        at: "cat$log",
        line: "10:11: invalid domain name `cat$log`: it has characters other than a-z, 0-9 and -; use lowercase letters, digits and `-`, starting with a letter, at most 32 characters",
    },
    Case {
        fixture: "invalid-domain-name-spaces",
        at: "product catalog",
        line: "10:11: invalid domain name `product catalog`: it has spaces; use lowercase letters, digits and `-`, starting with a letter, at most 32 characters",
    },
    Case {
        fixture: "invalid-domain-name-too-long",
        at: "catalog-search-and-recommendations",
        line: "10:11: invalid domain name `catalog-search-and-recommendations`: it is longer than 32 characters; use lowercase letters, digits and `-`, starting with a letter, at most 32 characters",
    },
    Case {
        fixture: "invalid-domain-name-uppercase",
        at: "Catalog",
        line: "10:11: invalid domain name `Catalog`: it has uppercase letters; use lowercase letters, digits and `-`, starting with a letter, at most 32 characters",
    },
    Case {
        fixture: "local-path-without-account",
        at: "\".orchestrator/state/{layer",
        line: "5:34: state.path `.orchestrator/state/{layer}.tfstate` does not contain `{account}`; every account needs its own state: include `{account}` (and `{layer}`) in the template",
    },
    Case {
        fixture: "malformed-region",
        at: "us-west",
        line: "15:52: region `us-west` is not an AWS region name; write one such as us-east-1 or eu-west-2",
    },
    Case {
        fixture: "missing-required-field",
        at: "name: catalog",
        line: "10:5: missing required field `team` in domain `catalog`; add `team: catalog`",
    },
    Case {
        fixture: "negative-failure-tolerance",
        at: "-1",
        line: "7:67: failure_tolerance cannot be negative (found -1); use 0 to halt on the first failed account, or how many failed accounts the wave may have",
    },
    Case {
        fixture: "no-domains",
        at: "[",
        line: "9:10: no domains are listed; add at least one domain under `domains:`",
    },
    Case {
        fixture: "overlapping-cidrs",
        at: "10.1.128.0/17",
        line: "15:61: network.cidr 10.1.128.0/17 of catalog-prod overlaps 10.1.0.0/16 of catalog-stage (line 14); give every account its own block (`orchestrator domain add` picks a free one)",
    },
    Case {
        fixture: "several-problems",
        at: "many",
        line: "4:12: retries must be a whole number, found `many`; write retries as a number such as 0 or 3",
    },
    Case {
        fixture: "several-problems",
        at: "regoin: eu-west-1",
        line: "15:44: unknown field `regoin` in environment `stage`; did you mean `region`? (valid fields: account_id, region, role_name, plan_role_name, external_id, credentials, vars, layer_vars, network)",
    },
    Case {
        fixture: "several-problems",
        at: "name: Payments",
        line: "17:5: missing required field `team` in domain `Payments`; add `team: Payments`",
    },
    Case {
        fixture: "several-problems",
        at: "Payments",
        line: "17:11: invalid domain name `Payments`: it has uppercase letters; use lowercase letters, digits and `-`, starting with a letter, at most 32 characters",
    },
    Case {
        fixture: "several-problems",
        at: "\"11111111111\"",
        line: "19:28: account_id \"11111111111\" has 11 digits, but an AWS account id is exactly 12 digits; copy the id from the AWS console, quoted",
    },
    Case {
        fixture: "stacks-bad-layer-and-variable",
        at: "dynamc",
        line: "10:10: stacks.layer `dynamc` is not one of the layers; use one of: platform, static, dynamic",
    },
    Case {
        fixture: "stacks-bad-layer-and-variable",
        at: "\"stack suffix\"",
        line: "11:13: stacks.variable `stack suffix` is not a terraform variable name; name the layer's input that suffixes its resource names, such as stack_suffix",
    },
    Case {
        fixture: "stacks-without-stack-in-state",
        at: "\".orchestrator",
        line: "5:34: state.path `.orchestrator/state/{layer}/{account}.tfstate` does not contain `{stack}`, but `stacks` is set: every copy of the stack layer needs its own state; add `{stack}` to the template, e.g. \".orchestrator/state/{layer}/{account}-{stack}.tfstate\"; the main stack keeps its state where it is (see docs/stacks.md)",
    },
    Case {
        fixture: "state-key-without-account",
        at: "\"{layer",
        line: "5:71: state.key `{layer}/terraform.tfstate` does not contain `{account}`; every account needs its own state: include `{account}` (and `{layer}`) in the template",
    },
    Case {
        fixture: "tab-indentation",
        at: "\tteam",
        line: "11:1: a tab is used for indentation; YAML only allows spaces there: replace the tab with spaces",
    },
    Case {
        fixture: "top-level-not-mapping",
        at: "- name",
        line: "1:1: the top level must be a mapping, found a list; write `version: 1`, `defaults:`, `waves:` and `domains:` at the start of lines",
    },
    Case {
        fixture: "unknown-field",
        at: "retires: 2",
        line: "4:3: unknown field `retires` in defaults; did you mean `retries`? (valid fields: region, role_name, plan_role_name, external_id, session_duration, credentials, layers, layers_dir, state, timeout, lock_timeout, retries, grace_period, vars, layer_vars, network, health_check, oidc_role_arn, account_vending, stacks)",
    },
    Case {
        fixture: "unknown-layer",
        at: "statics",
        line: "4:22: unknown layer `statics`: there is no directory layers/statics; fix the name, or create the layer's directory under layers_dir",
    },
    Case {
        fixture: "unknown-state-backend",
        at: "gcs",
        line: "5:21: unknown state backend `gcs`; use `s3` (with a bucket) or `local` (sandbox only)",
    },
    Case {
        fixture: "wave-without-environments",
        at: "[",
        line: "9:35: wave `canary` has no environments; list the environments this wave deploys, or remove the wave",
    },
    Case {
        fixture: "yaml-syntax-error",
        at: ":",
        line: "12:17: YAML syntax error: while parsing a block collection, did not find expected '-' indicator; check the indentation of this line against the lines above, and quote values that contain `: `, ` #`, `{` or `[`",
    },
];

fn expected_by_fixture() -> BTreeMap<&'static str, Vec<&'static Case>> {
    let mut by: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for case in CASES {
        by.entry(case.fixture).or_default().push(case);
    }
    by
}

#[test]
fn every_fixture_reports_its_exact_messages_and_exits_2() {
    let mut failures = Vec::new();
    for (fixture, cases) in expected_by_fixture() {
        let file = format!("{fixture}.yaml");
        let out = run(&fixtures(), &["--config", &file, "validate"]);
        let count = match cases.len() {
            1 => "1 problem".to_string(),
            n => format!("{n} problems"),
        };
        let mut expected = format!("error: {file} is not valid ({count}):\n");
        for case in &cases {
            expected.push_str(&format!("{file}:{}\n", case.line));
        }
        if out.code != Some(2) || out.stderr != expected || !out.stdout.is_empty() {
            failures.push(format!(
                "{file}: exit {:?} (want 2)\n--- got stderr\n{}--- want stderr\n{expected}--- stdout\n{}",
                out.code, out.stderr, out.stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn positions_are_1_based_and_point_at_the_problem() {
    for case in CASES {
        let text = std::fs::read_to_string(fixtures().join(format!("{}.yaml", case.fixture)))
            .expect("fixture");
        let (pos, _) = case.line.split_once(": ").expect("line:col: message");
        let (line, col) = pos.split_once(':').expect("line:col");
        let (line, col): (usize, usize) = (line.parse().unwrap(), col.parse().unwrap());
        assert!(
            line >= 1 && col >= 1,
            "{}: {pos} is not 1-based",
            case.fixture
        );
        let source_line = text.lines().nth(line - 1).unwrap_or("");
        let from_col: String = source_line.chars().skip(col - 1).collect();
        assert!(
            from_col.starts_with(case.at),
            "{}: {pos} points at {from_col:?}, not at {:?}",
            case.fixture,
            case.at
        );
    }
}

#[test]
fn every_problem_the_issue_names_has_a_fixture() {
    let required = [
        "yaml-syntax-error",
        "tab-indentation",
        "duplicate-key",
        "unknown-field",
        "missing-required-field",
        "empty-file",
        "top-level-not-mapping",
        "no-domains",
        "duplicate-domain",
        "invalid-domain-name-uppercase",
        "invalid-domain-name-spaces",
        "invalid-domain-name-dollar",
        "invalid-domain-name-too-long",
        "account-id-not-12-digits",
        "account-id-as-number",
        "account-id-used-twice",
        "environment-in-no-wave",
        "environment-in-two-waves",
        "wave-without-environments",
        "negative-failure-tolerance",
        "malformed-region",
        "unknown-layer",
        "unknown-state-backend",
        "state-key-without-account",
        "local-path-without-account",
        "overlapping-cidrs",
        "duplicate-network-cidr",
        "several-problems",
        "bad-durations",
    ];
    let by = expected_by_fixture();
    for name in required {
        assert!(by.contains_key(name), "no expected message for {name}");
    }
    // Every fixture on disk is either the valid one or checked above.
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
            assert!(
                stem == "valid" || by.contains_key(stem.as_str()),
                "fixture {stem}.yaml has no expected message"
            );
        }
    }
    assert!(
        by["several-problems"].len() >= 5,
        "several problems at once"
    );
}

#[test]
fn the_valid_fixture_passes() {
    let out = run(&fixtures(), &["--config", "valid.yaml", "validate"]);
    out.expect_code(0);
    assert_eq!(
        out.stdout,
        "valid.yaml: valid: 1 domains, 3 accounts, 2 waves, layers platform, static, dynamic\n"
    );
}

/// A layer directory with nothing in it (terraform would plan nothing and the layer would look
/// deployed): `validate` names it at its place in the list and says what to do; the commands
/// that only read the config are not stopped by it.
#[test]
fn an_empty_layer_directory_fails_validate() {
    let dir = super::cli::dir_with_layers();
    std::fs::create_dir_all(dir.path().join("layers/empty")).unwrap();
    std::fs::write(dir.path().join("layers/empty/.gitkeep"), "").unwrap();
    let text = std::fs::read_to_string(fixtures().join("valid.yaml"))
        .unwrap()
        .replace("[platform, static, dynamic]", "[platform, static, empty]");
    assert!(text.contains("[platform, static, empty]"), "{text}");
    std::fs::write(dir.path().join("domains.yaml"), &text).unwrap();
    let (line, col) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("empty]").map(|c| (i + 1, c + 1)))
        .unwrap();

    let out = run(dir.path(), &["validate"]);
    out.expect_code(2).expect_stderr_contains(&format!(
        "domains.yaml:{line}:{col}: layer `empty` is an empty directory: layers/empty holds no terraform; add the layer's terraform (a main.tf with its variables and an empty backend block), or remove the layer from the list"
    ));
    run(dir.path(), &["jobs"]).expect_code(0);

    std::fs::write(dir.path().join("layers/empty/main.tf"), "terraform {}\n").unwrap();
    let out = run(dir.path(), &["validate"]);
    out.expect_code(0);
}
