//! Run reports: the model, reading and writing them atomically.

mod io;
mod model;

pub use io::{read_report, write_atomic, ReportError};
pub use model::*;
