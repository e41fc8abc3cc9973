use std::path::Path;

use crate::console::println;
use crate::exit::{CommandResult, Exit};

pub(super) fn run(config_path: &Path) -> CommandResult {
    // `validate` also looks inside every layer directory (other commands need not).
    let checks = crate::config::Checks {
        layer_contents: true,
    };
    let config = crate::config::load_checked(config_path, checks)?;
    println!(
        "{}: valid: {} domains, {} accounts, {} waves, layers {}",
        config_path.display(),
        config.domains.len(),
        config.accounts.len(),
        config.waves.len(),
        config.layers.join(", ")
    );
    super::leave_to_exit::leave_to_exit(config);
    Ok(Exit::Success)
}
