//! The setup-orchestrator action's own install steps, taken from action.yml and run through
//! bash as GitHub runs a composite action's steps, in an adopter's checkout (`acme/infra`, the
//! action copied into it, no install.sh of ours at its root) against a fake release on
//! 127.0.0.1: the release comes from the orchestrator's repository, its install.sh runs only
//! once it matches SHA256SUMS, and a wrong checksum installs nothing and puts nothing on PATH.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

use super::script::{archive_name, assert_no_leftovers, fake_archive, sha256_of, VERSION};
use crate::support::receiver::{Receiver, Reply};

/// The action's steps that run for a pinned version whose binary is not cached yet, in order.
const PINNED_STEPS: [&str; 3] = [
    "Check the version and release repository",
    "Install the released orchestrator (checksum-verified)",
    "Put the released orchestrator on PATH",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn action_yml() -> PathBuf {
    repo().join(".github/actions/setup-orchestrator/action.yml")
}

/// The `run:` script and `env:` of the action's step called `name`.
fn step(name: &str) -> (String, serde_yaml::Mapping) {
    let path = action_yml();
    let action: Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let step = action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("action.yml has no step `{name}`"));
    assert_eq!(step["shell"].as_str(), Some("bash"), "{name}");
    (
        step["run"].as_str().unwrap().to_string(),
        step["env"].as_mapping().cloned().unwrap_or_default(),
    )
}

/// The repository install.sh downloads from when ORCHESTRATOR_REPO is not set.
fn install_sh_default_repository() -> String {
    let script = std::fs::read_to_string(repo().join("install.sh")).unwrap();
    let line = script
        .lines()
        .find(|l| l.starts_with("repo=\"${ORCHESTRATOR_REPO:-"))
        .expect("install.sh sets repo from ORCHESTRATOR_REPO with a default");
    line.trim_start_matches("repo=\"${ORCHESTRATOR_REPO:-")
        .trim_end_matches("}\"")
        .to_string()
}

/// A release of `repository` on 127.0.0.1, laid out as GitHub serves it under
/// `/<owner>/<name>/releases/download/v<version>/`: the archive, this repository's
/// install.sh (or `install_sh` instead) and a SHA256SUMS that `sums` writes from the real
/// hashes of the archive and of install.sh.
struct Release {
    server: Receiver,
    _scratch: tempfile::TempDir,
}

fn release(
    repository: &str,
    install_sh: Option<&str>,
    sums: impl FnOnce(&str, &str) -> String,
) -> Release {
    let scratch = tempfile::tempdir().unwrap();
    let archive = fake_archive(scratch.path());
    let archive_hash = sha256_of(&scratch.path().join("archive.tar.gz"));
    let script = repo().join("install.sh");
    let sums = sums(&archive_hash, &sha256_of(&script));
    let served_script = match install_sh {
        Some(text) => text.as_bytes().to_vec(),
        None => std::fs::read(&script).unwrap(),
    };
    let server = Receiver::start();
    let file =
        |body: &[u8]| [Reply::bytes(200, body).header("content-type", "application/octet-stream")];
    let dir = format!("/{repository}/releases/download/v{VERSION}");
    server
        .route(&format!("{dir}/{}", archive_name()), file(&archive))
        .route(&format!("{dir}/SHA256SUMS"), file(sums.as_bytes()))
        .route(&format!("{dir}/install.sh"), file(&served_script))
        .otherwise(Reply::new(404, "not found"));
    Release {
        server,
        _scratch: scratch,
    }
}

/// An adopter's runner: their checkout with the action copied in (and an install.sh of
/// their own at the root, which must never run), the runner's tool cache and GITHUB_PATH.
struct Runner {
    home: tempfile::TempDir,
}

impl Runner {
    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let action_dir = home
            .path()
            .join("work/infra/infra/.github/actions/setup-orchestrator");
        std::fs::create_dir_all(&action_dir).unwrap();
        std::fs::copy(
            repo().join(".github/actions/setup-orchestrator/action.yml"),
            action_dir.join("action.yml"),
        )
        .unwrap();
        let marker = home.path().join("adopters-install-sh-ran");
        std::fs::write(
            home.path().join("work/infra/infra/install.sh"),
            format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
        )
        .unwrap();
        std::fs::create_dir_all(home.path().join("tool-cache")).unwrap();
        std::fs::write(home.path().join("github-path"), "").unwrap();
        Self { home }
    }

    fn action_path(&self) -> PathBuf {
        self.home
            .path()
            .join("work/infra/infra/.github/actions/setup-orchestrator")
    }

    fn install_dir(&self) -> PathBuf {
        self.home
            .path()
            .join("tool-cache/orchestrator")
            .join(VERSION)
    }

    fn github_path(&self) -> String {
        std::fs::read_to_string(self.home.path().join("github-path")).unwrap()
    }

    fn adopters_install_sh_ran(&self) -> bool {
        self.home.path().join("adopters-install-sh-ran").exists()
    }

    /// Runs the pinned-version steps in order, each as `bash --noprofile --norc -eo pipefail`
    /// with its `env:` evaluated for these inputs, stopping at the first that fails (as the
    /// runner does). Returns whether all succeeded, and their combined output.
    fn run(&self, release: &Release, release_repository: &str) -> (bool, String) {
        let inputs: BTreeMap<&str, &str> = [
            ("version", VERSION),
            ("release-repository", release_repository),
        ]
        .into();
        let tool_cache = self.home.path().join("tool-cache");
        let mut log = String::new();
        for name in PINNED_STEPS {
            let (run, env) = step(name);
            let script = self.home.path().join("step.sh");
            std::fs::write(&script, run).unwrap();
            let mut command = Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", self.home.path())
                .env("GITHUB_ACTION_PATH", self.action_path())
                .env("GITHUB_REPOSITORY", "acme/infra")
                .env(
                    "GITHUB_WORKSPACE",
                    self.home.path().join("work/infra/infra"),
                )
                .env("GITHUB_PATH", self.home.path().join("github-path"))
                .env("RUNNER_TOOL_CACHE", &tool_cache)
                .env("RUNNER_TEMP", self.home.path())
                // The stub stands in for github.com.
                .env("ORCHESTRATOR_GITHUB_URL", release.server.base_url())
                .current_dir(self.home.path().join("work/infra/infra"));
            for (key, value) in &env {
                let value = evaluate(value.as_str().unwrap(), &inputs, &tool_cache);
                command.env(key.as_str().unwrap(), value);
            }
            let output = command.output().expect("run bash");
            log.push_str(&format!(
                "--- {name}\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
            if !output.status.success() {
                return (false, log);
            }
        }
        (true, log)
    }
}

/// The few expressions the steps' `env:` use: inputs and the runner's tool cache.
fn evaluate(value: &str, inputs: &BTreeMap<&str, &str>, tool_cache: &Path) -> String {
    let mut out = value.to_string();
    while let Some(start) = out.find("${{") {
        let end = start + out[start..].find("}}").expect("closed expression") + 2;
        let expression = out[start + 3..end - 2].trim();
        let result = if expression == "runner.tool_cache" {
            tool_cache.display().to_string()
        } else if let Some(input) = expression.strip_prefix("inputs.") {
            inputs
                .get(input)
                .unwrap_or_else(|| panic!("no input `{input}` given"))
                .to_string()
        } else {
            panic!("`{expression}` is not evaluated here: teach tests/install/action.rs");
        };
        out.replace_range(start..end, &result);
    }
    out
}

fn right_sums(archive: &str, install_sh: &str) -> String {
    format!("{archive}  {}\n{install_sh}  install.sh\n", archive_name())
}

#[test]
fn a_pinned_release_comes_from_the_orchestrators_repository_not_the_adopters() {
    let default = install_sh_default_repository();
    let release = release(&default, None, right_sums);
    let runner = Runner::new();
    let (ok, log) = runner.run(&release, "");
    assert!(ok, "{log}");

    let asked: Vec<String> = release
        .server
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    let dir = format!("/{default}/releases/download/v{VERSION}");
    for file in ["SHA256SUMS", "install.sh", &archive_name()] {
        assert!(
            asked.contains(&format!("{dir}/{file}")),
            "{file} not asked for: {asked:?}"
        );
    }
    assert!(
        asked.iter().all(|p| p.starts_with(&format!("{dir}/"))),
        "{asked:?}"
    );
    assert!(!runner.adopters_install_sh_ran(), "{log}");

    let binary = runner.install_dir().join("orchestrator");
    let ran = Command::new(&binary).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout),
        format!("orchestrator {VERSION} (fake release build)\n")
    );
    // On PATH for the job's later steps, without sudo.
    assert_eq!(
        runner.github_path(),
        format!("{}\n", runner.install_dir().display())
    );
    let action: Value =
        serde_yaml::from_str(&std::fs::read_to_string(action_yml()).unwrap()).unwrap();
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        let run = step["run"].as_str().unwrap_or_default();
        assert!(
            !run.lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .any(|l| l.split_whitespace().any(|w| w == "sudo")),
            "{run}"
        );
    }
}

#[test]
fn release_repository_names_where_the_releases_come_from() {
    let release = release("acme/orchestrator-mirror", None, right_sums);
    let runner = Runner::new();
    let (ok, log) = runner.run(&release, "acme/orchestrator-mirror");
    assert!(ok, "{log}");
    let asked = release.server.requests();
    assert!(!asked.is_empty());
    for request in asked {
        assert!(
            request
                .path
                .starts_with("/acme/orchestrator-mirror/releases/download/"),
            "{}",
            request.path
        );
    }
    assert!(runner.install_dir().join("orchestrator").is_file());
}

#[test]
fn a_wrong_archive_checksum_installs_nothing_and_puts_nothing_on_path() {
    let release = release(&install_sh_default_repository(), None, |archive, script| {
        let last = if archive.ends_with('0') { "1" } else { "0" };
        right_sums(&format!("{}{last}", &archive[..63]), script)
    });
    let runner = Runner::new();
    let (ok, log) = runner.run(&release, "");
    assert!(!ok, "{log}");
    assert!(log.contains("checksum mismatch"), "{log}");
    assert!(log.contains("nothing was installed"), "{log}");
    assert_no_leftovers(&runner.install_dir());
    assert_eq!(runner.github_path(), "", "{log}");
}

#[test]
fn an_install_script_that_does_not_match_sha256sums_is_never_run() {
    let runner = Runner::new();
    let marker = runner.home.path().join("served-install-sh-ran");
    let tampered = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
    let release = release(
        &install_sh_default_repository(),
        Some(&tampered),
        right_sums,
    );
    let (ok, log) = runner.run(&release, "");
    assert!(!ok, "{log}");
    assert!(
        log.contains("does not match the release's SHA256SUMS: nothing was installed"),
        "{log}"
    );
    assert!(!marker.exists(), "the tampered install.sh ran\n{log}");
    assert_no_leftovers(&runner.install_dir());
    assert_eq!(runner.github_path(), "", "{log}");
}

#[test]
fn a_version_or_repository_that_is_not_one_is_refused_before_anything_else() {
    let (run, _) = step(PINNED_STEPS[0]);
    for (version, repository, refusal) in [
        (
            "1.2.3\n::warning::injected",
            "",
            "version is neither a release",
        ),
        ("../../1.2.3", "", "version is neither a release"),
        (
            VERSION,
            "acme/x\n::warning::injected",
            "release-repository is not owner/name",
        ),
    ] {
        let output = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
            .arg(&run)
            .env("VERSION", version)
            .env("RELEASE_REPOSITORY", repository)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{version:?} {repository:?}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains(refusal), "{stdout}");
        assert!(!stdout.contains("::warning::injected"), "{stdout}");
    }
}
