//! Change detection: which (account, layer) pairs a git diff between a ref and the working
//! tree affects (`--changed-since`), why (`jobs --explain`), and which accounts left the
//! config and must be destroyed (`orchestrator destroy --from-ref`).

mod at_ref;
mod change_set;
pub mod config_diff;
mod detect;
mod error;
pub mod explain;
pub mod git;
pub mod modules;

pub use at_ref::{config_at, AtRefError};
pub use change_set::{ChangeSet, Reason};
pub use config_diff::Removed;
pub use detect::detect;
pub use error::ChangeError;
