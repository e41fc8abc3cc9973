//! What terraform will do to one resource: the raw `change.actions` list and the kind of
//! change it amounts to.

/// One entry of `resource_changes[].change.actions` or `output_changes.*.actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    Delete,
    Forget,
}

impl Action {
    /// The action terraform (or OpenTofu) writes as `word`, if this build knows it.
    pub fn from_word(word: &str) -> Option<Action> {
        Some(match word {
            "no-op" => Action::NoOp,
            "create" => Action::Create,
            "read" => Action::Read,
            "update" => Action::Update,
            "delete" => Action::Delete,
            "forget" => Action::Forget,
            _ => return None,
        })
    }
}

/// The kind of change a resource's action list amounts to; every resource has exactly one.
/// Ordered by how much a reviewer needs to see it: destroys first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `["delete"]`.
    Delete,
    /// `["delete","create"]` or `["create","delete"]` (create before destroy).
    Replace,
    /// An action list this build does not know that holds `delete`: shown among the
    /// destroys, with its actions, so nothing that may destroy goes unnamed.
    OtherDelete,
    /// `["forget"]`: terraform stops managing it; the real object stays.
    Forget,
    /// `["create","forget"]` (OpenTofu also writes `["forget","create"]`): a new object is
    /// created, the old one is forgotten, not deleted.
    CreateForget,
    /// Any other action list: counted as "other" and named with its actions, never an error.
    Other,
    Update,
    Create,
    /// `["read"]`: a data source read during apply; changes nothing.
    Read,
    /// `["no-op"]`: nothing to do (but it may still move or be imported).
    NoOp,
}

impl Kind {
    /// The kind for an action list given as terraform writes it.
    pub fn of_words<S: AsRef<str>>(words: &[S]) -> Kind {
        let mut actions = [Action::NoOp; 2];
        if words.is_empty() || words.len() > 2 {
            return Kind::other(words);
        }
        for (slot, word) in actions.iter_mut().zip(words) {
            match Action::from_word(word.as_ref()) {
                Some(action) => *slot = action,
                None => return Kind::other(words),
            }
        }
        Kind::of(&actions[..words.len()]).unwrap_or_else(|| Kind::other(words))
    }

    fn other<S: AsRef<str>>(words: &[S]) -> Kind {
        if words.iter().any(|w| w.as_ref() == "delete") {
            Kind::OtherDelete
        } else {
            Kind::Other
        }
    }

    /// The kind for a list of known actions, or `None` for a list terraform does not produce.
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
            [Create, Forget] | [Forget, Create] => Kind::CreateForget,
            _ => return None,
        })
    }

    /// Whether the resource itself changes (`read` and `no-op` do not).
    pub fn is_change(self) -> bool {
        !matches!(self, Kind::Read | Kind::NoOp)
    }

    /// Whether a real object is (or may be) destroyed: a delete, a replacement, or an
    /// unknown action list holding `delete`.
    pub fn destroys(self) -> bool {
        matches!(self, Kind::Delete | Kind::Replace | Kind::OtherDelete)
    }

    /// An action list this build does not know.
    pub fn is_other(self) -> bool {
        matches!(self, Kind::Other | Kind::OtherDelete)
    }

    /// The word used in the comment.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Delete => "destroy",
            Kind::Replace => "replace",
            Kind::OtherDelete | Kind::Other => "other",
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
    fn opentofu_forget_then_create_is_a_create_and_forget() {
        assert_eq!(Kind::of_words(&["forget", "create"]), Kind::CreateForget);
        assert_eq!(Kind::of_words(&["create", "forget"]), Kind::CreateForget);
    }

    #[test]
    fn unknown_lists_are_other_and_those_with_delete_count_as_destroys() {
        assert_eq!(Kind::of_words::<&str>(&[]), Kind::Other);
        assert_eq!(Kind::of_words(&["update", "delete"]), Kind::OtherDelete);
        assert!(Kind::OtherDelete.destroys());
        assert_eq!(Kind::of_words(&["archive"]), Kind::Other);
        assert!(!Kind::Other.destroys() && Kind::Other.is_change());
        assert_eq!(
            Kind::of_words(&["create", "update", "delete"]),
            Kind::OtherDelete
        );
    }
}
