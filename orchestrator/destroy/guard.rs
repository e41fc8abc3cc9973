//! What `destroy` refuses before anything is planned (bad input, exit 2): no way to confirm,
//! prod accounts without `--env prod` and `--yes`, the platform layer without
//! `--including-platform`, a copy that does not exist, a layer copies still depend on.

use std::collections::BTreeMap;

use crate::config::{Account, Config};
use crate::plan::Plan;
use crate::stacks::{CopyState, ListError, StackCopy};

/// The copies each selected account has (`stacks::list_copies_of`), by account name.
pub type Listed = BTreeMap<String, Result<Vec<CopyState>, ListError>>;

/// The flags that decide whether a destroy may start.
#[derive(Debug, Clone, Copy)]
pub struct DestroyRequest<'a> {
    /// `--env`: the environments the named accounts may be in.
    pub environments: &'a [String],
    pub yes: bool,
    pub plan_only: bool,
    pub including_platform: bool,
    pub stdin_is_terminal: bool,
    pub stack: Option<&'a StackCopy>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestroyError {
    #[error("destroy asks for confirmation on a terminal, and stdin is not one: pass --yes to destroy without asking (or --plan-only to see what would go); nothing was planned")]
    CannotConfirm,
    #[error("{account} is in environment `{environment}`, which --env {given} does not name; add it to --env or leave the account out")]
    EnvironmentNotNamed {
        account: String,
        environment: String,
        given: String,
    },
    #[error("{accounts} {are} production: destroying {them} needs `--env {environment}` spelled out and --yes")]
    Production {
        accounts: String,
        are: &'static str,
        them: &'static str,
        environment: String,
    },
    #[error("destroying layer `{layer}` of {accounts} removes the account baseline (the roles and network everything else uses): pass --including-platform to mean it, or --layers without `{layer}`")]
    Platform { layer: String, accounts: String },
    #[error("{account} has no copy `{stack}` of layer `{layer}`; {existing}")]
    UnknownCopy {
        account: String,
        stack: String,
        layer: String,
        existing: String,
    },
    #[error("{account} still has copies of layer `{stack_layer}` ({copies}) that depend on layer `{layer}`: destroy them first (`orchestrator destroy --accounts {account} --stack NAME`)")]
    CopiesDependOn {
        account: String,
        layer: String,
        stack_layer: String,
        copies: String,
    },
    #[error("{0}")]
    State(String),
}

/// Checked before anything else, the state backend included: a destroy nobody can confirm.
pub fn check_confirmable(request: &DestroyRequest<'_>) -> Result<(), DestroyError> {
    if !request.yes && !request.plan_only && !request.stdin_is_terminal {
        return Err(DestroyError::CannotConfirm);
    }
    Ok(())
}

/// Every refusal, checked in the order a person fixes them; `Ok` when the destroy may plan.
/// `listed` holds the copies of the plan's accounts when the config has stacks.
pub fn check(
    config: &Config,
    plan: &Plan,
    request: &DestroyRequest<'_>,
    listed: &Listed,
) -> Result<(), DestroyError> {
    check_confirmable(request)?;
    let accounts: Vec<&Account> = plan.jobs().map(|j| &j.account).collect();
    if !request.environments.is_empty() {
        if let Some(a) = accounts
            .iter()
            .find(|a| !request.environments.contains(&a.environment))
        {
            return Err(DestroyError::EnvironmentNotNamed {
                account: a.name.clone(),
                environment: a.environment.clone(),
                given: request.environments.join(","),
            });
        }
    }
    let production: Vec<&&Account> = accounts.iter().filter(|a| is_production(a)).collect();
    // `--env` naming the environment, and --yes even on a terminal: a typed answer is too
    // easy to give out of habit for production.
    let unconfirmed = production.iter().any(|a| {
        !request.environments.contains(&a.environment) || (!request.yes && !request.plan_only)
    });
    if unconfirmed {
        let plural = production.len() > 1;
        return Err(DestroyError::Production {
            accounts: names(production.iter().map(|a| a.name.as_str())),
            are: if plural { "are" } else { "is" },
            them: if plural { "them" } else { "it" },
            environment: production[0].environment.clone(),
        });
    }
    if request.stack.is_none() && !request.including_platform {
        if let Some(platform) = config.layers.first().filter(|_| config.layers.len() > 1) {
            let with: Vec<&str> = plan
                .jobs()
                .filter(|j| j.layers.contains(platform))
                .map(|j| j.account.name.as_str())
                .collect();
            if !with.is_empty() {
                return Err(DestroyError::Platform {
                    layer: platform.clone(),
                    accounts: names(with.into_iter()),
                });
            }
        }
    }
    match request.stack {
        Some(copy) => copies_exist(&accounts, copy, listed),
        None => no_dependent_copies(config, plan, listed),
    }
}

/// An account of a `prod` or `production` environment or wave.
fn is_production(account: &Account) -> bool {
    ["prod", "production"]
        .iter()
        .any(|p| account.environment == *p || account.wave == *p)
}

fn copies_exist(
    accounts: &[&Account],
    copy: &StackCopy,
    listed: &Listed,
) -> Result<(), DestroyError> {
    for account in accounts {
        let copies = match listed.get(&account.name) {
            Some(Ok(copies)) => copies,
            Some(Err(e)) => return Err(DestroyError::State(e.to_string())),
            None => {
                return Err(DestroyError::State(format!(
                    "{}: copies not listed",
                    account.name
                )))
            }
        };
        if !copies.iter().any(|c| c.stack == copy.name) {
            let existing = if copies.is_empty() {
                "it has no copies (`orchestrator stacks` lists them)".to_string()
            } else {
                format!(
                    "its copies: {}",
                    names(copies.iter().map(|c| c.stack.as_str()))
                )
            };
            return Err(DestroyError::UnknownCopy {
                account: account.name.clone(),
                stack: copy.name.to_string(),
                layer: copy.layer.clone(),
                existing,
            });
        }
    }
    Ok(())
}

/// Destroying a main-stack layer that comes before the stack layer would pull the ground
/// from under the account's copies.
fn no_dependent_copies(config: &Config, plan: &Plan, listed: &Listed) -> Result<(), DestroyError> {
    let Some(stacks) = &config.stacks else {
        return Ok(());
    };
    let Some(stack_at) = config.layers.iter().position(|l| *l == stacks.layer) else {
        return Ok(());
    };
    for job in plan.jobs() {
        let Some(below) = job
            .layers
            .iter()
            .find(|l| config.layers.iter().position(|c| c == *l) < Some(stack_at))
        else {
            continue;
        };
        // A backend that cannot be read does not block a main-stack destroy.
        let Some(Ok(copies)) = listed.get(&job.account.name) else {
            continue;
        };
        if !copies.is_empty() {
            return Err(DestroyError::CopiesDependOn {
                account: job.account.name.clone(),
                layer: below.clone(),
                stack_layer: stacks.layer.clone(),
                copies: names(copies.iter().map(|c| c.stack.as_str())),
            });
        }
    }
    Ok(())
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}
