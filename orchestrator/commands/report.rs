use crate::cli::MergeArgs;
use crate::exit::{CliError, CommandResult};

pub fn merge(_args: MergeArgs) -> CommandResult {
    Err(CliError::bad_input(
        "report merge is not available in this build",
    ))
}
