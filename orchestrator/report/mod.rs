//! Run reports: the model, reading and writing them atomically, merging matrix legs' reports.

mod build;
mod io;
pub mod merge;
mod model;

pub use build::{job_status, relative, ReportBuilder, ReportContext};
pub use io::{read_report, write_atomic, ReportError};
pub use model::*;
