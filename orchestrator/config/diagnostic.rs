//! A problem found in `domains.yaml`, printed as `path:line:col: what is wrong; what to do`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based position in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub pos: Pos,
    pub message: String,
    pub help: String,
}

impl Diagnostic {
    pub fn new(pos: Pos, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            pos,
            message: message.into(),
            help: help.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}; {}",
            self.pos.line, self.pos.col, self.message, self.help
        )
    }
}

/// Every problem of one config file, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    pub file: PathBuf,
    pub problems: Vec<Diagnostic>,
}

impl ConfigErrors {
    pub fn new(file: &Path, mut problems: Vec<Diagnostic>) -> Self {
        problems.sort_by_key(|d| d.pos);
        problems.dedup();
        Self {
            file: file.to_path_buf(),
            problems,
        }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{d}", self.file.display())?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}
