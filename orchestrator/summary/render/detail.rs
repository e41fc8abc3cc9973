//! How much of the summary a comment shows, and the order in which detail is given up to
//! fit a size limit: what a reviewer needs least goes first. The per-account resource lists
//! go first (one folded group at a time), then table rows, error lines and the addresses of
//! drift, then the table, then what went wrong in failed and missing plans (named only, then
//! counted: expired credentials can fail a thousand plans); only when the destroyed
//! addresses alone do not fit are they grouped by address across accounts, and as a last
//! resort counted per account, then with accounts of the same counts on one line (the full
//! list then lives in the job summary, `--full` and `--destroy-list`). The headline and every destroying account are in every step.

use crate::summary::model::{AccountSummary, LayerState, Summary};

/// How the destroyed and replaced addresses are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Destroys {
    /// Under each account, one line per address with layer and terraform's reason.
    Full,
    /// One line per (layer, kind, address), naming every account it is destroyed in.
    Grouped,
    /// Only how many per account; the addresses are in the full version.
    Counts,
    /// As `Counts`, with the accounts that destroy as many on one line: every destroying
    /// account is still named when a thousand of them are.
    CountsFolded,
}

/// How failed, missing and unreadable plans, and plans with drift, deferred changes or
/// actions, are listed: when hundreds of plans failed (expired credentials fail them all),
/// even one line each can exceed the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlanLines {
    /// One line per plan, saying what went wrong.
    Each,
    /// One line per plan naming only its account and layer (or path).
    Names,
    /// Only how many (the headline's counts); the full version lists them.
    Counts,
}

/// Which accounts get a row in the account x layer table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rows {
    All,
    /// Without accounts that change nothing.
    Changed,
    /// Only accounts that destroy something or whose plan failed or is missing.
    Notable,
    /// No table.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detail {
    pub destroys: Destroys,
    pub rows: Rows,
    /// The names of accounts with no changes (else only how many).
    pub unchanged_names: bool,
    /// The names of accounts that change, destroy nothing and have no resource list or row.
    pub changed_names: bool,
    /// At most this many error lines per failed plan.
    pub error_lines: Option<usize>,
    /// The error message of each unreadable plan file (else only its path).
    pub bad_plan_messages: bool,
    /// The paths of plan files the run report does not name (else only how many, in the
    /// headline).
    pub stale_paths: bool,
    /// The addresses of drift, deferred changes, actions and unknown action lists (else
    /// only how many per plan).
    pub extra_addresses: bool,
    /// How failed, missing, unreadable and drifted plans are listed.
    pub plan_lines: PlanLines,
    /// How many groups of accounts (folded when their changes are identical) get their
    /// collapsed resource list, destroying accounts first; `None` for all.
    pub lists: Option<usize>,
}

impl Detail {
    pub const FULL: Detail = Detail {
        destroys: Destroys::Full,
        rows: Rows::All,
        unchanged_names: true,
        changed_names: true,
        error_lines: None,
        bad_plan_messages: true,
        stale_paths: true,
        extra_addresses: true,
        plan_lines: PlanLines::Each,
        lists: None,
    };

    /// Every step without resource lists, from the most detailed to the barest; each gives
    /// up more than the last. [`fit`](super::fit) then adds back as many lists as fit.
    /// The destroys are given up last: every other detail goes before they are grouped, and
    /// when they are grouped (or counted) the other details start again from the top, so
    /// the table comes back whenever the shorter destroys leave room for it.
    pub fn steps() -> Vec<Detail> {
        let mut steps = Vec::new();
        for destroys in [
            Destroys::Full,
            Destroys::Grouped,
            Destroys::Counts,
            Destroys::CountsFolded,
        ] {
            let mut detail = Detail {
                destroys,
                lists: Some(0),
                ..Detail::FULL
            };
            steps.push(detail);
            let others: [&dyn Fn(&mut Detail); 13] = [
                &|d| d.rows = Rows::Changed,
                &|d| d.unchanged_names = false,
                &|d| d.rows = Rows::Notable,
                &|d| d.error_lines = Some(5),
                &|d| d.bad_plan_messages = false,
                &|d| d.stale_paths = false,
                &|d| d.changed_names = false,
                &|d| d.extra_addresses = false,
                &|d| d.error_lines = Some(1),
                &|d| d.rows = Rows::None,
                &|d| d.error_lines = Some(0),
                &|d| d.plan_lines = PlanLines::Names,
                &|d| d.plan_lines = PlanLines::Counts,
            ];
            for change in others {
                change(&mut detail);
                steps.push(detail);
            }
        }
        steps
    }

    /// What this detail leaves out of `summary`, one phrase each, for the note in the
    /// comment; `groups` are the folded groups of accounts with resource lists, in order.
    pub fn left_out(&self, summary: &Summary, groups: &[Vec<&AccountSummary>]) -> Vec<String> {
        let mut out = Vec::new();
        let shown = self.lists.unwrap_or(usize::MAX);
        let lists_gone: usize = groups.iter().skip(shown).map(Vec::len).sum();
        if lists_gone > 0 {
            out.push(format!("the resource lists of {}", accounts(lists_gone)));
        }
        let unchanged = summary.accounts.iter().filter(|a| a.is_unchanged()).count();
        let quiet = summary
            .accounts
            .iter()
            .filter(|a| is_quiet_change(a))
            .count();
        if self.rows > Rows::All && self.rows < Rows::None && unchanged > 0 {
            out.push(format!(
                "the table rows of {} with no changes",
                accounts(unchanged)
            ));
        }
        if !self.unchanged_names && unchanged > 0 {
            out.push(format!(
                "the names of the {} with no changes",
                accounts(unchanged)
            ));
        }
        if self.rows > Rows::Changed && self.rows < Rows::None && quiet > 0 {
            out.push(format!(
                "the table rows of {} that change but destroy nothing",
                accounts(quiet)
            ));
        }
        let quiet_unnamed = quiet - quiet_listed(groups, shown);
        if !self.changed_names && self.rows > Rows::Changed && quiet_unnamed > 0 {
            out.push(format!(
                "the names of {} that change but destroy nothing",
                accounts(quiet_unnamed)
            ));
        }
        for (n, what) in [
            (summary.failed_plans(), "failed plan"),
            (summary.missing_plans(), "missing plan"),
        ] {
            let plans = plans(n, what);
            match self.plan_lines {
                _ if n == 0 => {}
                PlanLines::Each => {}
                PlanLines::Names => out.push(format!("the reasons for {plans} (each is named)")),
                PlanLines::Counts => out.push(format!("the accounts and layers of {plans}")),
            }
        }
        if let Some(n) = self
            .error_lines
            .filter(|_| self.plan_lines == PlanLines::Each)
        {
            let over = summary
                .accounts
                .iter()
                .flat_map(|a| a.failed_layers())
                .filter(|l| error_lines(&l.state) > n)
                .count();
            if over > 0 {
                out.push(if n == 0 {
                    format!("the error lines of {}", plans(over, "failed plan"))
                } else {
                    format!(
                        "error lines beyond the first {n} of {}",
                        plans(over, "failed plan")
                    )
                });
            }
        }
        if !self.stale_paths && !summary.stale_plans.is_empty() {
            out.push(format!(
                "the paths of {} not in the run report",
                plans(summary.stale_plans.len(), "plan file")
            ));
        }
        if !self.bad_plan_messages && !summary.bad_plans.is_empty() {
            out.push(format!(
                "why {} could not be read",
                plans(summary.bad_plans.len(), "plan file")
            ));
        }
        if self.plan_lines == PlanLines::Counts && !summary.bad_plans.is_empty() {
            out.push(format!(
                "the paths of {}",
                plans(summary.bad_plans.len(), "unreadable plan file")
            ));
        }
        if !self.extra_addresses {
            let extras = summary
                .accounts
                .iter()
                .flat_map(|a| a.plans())
                .filter(|(_, p)| has_extras(p))
                .count();
            if extras > 0 {
                out.push(format!(
                    "the addresses of drift, deferred changes, actions and other action kinds in {}",
                    plans(extras, "plan")
                ));
            }
            if extras > 0 && self.plan_lines == PlanLines::Counts {
                out.push(format!(
                    "which {} drift, deferred changes, actions or other action kinds",
                    if extras == 1 {
                        "1 plan has".to_string()
                    } else {
                        format!("{extras} plans have")
                    }
                ));
            }
        }
        if self.rows == Rows::None && !summary.accounts.is_empty() {
            out.push("the account by layer table".into());
        }
        let destroyed: usize = summary
            .accounts
            .iter()
            .flat_map(|a| a.plans())
            .map(|(_, p)| p.resources.iter().filter(|r| r.kind.destroys()).count())
            .sum();
        match self.destroys {
            Destroys::Full => {}
            Destroys::Grouped => {
                // What `words::resource` adds to an address and `resource_short` leaves out.
                let destroys: Vec<_> = summary
                    .accounts
                    .iter()
                    .flat_map(|a| a.plans())
                    .flat_map(|(_, p)| &p.resources)
                    .filter(|r| r.kind.destroys())
                    .collect();
                let mut notes = Vec::new();
                if destroys.iter().any(|r| r.reason.is_some()) {
                    notes.push("terraform's reason");
                }
                if destroys.iter().any(|r| r.previous_address.is_some()) {
                    notes.push("the address it moved from");
                }
                if destroys.iter().any(|r| r.import_id.is_some()) {
                    notes.push("its import id");
                }
                if !notes.is_empty() {
                    out.push(format!(
                        "{} for each destroy (every destroyed address is named, by account)",
                        notes.join(" and ")
                    ));
                }
            }
            Destroys::Counts | Destroys::CountsFolded => out.push(format!(
                "the {destroyed} destroyed and replaced addresses (counted per account)"
            )),
        }
        out
    }
}

/// Lines of terraform's output kept for a failed plan.
pub(super) fn error_lines(state: &LayerState) -> usize {
    match state {
        LayerState::Failed { error, .. } => error.len(),
        LayerState::Planned(plan) => plan.diagnostics.len(),
        _ => 0,
    }
}

/// Whether a plan has something for the drift, deferred, actions and other section.
pub(super) fn has_extras(plan: &crate::summary::PlanSummary) -> bool {
    plan.has_extras() || plan.counts.other > 0
}

/// Quiet accounts whose resource list is shown (so they are named there).
fn quiet_listed(groups: &[Vec<&AccountSummary>], shown: usize) -> usize {
    groups
        .iter()
        .take(shown)
        .flatten()
        .filter(|a| is_quiet_change(a))
        .count()
}

/// An account that changes, destroys nothing and has no failed or missing plan: the first
/// to lose its table row.
pub(super) fn is_quiet_change(account: &AccountSummary) -> bool {
    account.counts().has_changes()
        && !account.destroys()
        && account.failed_layers().next().is_none()
        && account.missing_layers().next().is_none()
}

fn accounts(n: usize) -> String {
    if n == 1 {
        "1 account".into()
    } else {
        format!("{n} accounts")
    }
}

fn plans(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
