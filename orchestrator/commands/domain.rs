use std::io::Write;
use std::path::Path;

use crate::cli::DomainAddArgs;
use crate::config::add_domain::{add_domain, parse_account_id, DomainRequest};
use crate::console::eprintln;
use crate::exit::{CliError, CommandResult, Exit};

/// Appends the domain to the config file in place (or prints the new file with --dry-run).
/// The new text is validated before anything is written, and written atomically.
pub(super) fn add(config_path: &Path, args: DomainAddArgs) -> CommandResult {
    let shown = config_path.display();
    let text = std::fs::read_to_string(config_path).map_err(|e| {
        CliError::bad_input(format!(
            "{shown}: cannot read the config: {e}; pass --config <path> or set ORCHESTRATOR_CONFIG"
        ))
    })?;
    let account_ids = args
        .account_ids
        .iter()
        .flat_map(|v| v.split(','))
        .filter(|v| !v.trim().is_empty())
        .map(parse_account_id)
        .collect::<Result<Vec<_>, _>>()?;
    let request = DomainRequest {
        name: args.name,
        team: args.team,
        environments: args.envs,
        account_ids,
        slack_channel: args.slack_channel,
    };
    let added = add_domain(config_path, &text, &request).map_err(|e| {
        if e.is_about_the_file() {
            CliError::bad_input(format!("{shown}: {e}"))
        } else {
            CliError::from(e)
        }
    })?;

    if args.dry_run {
        // The change as a reviewer reads it, not the whole file.
        let shown_path = config_path.display().to_string();
        let diff = similar::TextDiff::from_lines(&text, &added.text)
            .unified_diff()
            .context_radius(3)
            .header(&shown_path, &shown_path)
            .to_string();
        crate::console::stdout_document(&diff, crate::console::Document::Text)
            .map_err(|e| CliError::failed(format!("cannot write to stdout: {e}")))?;
        return Ok(Exit::Success);
    }
    write_atomically(config_path, &added.text)
        .map_err(|e| CliError::failed(format!("{shown}: cannot write the config: {e}")))?;
    let accounts: Vec<String> = added
        .domain
        .accounts
        .iter()
        .map(|a| {
            let name = format!("{}-{}", added.domain.name, a.environment);
            match &a.network_cidr {
                Some(cidr) => format!("{name} ({}, {cidr})", a.account_id),
                None => format!("{name} ({})", a.account_id),
            }
        })
        .collect();
    eprintln!(
        "{shown}: added domain `{}` with {}; review the change and open a pull request",
        added.domain.name,
        accounts.join(", ")
    );
    Ok(Exit::Success)
}

/// Write to a temp file next to the config, then rename over it: a reader sees the old
/// file or the new one, never half of one. The file keeps its permissions, and a symlink
/// keeps pointing at the (updated) file it pointed at.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    std::fs::set_permissions(temp.path(), std::fs::metadata(&target)?.permissions())?;
    temp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
