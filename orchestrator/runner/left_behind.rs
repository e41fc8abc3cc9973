//! What a failed attempt left for an operator: the state terraform could not save
//! (`errored.tfstate`), or a state lock. Either can stop the retries: another apply before the
//! saved state is pushed back would fork the state, and waiting for a lock a dead run left
//! only waits `lock_timeout` again.

use std::time::SystemTime;

use super::attempt_end::Failure;
use crate::events::Recovery;
use crate::terraform::{self, HeldLock, LayerWorkspace, Site};

pub(super) enum LeftBehind {
    Nothing,
    /// terraform wrote the state it could not save to `errored.tfstate`.
    ErroredState,
    /// terraform could not take the state lock; `stale` when a run that died left it.
    Lock {
        lock: HeldLock,
        stale: bool,
    },
}

impl LeftBehind {
    /// Reads what the failed attempt left. `remote`: the state is not a local file (a local
    /// state's lock dies with its process, so a held one always has a live holder).
    pub(super) fn of(
        failure: &Failure,
        ws: &LayerWorkspace,
        remote: bool,
        longest_hold: std::time::Duration,
    ) -> Self {
        if terraform::has_errored_state(ws) {
            return LeftBehind::ErroredState;
        }
        match HeldLock::from_output(&failure.output) {
            Some(lock) => {
                let stale = remote
                    && lock.left_by_dead_run(
                        &terraform::this_machine(),
                        &ws.working_dir,
                        longest_hold,
                        SystemTime::now(),
                    );
                LeftBehind::Lock { lock, stale }
            }
            None => LeftBehind::Nothing,
        }
    }

    /// Another attempt could only make things worse (fork the state) or wait in vain.
    pub(super) fn stops_retries(&self) -> bool {
        matches!(
            self,
            LeftBehind::ErroredState | LeftBehind::Lock { stale: true, .. }
        )
    }

    /// The layer's reason when this ended it; `None` keeps the failure's own.
    pub(super) fn reason(&self, step: &str) -> Option<String> {
        match self {
            LeftBehind::ErroredState => Some(format!(
                "terraform {step} could not save the state (errored.tfstate)"
            )),
            LeftBehind::Lock { stale: true, .. } => {
                Some("state lock left by a run that died".to_string())
            }
            _ => None,
        }
    }

    /// The report's `recovery` and the lines that lead the layer's error.
    pub(super) fn recovery(&self, site: &Site<'_>) -> (Option<Recovery>, Vec<String>) {
        match self {
            LeftBehind::Nothing => (None, Vec::new()),
            LeftBehind::ErroredState => {
                let (recovery, lines) = site.errored_state(false);
                (Some(recovery), lines)
            }
            LeftBehind::Lock { lock, stale } => site.state_lock(lock, *stale),
        }
    }
}
