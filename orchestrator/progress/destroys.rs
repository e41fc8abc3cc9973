//! What the plans of a plan-only run would destroy, per account, so a job whose plan destroys
//! is never shown like one whose plan only adds (no tick, a warning line, named in the
//! summary).

use std::collections::HashMap;

use crate::events::Event;
use crate::report::Mode;

#[derive(Debug, Default)]
pub(super) struct PlannedDestroys {
    plan_only: bool,
    by_account: HashMap<String, u32>,
}

impl PlannedDestroys {
    pub(super) fn event(&mut self, event: &Event) {
        match event {
            Event::RunStarted { mode, .. } => self.plan_only = *mode == Mode::Plan,
            Event::LayerFinished {
                account, report, ..
            } if self.plan_only => {
                let destroy = report.changes.map_or(0, |c| c.destroy);
                if destroy > 0 {
                    *self.by_account.entry(account.clone()).or_default() += destroy;
                }
            }
            _ => {}
        }
    }

    /// Resources `account`'s plans would destroy (0 in an apply run).
    pub(super) fn of(&self, account: &str) -> u32 {
        self.by_account.get(account).copied().unwrap_or(0)
    }
}

/// `its plan destroys 3 resources`.
pub(super) fn note(destroy: u32) -> String {
    if destroy == 1 {
        "its plan destroys 1 resource".into()
    } else {
        format!("its plan destroys {destroy} resources")
    }
}
