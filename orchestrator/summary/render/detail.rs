//! How much of the summary a comment shows, and the steps by which it gives detail up to
//! fit a size limit. Accounts that destroy something are named at every step.

use crate::summary::model::Summary;

/// Which accounts get a collapsed block listing their resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceLists {
    /// Every account with changes.
    All,
    /// Only accounts that destroy or replace something.
    Destroying,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detail {
    pub resource_lists: ResourceLists,
    /// Table rows of accounts with no changes.
    pub unchanged_rows: bool,
    /// Table rows of accounts that change, destroy nothing and did not fail.
    pub changed_rows: bool,
    /// The names of accounts with no changes (else only how many).
    pub unchanged_names: bool,
    /// The names of accounts whose rows were left out of the table (else only how many).
    pub changed_names: bool,
    /// At most this many destroyed or replaced addresses per account (the rest are counted).
    pub destroy_addresses: Option<usize>,
    /// At most this many error lines per failed plan.
    pub error_lines: Option<usize>,
    /// The error message of each unreadable plan file (else only its path).
    pub bad_plan_messages: bool,
    /// The account x layer table at all.
    pub table: bool,
}

impl Detail {
    pub const FULL: Detail = Detail {
        resource_lists: ResourceLists::All,
        unchanged_rows: true,
        changed_rows: true,
        unchanged_names: true,
        changed_names: true,
        destroy_addresses: None,
        error_lines: None,
        bad_plan_messages: true,
        table: true,
    };

    /// Every step, from the full comment to the barest one; each gives up more than the last.
    pub fn steps() -> Vec<Detail> {
        let mut steps = vec![Detail::FULL];
        let mut next = |change: &dyn Fn(&mut Detail)| {
            let mut detail = *steps.last().expect("starts with FULL");
            change(&mut detail);
            steps.push(detail);
        };
        next(&|d| d.resource_lists = ResourceLists::Destroying);
        next(&|d| d.resource_lists = ResourceLists::None);
        next(&|d| d.unchanged_rows = false);
        next(&|d| d.unchanged_names = false);
        next(&|d| d.changed_rows = false);
        next(&|d| d.error_lines = Some(3));
        next(&|d| d.destroy_addresses = Some(10));
        next(&|d| d.bad_plan_messages = false);
        next(&|d| d.changed_names = false);
        next(&|d| d.destroy_addresses = Some(3));
        next(&|d| d.error_lines = Some(0));
        next(&|d| d.destroy_addresses = Some(0));
        next(&|d| d.table = false);
        steps
    }

    /// What this detail leaves out of `summary`, one phrase each, for the note in the comment.
    pub fn left_out(&self, summary: &Summary) -> Vec<String> {
        let mut out = Vec::new();
        let changed = summary.accounts.iter().filter(|a| !a.is_unchanged());
        let with_changes = changed.clone().filter(|a| a.counts().has_changes());
        let lists_gone = match self.resource_lists {
            ResourceLists::All => 0,
            ResourceLists::Destroying => with_changes.clone().filter(|a| !a.destroys()).count(),
            ResourceLists::None => with_changes.clone().count(),
        };
        if lists_gone > 0 {
            out.push(format!("the resource lists of {}", accounts(lists_gone)));
        }
        let unchanged = summary.accounts.iter().filter(|a| a.is_unchanged()).count();
        if self.table && !self.unchanged_rows && unchanged > 0 {
            out.push(format!(
                "the table rows of {} with no changes",
                accounts(unchanged)
            ));
        }
        if !self.unchanged_names && unchanged > 0 {
            out.push("the names of the accounts with no changes".into());
        }
        let quiet_changed = changed.clone().filter(|a| is_quiet_change(a)).count();
        if self.table && !self.changed_rows && quiet_changed > 0 {
            out.push(format!(
                "the table rows of {} that change but destroy nothing",
                accounts(quiet_changed)
            ));
        }
        if !self.changed_names && quiet_changed > 0 {
            out.push("the names of the accounts that change but destroy nothing".into());
        }
        if let Some(n) = self.destroy_addresses {
            let over = summary
                .accounts
                .iter()
                .filter(|a| {
                    usize::try_from(a.counts().destroy + a.counts().replace).unwrap_or(usize::MAX)
                        > n
                })
                .count();
            if over > 0 {
                out.push(format!(
                    "destroyed and replaced addresses beyond the first {n} per account"
                ));
            }
        }
        if let Some(n) = self.error_lines {
            let over = summary
                .accounts
                .iter()
                .flat_map(|a| a.failed_layers())
                .any(|l| match &l.state {
                    crate::summary::LayerState::Failed { error, .. } => error.len() > n,
                    _ => false,
                });
            if over {
                out.push(if n == 0 {
                    "the error lines of failed plans".into()
                } else {
                    format!("error lines beyond the first {n} per failed plan")
                });
            }
        }
        if !self.bad_plan_messages && !summary.bad_plans.is_empty() {
            out.push("why each unreadable plan file could not be read".into());
        }
        if !self.table && !summary.accounts.is_empty() {
            out.push("the account by layer table".into());
        }
        out
    }
}

/// An account that changes, destroys nothing and has no failed plan: the first to lose its
/// table row.
pub(super) fn is_quiet_change(account: &crate::summary::AccountSummary) -> bool {
    !account.is_unchanged() && !account.destroys() && account.failed_layers().next().is_none()
}

fn accounts(n: usize) -> String {
    if n == 1 {
        "1 account".into()
    } else {
        format!("{n} accounts")
    }
}
