//! Run reports: the model, reading and writing them atomically, merging matrix legs' reports.

mod build;
mod consistency;
mod io;
pub mod merge;
mod model;
mod not_started;
mod origin;
mod rebase;
pub mod schema;
mod vend;

pub use build::{relative, ReportBuilder, ReportContext};
// The rule lives in `rules`; re-exported for the callers that knew it here.
pub use crate::rules::job_status;
pub use io::{check_writable, read_report, write_atomic, write_probe, ReportError};
pub use model::*;
pub use not_started::{not_started, NotStarted};
pub use origin::{run_id, source};
pub use rebase::{all_written, rebased, write_with_copies};
pub use vend::{vend, vend_not_started, VEND_WAVE};
