//! GitHub Actions masking: once `::add-mask::<value>` is on a step's output, the runner
//! replaces the value with `***` in every later log line. Each secret is announced the
//! moment it exists, before anything could print it.

use std::io::Write;

#[derive(Debug, Clone, Copy)]
pub struct Masker {
    enabled: bool,
}

impl Masker {
    /// Masks only inside GitHub Actions (`GITHUB_ACTIONS=true`); elsewhere the line would be noise.
    pub fn from_env() -> Self {
        Self {
            enabled: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
        }
    }

    pub fn mask(&self, value: &str) {
        if !self.enabled {
            return;
        }
        let mut out = std::io::stdout().lock();
        // A mask covers one line; a multi-line secret needs one mask per line.
        for line in value.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let _ = writeln!(out, "::add-mask::{line}");
        }
        let _ = out.flush();
    }
}
