//! `orchestrator vend`: runs the account vending layer once, as the management account (the
//! process's own AWS credentials, no role assumed), and records the account ids it outputs
//! in `<work_dir>/account-ids.json` for `run`, `deploy`, `matrix` and `jobs`.

use std::collections::BTreeMap;
use std::fs::File;
use std::process::Stdio;

use crate::aws::is_base_credential_env;
use crate::cli::VendArgs;
use crate::credentials::{AccountCredentials, Secret};
use crate::exit::{CliError, CommandResult, Exit};
use crate::terraform::{LayerWorkspace, Terraform, TerraformCommand};
use crate::vending::{self, VENDING_ACCOUNT};

use super::common::load_config;
use super::deploy::{absolute, find_program};
use super::invocation::Invocation;

/// The output of the vending layer that maps account names to ids.
const ACCOUNT_IDS_OUTPUT: &str = "account_ids";

pub fn run(inv: &Invocation, args: VendArgs) -> CommandResult {
    let config = load_config(inv.config()?)?;
    let vending = config.account_vending.clone().ok_or_else(|| {
        CliError::bad_input(format!(
            "{}: no defaults.account_vending; add `account_vending: {{ layer: organization, \
             email_domain: example.com, root_id: r-ab12 }}` under defaults",
            config.path.display()
        ))
    })?;
    let terraform = Terraform {
        program: find_program(&args.terraform)?,
        lock_timeout: config.execution.lock_timeout,
    };
    let work_dir = inv.work_dir()?.root().to_path_buf();
    let _work_dir_lock = super::common::lock_work_dir(&work_dir, "vend")?;
    let layers_dir = absolute(&config.layers_dir)?;
    let ws = LayerWorkspace::new(&work_dir, &layers_dir, VENDING_ACCOUNT, &vending.layer);
    let backend = vending::backend(&config, &absolute(&config.root)?, &work_dir, &vending.layer);
    ws.prepare(&vending::inputs(&config, &vending))
        .map_err(|e| CliError::failed(format!("cannot prepare {}: {e}", ws.data_dir.display())))?;
    let credentials = management_credentials();
    let run = |command: TerraformCommand, allowed: &[i32]| -> Result<i32, CliError> {
        run_logged(&command.with_credentials(&credentials), &ws, allowed)
    };

    run(
        terraform.init(&ws, &backend, ws.needs_reconfigure(&backend)),
        &[0],
    )?;
    ws.record_backend(&backend)
        .map_err(|e| CliError::failed(format!("{}: {e}", ws.backend_record().display())))?;
    let planned = run(terraform.plan(&ws), &[0, 2])?;
    let changes = if planned == 2 {
        "changes"
    } else {
        "no changes"
    };
    if args.plan_only {
        println!(
            "vend: {} planned ({changes}) for {} accounts; log: {}",
            vending.layer,
            config.accounts.len(),
            ws.log_file.display()
        );
        return Ok(Exit::Success);
    }
    run(terraform.apply(&ws), &[0])?;

    let output = terraform
        .output_json(&ws, ACCOUNT_IDS_OUTPUT)
        .with_credentials(&credentials)
        .to_command()
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| CliError::failed(format!("cannot run terraform output: {e}")))?;
    if !output.status.success() {
        return Err(CliError::failed(format!(
            "terraform output -json {ACCOUNT_IDS_OUTPUT} failed in {}; does the layer declare \
             an `{ACCOUNT_IDS_OUTPUT}` output (account name -> id)?",
            ws.module_dir.display()
        )));
    }
    let ids: BTreeMap<String, String> = serde_json::from_slice(&output.stdout).map_err(|e| {
        CliError::failed(format!(
            "the `{ACCOUNT_IDS_OUTPUT}` output of {} is not a map of account name to id: {e}",
            vending.layer
        ))
    })?;
    let ids: BTreeMap<String, String> = ids
        .into_iter()
        .filter(|(name, _)| config.accounts.iter().any(|a| &a.name == name))
        .collect();
    vending::write_ids(&work_dir, &ids).map_err(|e| {
        CliError::failed(format!(
            "cannot write {}: {e}",
            vending::ids_file(&work_dir).display()
        ))
    })?;
    let missing: Vec<&str> = config
        .accounts
        .iter()
        .filter(|a| a.account_id.is_empty() && !ids.contains_key(&a.name))
        .map(|a| a.name.as_str())
        .collect();
    println!(
        "vend: {} applied ({changes}); {} account ids recorded in {}",
        vending.layer,
        ids.len(),
        vending::ids_file(&work_dir).display()
    );
    if !missing.is_empty() {
        return Err(CliError::failed(format!(
            "the `{ACCOUNT_IDS_OUTPUT}` output of {} has no id for {}",
            vending.layer,
            missing.join(", ")
        )));
    }
    Ok(Exit::Success)
}

/// The vending layer runs in the management account: terraform gets this process's own AWS
/// credentials (which every other layer is denied), and nothing else the orchestrator holds.
fn management_credentials() -> AccountCredentials {
    AccountCredentials {
        env: std::env::vars()
            .filter(|(name, _)| name.starts_with("AWS_") && is_base_credential_env(name))
            .map(|(name, value)| (name, Secret::new(value)))
            .collect(),
        expires_at: None,
    }
}

/// Runs one terraform command with its output appended to the layer's log; an exit code
/// outside `allowed` fails `vend` with the end of the log.
fn run_logged(
    command: &TerraformCommand,
    ws: &LayerWorkspace,
    allowed: &[i32],
) -> Result<i32, CliError> {
    let log = File::options()
        .create(true)
        .append(true)
        .open(&ws.log_file)
        .map_err(|e| CliError::failed(format!("{}: {e}", ws.log_file.display())))?;
    let err_log = log
        .try_clone()
        .map_err(|e| CliError::failed(format!("{}: {e}", ws.log_file.display())))?;
    let status = command
        .to_command()
        .stdout(log)
        .stderr(err_log)
        .status()
        .map_err(|e| CliError::failed(format!("cannot run {command}: {e}")))?;
    let code = status.code().unwrap_or(-1);
    if allowed.contains(&code) {
        return Ok(code);
    }
    let text = std::fs::read_to_string(&ws.log_file).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(20).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(CliError::failed(format!(
        "{command} failed (exit {code}):\n{}\nfull log: {}",
        tail.join("\n"),
        ws.log_file.display()
    )))
}
