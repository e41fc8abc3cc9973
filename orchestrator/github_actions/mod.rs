//! The one home of the GitHub Actions environment: the variables the runner sets (read once,
//! in `GithubActions`), step outputs in `$GITHUB_OUTPUT`, the job summary in
//! `$GITHUB_STEP_SUMMARY` with its 1 MiB budget, the run's URL, and the escaping of
//! workflow commands (`::error`, `::group::`, `::add-mask::`) so no data can end one early,
//! and the neutralising of data so that none of it can run a workflow command.

mod environment;
mod neutralise;
mod output;
mod step_summary;
mod workflow_command;

pub use environment::{is_commit_id, run_url, GithubActions, DEFAULT_SERVER};
pub use neutralise::{neutralise, neutralise_json};
pub use output::{append_outputs, output_text};
pub use step_summary::{append_step_summary, step_summary_room, MAX_STEP_SUMMARY_BYTES};
pub use workflow_command::{escape_data, escape_property, mask_lines};
