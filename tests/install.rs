//! Getting `orchestrator` onto a machine: the completion scripts and man page it generates,
//! and install.sh and the setup-orchestrator action against a fake release served on
//! 127.0.0.1 (`support::receiver`).

mod action;
mod docs;
mod script;
