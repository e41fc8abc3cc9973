//! What a team asks for, checked against the config, with each new account's network
//! block allocated from the configured pool.

use std::collections::HashMap;

use super::super::cidr::Cidr;
use super::super::model::Config;
use super::super::names;
use super::error::AddDomainError;

/// The request as a team makes it (`domain add NAME --team T --envs ... --account-id ...`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainRequest {
    pub name: String,
    pub team: String,
    pub environments: Vec<String>,
    /// (environment, account id) pairs, as given.
    pub account_ids: Vec<(String, String)>,
    pub slack_channel: Option<String>,
}

/// The entry that will be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDomain {
    pub name: String,
    pub team: String,
    pub slack_channel: Option<String>,
    pub accounts: Vec<NewAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub environment: String,
    pub account_id: String,
    /// Allocated from `defaults.network.pool` when one is configured.
    pub network_cidr: Option<String>,
}

/// `ENV=ID` from `--account-id`.
pub fn parse_account_id(arg: &str) -> Result<(String, String), AddDomainError> {
    match arg.split_once('=') {
        Some((env, id)) if !env.trim().is_empty() && !id.trim().is_empty() => {
            Ok((env.trim().to_string(), id.trim().to_string()))
        }
        _ => Err(AddDomainError::MalformedAccountId(arg.to_string())),
    }
}

/// Checks the request against `config` and decides every value of the new entry. (That
/// the name is new is checked on the file itself, which knows the line of each entry.)
pub(super) fn plan(config: &Config, request: &DomainRequest) -> Result<NewDomain, AddDomainError> {
    let name = &request.name;
    if let Err(why) = names::check_domain_name(name) {
        return Err(AddDomainError::InvalidName {
            name: name.clone(),
            why,
            rule: names::NAME_RULE,
        });
    }
    if request.environments.is_empty() {
        return Err(AddDomainError::NoEnvironments);
    }
    for (i, env) in request.environments.iter().enumerate() {
        if !names::is_valid_name(env) {
            return Err(AddDomainError::InvalidEnvironment(env.clone()));
        }
        if request.environments[..i].contains(env) {
            return Err(AddDomainError::RepeatedEnvironment(env.clone()));
        }
        if config.waves.iter().all(|w| !w.environments.contains(env)) {
            let waves: Vec<&str> = config.waves.iter().map(|w| w.name.as_str()).collect();
            return Err(AddDomainError::EnvironmentInNoWave {
                env: env.clone(),
                waves: waves.join(", "),
            });
        }
    }

    let ids = account_ids(config, request)?;
    let mut taken: Vec<Cidr> = config
        .accounts
        .iter()
        .filter_map(|a| Cidr::parse(a.network_cidr.as_deref()?))
        .collect();
    let pool = config.network.as_ref().and_then(|n| {
        Some((
            n.pool.as_deref()?,
            Cidr::parse(n.pool.as_deref()?)?,
            n.prefix,
        ))
    });
    let mut accounts = Vec::new();
    for env in &request.environments {
        let network_cidr = match pool {
            Some((text, pool, prefix)) => {
                let block = pool.first_free(prefix, &taken).ok_or_else(|| {
                    AddDomainError::PoolExhausted {
                        pool: text.to_string(),
                        prefix,
                        account: format!("{name}-{env}"),
                    }
                })?;
                taken.push(block);
                Some(block.to_string())
            }
            None => None,
        };
        accounts.push(NewAccount {
            environment: env.clone(),
            // Empty without an id: account vending creates the account.
            account_id: ids.get(env.as_str()).cloned().unwrap_or_default(),
            network_cidr,
        });
    }
    Ok(NewDomain {
        name: name.clone(),
        team: request.team.clone(),
        slack_channel: request.slack_channel.clone(),
        accounts,
    })
}

/// One id per environment, each 12 digits and not used by another account.
fn account_ids<'r>(
    config: &Config,
    request: &'r DomainRequest,
) -> Result<HashMap<&'r str, String>, AddDomainError> {
    let mut ids: HashMap<&str, String> = HashMap::new();
    for (env, id) in &request.account_ids {
        if !request.environments.contains(env) {
            return Err(AddDomainError::AccountIdForUnknownEnvironment(env.clone()));
        }
        if id.len() != 12 || !id.chars().all(|c| c.is_ascii_digit()) {
            return Err(AddDomainError::InvalidAccountId {
                env: env.clone(),
                id: id.clone(),
            });
        }
        if ids.insert(env, id.clone()).is_some() {
            return Err(AddDomainError::RepeatedAccountId(env.clone()));
        }
        let other = config
            .accounts
            .iter()
            .map(|a| (a.account_id.as_str(), a.name.clone()))
            .chain(
                request
                    .account_ids
                    .iter()
                    .filter(|(e, _)| e != env)
                    .map(|(e, i)| (i.as_str(), format!("{}-{e}", request.name))),
            )
            .find(|(other_id, _)| *other_id == id.as_str());
        if let Some((_, other)) = other {
            return Err(AddDomainError::AccountIdInUse {
                env: env.clone(),
                id: id.clone(),
                other,
            });
        }
    }
    let missing: Vec<&str> = request
        .environments
        .iter()
        .map(String::as_str)
        .filter(|env| !ids.contains_key(env))
        .collect();
    // With account vending, `orchestrator vend` creates the accounts given no id.
    if !missing.is_empty() && config.account_vending.is_none() {
        return Err(AddDomainError::MissingAccountIds {
            missing: missing.join(", "),
        });
    }
    Ok(ids)
}
