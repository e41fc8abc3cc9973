use std::path::Path;

use crate::cli::{DeployArgs, RunArgs};
use crate::exit::{CliError, CommandResult};

pub fn deploy(config_path: &Path, _args: DeployArgs) -> CommandResult {
    super::common::load_config(config_path)?;
    Err(CliError::bad_input("deploy is not available in this build"))
}

pub fn run(config_path: &Path, _args: RunArgs) -> CommandResult {
    super::common::load_config(config_path)?;
    Err(CliError::bad_input("run is not available in this build"))
}
