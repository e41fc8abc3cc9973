//! `stacks`: the copies of the stack layer that have state, per account, with when each was
//! last applied.

use std::path::Path;

use super::claiming::list_copies;
use super::loading::{load_config_with_vended_ids, work_dir_from_env};
use super::resolve::absolute;
use super::selecting::split_names;
use crate::cli::{Format, StacksArgs};
use crate::exit::{CliError, CommandResult, Exit};
use crate::plan::{self, Selection};
use crate::stacks::CopyState;

pub(super) fn run(config_path: &Path, args: StacksArgs) -> CommandResult {
    let config = load_config_with_vended_ids(config_path, &work_dir_from_env())?;
    let Some(stacks) = &config.stacks else {
        return Err(CliError::bad_input(format!(
            "{} declares no layer with copies; add `stacks: {{ layer: dynamic, variable: stack_suffix }}` under `defaults:` (docs/stacks.md)",
            config.path.display()
        )));
    };
    let selection = Selection {
        accounts: split_names(&args.accounts),
        domains: args.domains.clone(),
        environments: args.environments.clone(),
        layers: vec![stacks.layer.clone()],
        ..Selection::default()
    };
    let plan = plan::build(&config, &selection)?;
    let root = absolute(&config.root)?;
    let oidc = std::env::var("ORCHESTRATOR_OIDC_ROLE_ARN").ok();
    let listed = list_copies(&config, &plan, &root, oidc)?;
    let mut copies = Vec::new();
    for (_, found) in listed {
        copies.extend(found?);
    }
    let text = match args.format {
        Format::Json => json(&copies),
        Format::Table => table(&copies, &stacks.layer),
    };
    let kind = match args.format {
        Format::Json => crate::console::Document::Json,
        Format::Table => crate::console::Document::Text,
    };
    super::stdout::print_stdout(&text, kind)?;
    Ok(Exit::Success)
}

fn json(copies: &[CopyState]) -> String {
    let entries: Vec<serde_json::Value> = copies
        .iter()
        .map(|c| {
            serde_json::json!({
                "account": c.account,
                "stack": c.stack.as_str(),
                "state": c.location.to_string(),
                "last_apply": c.last_apply.map(|t| humantime::format_rfc3339_seconds(t).to_string()),
                "resources": c.resources,
            })
        })
        .collect();
    serde_json::to_string_pretty(&entries).expect("copies serialise") + "\n"
}

fn table(copies: &[CopyState], layer: &str) -> String {
    let mut rows = vec![[
        "ACCOUNT".to_string(),
        "STACK".into(),
        "LAST APPLY".into(),
        "RESOURCES".into(),
    ]];
    for c in copies {
        rows.push([
            c.account.clone(),
            c.stack.to_string(),
            c.last_apply.map_or("unknown".into(), |t| {
                humantime::format_rfc3339_seconds(t).to_string()
            }),
            c.resources.map_or("unknown".into(), |n| n.to_string()),
        ]);
    }
    let mut widths = [0usize; 4];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    let noun = if copies.len() == 1 { "copy" } else { "copies" };
    out.push_str(&format!("{} {noun} of layer {layer}\n", copies.len()));
    out
}
