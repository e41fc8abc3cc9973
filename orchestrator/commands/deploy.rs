use std::path::Path;

use crate::cli::{DeployArgs, RunArgs};
use crate::exit::{CliError, CommandResult};

pub fn deploy(_config_path: &Path, _args: DeployArgs) -> CommandResult {
    Err(CliError::bad_input("deploy is not available in this build"))
}

pub fn run(_config_path: &Path, _args: RunArgs) -> CommandResult {
    Err(CliError::bad_input("run is not available in this build"))
}
