//! Telling people about a run report: Slack messages, GitHub annotations and the job summary.
//! `digest` reads a report once (failures, held-back accounts, drift) for every audience.

pub mod commands;
pub mod digest;
pub mod error_lines;
pub mod format;
pub mod github;
pub mod headline;
pub mod links;
pub mod slack;

pub use commands::NextCommands;
pub use digest::{Digest, Drift, Failure, Scope};
pub use links::RunLinks;
