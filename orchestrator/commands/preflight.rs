use std::path::Path;

use crate::cli::PreflightArgs;
use crate::exit::{CliError, CommandResult};

pub fn run(_config_path: &Path, _args: PreflightArgs) -> CommandResult {
    Err(CliError::bad_input(
        "preflight is not available in this build",
    ))
}
