//! GitHub Actions masking: once `::add-mask::<value>` is on a step's output, the runner
//! replaces the value with `***` in every later log line. Each secret is announced the
//! moment it exists, before anything could print it.

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
        // Kept out of the run report and messages wherever the run is (`secrets`).
        crate::secrets::register(value);
        if !self.enabled {
            return;
        }
        // The one writer orders it before anything printed after this call, on both streams.
        crate::console::mask(value);
    }
}
