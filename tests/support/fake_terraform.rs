//! The FAKE terraform that records the AWS_* (and ACTIONS_*, SLACK_*) environment each
//! invocation saw (`fake-terraform-records-env.sh`), and the checks a test makes on that
//! record. Real terraform cannot show what every one of its commands (init, plan, apply,
//! show) was started with; this records exactly that.
//!
//! Use in an end-to-end test of `run` / `deploy`:
//!
//! ```ignore
//! let fake = FakeTerraform::install(org.dir.path());
//! org.cli().args(["run", "--terraform", fake.path()]) ... .env("AWS_ENDPOINT_URL_STS", &moto.url).run();
//! let seen = fake.invocations();
//! assert_each_account_saw_its_own_role(&seen, &expected, &passed_through, &base_values, &moto.url).await;
//! ```
//!
//! Each account's identity is asked from STS (moto) with the very credentials that
//! account's terraform saw, so the check proves the credentials are that account's role.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_credential_types::Credentials;
use aws_sdk_sts::config::{BehaviorVersion, Region};

const SCRIPT: &str = include_str!("fake-terraform-records-env.sh");

pub struct FakeTerraform {
    /// Pass as `--terraform` (or TERRAFORM_BIN).
    pub bin: PathBuf,
    record: PathBuf,
}

/// One terraform invocation, as the fake recorded it.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub subcommand: String,
    /// `account_name` from the `-var-file`, when the command had one.
    pub account: Option<String>,
    pub data_dir: String,
    /// Every AWS_*, ACTIONS_* and SLACK_* variable it saw.
    pub env: BTreeMap<String, String>,
}

impl Invocation {
    /// The account this invocation ran for: from its var-file, else the account name that
    /// is a component of its TF_DATA_DIR (init has no var-file).
    pub fn account_among<'a>(&self, names: &'a [String]) -> Option<&'a str> {
        names
            .iter()
            .find(|name| {
                self.account.as_deref() == Some(name.as_str())
                    || Path::new(&self.data_dir)
                        .components()
                        .any(|c| c.as_os_str() == name.as_str())
            })
            .map(String::as_str)
    }
}

impl FakeTerraform {
    /// `bin` as a command-line argument.
    pub fn path(&self) -> &str {
        self.bin.to_str().expect("a UTF-8 temp path")
    }

    pub fn install(dir: &Path) -> Self {
        let bin = dir.join("fake-terraform-records-env");
        let record = dir.join("fake-terraform-record.tsv");
        let script = SCRIPT.replace("__RECORD__", &record.display().to_string());
        std::fs::write(&bin, script).unwrap();
        make_executable(&bin);
        Self { bin, record }
    }

    /// Forgets what was recorded, for the next command of a test.
    pub fn clear(&self) {
        let _ = std::fs::remove_file(&self.record);
    }

    pub fn invocations(&self) -> Vec<Invocation> {
        let text = std::fs::read_to_string(&self.record).unwrap_or_default();
        text.lines().map(parse).collect()
    }
}

fn parse(line: &str) -> Invocation {
    let mut fields = line.split('\t');
    let subcommand = fields.next().unwrap_or_default().to_string();
    let mut invocation = Invocation {
        subcommand,
        account: None,
        data_dir: String::new(),
        env: BTreeMap::new(),
    };
    for field in fields {
        let (key, value) = field.split_once('=').unwrap_or((field, ""));
        match key {
            "account" if value != "-" => invocation.account = Some(value.to_string()),
            "account" => {}
            "data_dir" => invocation.data_dir = value.to_string(),
            _ => {
                invocation.env.insert(key.to_string(), value.to_string());
            }
        }
    }
    invocation
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Who the credentials an invocation saw belong to: GetCallerIdentity at `sts_url`.
pub async fn identity_seen(invocation: &Invocation, sts_url: &str) -> (String, String) {
    let env = &invocation.env;
    let credentials = Credentials::new(
        &env["AWS_ACCESS_KEY_ID"],
        &env["AWS_SECRET_ACCESS_KEY"],
        env.get("AWS_SESSION_TOKEN").cloned(),
        None,
        "fake-terraform-record",
    );
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(orchestrator::tls::aws_https_client())
        .credentials_provider(credentials)
        .region(Region::new(env["AWS_REGION"].clone()))
        .endpoint_url(sts_url)
        .build();
    let identity = aws_sdk_sts::Client::from_conf(config)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity with the credentials terraform saw");
    (
        identity.account().unwrap_or_default().to_string(),
        identity.arn().unwrap_or_default().to_string(),
    )
}

/// What one account's terraform must have seen.
pub struct Expected<'a> {
    pub account: &'a str,
    pub account_id: &'a str,
    pub region: &'a str,
    /// The role it assumes; `None` for `credentials: none` (no AWS credentials at all).
    pub role: Option<&'a str>,
    /// A `--plan-only` session (`orchestrator-plan-<account>-<run id>`).
    pub plan: bool,
}

/// The variables an account's terraform gets from the orchestrator.
const ACCOUNT_VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// Every invocation for an assume-role account carries that account's own assumed-role
/// session (asked from STS at `sts_url` with the very keys terraform saw) and its region;
/// accounts with `credentials: none` see no AWS credentials at all. No invocation sees a
/// variable outside its account's and `passed_through` (so none of the base credentials,
/// profiles, OIDC token request or webhooks the orchestrator had), nor any value of
/// `base_values`.
pub async fn assert_each_account_saw_its_own_role(
    invocations: &[Invocation],
    accounts: &[Expected<'_>],
    passed_through: &[&str],
    base_values: &[&str],
    sts_url: &str,
) {
    let names: Vec<String> = accounts.iter().map(|a| a.account.to_string()).collect();
    for invocation in invocations {
        for (name, value) in &invocation.env {
            assert!(
                ACCOUNT_VARIABLES.contains(&name.as_str())
                    || passed_through.contains(&name.as_str()),
                "terraform {} ({}) inherited {name}",
                invocation.subcommand,
                invocation.data_dir
            );
            assert!(
                !base_values.contains(&value.as_str()),
                "terraform {} ({}) saw the base credentials in {name}",
                invocation.subcommand,
                invocation.data_dir
            );
        }
        assert!(
            invocation.account_among(&names).is_some(),
            "terraform {} ran for no expected account ({})",
            invocation.subcommand,
            invocation.data_dir
        );
    }
    for expected in accounts {
        let name = expected.account;
        let seen: Vec<&Invocation> = invocations
            .iter()
            .filter(|i| i.account_among(&names) == Some(name))
            .collect();
        assert!(!seen.is_empty(), "terraform never ran for {name}");
        for invocation in seen {
            let env = &invocation.env;
            let Some(role) = expected.role else {
                for key in ACCOUNT_VARIABLES {
                    assert!(
                        !env.contains_key(*key),
                        "{name} has credentials: none but saw {key}"
                    );
                }
                continue;
            };
            for key in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
                assert_eq!(
                    env.get(key).map(String::as_str),
                    Some(expected.region),
                    "{name}'s terraform {} got {key}",
                    invocation.subcommand
                );
            }
            let (account, arn) = identity_seen(invocation, sts_url).await;
            assert_eq!(
                account, expected.account_id,
                "{name}'s terraform {} saw credentials of {arn}",
                invocation.subcommand
            );
            let purpose = if expected.plan { "plan-" } else { "" };
            let session = format!(
                "arn:aws:sts::{}:assumed-role/{role}/orchestrator-{purpose}{name}-",
                expected.account_id
            );
            assert!(
                arn.starts_with(&session),
                "{name}'s terraform {} saw {arn}, not its orchestrator session {session}...",
                invocation.subcommand
            );
        }
    }
}
