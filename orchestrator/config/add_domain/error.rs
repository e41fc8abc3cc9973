//! Why a domain could not be added. Every one is bad input (exit code 2) and leaves the
//! file untouched.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddDomainError {
    #[error(
        "the config has problems of its own; run `orchestrator validate` and fix them first:\n{0}"
    )]
    InvalidConfig(String),
    #[error("invalid domain name `{name}`: {why}; {rule}")]
    InvalidName {
        name: String,
        why: &'static str,
        rule: &'static str,
    },
    #[error(
        "domain `{name}` already exists (line {line}); choose another name, or edit its entry"
    )]
    Duplicate { name: String, line: usize },
    #[error("no environments given; pass --envs dev,stage,prod")]
    NoEnvironments,
    #[error("invalid environment name `{0}`; use lowercase letters, digits and `-`, starting with a letter")]
    InvalidEnvironment(String),
    #[error("environment `{0}` is listed twice in --envs; list it once")]
    RepeatedEnvironment(String),
    #[error("environment `{env}` is in no wave (waves: {waves}); add it to a wave in the config first, or choose environments a wave deploys")]
    EnvironmentInNoWave { env: String, waves: String },
    #[error("--account-id `{0}` is not ENV=ID; write it like --account-id prod=123456789012")]
    MalformedAccountId(String),
    #[error("--account-id {env}={id}: an AWS account id is exactly 12 digits; copy it from the AWS console")]
    InvalidAccountId { env: String, id: String },
    #[error("--account-id names environment `{0}`, which is not in --envs; add it to --envs or drop the id")]
    AccountIdForUnknownEnvironment(String),
    #[error("--account-id gives environment `{0}` two ids; give it one")]
    RepeatedAccountId(String),
    #[error("account id {id} (for {env}) is already the id of {other}; every account needs its own AWS account id")]
    AccountIdInUse {
        env: String,
        id: String,
        other: String,
    },
    #[error("no account id for {missing}; pass --account-id ENV=ID for each environment (or set defaults.account_vending, and `orchestrator vend` creates the accounts)")]
    MissingAccountIds { missing: String },
    #[error("network pool {pool} has no free /{prefix} block left for {account}; widen defaults.network.pool or free a block")]
    PoolExhausted {
        pool: String,
        prefix: u8,
        account: String,
    },
    #[error("`domains:` is written as a flow list ([...]); `domain add` appends to the block form (`- name: ...` lines): rewrite the list in that form first")]
    FlowStyleDomains,
    #[error("the new entry does not validate, so nothing was written (please report this):\n{0}")]
    ResultInvalid(String),
}

impl AddDomainError {
    /// True when the problem is in the config file rather than in the request's flags, so
    /// the message should name the file.
    pub fn is_about_the_file(&self) -> bool {
        matches!(
            self,
            Self::InvalidConfig(_)
                | Self::Duplicate { .. }
                | Self::EnvironmentInNoWave { .. }
                | Self::AccountIdInUse { .. }
                | Self::PoolExhausted { .. }
                | Self::FlowStyleDomains
                | Self::ResultInvalid(_)
        )
    }
}
