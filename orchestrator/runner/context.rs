//! What every job of a run shares.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::cancel::Cancellation;
use super::options::RunOptions;
use crate::config::Config;
use crate::credentials::CredentialsProvider;
use crate::events::{Event, EventSender};

pub(super) struct RunContext {
    pub config: Arc<Config>,
    /// `config.layers_dir` and `config.root`, absolute: terraform runs in the layer's
    /// directory, where relative paths would mean something else.
    pub layers_dir: PathBuf,
    pub config_root: PathBuf,
    pub options: RunOptions,
    pub credentials: Arc<dyn CredentialsProvider>,
    pub events: EventSender,
    pub cancel: Cancellation,
    /// Held around `init` when a plugin cache is shared: terraform's cache is not safe for
    /// concurrent `init` (two inits installing one provider corrupt each other,
    /// hashicorp/terraform#31964).
    pub init_lock: Option<tokio::sync::Mutex<()>>,
    /// The first account that failed, for `--fail-fast`.
    pub first_failure: Mutex<Option<String>>,
}

impl RunContext {
    pub(super) fn send(&self, event: Event) {
        self.events.send(event);
    }

    pub(super) fn record_failure(&self, account: &str) {
        let mut first = self.first_failure.lock().unwrap_or_else(|e| e.into_inner());
        first.get_or_insert_with(|| account.to_string());
    }

    pub(super) fn first_failure(&self) -> Option<String> {
        self.first_failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
