use crate::exit::{CliError, CommandResult};

pub fn run() -> CommandResult {
    Err(CliError::bad_input("schema is not available in this build"))
}
