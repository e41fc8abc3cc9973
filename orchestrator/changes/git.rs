//! The git CLI, asked only for what change detection needs: resolve a ref, list the files
//! that differ between it and the working tree, and read a file or a directory listing at it.
//!
//! The CLI (not a library) is used on purpose: it is what CI checks out with, it honours the
//! repository's own `.gitignore`, shallow clones and alternates, and it is always installed
//! where terraform runs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde::Serialize;

use super::error::ChangeError;

/// How a path differs between the ref and the working tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    Added,
    Modified,
    Deleted,
    /// Not known to git, and not ignored.
    Untracked,
    /// The old side of a rename: this path is gone, its content now lives at `to`.
    RenamedTo {
        to: String,
    },
    /// The new side of a rename.
    RenamedFrom {
        from: String,
    },
}

impl std::fmt::Display for FileChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Added => f.write_str("added"),
            Self::Modified => f.write_str("modified"),
            Self::Deleted => f.write_str("deleted"),
            Self::Untracked => f.write_str("untracked"),
            Self::RenamedTo { to } => write!(f, "renamed to {to}"),
            Self::RenamedFrom { from } => write!(f, "renamed from {from}"),
        }
    }
}

/// One path (relative to the repository's top, with `/`) that differs from the ref.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedFile {
    pub path: String,
    pub change: FileChange,
}

/// A git repository, addressed by its top-level directory.
#[derive(Debug, Clone)]
pub struct Repo {
    top: PathBuf,
}

impl Repo {
    /// The repository that holds `dir`, and the commit `reference` names in it; an unknown
    /// ref says how to fetch it. One git call: this runs for every matrix of every PR.
    pub fn open(dir: &Path, reference: &str) -> Result<(Self, String), ChangeError> {
        // A ref starting with `-` would be read as an option by git.
        let usable = !reference.starts_with('-') && !reference.trim().is_empty();
        let spec = format!("{reference}^{{commit}}");
        let mut args = vec!["rev-parse", "--show-toplevel"];
        if usable {
            args.extend(["--verify", "--quiet", &spec]);
        }
        let out = run(dir, &args)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut lines = stdout.lines();
        let Some(top) = lines.next().filter(|t| !t.is_empty()) else {
            return Err(ChangeError::NotARepository {
                dir: dir.to_path_buf(),
                stderr: stderr_line(&out),
            });
        };
        let top = PathBuf::from(top);
        let repo = Self {
            top: top.canonicalize().unwrap_or(top),
        };
        match lines.next() {
            Some(commit) if usable && out.status.success() => {
                let commit = commit.trim().to_string();
                Ok((repo, commit))
            }
            _ => Err(ChangeError::UnknownRef {
                reference: reference.to_string(),
                hint: repo.unknown_ref_hint(reference),
                top: repo.top,
            }),
        }
    }

    pub fn top(&self) -> &Path {
        &self.top
    }

    fn unknown_ref_hint(&self, reference: &str) -> String {
        let fetch = format!("`git fetch --depth=1 origin {reference}`");
        let shallow = run(&self.top, &["rev-parse", "--is-shallow-repository"])
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "true")
            .unwrap_or(false);
        let relative = reference.contains(['~', '^']);
        match (shallow, relative) {
            (true, true) => "this clone is shallow and lacks that history: deepen it (`git fetch --deepen=1 origin`, or actions/checkout `fetch-depth: 0`), or pass the base commit's id and fetch it with `git fetch --depth=1 origin <commit>`".to_string(),
            (true, false) => format!(
                "this clone is shallow: fetch the ref first with {fetch} (or check out with actions/checkout `fetch-depth: 0`)"
            ),
            (false, _) => format!(
                "check the name; if it exists on the remote, fetch it first (in a shallow CI clone: {fetch})"
            ),
        }
    }

    /// Every path that differs between `commit` and the working tree: committed, staged and
    /// unstaged changes, untracked files that are not ignored, and both sides of a rename.
    pub fn changed_files(&self, commit: &str) -> Result<Vec<ChangedFile>, ChangeError> {
        // `--no-relative` and the `-c` settings keep the user's git config from changing
        // the output's shape (relative paths, colours, an external diff program).
        let diff = self.spawn(&[
            "-c",
            "color.ui=never",
            "diff",
            "--no-ext-diff",
            "--no-relative",
            "--no-color",
            "--name-status",
            "-z",
            "-M",
            commit,
            "--",
        ])?;
        // Both run at once; each is read to its end in turn, so neither can block the other.
        let untracked = self.spawn(&["ls-files", "-z", "--others", "--exclude-standard"])?;
        let diff = diff.finish()?;
        let untracked = untracked.finish()?;
        let mut files = parse_name_status(&diff);
        files.extend(split_z(&untracked).into_iter().map(|path| ChangedFile {
            path,
            change: FileChange::Untracked,
        }));
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        Ok(files)
    }

    /// The text of `path` (relative to the top) at `commit`, or `None` if it did not exist.
    pub fn file_at(&self, commit: &str, path: &str) -> Result<Option<String>, ChangeError> {
        self.start_file_at(commit, path)?.finish()
    }

    /// [`Repo::file_at`], started now and read later, so it runs alongside other git calls.
    pub fn start_file_at(
        &self,
        commit: &str,
        path: &str,
    ) -> Result<Pending<Option<String>>, ChangeError> {
        let running = self.spawn(&["cat-file", "blob", &format!("{commit}:{path}")])?;
        Ok(Pending {
            running,
            read: |out| {
                out.status
                    .success()
                    .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
            },
        })
    }

    /// The names of the directories directly inside `path` at `commit` (empty if none).
    pub fn dirs_at(&self, commit: &str, path: &str) -> Result<Vec<String>, ChangeError> {
        self.start_dirs_at(commit, path)?.finish()
    }

    /// [`Repo::dirs_at`], started now and read later.
    pub fn start_dirs_at(
        &self,
        commit: &str,
        path: &str,
    ) -> Result<Pending<Vec<String>>, ChangeError> {
        let tree = if path.is_empty() {
            commit.to_string()
        } else {
            format!("{commit}:{path}")
        };
        let running = self.spawn(&["ls-tree", "-d", "-z", "--name-only", &tree])?;
        Ok(Pending {
            running,
            read: |out| {
                if out.status.success() {
                    split_z(&String::from_utf8_lossy(&out.stdout))
                } else {
                    Vec::new()
                }
            },
        })
    }

    /// Starts git at the top; [`Running::finish`] returns its stdout, a failure is an error.
    fn spawn(&self, args: &[&str]) -> Result<Running, ChangeError> {
        let child = git(&self.top, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| ChangeError::GitMissing { source })?;
        Ok(Running {
            child,
            args: args.join(" "),
            top: self.top.clone(),
        })
    }
}

/// A git question asked and not yet answered: the process runs until [`Pending::finish`].
pub struct Pending<T> {
    running: Running,
    /// Turns any exit (failure included) into the answer.
    read: fn(Output) -> T,
}

impl<T> Pending<T> {
    pub fn finish(self) -> Result<T, ChangeError> {
        let out = self.running.wait()?;
        Ok((self.read)(out))
    }
}

/// A git command started by [`Repo::spawn`].
struct Running {
    child: Child,
    args: String,
    top: PathBuf,
}

impl Running {
    fn wait(self) -> Result<Output, ChangeError> {
        self.child
            .wait_with_output()
            .map_err(|source| ChangeError::GitMissing { source })
    }

    /// Its stdout; a failure is an error.
    fn finish(self) -> Result<String, ChangeError> {
        let (args, top) = (self.args.clone(), self.top.clone());
        let out = self.wait()?;
        if !out.status.success() {
            return Err(ChangeError::Git {
                args,
                top,
                stderr: stderr_line(&out),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

fn git(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        // Never wait on a pager or a credential prompt.
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Result<Output, ChangeError> {
    git(dir, args)
        .output()
        .map_err(|source| ChangeError::GitMissing { source })
}

fn stderr_line(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let text = text.trim();
    if text.is_empty() {
        format!("exit status {}", out.status)
    } else {
        text.lines().collect::<Vec<_>>().join("; ")
    }
}

fn split_z(text: &str) -> Vec<String> {
    text.split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `git diff --name-status -z -M`: `STATUS\0path\0`, or `R<score>\0old\0new\0` for a rename.
fn parse_name_status(text: &str) -> Vec<ChangedFile> {
    let mut fields = text.split('\0').filter(|s| !s.is_empty());
    let mut files = Vec::new();
    while let Some(status) = fields.next() {
        let Some(path) = fields.next() else { break };
        let change = match status.as_bytes().first() {
            Some(b'A') => FileChange::Added,
            Some(b'D') => FileChange::Deleted,
            Some(b'R' | b'C') => {
                let Some(new) = fields.next() else { break };
                let renamed = status.starts_with('R');
                files.push(ChangedFile {
                    path: new.to_string(),
                    change: FileChange::RenamedFrom {
                        from: path.to_string(),
                    },
                });
                if !renamed {
                    // A copy leaves the source untouched.
                    continue;
                }
                FileChange::RenamedTo {
                    to: new.to_string(),
                }
            }
            _ => FileChange::Modified,
        };
        files.push(ChangedFile {
            path: path.to_string(),
            change,
        });
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_status_keeps_both_sides_of_a_rename() {
        let text = "M\0a.tf\0R097\0old/x.tf\0new/x.tf\0D\0gone.tf\0A\0new.tf\0T\0link\0";
        let files = parse_name_status(text);
        let paths: Vec<(&str, String)> = files
            .iter()
            .map(|f| (f.path.as_str(), f.change.to_string()))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("a.tf", "modified".to_string()),
                ("new/x.tf", "renamed from old/x.tf".to_string()),
                ("old/x.tf", "renamed to new/x.tf".to_string()),
                ("gone.tf", "deleted".to_string()),
                ("new.tf", "added".to_string()),
                ("link", "modified".to_string()),
            ]
        );
    }
}
