//! orchestrator: deploys a multi-account AWS organisation with Terraform, one account per job.
//!
//! The flow, module by module:
//! `config` (domains.yaml) -> `plan` (waves > jobs > layers) -> `matrix` (GitHub fan-out)
//! or `runner` (terraform per account and layer, then the layer's `health` checks) -> `events`
//! -> `report` (run report) -> `notify` (Slack, GitHub); `summary` turns plan JSONs into one PR
//! comment.
//! `changes` narrows a plan to what a git diff affects (`--changed-since`).

// Items are `pub(crate)` unless the crate's API exposes them (the library only: test helper
// modules share `pub` items between their files).
#![warn(unreachable_pub)]

pub mod aws;
pub mod backoff;
pub mod changes;
pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod contract;
pub mod credentials;
pub mod destroy;
pub mod events;
pub mod exit;
pub mod github_actions;
pub mod health;
pub mod matrix;
pub mod notify;
pub mod plan;
pub mod progress;
pub mod redeploy;
pub mod report;
pub mod rules;
pub mod runner;
pub mod secrets;
pub mod stacks;
pub mod state_claim;
pub mod summary;
pub mod terminal;
pub mod terraform;
pub mod tls;
pub mod vending;
pub mod work_lock;
pub mod workdir;
