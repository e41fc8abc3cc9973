//! How terraform is run for one (account, layer): its data dir, backend config, var-file and
//! commands, and how to read what it printed (error lines, transient failures, change counts).

mod backend;
mod changes;
mod command;
mod diagnostics;
mod environment;
mod interrupt;
mod plugin_cache;
mod program;
mod recovery;
mod state_lock;
mod transient;
mod working_tree;
mod workspace;

pub use backend::{fill, local_state_dir, state_outside_work_dir, BackendConfig};
pub use changes::{from_plan_json, from_plan_output};
pub use command::{Terraform, TerraformCommand};
pub use diagnostics::{error_lines, errors, Diagnostic};
pub use environment::is_withheld;
pub use interrupt::is_walk_line;
pub use plugin_cache::plugin_cache_configured;
pub use program::{find_program, ProgramNotFound};
pub use recovery::{has_errored_state, Site};
pub use state_lock::{this_machine, HeldLock};
pub use transient::{classify, full_disk, Transient};
pub use workspace::{copy_file_name, LayerWorkspace};
