//! `terraform show -json` plans -> one Markdown PR comment, and posting it to GitHub.
//!
//! Plans are read a few files at a time into a compact [`PlanSummary`] (counts and the
//! addresses of changed resources), so memory follows the number of changes, not the size
//! or number of plan files. [`collect`] names each plan's account and layer (from the run
//! report or the path); [`render`] writes the comment and shortens it to fit GitHub's limit;
//! [`github`] creates or updates the one comment that carries the marker.

mod action;
mod collect;
pub mod comment_limit;
mod destroy_list;
mod destroy_preview;
mod error;
pub mod github;
mod inputs;
mod model;
mod parse;
mod plan_summary;
mod readers;
pub mod render;
mod step_summary;

pub use action::{Action, Kind};
pub use collect::{collect, CollectOptions, DeployOrder};
pub use destroy_list::destroy_list;
pub use destroy_preview::destroy_preview;
pub use error::{CollectError, PlanError};
pub use inputs::{plan_files, Namer, PlanFile, WHOLE_ACCOUNT};
pub use model::{AccountSummary, BadPlan, LayerEntry, LayerState, NotPlanned, Summary};
pub use parse::{read_plan, read_plan_from, read_plan_slice, read_plan_with, WHOLE_FILE_LIMIT};
pub use plan_summary::{Counts, Deferred, OutputChange, PlanStatus, PlanSummary, ResourceChange};
pub use render::MARKER;
pub use step_summary::StepSummary;
