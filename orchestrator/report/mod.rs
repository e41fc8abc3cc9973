//! Run reports: the model, reading and writing them atomically, merging matrix legs' reports.

mod io;
pub mod merge;
mod model;

pub use io::{read_report, write_atomic, ReportError};
pub use model::*;
