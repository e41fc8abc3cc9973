//! Test organisations (a domains.yaml in a temp dir) and a builder that runs the
//! orchestrator binary (`support::cli`) against them with a clean AWS environment.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use crate::support::cli::{Cli, Interleaved};

use tempfile::TempDir;

/// The base credentials every test starts from (the default chain reads them from env).
pub const BASE_ACCESS_KEY_ID: &str = "AKIDBASETESTING0001";
pub const BASE_SECRET_ACCESS_KEY: &str = "base-secret-access-key-testing-0001";

pub struct Org {
    pub dir: TempDir,
    pub config: PathBuf,
}

impl Org {
    /// `defaults` is extra YAML under `defaults:` (indented two spaces); `domains` is the
    /// list under `domains:`.
    pub fn new(defaults: &str, domains: &str) -> Self {
        Self::with_layers(&["platform"], defaults, domains)
    }

    /// As `new`, with these layers (empty directories: for a fake terraform).
    pub fn with_layers(layers: &[&str], defaults: &str, domains: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for layer in layers {
            std::fs::create_dir_all(dir.path().join("layers").join(layer)).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        let config = dir.path().join("domains.yaml");
        let text = format!(
            "version: 1
defaults:
  region: eu-west-1
  layers: [{}]
  layers_dir: layers
  state: {{ backend: local, path: \"state/{{layer}}/{{account}}.tfstate\" }}
{defaults}
waves:
  - {{ name: stage, environments: [dev] }}
  - {{ name: prod, environments: [prod] }}
domains:
{domains}",
            layers.join(", ")
        );
        std::fs::write(&config, text).unwrap();
        Self { dir, config }
    }

    /// A copy of `examples/sandbox` (12 accounts, 3 layers of `terraform_data`, real
    /// terraform, local state) whose accounts assume their role like a real organisation's:
    /// terraform_data needs no AWS, but every process gets its account's credentials.
    pub fn sandbox_with_roles() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sandbox");
        copy_dir(&source.join("layers"), &dir.path().join("layers"));
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        let text = std::fs::read_to_string(source.join("domains.yaml")).unwrap();
        let from = "  credentials: none ";
        assert!(text.contains(from), "the sandbox has no `{from}` line");
        let config = dir.path().join("domains.yaml");
        std::fs::write(&config, text.replace(from, "  credentials: assume_role ")).unwrap();
        Self { dir, config }
    }

    /// `count` domains named d00, d01, ..., each with a dev and a prod account, then
    /// `extra_domains`.
    pub fn generated(count: usize, defaults: &str, extra_domains: &str) -> Self {
        let mut domains = String::new();
        for i in 0..count {
            let _ = write!(
                domains,
                "  - name: d{i:02}\n    team: t{i:02}\n    environments:\n      \
                 dev:  {{ account_id: \"{}\" }}\n      prod: {{ account_id: \"{}\" }}\n",
                generated_id(i, "dev"),
                generated_id(i, "prod")
            );
        }
        domains.push_str(extra_domains);
        Self::new(defaults, &domains)
    }

    /// The orchestrator in the organisation's dir, with its config, a home of its own and
    /// the base credentials.
    pub fn cli(&self) -> Cli {
        crate::support::cli::orchestrator()
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path().join("home"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", BASE_ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", BASE_SECRET_ACCESS_KEY)
            .arg("--config")
            .arg(&self.config)
    }
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

/// The account id of a generated account.
pub fn generated_id(domain: usize, env: &str) -> String {
    let env_digit = if env == "dev" { 1 } else { 3 };
    format!("{:012}", 500_000_000_000 + domain * 10 + env_digit)
}

/// What the AWS tests add to the builder.
pub trait AwsCli {
    /// No credentials for the default chain to find (OIDC must provide them).
    fn without_base_credentials(self) -> Self;
}

impl AwsCli for Cli {
    fn without_base_credentials(self) -> Self {
        self.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
    }
}
