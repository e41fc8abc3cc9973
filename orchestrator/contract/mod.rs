//! The contract between the orchestrator and a layer's Terraform: the variables it passes
//! are declared, the ones it does not pass have defaults, state is configured only by the
//! orchestrator, credentials come only from the orchestrator, and every module is pinned.

mod check;
mod layer;

pub use check::{check_config, check_layer, Violation};
pub use layer::{LayerFiles, ModuleCall};
