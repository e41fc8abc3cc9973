//! `orchestrator vend`: runs the account vending layer once, as the management account (the
//! process's own AWS credentials, no role assumed), and records the account ids it outputs
//! in `<work_dir>/account-ids.json` for `run`, `deploy`, `matrix` and `jobs`.

use std::path::Path;

use crate::cli::VendArgs;
use crate::config::Config;
use crate::credentials::AccountCredentials;
use crate::exit::{CliError, CommandResult, Exit};
use crate::runner::{self, Stopped, Supervised};
use crate::terraform::{LayerWorkspace, Terraform, TerraformCommand};
use crate::vending::{self, VendingPlan, EXISTING_IDS_VARIABLE, VENDING_ACCOUNT};
use crate::workdir::shown;

use super::common::load_config;
use super::resolve::absolute;
use super::signals::StopSignals;
use crate::console::println;

/// The output of the vending layer that maps account names to ids.
const ACCOUNT_IDS_OUTPUT: &str = "account_ids";

pub(super) fn run(config_path: &Path, args: VendArgs) -> CommandResult {
    let config = load_config(config_path)?;
    let vending = config.account_vending.clone().ok_or_else(|| {
        CliError::bad_input(format!(
            "{}: no defaults.account_vending; add `account_vending: {{ layer: organization, \
             email_domain: example.com, root_id: r-ab12 }}` under defaults",
            config.path.display()
        ))
    })?;
    let terraform = Terraform {
        program: crate::terraform::find_program(&args.terraform)?,
        lock_timeout: config.execution.lock_timeout,
    };
    let work_dir = super::common::work_dir_from_env();
    let _work_dir_lock = super::common::lock_work_dir(&work_dir, "vend")?;
    let layers_dir = absolute(&config.layers_dir)?;
    let root = absolute(&config.root)?;
    let ws = LayerWorkspace::new(
        &work_dir,
        &root,
        &layers_dir,
        VENDING_ACCOUNT,
        &vending.layer,
    );
    let backend = vending::backend(&config, &root, &vending.layer);
    ws.prepare(&vending::inputs(&config, &vending))
        .map_err(|e| CliError::failed(format!("cannot prepare {}: {e}", ws.data_dir.display())))?;
    let credentials = crate::aws::management_credentials();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io("cannot start the async runtime", e))?;
    let ids_file = ws.output_file(ACCOUNT_IDS_OUTPUT);
    let plan_json = ws.output_file("plan");
    let planned = runtime.block_on(async {
        // The one stop-signal listener, forwarded to terraform like a run's.
        let (handle, cancel) = runner::cancellation();
        let forwarding = tokio::spawn(StopSignals::listen().forward(handle));
        let mut tf = Supervised::new(
            &ws.log_file,
            config.execution.job_timeout,
            config.execution.grace_period,
            cancel,
        )
        .map_err(|e| CliError::io(format!("cannot write {}", ws.log_file.display()), e))?;
        let creds = &credentials;
        let ws = &ws;
        step(
            &mut tf,
            terraform.init(ws, &backend, ws.needs_reconfigure(&backend)),
            creds,
            None,
            &[0],
            ws,
        )
        .await?;
        ws.record_backend(&backend)
            .map_err(|e| CliError::failed(format!("{}: {e}", ws.backend_record().display())))?;
        let planned = step(&mut tf, terraform.plan(ws), creds, None, &[0, 2], ws).await?;
        step(
            &mut tf,
            terraform.show_json(ws),
            creds,
            Some(&plan_json),
            &[0],
            ws,
        )
        .await?;
        let read = crate::summary::read_plan(&plan_json);
        // The plan may hold sensitive values: it is read once, never kept.
        let _ = std::fs::remove_file(&plan_json);
        let read = read.map_err(|e| CliError::failed(format!("layer {}: {e}", vending.layer)))?;
        let plan = vending::vending_plan(&config, &read);
        println!(
            "vend: plan of layer {} for {} accounts (log: {})",
            vending.layer,
            config.accounts.len(),
            shown(&ws.log_file)
        );
        println!("{plan}");
        refuse_unsafe(&plan, &config, &vending.layer)?;
        if !args.plan_only {
            step(&mut tf, terraform.apply(ws), creds, None, &[0], ws).await?;
            step(
                &mut tf,
                terraform.output_json(ws, ACCOUNT_IDS_OUTPUT),
                creds,
                Some(&ids_file),
                &[0],
                ws,
            )
            .await
            .map_err(|e| match e.exit() {
                Exit::Failed => CliError::failed(format!(
                    "{e}\ndoes the layer declare an `{ACCOUNT_IDS_OUTPUT}` output (account name \
                     -> id)?"
                )),
                _ => e,
            })?;
        }
        forwarding.abort();
        Ok::<i32, CliError>(planned)
    })?;
    let changes = if planned == 2 {
        "changes"
    } else {
        "no changes"
    };
    if args.plan_only {
        println!("vend: nothing applied (--plan-only)");
        return Ok(Exit::Success);
    }
    let output = std::fs::read(&ids_file)
        .map_err(|e| CliError::io(format!("cannot read {}", ids_file.display()), e))?;
    let _ = std::fs::remove_file(&ids_file);
    let recorded = vending::record_output(&config, &work_dir, ACCOUNT_IDS_OUTPUT, &output)
        .map_err(|e| CliError::failed(format!("layer {}: {e}", vending.layer)))?;
    println!(
        "vend: {} applied ({changes}); {} account ids recorded in {}",
        vending.layer,
        recorded.count,
        shown(&vending::ids_file(&work_dir))
    );
    if !recorded.missing.is_empty() {
        return Err(CliError::failed(format!(
            "the `{ACCOUNT_IDS_OUTPUT}` output of {} has no id for {}",
            vending.layer,
            recorded.missing.join(", ")
        )));
    }
    Ok(Exit::Success)
}

/// An account with an id in domains.yaml that the plan would create (a second account) or
/// destroy (close the real one) stops `vend` before anything is applied.
fn refuse_unsafe(plan: &VendingPlan, config: &Config, layer: &str) -> Result<(), CliError> {
    let found = plan.unsafe_for(&vending::existing_ids(config));
    if found.is_empty() {
        return Ok(());
    }
    let named: Vec<String> = found
        .iter()
        .map(|(account, id)| format!("{account} (account_id {id})"))
        .collect();
    Err(CliError::bad_input(format!(
        "{}: {} already exist but the plan of layer {layer} creates or destroys them; \
         nothing was applied. The layer must import existing accounts: declare \
         `variable \"{EXISTING_IDS_VARIABLE}\" {{ type = map(string) }}` and \
         `import {{ for_each = var.{EXISTING_IDS_VARIABLE}; to = <account resource>[each.key]; \
         id = each.value }}` (see layers/README.md, Account vending)",
        shown(&config.path),
        named.join(", ")
    )))
}

/// Runs one terraform command of the vending layer with the management credentials.
async fn step(
    tf: &mut Supervised,
    command: TerraformCommand,
    credentials: &AccountCredentials,
    stdout_to: Option<&Path>,
    allowed: &[i32],
    ws: &LayerWorkspace,
) -> Result<i32, CliError> {
    let command = command.with_credentials(credentials);
    tf.run(&command, stdout_to, allowed)
        .await
        .map_err(|stopped| failure(&command, stopped, ws))
}

/// Why `vend` stops: terraform failed (with the end of its output), ran out of time, or
/// was interrupted.
fn failure(command: &TerraformCommand, stopped: Stopped, ws: &LayerWorkspace) -> CliError {
    let log = ws.log_file.display();
    match stopped {
        Stopped::Failed { exit_code, output } => {
            let tail: Vec<&str> = output.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            let code = exit_code.map_or("killed".to_string(), |c| format!("exit {c}"));
            CliError::failed(format!(
                "{command} failed ({code}):\n{}\nfull log: {log}",
                tail.join("\n")
            ))
        }
        Stopped::TimedOut => CliError::failed(format!(
            "{command} did not finish within the job timeout (defaults.timeout); full log: {log}"
        )),
        Stopped::Interrupted => {
            CliError::interrupted(format!("interrupted during {command}; full log: {log}"))
        }
        Stopped::Io(e) => CliError::io(format!("cannot run {command}"), e),
    }
}
