//! After a destroy of a copy of the stack layer: each account whose copy is gone has the
//! copy's state removed (only when it holds no resource) and its data dir with it; a copy
//! that still has resources keeps both. Logs stay.

use std::path::Path;

use crate::config::Config;
use crate::credentials::CredentialsProvider;
use crate::report::{RunReport, Status};
use crate::stacks::{remove_destroyed_copy, ListError, StackCopy};
use crate::terraform::LayerWorkspace;

/// What became of one account's copy.
#[derive(Debug)]
pub struct CopyRemoval {
    pub account: String,
    /// The state files or objects removed (none when the copy had no state), or why the
    /// state is kept.
    pub removed: Result<Vec<String>, ListError>,
}

impl CopyRemoval {
    /// What to tell the operator: the state removed, or why it is kept; nothing when the
    /// copy had no state.
    pub fn said(&self, copy: &StackCopy) -> Option<String> {
        let account = &self.account;
        match &self.removed {
            Ok(removed) => removed.first().map(|state| {
                format!(
                    "{account}: removed the state of copy {} ({state})",
                    copy.name
                )
            }),
            Err(e) => Some(format!("warning: {account}: {e}")),
        }
    }
}

/// The accounts of `report` whose copy layer is destroyed: it `succeeded`, or had no
/// changes (nothing was left to destroy).
pub fn destroyed_copies<'a>(
    report: &'a RunReport,
    copy: &'a StackCopy,
) -> impl Iterator<Item = &'a str> + 'a {
    report
        .jobs
        .iter()
        .filter(|job| {
            job.layers.iter().any(|l| {
                l.layer == copy.layer && matches!(l.status, Status::Succeeded | Status::NoChanges)
            })
        })
        .map(|job| job.account.as_str())
}

/// Removes the state and data dir of every destroyed copy in `report`, account by account.
pub async fn remove_destroyed_copies(
    config: &Config,
    root: &Path,
    work_dir: &Path,
    copy: &StackCopy,
    report: &RunReport,
    credentials: &dyn CredentialsProvider,
) -> Vec<CopyRemoval> {
    let mut removals = Vec::new();
    for name in destroyed_copies(report, copy) {
        let Some(account) = config.account(name) else {
            continue;
        };
        let removed = remove_destroyed_copy(config, root, account, &copy.name, credentials).await;
        if removed.is_ok() {
            LayerWorkspace::for_copy(
                work_dir,
                root,
                &config.layers_dir,
                name,
                &copy.layer,
                Some(copy.name.as_str()),
            )
            .remove();
        }
        removals.push(CopyRemoval {
            account: name.to_string(),
            removed,
        });
    }
    removals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destroy::after_plan::tests::planned;
    use crate::stacks::StackName;

    #[test]
    fn a_copy_is_destroyed_where_its_layer_succeeded_or_had_nothing_left() {
        let report = planned(
            "failed",
            &[
                ("a", "succeeded", &[("dynamic", "succeeded")]),
                ("b", "no-changes", &[("dynamic", "no-changes")]),
                ("c", "failed", &[("dynamic", "failed")]),
                ("d", "cancelled", &[("dynamic", "cancelled")]),
                ("e", "succeeded", &[("static", "succeeded")]),
            ],
        );
        let copy = StackCopy {
            name: StackName::parse("pr-7").unwrap(),
            layer: "dynamic".into(),
            variable: "stack_suffix".into(),
        };
        let destroyed: Vec<_> = destroyed_copies(&report, &copy).collect();
        assert_eq!(destroyed, ["a", "b"]);
    }

    #[test]
    fn the_operator_hears_of_a_removed_or_kept_state_and_not_of_a_copy_without_one() {
        let copy = StackCopy {
            name: StackName::parse("pr-7").unwrap(),
            layer: "dynamic".into(),
            variable: "stack_suffix".into(),
        };
        let removal = |removed| CopyRemoval {
            account: "a".into(),
            removed,
        };
        let state = "dynamic/a-pr-7.tfstate".to_string();
        assert_eq!(
            removal(Ok(vec![state.clone(), format!("{state}.backup")])).said(&copy),
            Some(format!("a: removed the state of copy pr-7 ({state})"))
        );
        assert_eq!(removal(Ok(Vec::new())).said(&copy), None);
        let kept = ListError::Backend {
            account: "a".into(),
            message: "access denied".into(),
        };
        let said = removal(Err(kept.clone())).said(&copy).unwrap();
        assert_eq!(said, format!("warning: a: {kept}"));
    }
}
