//! Reads the YAML tree of `domains.yaml` into a resolved `Config`, recording every problem on
//! the way. One file per section; cross-account rules live in `../rules.rs`.

mod defaults;
mod domain;
mod health_check;
pub(crate) mod inherited;
pub(crate) mod keys;
mod network;
mod stacks;
mod state;
mod top;
mod values;
mod vending;
mod waves;

pub use keys::DEFAULT_LAYERS;
pub(crate) use top::{read, take_domains};
