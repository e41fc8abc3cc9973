//! GitHub Actions masking: once `::add-mask::<value>` is on a step's output, the runner
//! replaces the value with `***` in every later log line. Each secret is announced the
//! moment it exists, before anything could print it.

use std::io::Write;

#[derive(Debug, Clone, Copy)]
pub(super) struct Masker {
    enabled: bool,
}

impl Masker {
    /// Masks only inside GitHub Actions (`GITHUB_ACTIONS=true`); elsewhere the line would be noise.
    pub(super) fn from_env() -> Self {
        Self {
            enabled: crate::github_actions::GithubActions::from_env().actions,
        }
    }

    pub(super) fn mask(&self, value: &str) {
        if !self.enabled {
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(crate::github_actions::mask_lines(value).as_bytes());
        let _ = out.flush();
    }
}
