//! The checkout each job (and each matrix leg) starts from: a fresh copy of
//! `examples/sandbox`, as a fresh runner checks out the repository. Terraform state is the
//! one thing runners share (the S3 bucket in production), so every copy's `domains.yaml`
//! points its local state at one shared directory.

use std::path::{Path, PathBuf};

/// The state path of the sandbox's `domains.yaml`, relative to the config.
const SANDBOX_STATE: &str = "\".orchestrator/state/{layer}/{account}-{stack}.tfstate\"";

pub struct Checkout {
    source: PathBuf,
    state_dir: PathBuf,
    /// Text replacements in `domains.yaml`, as a commit to the repository would make them.
    edits: Vec<(String, String)>,
    /// Commit the sandbox with the first this many edits in every checkout: a pull
    /// request's base, the later edits its changes.
    git_base: Option<usize>,
}

impl Checkout {
    pub fn new(state_dir: &Path) -> Self {
        Self {
            source: Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sandbox"),
            state_dir: state_dir.to_path_buf(),
            edits: Vec::new(),
            git_base: None,
        }
    }

    /// Changes `domains.yaml` in every checkout (the text must be there).
    pub fn edit(&mut self, from: &str, to: &str) {
        self.edits.push((from.to_string(), to.to_string()));
    }

    /// The shared state file of one account's layer.
    pub fn state(&self, layer: &str, account: &str) -> PathBuf {
        self.state_dir
            .join(layer)
            .join(format!("{account}.tfstate"))
    }

    /// The shared state file of copy `stack` of one account's layer.
    pub fn copy_state(&self, layer: &str, account: &str, stack: &str) -> PathBuf {
        self.state_dir
            .join(layer)
            .join(format!("{account}-{stack}.tfstate"))
    }

    /// Copies the sandbox into `dest` (created), with the shared state path.
    pub fn into(&self, dest: &Path) {
        copy_dir(&self.source.join("layers"), &dest.join("layers"));
        let config = std::fs::read_to_string(self.source.join("domains.yaml")).unwrap();
        assert_eq!(
            config.matches(SANDBOX_STATE).count(),
            1,
            "examples/sandbox/domains.yaml no longer has the state path {SANDBOX_STATE}"
        );
        let shared = format!(
            "\"{}/{{layer}}/{{account}}-{{stack}}.tfstate\"",
            self.state_dir.display()
        );
        let mut config = config.replace(SANDBOX_STATE, &shared);
        for (i, (from, to)) in self.edits.iter().enumerate() {
            if self.git_base == Some(i) {
                base_commit(dest, &config);
            }
            assert!(
                config.contains(from),
                "domains.yaml does not contain {from:?}"
            );
            config = config.replacen(from, to, 1);
        }
        if self.git_base == Some(self.edits.len()) {
            base_commit(dest, &config);
        }
        std::fs::write(dest.join("domains.yaml"), config).unwrap();
    }
}

impl Checkout {
    /// The edits so far are the base; later ones are the pull request's changes.
    pub fn commit_base(&mut self) {
        self.git_base = Some(self.edits.len());
    }
}

fn base_commit(dest: &Path, config: &str) {
    std::fs::write(dest.join("domains.yaml"), config).unwrap();
    std::fs::write(dest.join(".gitignore"), ".orchestrator/\n").unwrap();
    commit(dest);
}

/// `git init` and one commit of everything, with a fixed author and date: every checkout of
/// the same files gets the same commit id, as every runner checks out the same base.
fn commit(dir: &Path) {
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=base", "-c", "user.email=base@example.com"])
            .args(args)
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
}

/// The commit a checkout made with [`Checkout::commit_base`].
pub fn git_head(dir: &Path) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Copies a directory tree, leaving out what a local run may have left in the example.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == ".orchestrator" || name == ".terraform" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every regular file under `dir` (symbolic links left out).
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => found.extend(files(&path)),
            Ok(t) if t.is_file() => found.push(path),
            _ => {}
        }
    }
    found
}
