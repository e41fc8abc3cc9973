//! Finishing and repairing roll-outs from their run reports: `--resume` deploys what a run
//! left undone; the guard stops a prod redeploy over a failed earlier wave.

mod guard;
mod resume;

pub use guard::{
    check_earlier_waves, earlier_waves_note, find_blockers, Blocker, EarlierWaves, PreviousReport,
};
pub use resume::{ResumeError, ResumePlan, Resumed};
