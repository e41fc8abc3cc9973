use std::path::Path;

use crate::cli::DomainAddArgs;
use crate::exit::{CliError, CommandResult};

pub fn add(_config_path: &Path, _args: DomainAddArgs) -> CommandResult {
    Err(CliError::bad_input(
        "domain add is not available in this build",
    ))
}
