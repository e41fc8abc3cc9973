//! Who can reach what, read from the real layers' HCL with the real domains.yaml's inputs:
//! the bootstrap's entry roles and state bucket, and the platform layer's roles in every
//! account. The policies are rendered as the AWS provider would and evaluated for concrete
//! requests, so a test fails when a change lets a pull request write state or lets a job on
//! main reach a production account.

use std::collections::BTreeSet;
use std::path::PathBuf;

use orchestrator::config::{self, Account, Config, StateBackend};
use serde_json::json;

use super::policy::{decide, statements, strings, Decision, Request};
use super::render::{render, Rendered, Role};

const OIDC_AUDIENCE_KEY: &str = "token.actions.githubusercontent.com:aud";
const OIDC_SUBJECT_KEY: &str = "token.actions.githubusercontent.com:sub";
const ORGANIZATION_ID: &str = "o-exampleorg1";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shipped_config() -> Config {
    config::load(&repo().join("domains.yaml")).expect("domains.yaml is valid")
}

/// The shared settings the bootstrap needs, as the shipped domains.yaml states them.
pub struct Org {
    pub config: Config,
    management_account_id: String,
    github_repository: String,
    bucket: String,
    region: String,
}

impl Org {
    fn shipped() -> Self {
        let config = shipped_config();
        let platform = config.accounts[0].inputs("platform", config.network_layer());
        let text = |key: &str| {
            platform[key]
                .as_str()
                .unwrap_or_else(|| panic!("domains.yaml passes {key} to platform"))
                .to_string()
        };
        let StateBackend::S3 { bucket, region, .. } = &config.state else {
            panic!("the shipped domains.yaml keeps state in S3")
        };
        Org {
            management_account_id: text("management_account_id"),
            github_repository: text("github_repository"),
            bucket: bucket.clone(),
            region: region.clone(),
            config,
        }
    }

    fn deploy_role_name(&self) -> String {
        self.config.accounts[0].role_name.clone()
    }

    fn plan_role_name(&self) -> String {
        self.config.accounts[0]
            .plan_role_name
            .clone()
            .expect("the shipped domains.yaml sets plan_role_name")
    }

    fn bootstrap(&self) -> Rendered {
        let (owner, name) = self.github_repository.split_once('/').unwrap();
        render(
            &repo().join("layers/bootstrap"),
            &json!({
                "management_account_id": self.management_account_id,
                "region": self.region,
                "github_owner": owner,
                "github_repo": name,
                "state_bucket": self.bucket,
                "plan_role_name": self.plan_role_name(),
                "deploy_role_name": self.deploy_role_name(),
            }),
            json!({
                "aws_partition": { "current": { "partition": "aws" } },
                "aws_organizations_organization": { "this": { "id": ORGANIZATION_ID } },
            }),
            &self.management_account_id,
        )
    }

    fn entry_role(&self, bootstrap: &Rendered, purpose: &str) -> Role {
        bootstrap
            .roles
            .iter()
            .find(|r| r.address == format!("aws_iam_role.entry[\"{purpose}\"]"))
            .unwrap_or_else(|| panic!("the bootstrap creates no {purpose} entry role"))
            .clone()
    }

    fn entry_role_arn(&self, bootstrap: &Rendered, purpose: &str) -> String {
        format!(
            "arn:aws:iam::{}:role/{}",
            self.management_account_id,
            self.entry_role(bootstrap, purpose).name
        )
    }

    fn oidc_provider_arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:oidc-provider/token.actions.githubusercontent.com",
            self.management_account_id
        )
    }

    fn subject(&self, rest: &str) -> String {
        format!("repo:{}:{rest}", self.github_repository)
    }
}

/// The shipped organisation and its bootstrap layer, rendered.
pub fn shipped_bootstrap() -> (Org, Rendered) {
    let org = Org::shipped();
    let bootstrap = org.bootstrap();
    (org, bootstrap)
}

pub fn platform_for(config: &Config, account: &Account) -> Rendered {
    platform(config, account)
}

/// The platform layer as the orchestrator would apply it to `account`.
fn platform(config: &Config, account: &Account) -> Rendered {
    let inputs = account.inputs("platform", config.network_layer());
    render(
        &repo().join("layers/platform"),
        &serde_json::to_value(&inputs).unwrap(),
        json!({
            "aws_partition": { "current": { "partition": "aws" } },
            "aws_region": { "current": { "name": account.region } },
        }),
        &account.account_id,
    )
}

/// May a GitHub job with this `sub` assume `role` with its OIDC token?
fn job_may_assume(org: &Org, role: &Role, subject: &str) -> bool {
    let provider = org.oidc_provider_arn();
    let request = Request::new(
        ("Federated", &provider),
        "sts:AssumeRoleWithWebIdentity",
        "",
    )
    .with(OIDC_AUDIENCE_KEY, "sts.amazonaws.com")
    .with(OIDC_SUBJECT_KEY, subject);
    decide(&role.trust, &request, true) == Decision::Allow
}

/// May `principal` (a role ARN) assume `role` (trust policy only)?
fn principal_may_assume(role: &Role, principal: &str) -> bool {
    let request = Request::new(("AWS", principal), "sts:AssumeRole", "");
    decide(&role.trust, &request, true) == Decision::Allow
}

/// May the entry role call sts:AssumeRole on `target` (its own permissions)?
fn entry_permits(entry: &Role, target: &str, target_org: &str) -> bool {
    let request =
        Request::new(("AWS", ""), "sts:AssumeRole", target).with("aws:ResourceOrgID", target_org);
    entry
        .inline
        .iter()
        .map(|p| decide(p, &request, false))
        .any(|d| d == Decision::Allow)
        && !entry
            .inline
            .iter()
            .any(|p| decide(p, &request, false) == Decision::ExplicitDeny)
}

/// Job subjects worth trying: the three the workflows use, and near misses.
fn subjects(org: &Org) -> Vec<String> {
    [
        "pull_request",
        "ref:refs/heads/main",
        "environment:production",
        "ref:refs/heads/feature",
        "ref:refs/tags/v1.0.0",
        "environment:staging",
        "environment:production-copy",
    ]
    .iter()
    .map(|rest| org.subject(rest))
    .chain([
        "repo:someone-else/infrastructure:environment:production".to_string(),
        format!("repo:{}-fork:pull_request", org.github_repository),
    ])
    .collect()
}

/// The subjects of GitHub jobs that can reach `role` in `account`: through an entry role whose
/// trust accepts the job's token, whose permissions allow assuming `role`, and which `role`'s
/// trust accepts.
fn subjects_reaching(
    org: &Org,
    bootstrap: &Rendered,
    account: &Account,
    role: &Role,
) -> BTreeSet<String> {
    let target = format!("arn:aws:iam::{}:role/{}", account.account_id, role.name);
    let mut reaching = BTreeSet::new();
    for purpose in ["plan", "stage", "prod"] {
        let entry = org.entry_role(bootstrap, purpose);
        let entry_arn = org.entry_role_arn(bootstrap, purpose);
        if !principal_may_assume(role, &entry_arn)
            || !entry_permits(&entry, &target, ORGANIZATION_ID)
        {
            continue;
        }
        for subject in subjects(org) {
            if job_may_assume(org, &entry, &subject) {
                reaching.insert(subject);
            }
        }
    }
    reaching
}

fn is_production(account: &Account) -> bool {
    account.environment == "prod"
}

#[test]
fn plan_role_name_in_domains_yaml_names_a_role_the_platform_layer_creates() {
    let config = shipped_config();
    for account in config
        .accounts
        .iter()
        .filter(|a| a.layers.iter().any(|l| l == "platform"))
    {
        let rendered = platform(&config, account);
        let plan = account
            .plan_role_name
            .as_deref()
            .expect("the shipped domains.yaml gives every account a plan role");
        rendered.role(plan);
        rendered.role(&account.role_name);
    }
}

#[test]
fn the_plan_role_is_read_only_and_writes_nothing_but_state_lock_files() {
    let org = Org::shipped();
    let account = &org.config.accounts[0];
    let rendered = platform(&org.config, account);
    let plan = rendered.role(&org.plan_role_name());
    assert_eq!(
        plan.managed,
        vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()]
    );
    assert!(
        !plan.inline.is_empty(),
        "the plan role needs its state and lock-file policy"
    );
    let read = |action: &str| {
        let verb = action.split(':').nth(1).unwrap_or_default();
        ["Get", "List", "Describe", "Head"]
            .iter()
            .any(|p| verb.starts_with(p))
    };
    for policy in &plan.inline {
        for statement in statements(policy) {
            assert_eq!(statement["Effect"], "Allow", "{statement}");
            assert!(
                statement.get("NotAction").is_none() && statement.get("NotResource").is_none(),
                "{statement}"
            );
            for action in strings(&statement["Action"]) {
                if read(&action) {
                    continue;
                }
                match action.as_str() {
                    "s3:PutObject" | "s3:DeleteObject" => {
                        for resource in strings(&statement["Resource"]) {
                            assert!(
                                resource.ends_with("/*.tflock"),
                                "{action} on {resource}: only lock files"
                            );
                        }
                    }
                    // Reading and writing (the lock file of) an SSE-KMS bucket, through S3 only.
                    "kms:Decrypt" | "kms:GenerateDataKey" => {
                        assert!(
                            statement["Condition"]["StringLike"]["kms:ViaService"]
                                == json!(["s3.*.amazonaws.com"]),
                            "{statement}"
                        );
                    }
                    other => {
                        panic!("the plan role may {other}, which is not read-only: {statement}")
                    }
                }
            }
        }
    }
    // And the state bucket of domains.yaml is the one it may read and lock.
    let bucket = format!("arn:aws:s3:::{}", org.bucket);
    let may = |action: &str, key: &str| {
        let resource = format!("{bucket}/{key}");
        let request = Request::new(("AWS", ""), action, &resource)
            .with("kms:ViaService", "s3.us-east-1.amazonaws.com");
        plan.inline
            .iter()
            .any(|p| decide(p, &request, false) == Decision::Allow)
    };
    assert!(may("s3:GetObject", "platform/catalog-dev.tfstate"));
    assert!(may("s3:PutObject", "platform/catalog-dev.tfstate.tflock"));
    assert!(may(
        "s3:DeleteObject",
        "platform/catalog-dev.tfstate.tflock"
    ));
    assert!(!may("s3:PutObject", "platform/catalog-dev.tfstate"));
    assert!(!may("s3:DeleteObject", "platform/catalog-dev.tfstate"));
}

#[test]
fn the_plan_role_trusts_only_the_plan_entry_role() {
    let org = Org::shipped();
    let bootstrap = org.bootstrap();
    for account in org
        .config
        .accounts
        .iter()
        .filter(|a| a.layers.iter().any(|l| l == "platform"))
    {
        let rendered = platform(&org.config, account);
        let plan = rendered.role(&org.plan_role_name());
        for statement in statements(&plan.trust) {
            assert_eq!(statement["Effect"], "Allow");
            assert_eq!(
                strings(&statement["Action"]),
                vec!["sts:AssumeRole"],
                "{statement}"
            );
            assert_eq!(
                statement["Principal"],
                json!({ "AWS": [org.entry_role_arn(&bootstrap, "plan")] }),
                "{}: the plan role trusts someone else",
                account.name
            );
        }
        for purpose in ["stage", "prod"] {
            assert!(!principal_may_assume(
                plan,
                &org.entry_role_arn(&bootstrap, purpose)
            ));
        }
        // Pull requests reach it, through the plan entry role.
        let reaching = subjects_reaching(&org, &bootstrap, account, plan);
        assert!(
            reaching.contains(&org.subject("pull_request")),
            "{}: {reaching:?}",
            account.name
        );
    }
}

#[test]
fn production_deploy_roles_are_reachable_only_from_the_production_environment() {
    let org = Org::shipped();
    let bootstrap = org.bootstrap();
    let accounts: Vec<&Account> = org
        .config
        .accounts
        .iter()
        .filter(|a| a.layers.iter().any(|l| l == "platform"))
        .collect();
    assert!(
        accounts.iter().any(|a| is_production(a)) && accounts.iter().any(|a| !is_production(a))
    );
    for account in accounts {
        let rendered = platform(&org.config, account);
        let deploy = rendered.role(&account.role_name);
        let expected_entry = if is_production(account) {
            "prod"
        } else {
            "stage"
        };
        for statement in statements(&deploy.trust) {
            assert_eq!(
                statement["Principal"],
                json!({ "AWS": [org.entry_role_arn(&bootstrap, expected_entry)] }),
                "{} ({}) must trust only the {expected_entry} entry role",
                account.name,
                account.environment
            );
        }
        let reaching = subjects_reaching(&org, &bootstrap, account, deploy);
        let expected: BTreeSet<String> = if is_production(account) {
            [org.subject("environment:production")].into()
        } else {
            [org.subject("ref:refs/heads/main")].into()
        };
        assert_eq!(
            reaching, expected,
            "GitHub jobs that can deploy {}",
            account.name
        );
    }
}

#[test]
fn no_role_trusts_a_repository_wildcard_or_a_token_without_audience() {
    let org = Org::shipped();
    let config = &org.config;
    let mut layers = vec![("bootstrap".to_string(), org.bootstrap())];
    for account in config
        .accounts
        .iter()
        .filter(|a| a.layers.iter().any(|l| l == "platform"))
    {
        layers.push((
            format!("platform for {}", account.name),
            platform(config, account),
        ));
    }
    let mut oidc_trusts = 0;
    for (layer, rendered) in &layers {
        for role in &rendered.roles {
            for statement in statements(&role.trust) {
                let federated = statement["Principal"]["Federated"].clone();
                if federated.is_null() {
                    continue;
                }
                oidc_trusts += 1;
                let conditions = &statement["Condition"];
                assert_eq!(
                    conditions["StringEquals"][OIDC_AUDIENCE_KEY],
                    json!(["sts.amazonaws.com"]),
                    "{layer}: {} accepts tokens for any audience",
                    role.address
                );
                let subjects = strings(&conditions["StringEquals"][OIDC_SUBJECT_KEY]);
                assert!(
                    !subjects.is_empty(),
                    "{layer}: {} pins no subject",
                    role.address
                );
                for subject in subjects {
                    assert!(
                        !subject.contains('*') && !subject.contains('?'),
                        "{layer}: {} trusts {subject}",
                        role.address
                    );
                    assert!(
                        subject.starts_with(&format!("repo:{}:", org.github_repository)),
                        "{layer}: {} trusts another repository: {subject}",
                        role.address
                    );
                }
                for (operator, keys) in conditions.as_object().unwrap() {
                    if operator.contains("Like") {
                        assert!(
                            keys.get(OIDC_SUBJECT_KEY).is_none(),
                            "{layer}: {} matches the subject with wildcards",
                            role.address
                        );
                    }
                }
                // A near miss of every pinned subject is refused.
                assert!(!job_may_assume(
                    &org,
                    role,
                    &org.subject("ref:refs/heads/feature")
                ));
                assert!(!job_may_assume(
                    &org,
                    role,
                    &format!("repo:{}:*", org.github_repository)
                ));
            }
        }
    }
    assert_eq!(
        oidc_trusts, 3,
        "the three entry roles are the only OIDC trusts"
    );
}

#[test]
fn the_entry_roles_trust_the_subjects_their_purpose_names() {
    let org = Org::shipped();
    let bootstrap = org.bootstrap();
    let accepted = |purpose: &str| -> BTreeSet<String> {
        let role = org.entry_role(&bootstrap, purpose);
        subjects(&org)
            .into_iter()
            .filter(|s| job_may_assume(&org, &role, s))
            .collect()
    };
    assert_eq!(
        accepted("stage"),
        [org.subject("ref:refs/heads/main")].into()
    );
    assert_eq!(
        accepted("prod"),
        [org.subject("environment:production")].into()
    );
    assert!(accepted("plan").contains(&org.subject("pull_request")));
    // The entry roles may assume only their account role, only inside the organisation.
    let plan = org.entry_role(&bootstrap, "plan");
    let stage = org.entry_role(&bootstrap, "stage");
    let target = |name: &str| format!("arn:aws:iam::111111111111:role/{name}");
    assert!(entry_permits(
        &plan,
        &target(&org.plan_role_name()),
        ORGANIZATION_ID
    ));
    assert!(!entry_permits(
        &plan,
        &target(&org.deploy_role_name()),
        ORGANIZATION_ID
    ));
    assert!(entry_permits(
        &stage,
        &target(&org.deploy_role_name()),
        ORGANIZATION_ID
    ));
    assert!(!entry_permits(
        &stage,
        &target(&org.deploy_role_name()),
        "o-someoneelse"
    ));
}

/// The bucket policy's answer for one request, made over TLS 1.2 from inside the
/// organisation unless `context` says otherwise.
fn bucket_decision(
    org: &Org,
    bootstrap: &Rendered,
    principal: &str,
    action: &str,
    key: &str,
    context: &[(&str, &str)],
) -> Decision {
    let policy = bootstrap.document("data.aws_iam_policy_document.state_bucket");
    let resource = if key.is_empty() {
        format!("arn:aws:s3:::{}", org.bucket)
    } else {
        format!("arn:aws:s3:::{}/{key}", org.bucket)
    };
    let mut request = Request::new(("AWS", principal), action, &resource)
        .with("aws:PrincipalArn", principal)
        .with("aws:PrincipalOrgID", ORGANIZATION_ID)
        .with("aws:SecureTransport", "true")
        .with("s3:TlsVersion", "1.3");
    for (key, value) in context {
        request = request.with(key, value);
    }
    decide(policy, &request, true)
}

#[test]
fn the_state_bucket_policy_denies_plain_http_and_lets_plans_write_only_lock_files() {
    let org = Org::shipped();
    let bootstrap = org.bootstrap();
    let plan_role = format!("arn:aws:iam::111111111111:role/{}", org.plan_role_name());
    let plan_entry = org.entry_role_arn(&bootstrap, "plan");
    let deploy_role = format!("arn:aws:iam::111111111111:role/{}", org.deploy_role_name());
    let stage_entry = org.entry_role_arn(&bootstrap, "stage");
    let prod_entry = org.entry_role_arn(&bootstrap, "prod");
    let decision = |principal: &str, action: &str, key: &str| {
        bucket_decision(&org, &bootstrap, principal, action, key, &[])
    };

    // TLS only, for everyone, whatever else allows them.
    for principal in [&plan_role, &deploy_role, &prod_entry] {
        for (action, key) in [
            ("s3:GetObject", "platform/catalog-dev.tfstate"),
            ("s3:PutObject", "platform/catalog-dev.tfstate"),
            ("s3:ListBucket", ""),
        ] {
            assert_eq!(
                bucket_decision(
                    &org,
                    &bootstrap,
                    principal,
                    action,
                    key,
                    &[("aws:SecureTransport", "false")]
                ),
                Decision::ExplicitDeny,
                "{principal} {action} over plain HTTP"
            );
        }
        assert_eq!(
            bucket_decision(
                &org,
                &bootstrap,
                principal,
                "s3:GetObject",
                "platform/catalog-dev.tfstate",
                &[("s3:TlsVersion", "1.1")]
            ),
            Decision::ExplicitDeny
        );
    }

    // Plans: read everything, write lock files only.
    for principal in [&plan_role, &plan_entry] {
        assert_eq!(decision(principal, "s3:ListBucket", ""), Decision::Allow);
        assert_eq!(
            decision(principal, "s3:GetObject", "platform/catalog-dev.tfstate"),
            Decision::Allow
        );
        assert_eq!(
            decision(
                principal,
                "s3:PutObject",
                "platform/catalog-dev.tfstate.tflock"
            ),
            Decision::Allow
        );
        assert_eq!(
            decision(
                principal,
                "s3:DeleteObject",
                "platform/catalog-dev.tfstate.tflock"
            ),
            Decision::Allow
        );
        for key in [
            "platform/catalog-dev.tfstate",
            "platform/catalog-prod.tfstate",
            "bootstrap/terraform.tfstate",
            "notes.txt",
        ] {
            for action in [
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
                "s3:PutObjectAcl",
            ] {
                assert_eq!(
                    decision(principal, action, key),
                    Decision::ExplicitDeny,
                    "{principal} {action} {key}"
                );
            }
        }
        assert_eq!(
            decision(principal, "s3:PutBucketPolicy", ""),
            Decision::ExplicitDeny
        );
    }
    // Only statements naming lock files grant a plan principal s3:PutObject.
    let policy = bootstrap.document("data.aws_iam_policy_document.state_bucket");
    for statement in statements(policy) {
        if statement["Effect"] != "Allow" {
            continue;
        }
        let plan_principal = strings(&statement["Condition"]["ArnLike"]["aws:PrincipalArn"])
            .iter()
            .any(|p| super::policy::wildcard(p, &plan_role, false));
        let puts = strings(&statement["Action"])
            .iter()
            .any(|a| super::policy::wildcard(a, "s3:PutObject", true));
        if plan_principal && puts {
            for resource in strings(&statement["Resource"]) {
                assert!(resource.ends_with("*.tflock"), "{statement}");
            }
        }
    }

    // Deploys: read and write state; main's jobs never a production account's.
    for principal in [&deploy_role, &stage_entry, &prod_entry] {
        assert_eq!(
            decision(principal, "s3:GetObject", "platform/catalog-dev.tfstate"),
            Decision::Allow
        );
        assert_eq!(
            decision(principal, "s3:PutObject", "platform/catalog-dev.tfstate"),
            Decision::Allow
        );
        assert_eq!(
            decision(principal, "s3:PutObject", "bootstrap/terraform.tfstate"),
            Decision::ExplicitDeny
        );
    }
    assert_eq!(
        decision(
            &stage_entry,
            "s3:PutObject",
            "platform/catalog-prod.tfstate"
        ),
        Decision::ExplicitDeny
    );
    assert_eq!(
        decision(&prod_entry, "s3:PutObject", "platform/catalog-prod.tfstate"),
        Decision::Allow
    );

    // Nobody outside the organisation, and no other role inside it.
    let outsider = "arn:aws:iam::999999999999:role/OrganizationAccountReadOnly";
    assert_eq!(
        bucket_decision(
            &org,
            &bootstrap,
            outsider,
            "s3:GetObject",
            "platform/catalog-dev.tfstate",
            &[("aws:PrincipalOrgID", "o-someoneelse")]
        ),
        Decision::ImplicitDeny
    );
    let other_role = "arn:aws:iam::111111111111:role/some-application";
    assert_eq!(
        decision(other_role, "s3:GetObject", "platform/catalog-dev.tfstate"),
        Decision::ImplicitDeny
    );
}

#[test]
fn the_state_bucket_is_versioned_encrypted_private_logged_and_expires_old_versions() {
    let dir = repo().join("layers/bootstrap");
    let text: String = ["state.tf", "main.tf", "versions.tf"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
        .collect();
    let body: hcl::Body = hcl::from_str(&text).unwrap();
    let resource = |kind: &str, name: &str| -> hcl::Block {
        body.blocks()
            .find(|b| {
                b.identifier() == "resource"
                    && b.labels().len() == 2
                    && b.labels()[0].as_str() == kind
                    && b.labels()[1].as_str() == name
            })
            .unwrap_or_else(|| panic!("layers/bootstrap has no {kind}.{name}"))
            .clone()
    };
    let hcl_text = |block: &hcl::Block| hcl::to_string(block).unwrap();
    assert!(hcl_text(&resource("aws_s3_bucket_versioning", "state")).contains("\"Enabled\""));
    let encryption = hcl_text(&resource(
        "aws_s3_bucket_server_side_encryption_configuration",
        "state",
    ));
    assert!(
        encryption.contains("\"aws:kms\"") && encryption.contains("aws_kms_key.state.arn"),
        "{encryption}"
    );
    let block = hcl_text(&resource("aws_s3_bucket_public_access_block", "state"));
    for key in [
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ] {
        assert!(block.contains(&format!("{key} = true")), "{key}: {block}");
    }
    assert!(
        hcl_text(&resource("aws_s3_bucket_lifecycle_configuration", "state"))
            .contains("noncurrent_version_expiration")
    );
    assert!(hcl_text(&resource("aws_s3_bucket_logging", "state"))
        .contains("aws_s3_bucket.access_logs.id"));
    assert!(hcl_text(&resource("aws_kms_key", "state")).contains("enable_key_rotation = true"));
    // Local state first: the bucket it would live in does not exist before the first apply.
    let versions: hcl::Body =
        hcl::from_str(&std::fs::read_to_string(dir.join("versions.tf")).unwrap()).unwrap();
    assert!(
        !versions.blocks().any(|b| b.identifier() == "terraform"
            && b.body().blocks().any(|i| i.identifier() == "backend")),
        "layers/bootstrap must start with local state (docs/aws-setup.md migrates it)"
    );
}
