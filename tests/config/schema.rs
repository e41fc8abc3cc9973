//! `orchestrator schema`: the committed `domains.schema.json` is exactly its output, it is a
//! valid draft 2020-12 schema, the real configs pass it, and it refuses what the reader
//! refuses wherever a schema can tell (names, ids, regions, enums, unknown fields).

use serde_json::Value;

use super::cli::{fixtures, repo, run};

fn schema() -> Value {
    let text =
        std::fs::read_to_string(repo().join("domains.schema.json")).expect("committed schema");
    serde_json::from_str(&text).expect("domains.schema.json is JSON")
}

fn yaml_to_json(text: &str) -> Value {
    serde_yaml::from_str(text).expect("YAML converts to JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).expect("the schema compiles")
}

#[test]
fn the_committed_schema_is_the_commands_output() {
    let out = run(&repo(), &["schema"]);
    out.expect_code(0);
    let committed = std::fs::read_to_string(repo().join("domains.schema.json")).unwrap();
    assert!(
        out.stdout == committed,
        "domains.schema.json is stale: run `cargo run -- schema > domains.schema.json`"
    );
}

#[test]
fn it_is_a_valid_draft_2020_12_schema() {
    jsonschema::draft202012::meta::validate(&schema()).expect("valid against the meta-schema");
    assert_eq!(
        schema()["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn the_real_configs_pass_and_point_editors_at_it() {
    let validator = validator();
    for (path, pointer) in [
        (
            "domains.yaml",
            "# yaml-language-server: $schema=./domains.schema.json",
        ),
        (
            "examples/sandbox/domains.yaml",
            "# yaml-language-server: $schema=../../domains.schema.json",
        ),
        ("tests/fixtures/config/valid.yaml", ""),
    ] {
        let text = std::fs::read_to_string(repo().join(path)).unwrap();
        assert!(
            text.starts_with(pointer),
            "{path} does not start with {pointer}"
        );
        let instance = yaml_to_json(&text);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:#?}");
    }
}

#[test]
fn it_refuses_what_the_reader_refuses_within_one_value() {
    let validator = validator();
    // Problems a schema can see; cross-file rules (duplicates, overlaps, waves covering every
    // environment, layer directories) are `validate`'s alone. (An unquoted 011111111111 comes
    // out of YAML-to-JSON conversion as a string; an unquoted id without a leading zero is a
    // number, which the schema refuses: see `patterns_agree_with_the_reader`.)
    for fixture in [
        "unknown-field",
        "missing-required-field",
        "top-level-not-mapping",
        "no-domains",
        "invalid-domain-name-uppercase",
        "invalid-domain-name-spaces",
        "invalid-domain-name-dollar",
        "invalid-domain-name-too-long",
        "account-id-not-12-digits",
        "wave-without-environments",
        "negative-failure-tolerance",
        "malformed-region",
        "unknown-state-backend",
        "state-key-without-account",
        "local-path-without-account",
    ] {
        let text = std::fs::read_to_string(fixtures().join(format!("{fixture}.yaml"))).unwrap();
        assert!(
            !validator.is_valid(&yaml_to_json(&text)),
            "the schema accepts {fixture}.yaml, which validate refuses"
        );
    }
}

/// The name, account id and region patterns agree with the reader, value by value.
#[test]
fn patterns_agree_with_the_reader() {
    let validator = validator();
    let valid = std::fs::read_to_string(fixtures().join("valid.yaml")).unwrap();
    let agree = |label: &str, from: &str, to: &str| {
        let text = valid.replacen(from, to, 1);
        assert!(text != valid || from == to, "{from} not found");
        let schema_ok = validator.is_valid(&yaml_to_json(&text));
        let reader_ok =
            orchestrator::config::from_str(&fixtures().join("valid.yaml"), &text).is_ok();
        assert_eq!(
            schema_ok, reader_ok,
            "{label} {to:?}: schema {schema_ok}, reader {reader_ok}"
        );
    };
    for name in [
        "catalog",
        "a",
        "a1",
        "pay-ments",
        "x-1-y",
        "Catalog",
        "1a",
        "a--b",
        "a-",
        "-a",
        "\"a b\"",
        "a$b",
        "\"é\"",
        "abcdefghijklmnopqrstuvwxyzabcdef",
        "abcdefghijklmnopqrstuvwxyzabcdefg",
    ] {
        agree("domain name", "name: catalog", &format!("name: {name}"));
    }
    for id in [
        "\"012345678901\"",
        "\"12345678901\"",
        "\"1234567890123\"",
        "\"12345678901a\"",
        "123456789012",
    ] {
        agree("account_id", "\"111111111111\"", id);
    }
    for region in [
        "us-east-1",
        "eu-central-2",
        "us-gov-west-1",
        "ap-southeast-4",
        "us-east",
        "US-EAST-1",
        "useast1",
        "us-east-1a",
        "u-east-1",
    ] {
        agree(
            "region",
            "region: us-east-1\n",
            &format!("region: {region}\n"),
        );
    }
    for env in ["qa", "Prod", "pre-prod", "pre_prod", "1dev"] {
        // Renamed in the wave too, so only the name itself can be wrong.
        let text = valid.replace("dev", env);
        let schema_ok = validator.is_valid(&yaml_to_json(&text));
        let reader_ok =
            orchestrator::config::from_str(&fixtures().join("valid.yaml"), &text).is_ok();
        assert_eq!(schema_ok, reader_ok, "environment {env:?}");
    }
}
