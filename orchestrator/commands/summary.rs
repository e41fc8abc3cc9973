use crate::cli::SummaryArgs;
use crate::exit::{CliError, CommandResult};

pub fn run(_args: SummaryArgs) -> CommandResult {
    Err(CliError::bad_input(
        "summary is not available in this build",
    ))
}
