//! The bottom of the crate: the events the runner sends its reporters, and the run
//! vocabulary every other module speaks (statuses, modes, outcomes, attempts, layer results,
//! change counts, health-check results), each with its words in one place.
//! `events` imports nothing from `runner`, `report`, `progress` or `notify`.

mod changes;
mod event;
mod health;
mod layer;
mod not_run;
mod status;

pub use changes::ChangeCounts;
pub use event::{channel, Event, EventReceiver, EventSender, Step, WaveOutline};
pub use health::{HealthCheckReport, HealthOutcome};
pub use layer::{Attempt, AttemptOutcome, LayerReport, Recovery, RecoveryKind};
pub use not_run::NotRunReason;
pub use status::{Mode, Outcome, RunAction, Status, WaveStatus};
