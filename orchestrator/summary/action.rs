//! What terraform will do to one resource: the raw `change.actions` list and the kind of
//! change it amounts to.

use serde::Deserialize;

/// One entry of `resource_changes[].change.actions` or `output_changes.*.actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    Delete,
    Forget,
}

/// The kind of change a resource's action list amounts to; every resource has exactly one.
/// Ordered by how much a reviewer needs to see it: destroys first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `["delete"]`.
    Delete,
    /// `["delete","create"]` or `["create","delete"]` (create before destroy).
    Replace,
    /// `["forget"]`: terraform stops managing it; the real object stays.
    Forget,
    /// `["create","forget"]`: a new object is created, the old one is forgotten, not deleted.
    CreateForget,
    Update,
    Create,
    /// `["read"]`: a data source read during apply; changes nothing.
    Read,
    /// `["no-op"]`: nothing to do (but it may still move or be imported).
    NoOp,
}

impl Kind {
    /// The kind for an action list, or `None` for a list terraform does not produce.
    pub fn of(actions: &[Action]) -> Option<Kind> {
        use Action::*;
        Some(match actions {
            [NoOp] => Kind::NoOp,
            [Create] => Kind::Create,
            [Read] => Kind::Read,
            [Update] => Kind::Update,
            [Delete] => Kind::Delete,
            [Forget] => Kind::Forget,
            [Delete, Create] | [Create, Delete] => Kind::Replace,
            [Create, Forget] => Kind::CreateForget,
            _ => return None,
        })
    }

    /// Whether the resource itself changes (`read` and `no-op` do not).
    pub fn is_change(self) -> bool {
        !matches!(self, Kind::Read | Kind::NoOp)
    }

    /// Whether a real object is destroyed (a delete or a replacement).
    pub fn destroys(self) -> bool {
        matches!(self, Kind::Delete | Kind::Replace)
    }

    /// The word used in the comment.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Delete => "destroy",
            Kind::Replace => "replace",
            Kind::Forget => "forget",
            Kind::CreateForget => "create, forget old",
            Kind::Update => "update",
            Kind::Create => "create",
            Kind::Read => "read",
            Kind::NoOp => "no-op",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::*;

    #[test]
    fn both_replacement_orders_are_replacements() {
        assert_eq!(Kind::of(&[Delete, Create]), Some(Kind::Replace));
        assert_eq!(Kind::of(&[Create, Delete]), Some(Kind::Replace));
        assert!(Kind::Replace.destroys());
    }

    #[test]
    fn read_and_no_op_are_not_changes() {
        assert!(!Kind::of(&[Read]).unwrap().is_change());
        assert!(!Kind::of(&[NoOp]).unwrap().is_change());
        assert!(Kind::of(&[Forget]).unwrap().is_change());
        assert!(!Kind::Forget.destroys());
    }

    #[test]
    fn unknown_lists_are_refused() {
        assert_eq!(Kind::of(&[]), None);
        assert_eq!(Kind::of(&[Update, Delete]), None);
    }
}
