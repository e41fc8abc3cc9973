//! Shell completions and the man page, both generated from the clap definitions in `cli.rs`
//! so they can never list a flag the binary does not have.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::{CliError, CommandResult, Exit};

pub(super) fn completions(args: &CompletionsArgs) -> CommandResult {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    super::stdout::print_stdout(
        &String::from_utf8_lossy(&script),
        crate::console::Document::Own,
    )?;
    Ok(Exit::Success)
}

pub(super) fn manpage() -> CommandResult {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| CliError::failed(format!("cannot render the man page: {e}")))?;
    super::stdout::print_stdout(
        &String::from_utf8_lossy(&page),
        crate::console::Document::Own,
    )?;
    Ok(Exit::Success)
}
