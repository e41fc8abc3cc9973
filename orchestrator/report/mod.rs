//! Run reports: the model, reading and writing them atomically.

mod build;
mod io;
mod model;

pub use build::{job_status, relative, ReportBuilder, ReportContext};
pub use io::{read_report, write_atomic, ReportError};
pub use model::*;
