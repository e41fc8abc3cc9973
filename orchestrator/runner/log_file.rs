//! The log of one (account, layer): every command line and everything terraform printed,
//! attempt after attempt, in `<work dir>/logs/<account>/<layer>.log`.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Unbuffered: each line is written as it arrives, so `tail -f` on the log follows a long
/// apply and a killed orchestrator loses nothing.
pub(super) struct LayerLog {
    path: PathBuf,
    file: File,
}

impl LayerLog {
    /// Starts a fresh log (the previous run's is replaced).
    pub(super) fn create(path: &Path) -> io::Result<Self> {
        Ok(Self {
            path: path.to_path_buf(),
            file: File::create(path)?,
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// A line of terraform output (with its newline, as read).
    pub(super) fn output(&mut self, bytes: &[u8]) {
        // A full disk must not fail the deploy itself; the output is also kept in memory
        // for the run report.
        let _ = self.file.write_all(bytes);
    }

    /// A line of our own: the command being run, how it ended.
    pub(super) fn note(&mut self, text: &str) {
        let _ = self.file.write_all(format!("{text}\n").as_bytes());
    }
}
