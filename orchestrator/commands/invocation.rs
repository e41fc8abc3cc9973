//! The global flags resolved once: which config file (found upwards when `--config` is not
//! given) and which work dir.

use std::path::{Path, PathBuf};

use crate::exit::CliError;
use crate::workdir::{self, ConfigNotFound, WorkDir};

pub(super) struct Invocation {
    config: Result<PathBuf, ConfigNotFound>,
    work_dir: Option<PathBuf>,
}

impl Invocation {
    pub(super) fn new(config: Option<PathBuf>, work_dir: Option<PathBuf>) -> Self {
        let config = match config.filter(|p| !p.as_os_str().is_empty()) {
            Some(path) => Ok(path),
            None => std::env::current_dir()
                .map_err(|_| ConfigNotFound {
                    start: PathBuf::from("."),
                    looked_in: Vec::new(),
                })
                .and_then(|cwd| workdir::find_config(&cwd)),
        };
        Self { config, work_dir }
    }

    /// The config file; exit 2 naming every directory searched when none was found.
    pub(super) fn config(&self) -> Result<&Path, CliError> {
        self.config
            .as_deref()
            .map_err(|e| CliError::from(e.clone()))
    }

    /// For commands that work without a config (`summary`, `notify`, `report merge`): the
    /// found one, else `domains.yaml` (which they treat as absent).
    pub(super) fn config_if_any(&self) -> &Path {
        self.config
            .as_deref()
            .unwrap_or(Path::new(workdir::CONFIG_FILE))
    }

    pub(super) fn work_dir(&self) -> Result<WorkDir, CliError> {
        let config = self.config_if_any();
        WorkDir::resolve(self.work_dir.as_deref(), config)
            .map_err(|e| CliError::bad_input(format!("cannot resolve the work dir: {e}")))
    }
}
