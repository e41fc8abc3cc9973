//! Faults that must never lose state, leak a secret or run an injected command: two runs in
//! one work directory, a killed orchestrator, a closed stderr, bad report paths, colliding
//! accounts, hostile terraform output. Real terraform on a copy of `examples/sandbox` wherever
//! it can show the fault.

// Shared with the engine tests; not every helper is used here.
#[allow(dead_code)]
#[path = "engine/sandbox.rs"]
mod sandbox;

#[path = "reliability/run_lock.rs"]
mod run_lock;

#[path = "reliability/collisions.rs"]
mod collisions;

#[path = "reliability/killed.rs"]
mod killed;

#[path = "reliability/errored_state.rs"]
mod errored_state;

#[path = "reliability/state_lock.rs"]
mod state_lock;

#[allow(dead_code)]
#[path = "aws/moto.rs"]
mod moto;
