//! A generated organisation: `domains` domains, each with dev, stage and prod accounts,
//! every account with its own id and /24 network. Shared by the scale tests and benchmarks.

// a bench prints its figures; it is not the orchestrator's output.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::fmt::Write;
use std::path::Path;

/// Writes `domains.yaml` and the three layer directories into `dir`.
pub fn write_generated_config(dir: &Path, domains: usize) {
    for layer in ["platform", "static", "dynamic"] {
        std::fs::create_dir_all(dir.join("layers").join(layer)).expect("layer dir");
    }
    std::fs::write(dir.join("domains.yaml"), generated_config(domains)).expect("domains.yaml");
}

pub fn generated_config(domains: usize) -> String {
    let mut yaml = String::from(
        "version: 1
defaults:
  region: us-east-1
  layers: [platform, static, dynamic]
  state: { backend: s3, bucket: acme-tfstate, region: us-east-1, key: \"{layer}/{account}.tfstate\" }
  network: { pool: 10.0.0.0/8, prefix: 24, layer: platform }
waves:
  - { name: stage, environments: [dev, stage] }
  - { name: prod, environments: [prod] }
domains:
",
    );
    for d in 0..domains {
        let id = |env: usize| format!("{:012}", 100_000_000_000u64 + (d * 3 + env) as u64);
        let cidr = |env: usize| {
            let n = d * 3 + env;
            format!("10.{}.{}.0/24", n / 256, n % 256)
        };
        writeln!(
            yaml,
            "  - name: domain-{d:05}
    team: team-{team}
    environments:
      dev:   {{ account_id: \"{}\", network: {{ cidr: {} }} }}
      stage: {{ account_id: \"{}\", network: {{ cidr: {} }} }}
      prod:  {{ account_id: \"{}\", region: us-west-2, network: {{ cidr: {} }} }}",
            id(0),
            cidr(0),
            id(1),
            cidr(1),
            id(2),
            cidr(2),
            team = d % 40,
        )
        .expect("write to a String");
    }
    yaml
}
