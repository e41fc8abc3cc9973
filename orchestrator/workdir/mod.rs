//! The one working directory: where the config is found, and where everything the
//! orchestrator writes lives (local state, logs, data dirs, run reports, plans, account ids),
//! plus how its paths and commands are shown to the user.

mod config_search;
mod layout;
mod shown;

pub use config_search::{find_config, ConfigNotFound, CONFIG_FILE};
pub use layout::{normalise, WorkDir, DEFAULT_WORK_DIR};
pub use shown::{command_hint, config_flag, shell_word, shown, shown_from};
