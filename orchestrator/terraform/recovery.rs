//! What an operator must do after terraform left something behind for one (account, layer):
//! push back the state it could not save, or release a state lock a dead run left. Each comes
//! as the run report's `recovery` and as the first lines of the layer's error, which every
//! view of a failure (terminal, Slack, job summary) shows.

use std::path::Path;

use super::command::Terraform;
use super::state_lock::HeldLock;
use super::workspace::LayerWorkspace;
use crate::events::{Recovery, RecoveryKind};
use crate::workdir::shell_word;

/// Where the recovery applies, and how to reach its state.
pub struct Site<'a> {
    pub terraform: &'a Terraform,
    pub workspace: &'a LayerWorkspace,
    pub account: &'a str,
    pub layer: &'a str,
    /// The local backend's state file; `None` for a remote state (S3), whose commands need
    /// the account's credentials.
    pub local_state: Option<&'a Path>,
}

impl Site<'_> {
    /// `cd <working dir> && TF_DATA_DIR=<data dir> terraform <args>`: the backend the layer
    /// was initialised with, from the directory terraform ran in.
    fn command(&self, args: &str) -> String {
        let program = self
            .terraform
            .program
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "terraform".into());
        format!(
            "cd {} && TF_DATA_DIR={} {program} {args}",
            shell_word(&self.workspace.working_dir.display().to_string()),
            shell_word(&self.workspace.data_dir.display().to_string()),
        )
    }

    pub fn is_remote(&self) -> bool {
        self.local_state.is_none()
    }

    fn credentials(&self) -> String {
        if self.is_remote() {
            format!(" with {}'s credentials", self.account)
        } else {
            String::new()
        }
    }

    /// terraform saved the state it could not persist to `errored.tfstate`; `pending` when an
    /// earlier run left it and this one therefore did not run the layer.
    pub fn errored_state(&self, pending: bool) -> (Recovery, Vec<String>) {
        let path = self.workspace.errored_state();
        let shown = path.display().to_string();
        // From the working directory, the file's own name: a short enough command to survive
        // a notification's line limit whole.
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // The local backend fails before it counts the new serial when it cannot back up the
        // old state: the saved state then has the stored one's lineage and serial, which only
        // `-force` pushes over (nothing else can have written it since: same serial).
        let force = self
            .local_state
            .is_some_and(|stored| same_lineage_and_serial(&path, stored));
        let push = if force {
            "state push -force"
        } else {
            "state push"
        };
        let command = self.command(&format!("{push} {}", shell_word(&name)));
        let first = if pending {
            format!(
                "{} {}: not run: {shown} holds the state an earlier apply could not save; an \
                 apply before it is pushed back would fork the state",
                self.account, self.layer
            )
        } else {
            format!(
                "{} {}: terraform could not save the state and wrote it to {shown}; push it \
                 back before the next apply, which would fork the state",
                self.account, self.layer
            )
        };
        let lines = vec![
            first,
            format!(
                "to recover, run{} (then move {name} away):",
                self.credentials()
            ),
            command.clone(),
        ];
        let recovery = Recovery {
            kind: RecoveryKind::ErroredState,
            path: Some(shown),
            lock_id: None,
            lock_holder: None,
            command,
        };
        (recovery, lines)
    }

    /// A state lock the layer could not take. `stale`: a run that died left it. A local
    /// state's lock dies with its process, so one that is held has a live holder: no command.
    pub fn state_lock(&self, lock: &HeldLock, stale: bool) -> (Option<Recovery>, Vec<String>) {
        let who = format!("{} {}", self.account, self.layer);
        if !self.is_remote() {
            let line = format!(
                "{who}: state lock {} is held by {}: another terraform is using this state; \
                 wait for it or stop it",
                lock.id,
                lock.holder()
            );
            return (None, vec![line]);
        }
        let command = self.command(&format!("force-unlock {}", shell_word(&lock.id)));
        let (first, release) = if stale {
            (
                format!(
                    "{who}: state lock {} was left by a run that died ({})",
                    lock.id,
                    lock.holder()
                ),
                format!("release it{}:", self.credentials()),
            )
        } else {
            (
                format!(
                    "{who}: state lock {} is still held by {}",
                    lock.id,
                    lock.holder()
                ),
                format!("if no run is using it, release it{}:", self.credentials()),
            )
        };
        let recovery = Recovery {
            kind: RecoveryKind::StateLock,
            path: None,
            lock_id: Some(lock.id.clone()),
            lock_holder: Some(lock.holder()),
            command,
        };
        let lines = vec![first, release, recovery.command.clone()];
        (Some(recovery), lines)
    }
}

/// Whether two state files have the same lineage and serial.
fn same_lineage_and_serial(a: &Path, b: &Path) -> bool {
    let read = |path: &Path| -> Option<(String, u64)> {
        let state: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        Some((
            state.get("lineage")?.as_str()?.to_string(),
            state.get("serial")?.as_u64()?,
        ))
    };
    matches!((read(a), read(b)), (Some(x), Some(y)) if x == y)
}

/// Whether terraform left `errored.tfstate` for this (account, layer).
pub fn has_errored_state(workspace: &LayerWorkspace) -> bool {
    Path::new(&workspace.errored_state()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn site<'a>(tf: &'a Terraform, ws: &'a LayerWorkspace, local: Option<&'a Path>) -> Site<'a> {
        Site {
            terraform: tf,
            workspace: ws,
            account: "catalog-dev",
            layer: "platform",
            local_state: local,
        }
    }

    fn fixtures() -> (Terraform, LayerWorkspace) {
        (
            Terraform {
                program: "/usr/local/bin/terraform".into(),
                lock_timeout: Duration::ZERO,
            },
            LayerWorkspace::new(
                Path::new("/w"),
                Path::new("/repo"),
                Path::new("/repo/layers"),
                "catalog-dev",
                "platform",
            ),
        )
    }

    #[test]
    fn errored_state_names_the_file_and_the_push_from_the_layers_own_directory() {
        let (tf, ws) = fixtures();
        let (recovery, lines) = site(&tf, &ws, None).errored_state(false);
        assert_eq!(recovery.kind, RecoveryKind::ErroredState);
        assert_eq!(
            recovery.path.as_deref(),
            Some("/w/workdirs/catalog-dev/platform/layers/platform/errored.tfstate")
        );
        assert_eq!(
            recovery.command,
            "cd /w/workdirs/catalog-dev/platform/layers/platform && \
             TF_DATA_DIR=/w/data/catalog-dev/platform terraform state push errored.tfstate"
        );
        assert!(lines[0].starts_with("catalog-dev platform: terraform could not save"));
        assert_eq!(
            lines[1],
            "to recover, run with catalog-dev's credentials (then move errored.tfstate away):"
        );
        assert_eq!(lines[2], recovery.command);
    }

    #[test]
    fn a_local_state_the_apply_could_not_count_a_serial_for_is_pushed_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let ws = LayerWorkspace::new(
            &dir.path().join("w"),
            dir.path(),
            &dir.path().join("layers"),
            "catalog-dev",
            "platform",
        );
        std::fs::create_dir_all(&ws.working_dir).unwrap();
        let stored = dir.path().join("catalog-dev.tfstate");
        let state = |serial: u64, what: &str| {
            format!(r#"{{"version":4,"lineage":"l-1","serial":{serial},"resources":["{what}"]}}"#)
        };
        std::fs::write(&stored, state(2, "old")).unwrap();
        let (tf, _) = fixtures();
        let push = |saved: String| {
            std::fs::write(ws.errored_state(), saved).unwrap();
            site(&tf, &ws, Some(&stored)).errored_state(false).0.command
        };
        assert!(push(state(2, "new")).ends_with("terraform state push -force errored.tfstate"));
        assert!(push(state(3, "new")).ends_with("terraform state push errored.tfstate"));
    }

    #[test]
    fn a_lock_left_in_s3_comes_with_force_unlock_and_a_local_one_with_none() {
        let (tf, ws) = fixtures();
        let lock = HeldLock {
            id: "5b4e2a7c".into(),
            path: None,
            operation: Some("OperationTypeApply".into()),
            who: Some("runner@ci".into()),
            created: None,
        };
        let (recovery, lines) = site(&tf, &ws, None).state_lock(&lock, true);
        let recovery = recovery.unwrap();
        assert!(recovery
            .command
            .ends_with("terraform force-unlock 5b4e2a7c"));
        assert_eq!(recovery.lock_id.as_deref(), Some("5b4e2a7c"));
        assert!(lines[0].contains("left by a run that died (runner@ci, OperationTypeApply)"));
        assert_eq!(lines[1], "release it with catalog-dev's credentials:");
        assert_eq!(lines[2], recovery.command);
        let (none, lines) =
            site(&tf, &ws, Some(Path::new("/s/catalog-dev.tfstate"))).state_lock(&lock, false);
        assert_eq!(none, None);
        assert!(lines[0].contains("another terraform is using this state"));
    }
}
