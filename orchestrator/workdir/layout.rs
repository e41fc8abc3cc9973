//! What lives where under the work dir. One place knows the layout, so `run`, `deploy`,
//! `vend`, the resume and the redeploy guard always agree.

use std::path::{Path, PathBuf};

/// The work dir's name next to the config file when neither `--work-dir` nor
/// `ORCHESTRATOR_WORK_DIR` is set.
pub const DEFAULT_WORK_DIR: &str = ".orchestrator";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkDir {
    /// Absolute.
    root: PathBuf,
}

impl WorkDir {
    /// `flag` (`--work-dir` / `ORCHESTRATOR_WORK_DIR`), else `.orchestrator` next to the config
    /// file; relative paths are taken from the current directory.
    pub fn resolve(flag: Option<&Path>, config: &Path) -> std::io::Result<Self> {
        let root = match flag.filter(|p| !p.as_os_str().is_empty()) {
            Some(dir) => dir.to_path_buf(),
            None => config
                .parent()
                .unwrap_or(Path::new(""))
                .join(DEFAULT_WORK_DIR),
        };
        Ok(Self {
            root: normalise(&std::path::absolute(root)?),
        })
    }

    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The latest run report: a copy of the last run's, so scripts can always read one path.
    pub fn latest_report(&self) -> PathBuf {
        self.root.join("report.json")
    }

    pub fn runs_dir(&self) -> PathBuf {
        self.root.join("runs")
    }

    /// Each run keeps its report under its own name, so a targeted redeploy never erases the
    /// record of the roll-out it repairs.
    pub fn run_report(&self, run_id: &str) -> PathBuf {
        self.runs_dir().join(dir_name(run_id)).join("report.json")
    }

    /// Every run report kept in the work dir.
    pub fn run_reports(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.runs_dir()) else {
            return Vec::new();
        };
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path().join("report.json"))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found
    }

    /// Where `vend` records the ids of the accounts it created or imported.
    pub fn account_ids(&self) -> PathBuf {
        self.root.join("account-ids.json")
    }

    /// The vending layer's data dir and log.
    pub fn vending_dir(&self) -> PathBuf {
        self.root.join("vending")
    }
}

/// A run id as one directory name (`/` and other oddities replaced).
fn dir_name(run_id: &str) -> String {
    let name: String = run_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match name.trim_start_matches('.') {
        "" => "run".into(),
        trimmed => trimmed.to_string(),
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system (the work dir may not exist yet).
pub fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_work_dir_is_next_to_the_config_file() {
        let cwd = std::env::current_dir().unwrap();
        let w = WorkDir::resolve(None, Path::new("examples/sandbox/domains.yaml")).unwrap();
        assert_eq!(w.root(), cwd.join("examples/sandbox/.orchestrator"));
        let w = WorkDir::resolve(None, Path::new("domains.yaml")).unwrap();
        assert_eq!(w.root(), cwd.join(".orchestrator"));
        let w = WorkDir::resolve(None, Path::new("sub/../domains.yaml")).unwrap();
        assert_eq!(w.root(), cwd.join(".orchestrator"));
        let w = WorkDir::resolve(Some(Path::new("/tmp/w")), Path::new("domains.yaml")).unwrap();
        assert_eq!(w.root(), Path::new("/tmp/w"));
    }

    #[test]
    fn every_run_has_its_own_report() {
        let w = WorkDir::at("/w");
        assert_eq!(
            w.run_report("123-1"),
            Path::new("/w/runs/123-1/report.json")
        );
        assert_eq!(w.run_report("../x"), Path::new("/w/runs/_x/report.json"));
        assert_eq!(w.latest_report(), Path::new("/w/report.json"));
    }
}
