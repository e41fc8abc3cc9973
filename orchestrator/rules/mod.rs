//! The one owner of the rules between jobs, waves and the run: a job's status from its
//! layers, a wave's status from its jobs, whether a wave holds the next one back (and why),
//! and the run's outcome. The runner, the report builder, `report merge`, `gate` and the
//! notifications all ask here, so a local run and a merged matrix run agree.
//!
//! A cancelled job counts against its wave's `failure_tolerance`: it did not finish, so
//! nothing says its account is deployed, and the next wave (prod) must not start on the
//! strength of it. On a local run this changes nothing (a Ctrl-C stops the run anyway); in a
//! matrix run it is what `gate` decides when a leg was cancelled.

mod job;
mod run;
mod wave;

pub use job::{job_done, job_status};
pub use run::{run_outcome, RunFacts};
pub use wave::{hold_back, hold_back_in, wave_status, WaveTally};
