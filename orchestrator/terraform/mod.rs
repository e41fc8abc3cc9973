//! How terraform is run for one (account, layer): its data dir, backend config, var-file and
//! commands, and how to read what it printed (error lines, transient failures, change counts).

mod backend;
mod changes;
mod command;
mod diagnostics;
mod environment;
mod plugin_cache;
mod transient;
mod workspace;

pub use backend::{fill, local_state_path, BackendConfig};
pub use changes::{from_plan_json, from_plan_output};
pub use command::{Terraform, TerraformCommand};
pub use diagnostics::{error_lines, errors, Diagnostic};
pub use environment::is_withheld;
pub use plugin_cache::plugin_cache_configured;
pub use transient::{classify, Transient};
pub use workspace::LayerWorkspace;
