//! The log of one (account, layer): every command line and everything terraform printed,
//! attempt after attempt, in `<work dir>/logs/<account>/<layer>.log`.
//!
//! terraform writes into this file itself (its stdout and stderr are the file, opened for
//! appending), not through a pipe to the orchestrator: if the orchestrator dies mid-apply, a
//! pipe would break and terraform would die of SIGPIPE at its next line, before saving its
//! state. A file outlives its reader.

use std::fs::{File, OpenOptions};
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
        // Append mode: terraform's writes and ours land at the end, in the order made.
        let file = OpenOptions::new().append(true).create(true).open(path)?;
        file.set_len(0)?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// A handle for a child's stdout or stderr (the same open file, in append mode).
    pub(super) fn for_child(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// How long the log is now: where the next command's output starts.
    pub(super) fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    /// A line of our own: the command being run, how it ended.
    pub(super) fn note(&mut self, text: &str) {
        let _ = self.file.write_all(format!("{text}\n").as_bytes());
    }
}
