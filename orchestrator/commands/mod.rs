//! One file per subcommand: each turns parsed flags into calls on the library.

mod common;
mod deploy;
mod domain;
mod gate;
mod invocation;
mod jobs;
mod leave_to_exit;
mod matrix;
mod notify;
mod preflight;
mod report;
mod schema;
mod summary;
mod validate;
mod vend;

use crate::cli::{Cli, Command, DomainCommand, NotifyCommand, ReportCommand};
use crate::exit::CommandResult;

pub fn dispatch(cli: Cli) -> CommandResult {
    let inv = invocation::Invocation::new(cli.config, cli.work_dir);
    match cli.command {
        Command::Validate => validate::run(inv.config()?),
        Command::Jobs(args) => jobs::run(&inv, args),
        Command::Matrix(args) => matrix::run(&inv, args),
        Command::Deploy(args) => deploy::deploy(&inv, args),
        Command::Run(args) => deploy::run(&inv, args),
        Command::Preflight(args) => preflight::run(&inv, args),
        Command::Notify(NotifyCommand::Slack(args)) => notify::slack(inv.config_if_any(), args),
        Command::Report(ReportCommand::Merge(args)) => report::merge(inv.config_if_any(), args),
        Command::Report(ReportCommand::Summary(args)) => report::summary(args),
        Command::Gate(args) => gate::run(inv.config()?, args),
        Command::Summary(args) => summary::run(inv.config_if_any(), args),
        Command::Schema => schema::run(),
        Command::Vend(args) => vend::run(&inv, args),
        Command::Domain(DomainCommand::Add(args)) => domain::add(inv.config()?, args),
    }
}
