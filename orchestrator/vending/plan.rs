//! What the vending layer's plan does to each account of the config (created, imported,
//! changed, destroyed or left alone), read from `terraform show -json` of the saved plan, and
//! the guard that an account with an id is never created again.

use std::collections::BTreeMap;
use std::fmt;

use crate::config::Config;
use crate::summary::{Kind, PlanSummary, ResourceChange};

/// What the plan does to one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountAction {
    /// A new AWS account.
    Created,
    /// An existing account brought under the layer's management by an `import` block.
    Imported { id: String },
    /// Already managed; something about it changes (tags, OU, ...).
    Changed,
    /// Destroyed or replaced (that is, closed and created again).
    Destroyed,
    /// Nothing happens to it.
    LeftAlone,
}

impl AccountAction {
    fn word(&self) -> &'static str {
        match self {
            AccountAction::Created => "created",
            AccountAction::Imported { .. } => "imported",
            AccountAction::Changed => "changed",
            AccountAction::Destroyed => "DESTROYED",
            AccountAction::LeftAlone => "left alone",
        }
    }
}

/// One account of the config and the resources of the plan keyed by its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPlan {
    pub account: String,
    pub action: AccountAction,
    /// `address (kind)` of every resource of this account that changes or is imported.
    pub resources: Vec<String>,
}

/// The vending layer's plan, account by account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VendingPlan {
    /// In the config's order.
    pub accounts: Vec<AccountPlan>,
    /// Changes keyed by no account (the OUs, ...): `address (kind)`.
    pub other: Vec<String>,
}

/// The ids written in domains.yaml, by account: the layer imports these accounts
/// (`existing_account_ids`) instead of creating them.
pub fn existing_ids(config: &Config) -> BTreeMap<String, String> {
    config
        .accounts
        .iter()
        .filter(|a| !a.account_id.is_empty())
        .map(|a| (a.name.clone(), a.account_id.clone()))
        .collect()
}

/// Sorts the plan's resources by the account whose name is one of their `for_each` keys
/// (`aws_organizations_account.this["catalog-dev"]`, `module.account["catalog-dev"].x`).
pub fn vending_plan(config: &Config, plan: &PlanSummary) -> VendingPlan {
    let mut by_account: BTreeMap<&str, Vec<&ResourceChange>> = BTreeMap::new();
    let mut other = Vec::new();
    for resource in &plan.resources {
        let owner = config
            .accounts
            .iter()
            .find(|a| resource.address.contains(&format!("[\"{}\"]", a.name)));
        match owner {
            Some(account) => by_account.entry(&account.name).or_default().push(resource),
            None => other.push(described(resource)),
        }
    }
    let accounts = config
        .accounts
        .iter()
        .map(|a| {
            let resources = by_account.remove(a.name.as_str()).unwrap_or_default();
            AccountPlan {
                account: a.name.clone(),
                action: action_of(&resources),
                resources: resources.iter().map(|r| described(r)).collect(),
            }
        })
        .collect();
    VendingPlan { accounts, other }
}

/// The most consequential thing that happens to one account's resources.
fn action_of(resources: &[&ResourceChange]) -> AccountAction {
    if resources.iter().any(|r| r.kind.destroys()) {
        return AccountAction::Destroyed;
    }
    if let Some(id) = resources.iter().find_map(|r| r.import_id.as_deref()) {
        return AccountAction::Imported { id: id.to_string() };
    }
    if resources
        .iter()
        .any(|r| matches!(r.kind, Kind::Create | Kind::CreateForget))
    {
        return AccountAction::Created;
    }
    if resources.iter().any(|r| r.kind.is_change()) {
        return AccountAction::Changed;
    }
    AccountAction::LeftAlone
}

fn described(resource: &ResourceChange) -> String {
    match &resource.import_id {
        Some(_) if !resource.kind.is_change() => format!("{} (import)", resource.address),
        Some(_) => format!(
            "{} (import, then {})",
            resource.address,
            resource.kind.label()
        ),
        None => format!("{} ({})", resource.address, resource.kind.label()),
    }
}

impl VendingPlan {
    /// Accounts with an id in domains.yaml that the plan would create or destroy: applying it
    /// would open a second account, or close the real one.
    pub fn unsafe_for(&self, existing: &BTreeMap<String, String>) -> Vec<(String, String)> {
        self.accounts
            .iter()
            .filter(|a| matches!(a.action, AccountAction::Created | AccountAction::Destroyed))
            .filter_map(|a| {
                existing
                    .get(&a.account)
                    .map(|id| (a.account.clone(), id.clone()))
            })
            .collect()
    }

    pub fn count(&self, word: &str) -> usize {
        self.accounts
            .iter()
            .filter(|a| a.action.word() == word)
            .count()
    }
}

/// One line per account (`catalog-dev  imported (id 100000000001)`), the changes that belong
/// to no account, and the totals.
impl fmt::Display for VendingPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .accounts
            .iter()
            .map(|a| a.account.len())
            .max()
            .unwrap_or(0);
        for account in &self.accounts {
            write!(f, "  {:width$}  {}", account.account, account.action.word())?;
            match &account.action {
                AccountAction::Imported { id } => write!(f, " (account id {id})")?,
                AccountAction::LeftAlone => {}
                _ => write!(f, ": {}", account.resources.join(", "))?,
            }
            writeln!(f)?;
        }
        if !self.other.is_empty() {
            writeln!(f, "  not an account: {}", self.other.join(", "))?;
        }
        let mut totals: Vec<String> = ["created", "imported", "changed", "DESTROYED"]
            .into_iter()
            .filter_map(|word| {
                let n = self.count(word);
                (n > 0).then(|| format!("{n} {word}"))
            })
            .collect();
        totals.push(format!("{} left alone", self.count("left alone")));
        write!(f, "{}", totals.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(address: &str, actions: &str, importing: Option<&str>) -> String {
        let importing = importing
            .map(|id| format!(r#","importing":{{"id":"{id}"}}"#))
            .unwrap_or_default();
        format!(r#"{{"address":{address:?},"change":{{"actions":{actions}{importing}}}}}"#)
    }

    fn config() -> Config {
        let yaml = "version: 1
defaults:
  region: eu-west-1
  credentials: none
  layers: [platform]
  state: { backend: local, path: \"s/{layer}/{account}.tfstate\" }
  account_vending: { layer: organization, email_domain: example.com, root_id: r-abcd }
domains:
  - name: catalog
    team: catalog
    environments:
      dev:  { account_id: \"100000000001\" }
      prod: { account_id: \"100000000003\" }
  - name: fubar
    team: fubar
    environments:
      dev: {}
      prod: {}
";
        crate::config::from_str(std::path::Path::new("domains.yaml"), yaml).unwrap()
    }

    fn plan(changes: &[String]) -> PlanSummary {
        let json = format!(
            r#"{{"format_version":"1.2","resource_changes":[{}]}}"#,
            changes.join(",")
        );
        crate::summary::read_plan_slice(json.as_bytes(), std::path::Path::new("p.json")).unwrap()
    }

    #[test]
    fn each_account_is_created_imported_changed_destroyed_or_left_alone() {
        let config = config();
        let plan = plan(&[
            change(
                r#"aws_organizations_account.this["catalog-dev"]"#,
                r#"["no-op"]"#,
                Some("100000000001"),
            ),
            change(
                r#"aws_organizations_account.this["catalog-prod"]"#,
                r#"["update"]"#,
                None,
            ),
            change(
                r#"module.account["fubar-dev"].aws_organizations_account.this"#,
                r#"["create"]"#,
                None,
            ),
            change(
                r#"aws_organizations_organizational_unit.environment["dev"]"#,
                r#"["create"]"#,
                None,
            ),
        ]);
        let vending = vending_plan(&config, &plan);
        let actions: Vec<(&str, &AccountAction)> = vending
            .accounts
            .iter()
            .map(|a| (a.account.as_str(), &a.action))
            .collect();
        assert_eq!(
            actions,
            [
                (
                    "catalog-dev",
                    &AccountAction::Imported {
                        id: "100000000001".into()
                    }
                ),
                ("catalog-prod", &AccountAction::Changed),
                ("fubar-dev", &AccountAction::Created),
                ("fubar-prod", &AccountAction::LeftAlone),
            ]
        );
        assert_eq!(
            vending.to_string(),
            "  catalog-dev   imported (account id 100000000001)
  catalog-prod  changed: aws_organizations_account.this[\"catalog-prod\"] (update)
  fubar-dev     created: module.account[\"fubar-dev\"].aws_organizations_account.this (create)
  fubar-prod    left alone
  not an account: aws_organizations_organizational_unit.environment[\"dev\"] (create)
1 created, 1 imported, 1 changed, 1 left alone"
        );
        assert!(vending.unsafe_for(&existing_ids(&config)).is_empty());
    }

    #[test]
    fn an_account_with_an_id_that_the_plan_creates_or_replaces_is_unsafe() {
        let config = config();
        let plan = plan(&[
            change(
                r#"terraform_data.account["catalog-dev"]"#,
                r#"["create"]"#,
                None,
            ),
            change(
                r#"terraform_data.account["catalog-prod"]"#,
                r#"["delete","create"]"#,
                None,
            ),
            change(
                r#"terraform_data.account["fubar-dev"]"#,
                r#"["create"]"#,
                None,
            ),
        ]);
        let vending = vending_plan(&config, &plan);
        assert_eq!(
            vending.unsafe_for(&existing_ids(&config)),
            [
                ("catalog-dev".to_string(), "100000000001".to_string()),
                ("catalog-prod".to_string(), "100000000003".to_string()),
            ]
        );
    }

    #[test]
    fn an_account_name_inside_another_is_not_mistaken_for_it() {
        // `["catalog-dev"]` must not match an account named `dev`-something by substring.
        let config = config();
        let plan = plan(&[change(
            r#"terraform_data.account["catalog-dev-old"]"#,
            r#"["create"]"#,
            None,
        )]);
        let vending = vending_plan(&config, &plan);
        assert_eq!(vending.other.len(), 1);
        assert!(vending
            .accounts
            .iter()
            .all(|a| a.action == AccountAction::LeftAlone));
    }
}
