//! Account vending: the organisation's layer that creates accounts (`orchestrator vend`), the
//! account ids it records, and how other commands fill in accounts that omit `account_id`.

mod ids;
mod inputs;
mod plan;
mod vend;

pub use ids::{
    fill_in, ids_file, read_ids, record_output, require_ids, write_ids, Recorded, VendingError,
};
pub use inputs::{backend, inputs, EXISTING_IDS_VARIABLE, VENDING_ACCOUNT};
pub use plan::{existing_ids, vending_plan, AccountAction, AccountPlan, VendingPlan};
pub use vend::{vend, VendFailure, VendOptions, Vended, ACCOUNT_IDS_OUTPUT};
