//! Which files `summary` reads, and which account and layer a plan file belongs to when no
//! run report says.

use std::path::{Path, PathBuf};

use super::error::CollectError;

/// A plan file and the names the path gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    pub path: PathBuf,
}

impl PlanFile {
    /// The runner saves plans as `<...>/<account>/<layer>.json`; a bare `<name>.json` is
    /// account `<name>` with one layer called `plan`.
    pub fn names_from_path(&self) -> (String, String) {
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parent = self
            .path
            .parent()
            .and_then(Path::file_name)
            .map(|s| s.to_string_lossy().into_owned());
        match parent {
            Some(account) => (account, stem),
            None => (stem, "plan".to_string()),
        }
    }
}

/// Every plan file named by `inputs`: files as given (a missing one fails when it is read),
/// directories searched for `*.json`, sorted, without `exclude` (the run report).
pub fn plan_files(
    inputs: &[PathBuf],
    exclude: Option<&Path>,
) -> Result<Vec<PlanFile>, CollectError> {
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let before = files.len();
            walk(input, exclude.as_deref(), &mut files).map_err(|_| CollectError::NoPlans {
                path: input.clone(),
            })?;
            if files.len() == before {
                return Err(CollectError::NoPlans {
                    path: input.clone(),
                });
            }
        } else {
            files.push(PlanFile {
                path: input.clone(),
            });
        }
    }
    Ok(files)
}

fn walk(dir: &Path, exclude: Option<&Path>, files: &mut Vec<PlanFile>) -> std::io::Result<()> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort();
    for path in entries {
        // symlink_metadata: a symlinked directory is not followed, so a loop cannot hang us.
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_dir() {
            walk(&path, exclude, files)?;
        } else if path.extension().is_some_and(|e| e == "json")
            && path.is_file()
            && (exclude.is_none() || path.canonicalize().ok().as_deref() != exclude)
        {
            files.push(PlanFile { path });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(path: &str) -> (String, String) {
        PlanFile { path: path.into() }.names_from_path()
    }

    #[test]
    fn names_come_from_the_runner_layout() {
        assert_eq!(
            names(".orchestrator/plans/catalog-dev/static.json"),
            ("catalog-dev".into(), "static".into())
        );
        assert_eq!(
            names("catalog-dev.json"),
            ("catalog-dev".into(), "plan".into())
        );
    }
}
