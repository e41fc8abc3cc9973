//! Input values read from a YAML anchor's shared text (see `yaml::Text`): every alias of a
//! 100 KB value gives the same `VarValue`, so 30,000 accounts hold one copy, not 30,000.
//! One table per reading of the config, passed through the reader (never global, so a
//! nested or concurrent reading has its own); it keeps each text alive while its address is
//! a key.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::model::VarValue;

#[derive(Debug, Default)]
pub(super) struct SharedValues(RefCell<HashMap<usize, (Arc<str>, VarValue)>>);

impl SharedValues {
    /// The value for `text`, made once per table by `make`.
    pub(super) fn value(&self, text: &Arc<str>, make: impl FnOnce() -> VarValue) -> VarValue {
        let key = Arc::as_ptr(text).cast::<u8>() as usize;
        self.0
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| (Arc::clone(text), make()))
            .1
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_text_and_table() {
        let text: Arc<str> = Arc::from("x".repeat(2000));
        let outer = SharedValues::default();
        let first = outer.value(&text, || "a".into());
        // Another reading in between (a nested one) has its own table and leaves this one whole.
        let inner = SharedValues::default();
        let other = inner.value(&text, || "b".into());
        assert!(!other.is_shared_with(&first));
        let again = outer.value(&text, || unreachable!("made twice"));
        assert!(again.is_shared_with(&first));
        assert_eq!(*again, serde_json::json!("a"));
    }
}
