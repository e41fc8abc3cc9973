//! One file per subcommand: each turns parsed flags into calls on the library.

mod claiming;
mod completions;
mod deploy;
mod destroy;
mod domain;
mod execute;
mod gate;
mod invocation;
mod jobs;
mod leave_to_exit;
mod loading;
mod matrix;
mod notify;
mod preflight;
mod report;
mod resolve;
mod schema;
mod selecting;
mod signals;
mod stacks;
mod stdout;
mod summary;
mod validate;
mod vend;

use crate::cli::{Cli, Command, DomainCommand, NotifyCommand, ReportCommand};
use crate::exit::CommandResult;

pub fn dispatch(cli: Cli) -> CommandResult {
    let inv = invocation::Invocation::new(cli.config, cli.work_dir);
    let work_dir = inv.work_dir()?;
    loading::set_work_dir(work_dir.root().to_path_buf());
    match cli.command {
        Command::Validate => validate::run(inv.config()?),
        Command::Jobs(args) => jobs::run(inv.config()?, args),
        Command::Matrix(args) => matrix::run(inv.config()?, args),
        Command::Deploy(mut args) => {
            args.execution.work_dir = work_dir.root().to_path_buf();
            deploy::deploy(inv.config()?, args)
        }
        Command::Run(mut args) => {
            args.execution.work_dir = work_dir.root().to_path_buf();
            deploy::run(inv.config()?, args)
        }
        Command::Preflight(args) => preflight::run(inv.config()?, args),
        Command::Notify(NotifyCommand::Slack(args)) => notify::slack(inv.config_if_any(), args),
        Command::Report(ReportCommand::Merge(args)) => report::merge(inv.config_if_any(), args),
        Command::Report(ReportCommand::Summary(args)) => report::summary(args),
        Command::Gate(args) => gate::run(inv.config()?, args),
        Command::Summary(args) => summary::run(inv.config_if_any(), args),
        Command::Schema(args) => schema::run(&args),
        Command::Destroy(mut args) => {
            args.execution.work_dir = work_dir.root().to_path_buf();
            destroy::run(inv.config()?, args)
        }
        Command::Stacks(args) => stacks::run(inv.config()?, args),
        Command::Vend(args) => vend::run(inv.config()?, args),
        Command::Domain(DomainCommand::Add(args)) => domain::add(inv.config()?, args),
        Command::Completions(args) => completions::completions(&args),
        Command::Manpage => completions::manpage(),
    }
}
