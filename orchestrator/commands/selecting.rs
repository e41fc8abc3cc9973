//! Selectors (and `--changed-since`, `--stack`) turned into a plan selection and a plan.

use std::collections::{BTreeMap, BTreeSet};

use crate::changes::{self, ChangeSet};
use crate::cli::{Format, Selectors};
use crate::config::Config;
use crate::console::eprintln;
use crate::exit::CliError;
use crate::plan::{self, Plan, Selection};
use crate::stacks::{self, StackCopy};

pub(super) fn selection(selectors: &Selectors) -> Selection {
    Selection {
        domains: selectors.domains.clone(),
        environments: selectors.environments.clone(),
        accounts: split_names(&selectors.accounts),
        layers: selectors.layers.clone(),
        waves: Vec::new(),
        changed: None,
    }
}

/// Account lists arrive comma- or space-separated (the matrix's `accounts` is space-separated).
pub(super) fn split_names(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split([' ', ',', '\n', '\t']))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) fn plan_for(config: &Config, selectors: &Selectors) -> Result<Plan, CliError> {
    Ok(plan_with_changes(config, selectors)?.0)
}

/// The plan, and with `--changed-since` the change set that narrowed it.
pub(super) fn plan_with_changes(
    config: &Config,
    selectors: &Selectors,
) -> Result<(Plan, Option<ChangeSet>), CliError> {
    let (selection, changes) = selection_with_changes(config, selectors)?;
    Ok((plan::build(config, &selection)?, changes))
}

/// The selectors as a plan selection, narrowed by `--changed-since` when it is given.
pub(super) fn selection_with_changes(
    config: &Config,
    selectors: &Selectors,
) -> Result<(Selection, Option<ChangeSet>), CliError> {
    let mut selection = selection(selectors);
    stack_copy(config, selectors.stack.as_deref(), &mut selection.layers)?;
    let changes = changes_since(
        config,
        selectors.changed_since.as_deref(),
        &selectors.all_on,
    )?;
    selection.changed = changes.as_ref().map(ChangeSet::selection);
    Ok((selection, changes))
}

/// `--stack NAME` checked, with `layers` narrowed to the stack layer; `None` without it.
pub(super) fn stack_copy(
    config: &Config,
    stack: Option<&str>,
    layers: &mut Vec<String>,
) -> Result<Option<StackCopy>, CliError> {
    Ok(stacks::resolve(config, stack, layers)?)
}

/// Every account of the plan keeps `<account>-<stack>` within AWS's name limits.
pub(super) fn check_stack_accounts(
    copy: Option<&StackCopy>,
    config: &Config,
    plan: &Plan,
) -> Result<(), CliError> {
    match copy {
        Some(copy) => Ok(stacks::check_accounts(
            copy,
            config,
            plan.jobs().map(|j| &j.account),
        )?),
        None => Ok(()),
    }
}

/// `jobs --explain`: the plan with the changed files behind each job's layers.
pub(super) fn explain(
    plan: &Plan,
    changes: Option<ChangeSet>,
    format: Format,
) -> Result<String, CliError> {
    let changes = changes.ok_or_else(|| {
        CliError::bad_input(
            "--explain says which changed files put each job there: add --changed-since <git ref>",
        )
    })?;
    Ok(match format {
        Format::Json => changes::explain::json(plan, &changes),
        Format::Table => changes::explain::table(plan, &changes),
    })
}

/// What `--changed-since REF` (with `--all-on`) affects, as the plan's `Selection::changed`
/// filter; `None` without the flag (an empty value, as an unset CI variable gives, counts as
/// absent). Accounts that left the config are reported on stderr here, for every command.
pub(super) fn changed_filter(
    config: &Config,
    changed_since: Option<&str>,
    all_on: &[String],
) -> Result<Option<BTreeMap<String, BTreeSet<String>>>, CliError> {
    Ok(changes_since(config, changed_since, all_on)?.map(|c| c.selection()))
}

fn changes_since(
    config: &Config,
    changed_since: Option<&str>,
    all_on: &[String],
) -> Result<Option<ChangeSet>, CliError> {
    // Without a ref everything is selected, which is what `--all-on` would select anyway.
    let Some(since) = changed_since.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let changes = changes::detect(config, since, all_on)?;
    let annotate = crate::github_actions::GithubActions::from_env().actions;
    for removed in &changes.removed {
        let message = removed.message();
        eprintln!("warning: {message}");
        if annotate {
            crate::console::workflow_command(
                crate::console::Stream::Stderr,
                &format!(
                    "::warning title=Removed from config::{}",
                    crate::github_actions::escape_data(&message)
                ),
            );
        }
    }
    for note in &changes.notes {
        eprintln!("note: {note}");
    }
    Ok(Some(changes))
}
