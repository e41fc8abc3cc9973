//! Runs the plan: waves in order, jobs side by side under a limit, layers in order inside a
//! job, each layer's terraform supervised (deadline, retries, signals). It reports only
//! through `events`.

mod attempt;
mod attempt_end;
mod cancel;
mod clock;
mod context;
mod health_check;
mod job;
mod layer;
mod left_behind;
mod log_file;
mod options;
pub(crate) mod output_tail;
mod parent_death;
mod process;
mod spawner;
mod supervised;
mod walk_watch;
mod waves;

pub use cancel::{cancellation, CancelHandle, Cancellation, StopLevel};
pub use options::RunOptions;
pub use output_tail::OutputLimits;
pub use parent_death::{enable_guard, guard_main, guards_working_in};
pub use supervised::{Stopped, Supervised};
// Retry policies live in `backoff`; re-exported for the callers that knew them here.
pub use crate::backoff::{Backoff, RetryPolicy};
pub use waves::run;
