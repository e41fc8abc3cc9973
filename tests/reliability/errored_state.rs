//! terraform that cannot save the state at the end of an apply writes it to `errored.tfstate`
//! in its working directory. Each (account, layer) runs in a directory of its own, so two
//! accounts failing at once keep their own file; the layer is not retried (another apply
//! would fork the state), the report and the failure name the file and the command that
//! pushes it back, and the layer waits for that before it runs again. Real terraform: a
//! directory where the local backend writes its backup makes its save fail.

use std::path::{Path, PathBuf};

use orchestrator::report::{RecoveryKind, Status};

use super::sandbox::{layer, Sandbox};

const ACCOUNTS: [&str; 2] = ["catalog-dev", "catalog-stage"];

/// The local backend backs the previous state up before it writes the new one; a directory in
/// the backup's place makes that, and so the save, fail.
fn break_state_saving(sandbox: &Sandbox, account: &str) -> PathBuf {
    let backup = PathBuf::from(format!(
        "{}.backup",
        sandbox.state("platform", account).display()
    ));
    std::fs::create_dir_all(&backup).unwrap();
    backup
}

#[test]
fn each_account_keeps_its_own_errored_state_and_is_told_how_to_push_it_back() {
    let sandbox = Sandbox::new();
    let accounts = ACCOUNTS.join(",");
    sandbox
        .run(&["deploy", "--accounts", &accounts])
        .expect_code(0);
    let backups: Vec<PathBuf> = ACCOUNTS
        .iter()
        .map(|a| break_state_saving(&sandbox, a))
        .collect();
    // A new region changes every account's platform layer: both applies must save state.
    sandbox.edit_config("region: eu-west-1", "region: us-east-2");

    let failed = sandbox.run(&["deploy", "--accounts", &accounts]);
    failed.expect_code(1);
    let report = sandbox.report();
    let mut files = Vec::new();
    for account in ACCOUNTS {
        let platform = layer(&report, account, "platform");
        assert_eq!(platform.status, Status::Failed);
        // Never retried, though the config allows 2 retries: another apply would fork the state.
        assert_eq!(platform.attempts.len(), 1, "{account}: {platform:#?}");
        let recovery = platform.recovery.as_ref().expect("a recovery");
        assert_eq!(recovery.kind, RecoveryKind::ErroredState);
        let file = PathBuf::from(recovery.path.as_deref().unwrap());
        assert!(
            file.starts_with(sandbox.path().join(".orchestrator")),
            "{file:?}"
        );
        // The account's own state, not the other account's.
        let saved = std::fs::read_to_string(&file).unwrap();
        assert!(saved.contains(&format!("\"{account}\"")), "{saved}");
        let other = ACCOUNTS.iter().find(|a| **a != account).unwrap();
        assert!(!saved.contains(&format!("\"{other}\"")), "{saved}");
        assert!(
            saved.contains("us-east-2"),
            "the state of this apply: {saved}"
        );
        // The failure leads with where the state is and the exact command.
        assert!(
            platform.error[0].contains(&file.display().to_string()),
            "{:?}",
            platform.error
        );
        assert!(platform.error.contains(&recovery.command));
        // The local backend failed before counting a new serial: `-force` (see recovery.rs).
        assert!(
            recovery
                .command
                .ends_with("terraform state push -force errored.tfstate"),
            "{}",
            recovery.command
        );
        assert!(
            failed.stderr.contains(&recovery.command),
            "{}",
            failed.stderr
        );
        assert!(failed.stderr.contains(&file.display().to_string()));
        files.push((file, saved));
    }
    // Nothing in the shared layer directory.
    assert!(!sandbox
        .path()
        .join("layers/platform/errored.tfstate")
        .exists());

    // The next run does not plan or apply over the saved state: it leaves the layer waiting.
    let again = sandbox.run(&["deploy", "--accounts", &accounts]);
    again.expect_code(1);
    let report = sandbox.report();
    for ((file, saved), account) in files.iter().zip(ACCOUNTS) {
        let platform = layer(&report, account, "platform");
        assert_eq!(platform.status, Status::Failed);
        assert!(platform.attempts.is_empty(), "not run: {platform:#?}");
        assert!(platform
            .reason
            .as_deref()
            .unwrap()
            .contains("errored.tfstate"));
        assert_eq!(
            &std::fs::read_to_string(file).unwrap(),
            saved,
            "never overwritten"
        );
    }

    // The operator fixes the cause, runs the printed command, moves the file away: the next
    // run converges and nothing is applied twice.
    for backup in &backups {
        std::fs::remove_dir(backup).unwrap();
    }
    for account in ACCOUNTS {
        let recovery = layer(&report, account, "platform")
            .recovery
            .clone()
            .unwrap();
        let pushed = std::process::Command::new("sh")
            .args(["-c", &recovery.command])
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .output()
            .unwrap();
        assert!(
            pushed.status.success(),
            "{}: {}",
            recovery.command,
            String::from_utf8_lossy(&pushed.stderr)
        );
        let file = Path::new(recovery.path.as_deref().unwrap());
        std::fs::rename(file, file.with_extension("tfstate.pushed")).unwrap();
        let state = std::fs::read_to_string(sandbox.state("platform", account)).unwrap();
        assert!(state.contains("us-east-2"), "the pushed state: {state}");
    }
    sandbox
        .run(&["deploy", "--accounts", &accounts])
        .expect_code(0);
    let report = sandbox.report();
    for account in ACCOUNTS {
        let platform = layer(&report, account, "platform");
        assert_eq!(platform.status, Status::NoChanges, "{platform:#?}");
    }
}
