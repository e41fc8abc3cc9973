//! Copies of one layer (the application stack) side by side in an account, one per feature
//! branch: the copy's name rules, where its state lives, and which copies exist.

mod listing;
mod name;
mod select;

pub use listing::{
    account_credentials, list_copies, list_copies_of, remove_copy_state, remove_destroyed_copy,
    CopyState, ListError, StackCopy, StateLocation,
};
pub use name::{StackName, StackNameError, MAX_RESOURCE_PREFIX_LEN, MAX_STACK_NAME_LEN};
pub use select::{check_accounts, resolve, StackError};
