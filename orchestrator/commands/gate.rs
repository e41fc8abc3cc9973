use std::path::Path;

use crate::cli::GateArgs;
use crate::exit::{CliError, CommandResult};

pub fn run(_config_path: &Path, _args: GateArgs) -> CommandResult {
    Err(CliError::bad_input("gate is not available in this build"))
}
