//! Resource counts of a terraform plan.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeCounts {
    pub add: u32,
    pub change: u32,
    pub destroy: u32,
}

impl ChangeCounts {
    pub fn is_empty(&self) -> bool {
        self.add == 0 && self.change == 0 && self.destroy == 0
    }
}

impl std::ops::Add for ChangeCounts {
    type Output = ChangeCounts;

    fn add(self, other: ChangeCounts) -> ChangeCounts {
        ChangeCounts {
            add: self.add.saturating_add(other.add),
            change: self.change.saturating_add(other.change),
            destroy: self.destroy.saturating_add(other.destroy),
        }
    }
}

impl std::iter::Sum for ChangeCounts {
    fn sum<I: Iterator<Item = ChangeCounts>>(iter: I) -> ChangeCounts {
        iter.fold(ChangeCounts::default(), |a, b| a + b)
    }
}

/// terraform's own words: `2 to add, 1 to change, 0 to destroy`.
impl std::fmt::Display for ChangeCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} to add, {} to change, {} to destroy",
            self.add, self.change, self.destroy
        )
    }
}
