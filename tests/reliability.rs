//! Faults that must never lose state, leak a secret or run an injected command: two runs in
//! one work directory, a killed orchestrator, a closed stderr, bad report paths, colliding
//! accounts, hostile terraform output. Real terraform on a copy of `examples/sandbox` wherever
//! it can show the fault.

use crate::support::sandbox;

mod run_lock;

mod collisions;

mod killed;

mod guard;

mod errored_state;

mod state_lock;

mod report_path;

mod grace;

mod closed_output;
