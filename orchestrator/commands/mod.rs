//! One file per subcommand: each turns parsed flags into calls on the library.

mod common;
mod completions;
mod deploy;
mod destroy;
mod domain;
mod execute;
mod gate;
mod jobs;
mod leave_to_exit;
mod matrix;
mod notify;
mod preflight;
mod report;
mod resolve;
mod schema;
mod signals;
mod stacks;
mod summary;
mod validate;
mod vend;

use crate::cli::{Cli, Command, DomainCommand, NotifyCommand, ReportCommand};
use crate::exit::CommandResult;

pub fn dispatch(cli: Cli) -> CommandResult {
    let config = cli.config.as_path();
    match cli.command {
        Command::Validate => validate::run(config),
        Command::Jobs(args) => jobs::run(config, args),
        Command::Matrix(args) => matrix::run(config, args),
        Command::Deploy(args) => deploy::deploy(config, args),
        Command::Run(args) => deploy::run(config, args),
        Command::Preflight(args) => preflight::run(config, args),
        Command::Notify(NotifyCommand::Slack(args)) => notify::slack(config, args),
        Command::Report(ReportCommand::Merge(args)) => report::merge(config, args),
        Command::Report(ReportCommand::Summary(args)) => report::summary(args),
        Command::Gate(args) => gate::run(config, args),
        Command::Summary(args) => summary::run(config, args),
        Command::Schema(args) => schema::run(&args),
        Command::Destroy(args) => destroy::run(config, args),
        Command::Stacks(args) => stacks::run(config, args),
        Command::Vend(args) => vend::run(config, args),
        Command::Domain(DomainCommand::Add(args)) => domain::add(config, args),
        Command::Completions(args) => completions::completions(&args),
        Command::Manpage => completions::manpage(),
    }
}
