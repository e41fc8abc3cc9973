//! `orchestrator destroy`: what may be destroyed (the guards), in which order (waves and
//! layers last first), the confirmation, and removing a destroyed copy's state. The runs
//! themselves go through the same runner as deploys, with `plan -destroy`.

mod confirm;
mod guard;
mod order;

pub use confirm::{confirm, question, Answer};
pub use guard::{check, check_confirmable, DestroyError, DestroyRequest, Listed};
pub use order::reverse;
