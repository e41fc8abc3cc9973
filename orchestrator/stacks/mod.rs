//! Copies of one layer (the application stack) side by side in an account, one per feature
//! branch: the copy's name rules, where its state lives, and which copies exist.

mod listing;
mod name;
mod select;

pub use listing::{list_copies, remove_copy_state, CopyState, ListError, StackCopy};
pub use name::{StackName, StackNameError, MAX_RESOURCE_PREFIX_LEN, MAX_STACK_NAME_LEN};
pub use select::{check_accounts, resolve, StackError};
