//! `orchestrator destroy`: what may be destroyed (the guards), in which order (waves and
//! layers last first), the confirmation, and removing a destroyed copy's state. The runs
//! themselves go through the same runner as deploys, with `plan -destroy`.

mod after_plan;
mod confirm;
mod copies;
mod guard;
mod order;

pub use after_plan::AfterPlan;
pub use confirm::{ask, confirm, question, Answer};
pub use copies::{destroyed_copies, remove_destroyed_copies, CopyRemoval};
pub use guard::{check, check_confirmable, DestroyError, DestroyRequest, Listed};
pub use order::reverse;
