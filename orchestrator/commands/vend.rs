//! `orchestrator vend`: runs the account vending layer once, as the management account (the
//! process's own AWS credentials, no role assumed), records the account ids it outputs in
//! `<work_dir>/account-ids.json` for `run`, `deploy`, `matrix` and `jobs`, and writes a run
//! report like every run.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::claiming::{claim, lock_work_dir, runtime};
use super::loading::{load_config, work_dir_from_env};
use super::resolve::{absolute, grace_period, report_target, ReportTarget};
use super::signals::StopSignals;
use crate::cli::VendArgs;
use crate::console::{eprintln, println};
use crate::exit::{CliError, CommandResult, Exit};
use crate::report::{self, Mode, RunAction, RunReport};
use crate::terraform::Terraform;
use crate::vending::{self, VendOptions, Vended, VENDING_ACCOUNT};
use crate::workdir::{shown, WorkDir};

pub(super) fn run(config_path: &Path, args: VendArgs) -> CommandResult {
    let config = load_config(config_path)?;
    let vending = config.account_vending.clone().ok_or_else(|| {
        CliError::bad_input(format!(
            "{}: no defaults.account_vending; add `account_vending: {{ layer: organization, \
             email_domain: example.com, root_id: r-ab12 }}` under defaults",
            config.path.display()
        ))
    })?;
    let mode = if args.plan_only {
        Mode::Plan
    } else {
        Mode::Apply
    };
    let work = WorkDir::at(absolute(&work_dir_from_env())?);
    let options = VendOptions {
        terraform: Terraform {
            program: crate::terraform::find_program(&args.terraform)?,
            lock_timeout: config.execution.lock_timeout,
        },
        mode,
        work_dir: work.root().to_path_buf(),
        credentials: crate::aws::management_credentials(),
        grace_period: grace_period(&config, None),
    };
    let target = report_target(
        &config,
        &work,
        args.report.as_deref(),
        mode,
        RunAction::Vend,
    )?;
    // One layer: the organization.
    target.check_writable(1)?;
    let _work_dir_lock = lock_work_dir(work.root(), "vend")?;
    // The organization's state, whatever the work dir: two vends never apply it at once.
    let root = absolute(&config.root)?;
    let state = vending::backend(&config, &root, &vending.layer).identity();
    let _state_claim = claim([state].into(), "vend", work.root())?;
    let started_at = SystemTime::now();
    let vended = runtime()?.block_on(async {
        // The one stop-signal listener, forwarded to terraform like a run's.
        let (handle, cancel) = crate::runner::cancellation();
        let forwarding = tokio::spawn(StopSignals::listen().forward(handle));
        let vended = vending::vend(&config, &vending, &options, cancel, |plan, log| {
            println!(
                "vend: plan of layer {} for {} accounts (log: {})",
                vending.layer,
                config.accounts.len(),
                shown(log)
            );
            println!("{plan}");
        })
        .await;
        forwarding.abort();
        vended
    });
    let report = match &vended.layer {
        Some(layer) => report::vend(
            target.context.clone(),
            VENDING_ACCOUNT,
            layer.clone(),
            started_at,
            SystemTime::now(),
        ),
        None => report::vend_not_started(
            target.context.clone(),
            VENDING_ACCOUNT,
            &vending.layer,
            &vended
                .failure
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            false,
        ),
    };
    print_result(&vended, &vending.layer, &work, args.plan_only);
    let written = publish(&report, &target);
    match vended.failure {
        Some(failure) => {
            if let Err(e) = written {
                eprintln!("error: {e}");
            }
            Err(failure.into())
        }
        None => written.map(|()| Exit::Success),
    }
}

/// What was applied and recorded (also when some ids were missing: those that came are kept).
fn print_result(vended: &Vended, layer: &str, work: &WorkDir, plan_only: bool) {
    if plan_only && vended.failure.is_none() {
        println!("vend: nothing applied (--plan-only)");
    }
    if let Some(recorded) = &vended.recorded {
        let changes = if vended.changes {
            "changes"
        } else {
            "no changes"
        };
        println!(
            "vend: {layer} applied ({changes}); {} account ids recorded in {}",
            recorded.count,
            shown(&vending::ids_file(work.root()))
        );
    }
}

/// Writes the run report (its own, the latest, `--report`), says where it is, and publishes
/// it to the GitHub job summary.
fn publish(report: &RunReport, target: &ReportTarget) -> Result<(), CliError> {
    let path = &target.context.report_path;
    let unwritten = report::write_with_copies(report, path, &target.copies);
    let paths = crate::progress::SummaryPaths {
        report: path.clone(),
        requested: target.requested.clone(),
        config: PathBuf::new(),
        unwritten: unwritten.iter().map(|e| e.path().to_path_buf()).collect(),
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    crate::console::stdout_text(&crate::progress::report_line(&paths, &cwd));
    if let Err(e) = crate::notify::github::publish(report, path) {
        eprintln!("warning: cannot write the GitHub job summary: {e}");
    }
    report::all_written(unwritten).map_err(CliError::failed)
}
