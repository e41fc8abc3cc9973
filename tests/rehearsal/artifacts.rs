//! The run's artifact store: `actions/upload-artifact@v4` and `actions/download-artifact@v4`
//! as directory copies, with their rules that matter to the workflows: a file uploads under
//! its own name and a directory with its contents, hidden files are left out unless
//! `include-hidden-files`, an artifact name is taken once per run unless `overwrite`,
//! `if-no-files-found`, and `pattern` + `merge-multiple` on download.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Artifacts {
    dir: PathBuf,
    /// Legs upload at the same time; names are checked and taken one at a time.
    lock: Mutex<()>,
}

pub struct Upload<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub if_no_files_found: &'a str,
    pub include_hidden_files: bool,
    pub overwrite: bool,
}

pub struct Download<'a> {
    pub name: Option<&'a str>,
    pub pattern: Option<&'a str>,
    pub path: Option<&'a str>,
    pub merge_multiple: bool,
}

/// What a step did: `Ok(log)` when it succeeded, `Err(log)` when it failed.
pub type StepResult = Result<String, String>;

impl Artifacts {
    pub fn new(dir: PathBuf) -> Self {
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            dir,
            lock: Mutex::new(()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The names of the artifacts uploaded so far, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    pub fn upload(&self, workspace: &Path, upload: &Upload<'_>) -> Result<StepResult, String> {
        let mut files = Vec::new();
        if let Some((under, name)) = any_depth(upload.path) {
            // `<dir>/**/<name>`: every file so named under <dir>, kept at its path below the
            // matches' least common ancestor, as upload-artifact does.
            let found: Vec<PathBuf> = super::workspace::files(&workspace.join(under))
                .into_iter()
                .filter(|f| f.file_name().is_some_and(|n| n == name))
                .collect();
            let mut root = found
                .first()
                .and_then(|f| f.parent())
                .map(Path::to_path_buf);
            for file in &found {
                while let Some(r) = root.as_ref().filter(|r| !file.starts_with(r)) {
                    root = r.parent().map(Path::to_path_buf);
                }
            }
            for file in found {
                let relative = file
                    .strip_prefix(root.as_ref().unwrap())
                    .unwrap()
                    .to_path_buf();
                files.push((relative, file));
            }
        } else if upload.path.contains('\n') || upload.path.contains(['*', '?', '[', '{', '!']) {
            return Err(format!(
                "upload-artifact path `{}`: several paths or globs other than `<dir>/**/<file>` are not rehearsed",
                upload.path
            ));
        }
        let source = workspace.join(upload.path);
        if any_depth(upload.path).is_some() {
            // Matched above.
        } else if source.is_file() {
            let name = source.file_name().unwrap().to_owned();
            files.push((PathBuf::from(name), source.clone()));
        } else if source.is_dir() {
            for file in super::workspace::files(&source) {
                files.push((file.strip_prefix(&source).unwrap().to_path_buf(), file));
            }
        }
        // Hidden: any component of the path from the workspace starts with a dot.
        if !upload.include_hidden_files {
            files.retain(|(_, file)| {
                !file
                    .strip_prefix(workspace)
                    .unwrap_or(file)
                    .components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            });
        }
        if files.is_empty() {
            let message = format!(
                "No files were found with the provided path: {}",
                upload.path
            );
            return match upload.if_no_files_found {
                "warn" => Ok(Ok(format!(
                    "::warning::{message}. No artifacts will be uploaded."
                ))),
                "ignore" => Ok(Ok(format!("{message}. No artifacts will be uploaded."))),
                "error" => Ok(Err(format!("::error::{message}"))),
                other => Err(format!("if-no-files-found: `{other}` is not a valid value")),
            };
        }
        let _taken = self.lock.lock().unwrap();
        let dest = self.dir.join(upload.name);
        if dest.exists() {
            if !upload.overwrite {
                return Ok(Err(format!(
                    "::error::an artifact named `{}` already exists in this run",
                    upload.name
                )));
            }
            std::fs::remove_dir_all(&dest).unwrap();
        }
        for (relative, file) in &files {
            let target = dest.join(relative);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(file, target).unwrap();
        }
        Ok(Ok(format!(
            "uploaded {} file(s) as artifact `{}`",
            files.len(),
            upload.name
        )))
    }

    pub fn download(
        &self,
        workspace: &Path,
        download: &Download<'_>,
    ) -> Result<StepResult, String> {
        let dest = workspace.join(download.path.unwrap_or(""));
        let names = self.names();
        let chosen: Vec<String> = match (download.name, download.pattern) {
            (Some(_), Some(_)) => {
                return Err("download-artifact with both `name` and `pattern`".into())
            }
            (Some(name), None) => {
                if !names.iter().any(|n| n == name) {
                    return Ok(Err(format!(
                        "::error::Unable to download artifact(s): Artifact not found for name: {name}"
                    )));
                }
                // A download by name extracts straight into `path`.
                copy_tree(&self.dir.join(name), &dest);
                return Ok(Ok(format!("downloaded artifact `{name}`")));
            }
            (None, Some(pattern)) => {
                if pattern.contains(['?', '[', '{', '!']) || pattern.contains("**") {
                    return Err(format!(
                        "the pattern `{pattern}` is not rehearsed (only `*`)"
                    ));
                }
                names
                    .into_iter()
                    .filter(|n| wildcard_match(pattern, n))
                    .collect()
            }
            (None, None) => names,
        };
        for name in &chosen {
            let into = if download.merge_multiple {
                dest.clone()
            } else {
                dest.join(name)
            };
            copy_tree(&self.dir.join(name), &into);
        }
        Ok(Ok(format!(
            "downloaded {} artifact(s): {}",
            chosen.len(),
            chosen.join(", ")
        )))
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for file in super::workspace::files(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, target).unwrap();
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || !name[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// `<dir>/**/<name>` split into its directory and file name, when the path is that glob.
fn any_depth(path: &str) -> Option<(&str, &str)> {
    let (under, name) = path.split_once("/**/")?;
    let plain = |p: &str| !p.is_empty() && !p.contains(['*', '?', '[', '{', '!', '\n', '/']);
    (plain(name) && !under.contains(['*', '?', '[', '{', '!', '\n'])).then_some((under, name))
}

#[cfg(test)]
mod tests {
    use super::{wildcard_match, Artifacts, Upload};

    /// A leg's `errored.tfstate` is found at any depth of the work dirs and kept below them.
    #[test]
    fn a_file_at_any_depth_is_uploaded_with_its_path() {
        let workspace = tempfile::tempdir().unwrap();
        let deep = workspace
            .path()
            .join(".orchestrator/workdirs/a-dev/platform/l/platform");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("errored.tfstate"), "{}").unwrap();
        std::fs::write(deep.join("main.tf"), "").unwrap();
        let store = tempfile::tempdir().unwrap();
        let artifacts = Artifacts::new(store.path().join("artifacts"));
        let upload = |path| Upload {
            name: "errored-state",
            path,
            if_no_files_found: "ignore",
            include_hidden_files: true,
            overwrite: true,
        };
        let result = artifacts
            .upload(
                workspace.path(),
                &upload(".orchestrator/workdirs/**/errored.tfstate"),
            )
            .unwrap();
        assert_eq!(
            result,
            Ok("uploaded 1 file(s) as artifact `errored-state`".into())
        );
        assert!(store
            .path()
            .join("artifacts/errored-state/errored.tfstate")
            .is_file());
        let none = artifacts
            .upload(
                workspace.path(),
                &upload(".orchestrator/workdirs/**/crash.log"),
            )
            .unwrap();
        assert!(none.unwrap().contains("No files were found"));
    }

    #[test]
    fn patterns_match_like_minimatch_for_stars() {
        assert!(wildcard_match("report-stage-*", "report-stage-catalog-dev"));
        assert!(!wildcard_match("report-stage-*", "logs-stage-catalog-dev"));
        assert!(wildcard_match("report-*", "report-prod-a"));
        assert!(!wildcard_match("report-*", "run-report"));
        assert!(wildcard_match("a*b*c", "axxbyyc"));
        assert!(!wildcard_match("a*b*c", "ac"));
    }
}
