//! A problem found in `domains.yaml`, printed as `path:line:col: what is wrong; what to do`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based position in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    // u32: every node of the YAML tree carries one, and a 10,000-domain file has 400,000.
    pub line: u32,
    pub col: u32,
}

impl Pos {
    /// A position from 1-based counts (saturating: a file has fewer than 4 billion lines).
    pub fn new(line: usize, col: usize) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            line: clamp(line),
            col: clamp(col),
        }
    }

    /// The 1-based line, for indexing.
    pub fn line(self) -> usize {
        self.line as usize
    }

    /// The 1-based column (in characters), for indexing.
    pub fn col(self) -> usize {
        self.col as usize
    }
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
