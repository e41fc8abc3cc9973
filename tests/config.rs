//! domains.yaml end to end: every validation problem with its exact message, any input
//! refused cleanly (no panic, no hang), a bad config stopping every command, the JSON
//! Schema, and `domain add`.

#[path = "config/bad_config_stops_everything.rs"]
mod bad_config_stops_everything;
#[path = "config/cli.rs"]
mod cli;
#[path = "config/domain_add.rs"]
mod domain_add;
#[path = "config/fixtures.rs"]
mod fixtures;
#[path = "config/robustness.rs"]
mod robustness;
#[path = "config/schema.rs"]
mod schema;
