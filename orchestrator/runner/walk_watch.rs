//! Whether a terraform command's graph walk has started, read from what it printed into its
//! layer log (see `terraform::is_walk_line`): the SIGINT that stops it waits for that.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::terraform::is_walk_line;

pub(super) struct WalkWatch {
    path: PathBuf,
    /// Where the next unread line starts.
    offset: u64,
    started: bool,
}

impl WalkWatch {
    /// Watches the log at `path` from `start`, where the command's output begins.
    pub(super) fn new(path: &Path, start: u64) -> Self {
        Self {
            path: path.to_path_buf(),
            offset: start,
            started: false,
        }
    }

    /// Reads the whole lines printed since the last call; true once one showed the walk.
    pub(super) fn started(&mut self) -> bool {
        if !self.started {
            self.started = self.read_new_lines();
        }
        self.started
    }

    fn read_new_lines(&mut self) -> bool {
        let Ok(mut file) = File::open(&self.path) else {
            return false;
        };
        if file.seek(SeekFrom::Start(self.offset)).is_err() {
            return false;
        }
        let mut reader = BufReader::new(file);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                // A line still being written is read whole next time.
                Ok(n) if n > 0 && line.ends_with(b"\n") => {
                    self.offset += n as u64;
                    if is_walk_line(String::from_utf8_lossy(&line).trim_end()) {
                        return true;
                    }
                }
                _ => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn only_a_whole_walk_line_after_the_start_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layer.log");
        let mut log = File::create(&path).unwrap();
        writeln!(log, "old.resource: Creating...").unwrap();
        let start = log.metadata().unwrap().len();
        let mut watch = WalkWatch::new(&path, start);
        assert!(!watch.started(), "the previous command's walk");
        writeln!(log, "│ Warning: Unable to open CLI configuration file").unwrap();
        write!(log, "terraform_data.baseline: Creat").unwrap();
        assert!(!watch.started(), "a line half written");
        writeln!(log, "ing...").unwrap();
        assert!(watch.started());
        assert!(watch.started(), "stays started");
    }
}
