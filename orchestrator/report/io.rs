use std::io::Write;
use std::path::{Path, PathBuf};

use super::RunReport;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}: cannot read the run report: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a run report: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// Valid JSON, but not the run report's shape (its JSON Schema says where).
    #[error("{}: not a valid run report (see run-report.schema.json):\n  {}", path.display(), problems.join("\n  "))]
    Invalid {
        path: PathBuf,
        problems: Vec<String>,
    },
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ReportError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReportError::Read { path, .. }
            | ReportError::Parse { path, .. }
            | ReportError::Invalid { path, .. }
            | ReportError::Write { path, .. } => path,
        }
    }
}

pub fn read_report(path: &Path) -> Result<RunReport, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.into(),
        source,
    })?;
    let parse = |source| ReportError::Parse {
        path: path.into(),
        source,
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(parse)?;
    let problems = super::schema::problems(&super::schema::json_schema(), &value);
    if !problems.is_empty() {
        return Err(invalid(path, problems));
    }
    let report: RunReport = serde_json::from_value(value).map_err(parse)?;
    let problems = super::consistency::problems(&report);
    if !problems.is_empty() {
        return Err(invalid(path, problems));
    }
    Ok(report)
}

/// The first problems, and how many more: a hostile report may have thousands.
fn invalid(path: &Path, mut problems: Vec<String>) -> ReportError {
    const SHOWN: usize = 20;
    if problems.len() > SHOWN {
        let more = problems.len() - SHOWN;
        problems.truncate(SHOWN);
        problems.push(format!("... and {more} more"));
    }
    ReportError::Invalid {
        path: path.into(),
        problems,
    }
}

/// A report's size, generously: a fixed part, then each (account, layer) with its attempts
/// and first error lines (a sandbox run takes about 500 bytes a layer).
const REPORT_BASE: usize = 16 << 10;
const REPORT_PER_LAYER: usize = 1 << 10;

/// Checks, before a run starts, that its report can be written at `path`: not a directory,
/// its directory creatable (not under a file) and writable, with room for the report of a
/// run of `layers` (account, layer) pairs (a nearly full disk fails here too). A run
/// whose report would be lost after the deploy is refused before it deploys anything.
/// The error says what is wrong with the path, not what to do: only the caller knows which
/// flag chose it (`--report`, `--work-dir`).
pub fn check_writable(path: &Path, layers: usize) -> Result<(), ReportError> {
    let err = |source| ReportError::Write {
        path: path.into(),
        source,
    };
    if path.is_dir() {
        return Err(err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "it is a directory, not a file",
        )));
    }
    if path.file_name().is_none() {
        return Err(err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "it names no file",
        )));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Under a file: say which, rather than the OS's "File exists".
    if let Some(file) = dir
        .ancestors()
        .find(|a| a.exists() || a.is_symlink())
        .filter(|a| !a.is_dir())
    {
        return Err(err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} is a file, not a directory", file.display()),
        )));
    }
    std::fs::create_dir_all(dir).map_err(err)?;
    // A probe the size of the report, written and synced the way the report will be: a
    // read-only directory or a full disk fails here, not after the deploy.
    let mut probe = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    write_probe(path, probe.as_file_mut(), layers)
}

/// Writes and syncs, into `probe`, as many bytes as the report of a run of `layers`
/// (account, layer) pairs may take; the error names `path`, the report the probe stands for.
/// Its own function so that a full disk can be shown everywhere (`/dev/full`), not only where
/// a small file system can be mounted.
pub fn write_probe(
    path: &Path,
    probe: &mut std::fs::File,
    layers: usize,
) -> Result<(), ReportError> {
    let err = |source| ReportError::Write {
        path: path.into(),
        source,
    };
    let size = REPORT_PER_LAYER
        .saturating_mul(layers)
        .saturating_add(REPORT_BASE);
    let block = [b' '; 16 << 10];
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len());
        probe.write_all(&block[..n]).map_err(err)?;
        left -= n;
    }
    probe.sync_all().map_err(err)?;
    Ok(())
}

/// Writes `bytes` next to `path` then renames, so a reader never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |source| ReportError::Write {
        path: path.into(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
