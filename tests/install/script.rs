//! install.sh against a fake release on 127.0.0.1: it installs only an archive whose SHA-256
//! matches the release's SHA256SUMS, and otherwise refuses before unpacking anything.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::receiver::{Receiver, Reply};

pub(super) const VERSION: &str = "1.2.3";

/// The release target install.sh picks on this machine (the same table as the script).
pub(super) fn target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-musl",
        ("linux", "aarch64") => "aarch64-unknown-linux-musl",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no release target for {other:?}"),
    }
}

pub(super) fn archive_name() -> String {
    format!("orchestrator-{VERSION}-{}.tar.gz", target())
}

/// A release archive as the release workflow lays it out, holding a fake `orchestrator`
/// (a shell script that prints a version) instead of a real build.
pub(super) fn fake_archive(scratch: &Path) -> Vec<u8> {
    let dir = scratch.join(format!("orchestrator-{VERSION}-{}", target()));
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join("orchestrator");
    std::fs::write(
        &binary,
        format!("#!/bin/sh\necho \"orchestrator {VERSION} (fake release build)\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&binary, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("README.md"), "readme\n").unwrap();
    let archive = scratch.join("archive.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(scratch)
        .arg(dir.file_name().unwrap())
        .status()
        .expect("run tar");
    assert!(status.success());
    std::fs::read(archive).unwrap()
}

/// The archive's SHA-256, as the release workflow writes it into SHA256SUMS.
fn sha256_hex(scratch: &Path) -> String {
    sha256_of(&scratch.join("archive.tar.gz"))
}

/// A file's SHA-256 in hex, with the tool install.sh uses (sha256sum, or shasum on macOS).
pub(super) fn sha256_of(file: &Path) -> String {
    let output = Command::new("sha256sum")
        .arg(file)
        .output()
        .or_else(|_| {
            Command::new("shasum")
                .args(["-a", "256"])
                .arg(file)
                .output()
        })
        .expect("sha256sum or shasum");
    let text = String::from_utf8(output.stdout).unwrap();
    let hash = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(hash.len(), 64, "unexpected digest output: {text}");
    hash
}

struct Release {
    _scratch: tempfile::TempDir,
    server: Receiver,
}

/// Serves the archive with `sums` as SHA256SUMS (given the archive's real hash), and a GitHub
/// API answer naming it the latest release of `acme/orchestrator`.
fn release(sums: impl FnOnce(&str) -> String) -> Release {
    let scratch = tempfile::tempdir().unwrap();
    let archive = fake_archive(scratch.path());
    let sums = sums(&sha256_hex(scratch.path()));
    let server = Receiver::start();
    let file =
        |body: &[u8]| [Reply::bytes(200, body).header("content-type", "application/octet-stream")];
    server
        .route(&format!("/v{VERSION}/{}", archive_name()), file(&archive))
        .route(&format!("/v{VERSION}/SHA256SUMS"), file(sums.as_bytes()))
        .route(
            "/repos/acme/orchestrator/releases/latest",
            file(format!("{{\n  \"url\": \"x\",\n  \"tag_name\": \"v{VERSION}\",\n  \"name\": \"v{VERSION}\"\n}}\n").as_bytes()),
        )
        .otherwise(Reply::new(404, "not found"));
    Release {
        _scratch: scratch,
        server,
    }
}

fn install(release: &Release, to: &Path) -> Output {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    Command::new("sh")
        .arg(script)
        .args(["--version", VERSION, "--to"])
        .arg(to)
        .env("ORCHESTRATOR_RELEASE_URL", release.server.base_url())
        .output()
        .expect("run install.sh")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_verified_archive_is_installed_and_runs() {
    let release = release(|hash| {
        format!(
            "{}  orchestrator-{VERSION}-other-target.tar.gz\n{hash}  {}\n",
            "0".repeat(64),
            archive_name()
        )
    });
    let home = tempfile::tempdir().unwrap();
    let to = home.path().join("bin");
    let output = install(&release, &to);
    assert!(
        output.status.success(),
        "install failed: {}",
        stderr(&output)
    );
    let ran = Command::new(to.join("orchestrator"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(ran.status.success());
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout),
        format!("orchestrator {VERSION} (fake release build)\n")
    );
}

#[test]
fn a_wrong_checksum_refuses_and_installs_nothing() {
    let release = release(|hash| {
        // The same hash with its last digit changed: a corrupt or tampered download.
        let last = if hash.ends_with('0') { "1" } else { "0" };
        format!("{}{last}  {}\n", &hash[..63], archive_name())
    });
    let home = tempfile::tempdir().unwrap();
    let to = home.path().join("bin");
    let output = install(&release, &to);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("checksum mismatch"), "{message}");
    assert!(message.contains("nothing was installed"), "{message}");
    assert!(!to.join("orchestrator").exists());
    assert_no_leftovers(&to);
}

#[test]
fn an_archive_missing_from_sha256sums_refuses_and_installs_nothing() {
    let release = release(|hash| format!("{hash}  orchestrator-{VERSION}-other-target.tar.gz\n"));
    let home = tempfile::tempdir().unwrap();
    let to = home.path().join("bin");
    let output = install(&release, &to);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("no entry for"), "{message}");
    assert!(message.contains(&archive_name()), "{message}");
    assert!(!to.join("orchestrator").exists());
    assert_no_leftovers(&to);
}

#[test]
fn an_unknown_version_fails_with_a_clear_message() {
    let release = release(|hash| format!("{hash}  {}\n", archive_name()));
    let home = tempfile::tempdir().unwrap();
    let to = home.path().join("bin");
    let output = Command::new("sh")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("install.sh"))
        .args(["--version", "9.9.9", "--to"])
        .arg(&to)
        .env("ORCHESTRATOR_RELEASE_URL", release.server.base_url())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("is 9.9.9 a released version?"),
        "{}",
        stderr(&output)
    );
    assert!(!to.join("orchestrator").exists());
}

#[test]
fn without_a_version_the_latest_release_is_installed() {
    let release = release(|hash| format!("{hash}  {}\n", archive_name()));
    let home = tempfile::tempdir().unwrap();
    let to = home.path().join("bin");
    let output = Command::new("sh")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("install.sh"))
        .arg("--to")
        .arg(&to)
        .env("ORCHESTRATOR_REPO", "acme/orchestrator")
        .env("ORCHESTRATOR_API_URL", release.server.base_url())
        .env("ORCHESTRATOR_RELEASE_URL", release.server.base_url())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "install failed: {}",
        stderr(&output)
    );
    let ran = Command::new(to.join("orchestrator")).output().unwrap();
    assert!(String::from_utf8_lossy(&ran.stdout).contains(VERSION));
}

/// Nothing at all in the install directory: no binary, no temporary copy.
pub(super) fn assert_no_leftovers(to: &Path) {
    if let Ok(entries) = std::fs::read_dir(to) {
        let names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
        assert!(names.is_empty(), "install dir holds {names:?}");
    }
}
