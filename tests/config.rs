//! domains.yaml end to end: every validation problem with its exact message, any input
//! refused cleanly (no panic, no hang), a bad config stopping every command, the JSON
//! Schema, and `domain add`.

mod bad_config_stops_everything;
mod cli;
mod domain_add;
mod fixtures;
mod flag_bounds;
mod robustness;
mod schema;
