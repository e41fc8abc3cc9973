use std::path::Path;

use crate::cli::SlackArgs;
use crate::exit::{CliError, CommandResult};

pub fn slack(_config_path: &Path, _args: SlackArgs) -> CommandResult {
    Err(CliError::bad_input(
        "notify slack is not available in this build",
    ))
}
