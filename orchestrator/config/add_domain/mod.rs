//! `orchestrator domain add`: a team's request becomes a new entry at the end of `domains:`,
//! written in the file's own style, with every other byte of the file kept.

mod apply;
mod error;
mod request;
mod style;

pub use apply::{add_domain, Added};
pub use error::AddDomainError;
pub use request::{parse_account_id, DomainRequest, NewAccount, NewDomain};
