//! The FAKE terraform that records the AWS_* environment each invocation saw
//! (`fake-terraform-records-env.sh`), and the checks a test makes on that record.
//!
//! Use in an end-to-end test of `run` / `deploy`:
//!
//! ```ignore
//! let fake = FakeTerraform::install(org.dir.path());
//! org.cli().args(["run", "--terraform"]).arg(&fake.bin) ... .env("AWS_ENDPOINT_URL_STS", &moto.url).run();
//! let seen = fake.invocations();
//! assert_each_account_saw_its_own_role(&seen, &accounts, &moto.url).await;
//! ```
//!
//! Each account's identity is asked from STS (moto) with the very credentials that
//! account's terraform saw, so the check proves the credentials are that account's role.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aws_credential_types::Credentials;
use aws_sdk_sts::config::{BehaviorVersion, Region};

use super::org::BASE_ACCESS_KEY_ID;

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
    /// Every AWS_* variable it saw.
    pub aws_env: BTreeMap<String, String>,
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
    pub fn install(dir: &Path) -> Self {
        let bin = dir.join("fake-terraform-records-env");
        let record = dir.join("fake-terraform-record.tsv");
        let script = SCRIPT.replace("__RECORD__", &record.display().to_string());
        std::fs::write(&bin, script).unwrap();
        make_executable(&bin);
        Self { bin, record }
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
        aws_env: BTreeMap::new(),
    };
    for field in fields {
        let (key, value) = field.split_once('=').unwrap_or((field, ""));
        match key {
            "account" if value != "-" => invocation.account = Some(value.to_string()),
            "account" => {}
            "data_dir" => invocation.data_dir = value.to_string(),
            _ => {
                invocation
                    .aws_env
                    .insert(key.to_string(), value.to_string());
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
    let env = &invocation.aws_env;
    let credentials = Credentials::new(
        &env["AWS_ACCESS_KEY_ID"],
        &env["AWS_SECRET_ACCESS_KEY"],
        env.get("AWS_SESSION_TOKEN").cloned(),
        None,
        "fake-terraform-record",
    );
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
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

/// `accounts` is (account name, account id, role expected: true for `credentials:
/// assume_role`). Every invocation for an assume-role account must carry that account's
/// own assumed-role session in its region; accounts with `credentials: none` must see no AWS
/// credentials at all; nobody may see the base access key.
pub async fn assert_each_account_saw_its_own_role(
    invocations: &[Invocation],
    accounts: &[(&str, &str, bool)],
    sts_url: &str,
) {
    let names: Vec<String> = accounts.iter().map(|(n, _, _)| n.to_string()).collect();
    for (name, id, assumes_role) in accounts {
        let seen: Vec<&Invocation> = invocations
            .iter()
            .filter(|i| i.account_among(&names) == Some(name))
            .collect();
        assert!(!seen.is_empty(), "terraform never ran for {name}");
        for invocation in seen {
            let env = &invocation.aws_env;
            assert_ne!(
                env.get("AWS_ACCESS_KEY_ID").map(String::as_str),
                Some(BASE_ACCESS_KEY_ID),
                "{name}'s terraform saw the base credentials: {}",
                invocation.subcommand
            );
            if !assumes_role {
                for key in [
                    "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY",
                    "AWS_SESSION_TOKEN",
                ] {
                    assert!(
                        !env.contains_key(key),
                        "{name} has credentials: none but saw {key}"
                    );
                }
                continue;
            }
            let (account, arn) = identity_seen(invocation, sts_url).await;
            assert_eq!(&account, id, "{name}'s terraform saw credentials of {arn}");
            assert!(
                arn.contains(":assumed-role/") && arn.contains(&format!("/orchestrator-{name}-")),
                "{name}'s terraform saw {arn}, not its orchestrator session"
            );
        }
    }
}
