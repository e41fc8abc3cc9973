//! Copies of the stack layer in an S3 state bucket: `orchestrator stacks` lists them with
//! each account's read-only plan role, and `destroy --stack` removes an emptied copy's state
//! object with the deploy role (never one that still holds resources). S3 and STS are moto's
//! server on 127.0.0.1; terraform is a FAKE script (a real one cannot reach moto's S3 without
//! backend settings the orchestrator does not pass), so only the state handling is real here.

use crate::support::fake_terraform;
use crate::support::moto;

use crate::support::cli::Run;
use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use fake_terraform::FakeTerraform;
use moto::MotoServer;

const BUCKET: &str = "acme-tfstate";
const KEY_ID: &str = "AKIDBASETESTING0001";
const SECRET: &str = "base-secret-access-key-testing-0001";

fn config() -> String {
    format!(
        "version: 1
defaults:
  region: us-east-1
  role_name: Deployer
  plan_role_name: Reader
  layers: [platform, static, dynamic]
  state: {{ backend: s3, bucket: {BUCKET}, region: us-east-1, key: \"{{layer}}/{{account}}-{{stack}}.tfstate\" }}
  stacks: {{ layer: dynamic, variable: stack_suffix }}
waves:
  - {{ name: stage, environments: [dev] }}
domains:
  - name: catalog
    team: catalog
    environments:
      dev: {{ account_id: \"111111111111\" }}
  - name: payments
    team: payments
    environments:
      dev: {{ account_id: \"222222222222\" }}
"
    )
}

fn state(resources: usize) -> String {
    let instances: Vec<serde_json::Value> = (0..resources)
        .map(|i| serde_json::json!({"mode": "managed", "type": "terraform_data", "name": format!("r{i}"), "instances": [{"attributes": {}}]}))
        .collect();
    serde_json::json!({"version": 4, "serial": 3, "resources": instances}).to_string()
}

fn client(moto: &MotoServer) -> aws_sdk_s3::Client {
    let credentials = aws_sdk_s3::config::Credentials::new(KEY_ID, SECRET, None, None, "test");
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .http_client(orchestrator::tls::aws_https_client())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(&moto.url)
        .credentials_provider(credentials)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

fn orchestrator(dir: &Path, moto: &MotoServer, args: &[&str]) -> Run {
    crate::support::cli::orchestrator()
        .current_dir(dir)
        .args(["--config", "domains.yaml"])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("none"))
        .env("CI", "true")
        .run()
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_in_an_s3_bucket_are_listed_and_an_emptied_one_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    for layer in ["platform", "static", "dynamic"] {
        std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
    }
    std::fs::write(dir.path().join("domains.yaml"), config()).unwrap();
    let moto = MotoServer::start(dir.path());
    let s3 = client(&moto);
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    for (key, resources) in [
        ("dynamic/catalog-dev.tfstate", 2),
        ("static/catalog-dev.tfstate", 1),
        ("dynamic/catalog-dev-pr-1.tfstate", 1),
        ("dynamic/catalog-dev-pr-2.tfstate", 0),
        ("dynamic/payments-dev-pr-1.tfstate", 1),
    ] {
        s3.put_object()
            .bucket(BUCKET)
            .key(key)
            .body(ByteStream::from(state(resources).into_bytes()))
            .send()
            .await
            .unwrap();
    }

    let listed = orchestrator(
        dir.path(),
        &moto,
        &["stacks", "--accounts", "catalog-dev", "--format", "json"],
    );
    listed.expect_code(0);
    let copies: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let summary: Vec<(String, String, u64)> = copies
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["stack"].as_str().unwrap().to_string(),
                c["state"].as_str().unwrap().to_string(),
                c["resources"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "pr-1".to_string(),
                format!("s3://{BUCKET}/dynamic/catalog-dev-pr-1.tfstate"),
                1
            ),
            (
                "pr-2".to_string(),
                format!("s3://{BUCKET}/dynamic/catalog-dev-pr-2.tfstate"),
                0
            ),
        ]
    );
    assert!(copies[0]["last_apply"].as_str().is_some(), "{copies}");
    // Listing read the bucket as catalog-dev's read-only role.
    let sessions = moto.issued_sessions();
    assert!(
        sessions
            .iter()
            .any(|s| s.arn.contains("111111111111") && s.arn.contains("assumed-role/Reader/")),
        "{sessions:#?}"
    );

    // An unknown copy lists those that exist, read from the bucket.
    let unknown = orchestrator(
        dir.path(),
        &moto,
        &[
            "destroy",
            "--accounts",
            "catalog-dev",
            "--stack",
            "pr-9",
            "--yes",
        ],
    );
    unknown
        .expect_code(2)
        .expect_stderr_contains("its copies: pr-1, pr-2");

    // Destroyed (by the FAKE terraform) and empty: the state object goes.
    let fake = FakeTerraform::install(dir.path());
    let emptied = orchestrator(
        dir.path(),
        &moto,
        &[
            "destroy",
            "--accounts",
            "catalog-dev",
            "--stack",
            "pr-2",
            "--yes",
            "--terraform",
            fake.path(),
        ],
    );
    emptied
        .expect_code(0)
        .expect_stderr_contains("removed the state of copy pr-2");
    // Destroyed too, but its state still holds a resource: it is kept.
    let kept = orchestrator(
        dir.path(),
        &moto,
        &[
            "destroy",
            "--accounts",
            "catalog-dev",
            "--stack",
            "pr-1",
            "--yes",
            "--terraform",
            fake.path(),
        ],
    );
    kept.expect_code(0)
        .expect_stderr_contains("still holds 1 resources");

    let keys: Vec<String> = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    assert_eq!(
        keys,
        [
            "dynamic/catalog-dev-pr-1.tfstate",
            "dynamic/catalog-dev.tfstate",
            "dynamic/payments-dev-pr-1.tfstate",
            "static/catalog-dev.tfstate",
        ]
    );
    // The removal used the deploy role, not the read-only one.
    let sessions = moto.issued_sessions();
    assert!(
        sessions
            .iter()
            .any(|s| s.arn.contains("111111111111") && s.arn.contains("assumed-role/Deployer/")),
        "{sessions:#?}"
    );
}
