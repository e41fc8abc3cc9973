use std::path::Path;

use crate::cli::{NotifyOn, SlackArgs};
use crate::config::{self, Domain};
use crate::console::{eprintln, println};
use crate::exit::{CliError, CommandResult, Exit};
use crate::notify::slack::trigger::Decision;
use crate::notify::slack::{self, DeliveryPolicy, When};
use crate::notify::{Digest, NextCommands, RunLinks};
use crate::report::read_report;
use crate::workdir::shown;

pub(super) fn slack(config_path: &Path, args: SlackArgs) -> CommandResult {
    let report = read_report(&args.report)?;
    let previous = match &args.previous {
        Some(path) => Some(read_report(path)?),
        None => None,
    };
    let domains = domains(config_path)?;
    let routing = slack::route(&report, &domains, |name| std::env::var(name).ok())?;
    for note in &routing.notes {
        eprintln!("note: {note}");
    }

    let when = match args.on {
        NotifyOn::Failure => When::Failure,
        NotifyOn::Always => When::Always,
        NotifyOn::Change => When::Change,
    };
    let policy = DeliveryPolicy {
        timeout: args.timeout,
        retry: DeliveryPolicy::exponential(args.retries, args.retry_delay),
        ..DeliveryPolicy::default()
    };
    let links = RunLinks::from_env(report.source.as_ref());
    let commands = NextCommands::new(&report, Some(&shown(&args.report)));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::undelivered(format!("cannot start the HTTP client: {e}")))?;
    let client = crate::tls::http_client()
        .connect_timeout(args.timeout)
        .build()
        .map_err(|e| CliError::undelivered(format!("cannot start the HTTP client: {e}")))?;

    let mut undelivered = Vec::new();
    for target in &routing.targets {
        let label = target.label();
        let digest = Digest::new(&report, target.scope);
        let previous = previous.as_ref().map(|p| Digest::new(p, target.scope));
        let kind = match slack::decide(when, &digest, previous.as_ref()) {
            Decision::Skip(why) => {
                println!("not posted to {label}: {why}");
                continue;
            }
            Decision::Post(kind) => kind,
        };
        let message = slack::build(&digest, &links, &commands, target.audience, &kind);
        let delivered = runtime.block_on(slack::deliver(
            &client,
            &target.webhook,
            &message,
            &policy,
            |problem, wait| {
                eprintln!(
                    "{label}: {problem}; retrying in {}",
                    humantime::format_duration(wait)
                )
            },
        ));
        match delivered {
            Ok(d) => println!(
                "posted to {label} ({}, host {}){}",
                target.webhook.variable(),
                target.webhook.host(),
                if d.attempts > 1 {
                    format!(" after {} attempts", d.attempts)
                } else {
                    String::new()
                }
            ),
            Err(e) => undelivered.push(format!("{label}: {e}")),
        }
    }
    match undelivered.as_slice() {
        [] => Ok(Exit::Success),
        [one] => Err(CliError::undelivered(one.clone())),
        many => {
            for e in &many[..many.len() - 1] {
                eprintln!("error: {e}");
            }
            Err(CliError::undelivered(format!(
                "{}\n{} Slack messages were not delivered",
                many[many.len() - 1],
                many.len()
            )))
        }
    }
}

/// The domains (for their Slack channels). Without a config file, team webhooks still work;
/// only the channel names are unknown.
fn domains(config_path: &Path) -> Result<Vec<Domain>, CliError> {
    if !config_path.exists() {
        return Ok(Vec::new());
    }
    Ok(config::load(config_path)?.domains)
}
