//! A temporary git repository laid out like examples/sandbox (the sandbox's own layers, plus
//! shared modules), and the orchestrator run against it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::cli::{self, Cli, Run};

/// The base config: three layers, `platform` receives the account CIDRs, `payments` skips
/// the `dynamic` layer, `commerce` sets its own `owner`.
pub const CONFIG: &str = r#"version: 1

defaults:
  region: eu-west-1
  credentials: none
  layers: [platform, static, dynamic]
  layers_dir: layers
  state: { backend: local, path: ".orchestrator/state/{layer}/{account}.tfstate" }
  timeout: 10m
  network: { pool: 10.0.0.0/8, prefix: 16, layer: platform }
  vars: { owner: platform-team }
  layer_vars:
    static: { bucket_prefix: acme }

waves:
  - { name: stage, environments: [dev, stage] }
  - { name: prod, environments: [prod] }

domains:
  - name: catalog
    team: catalog
    environments:
      dev:   { account_id: "100000000001", network: { cidr: 10.1.0.0/16 } }
      prod:  { account_id: "100000000003", network: { cidr: 10.3.0.0/16 } }

  - name: payments
    team: payments
    layers: [platform, static]
    environments:
      dev:   { account_id: "100000000011", network: { cidr: 10.11.0.0/16 } }
      stage: { account_id: "100000000012", network: { cidr: 10.12.0.0/16 } }
      prod:  { account_id: "100000000013", network: { cidr: 10.13.0.0/16 } }

  - name: commerce
    team: commerce
    vars: { owner: commerce-team }
    environments:
      dev:   { account_id: "100000000021", network: { cidr: 10.21.0.0/16 } }
      prod:  { account_id: "100000000023", network: { cidr: 10.23.0.0/16 } }
"#;

/// Every account of [`CONFIG`] with its layers.
pub fn every_layer() -> BTreeMap<String, Vec<String>> {
    let all = ["platform", "static", "dynamic"];
    let no_dynamic = ["platform", "static"];
    [
        ("catalog-dev", &all[..]),
        ("catalog-prod", &all[..]),
        ("payments-dev", &no_dynamic[..]),
        ("payments-stage", &no_dynamic[..]),
        ("payments-prod", &no_dynamic[..]),
        ("commerce-dev", &all[..]),
        ("commerce-prod", &all[..]),
    ]
    .into_iter()
    .map(|(a, ls)| (a.to_string(), ls.iter().map(|l| l.to_string()).collect()))
    .collect()
}

/// `platform` uses `network`, which uses `vpc`; `static` uses `tags`; `unused` is used by none.
const MODULES: &[(&str, &str)] = &[
    (
        "layers/platform/network.tf",
        "module \"network\" {\n  source = \"../modules/network\"\n  name   = var.account_name\n}\n",
    ),
    (
        "layers/static/tags.tf",
        "module \"tags\" {\n  source = \"../modules/tags\"\n  owner  = \"platform\"\n}\n",
    ),
    (
        "layers/modules/network/main.tf",
        "variable \"name\" { type = string }\n\nmodule \"vpc\" {\n  source = \"../vpc\"\n  name   = var.name\n}\n",
    ),
    (
        "layers/modules/vpc/main.tf",
        "variable \"name\" { type = string }\n\nresource \"terraform_data\" \"vpc\" {\n  input = var.name\n}\n",
    ),
    (
        "layers/modules/tags/main.tf",
        "variable \"owner\" { type = string }\n\noutput \"tags\" {\n  value = { owner = var.owner }\n}\n",
    ),
    (
        "layers/modules/unused/main.tf",
        "resource \"terraform_data\" \"nothing\" {}\n",
    ),
    ("README.md", "# Acme infrastructure\n"),
    ("orchestrator/main.rs", "fn main() {}\n"),
    (".gitignore", ".terraform/\n*.tfstate\n"),
];

pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// The sandbox-like layout, committed once (`HEAD` is that commit).
    pub fn sandbox() -> Self {
        let repo = Self::empty();
        let sandbox = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sandbox/layers");
        for layer in ["platform", "static", "dynamic"] {
            let text = std::fs::read_to_string(sandbox.join(layer).join("main.tf")).unwrap();
            repo.write(&format!("layers/{layer}/main.tf"), &text);
        }
        for (path, text) in MODULES {
            repo.write(path, text);
        }
        repo.write("domains.yaml", CONFIG);
        repo.commit("base");
        repo
    }

    pub fn empty() -> Self {
        let repo = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Replaces the one occurrence of `from` in the file (it must be there).
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(from).count(),
            1,
            "{rel} must hold {from:?} once"
        );
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    }

    pub fn append(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        let mut old = std::fs::read_to_string(&path).unwrap_or_default();
        old.push_str(text);
        std::fs::write(path, old).unwrap();
    }

    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Runs git in the repository; it must succeed.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    pub fn orchestrator(&self, args: &[&str]) -> Run {
        orchestrator_in(self.path(), args)
    }

    /// `jobs --format json --changed-since REF [extra]`: account -> layers. Exit 0 expected.
    pub fn changed(&self, since: &str, extra: &[&str]) -> BTreeMap<String, Vec<String>> {
        let mut args = vec!["jobs", "--format", "json", "--changed-since", since];
        args.extend(extra);
        let out = self.orchestrator(&args);
        out.expect_success();
        jobs_of(&out)
    }

    /// `jobs --explain --format json --changed-since REF`, parsed.
    pub fn explain(&self, since: &str) -> serde_json::Value {
        let out = self.orchestrator(&[
            "jobs",
            "--explain",
            "--format",
            "json",
            "--changed-since",
            since,
        ]);
        out.expect_success();
        serde_json::from_str(&out.stdout).unwrap()
    }
}

pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `jobs --format json` output as account -> layers.
pub fn jobs_of(out: &Run) -> BTreeMap<String, Vec<String>> {
    let jobs: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    jobs.iter()
        .map(|j| {
            let layers = j["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect();
            (j["account"].as_str().unwrap().to_string(), layers)
        })
        .collect()
}

/// account -> layers, from a literal list.
pub fn pairs(list: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    list.iter()
        .map(|(a, ls)| (a.to_string(), ls.iter().map(|l| l.to_string()).collect()))
        .collect()
}

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = isolated(Command::new("git"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert_success(&out);
    String::from_utf8(out.stdout).unwrap()
}

pub fn orchestrator_in(dir: &Path, args: &[&str]) -> Run {
    command_in(dir, args).run()
}

/// The orchestrator in `dir` (`support::cli`), its git as isolated as the tests' own.
pub fn command_in(dir: &Path, args: &[&str]) -> Cli {
    cli::orchestrator()
        .current_dir(dir)
        .args(args)
        .envs(GIT_ENV.iter().copied())
}

/// No machine or user git config, a fixed identity and fixed dates: commit ids are the same
/// on every run.
const GIT_ENV: &[(&str, &str)] = &[
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_AUTHOR_NAME", "Test"),
    ("GIT_AUTHOR_EMAIL", "test@example.com"),
    ("GIT_COMMITTER_NAME", "Test"),
    ("GIT_COMMITTER_EMAIL", "test@example.com"),
    ("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z"),
    ("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z"),
];

fn isolated(mut cmd: Command) -> Command {
    for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
        cmd.env_remove(var);
    }
    cmd.envs(GIT_ENV.iter().copied());
    cmd
}

pub fn file_url(path: &Path) -> String {
    format!("file://{}", PathBuf::from(path).display())
}
