//! Input values read from a YAML anchor's shared text (see `yaml::Text`): every alias of a
//! 100 KB value gives the same `VarValue`, so 30,000 accounts hold one copy, not 30,000.
//! The table lives for one reading of the config (`Scope`), and keeps each text alive while
//! its address is a key.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::model::VarValue;

thread_local! {
    static SHARED: RefCell<HashMap<usize, (Arc<str>, VarValue)>> = RefCell::new(HashMap::new());
}

/// The value for `text`, made once per reading of the config by `make`.
pub(super) fn value(text: &Arc<str>, make: impl FnOnce() -> VarValue) -> VarValue {
    let key = Arc::as_ptr(text).cast::<u8>() as usize;
    SHARED.with(|shared| {
        shared
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| (Arc::clone(text), make()))
            .1
            .clone()
    })
}

/// One reading of the config: the table is empty at its start and emptied at its end.
pub(super) struct Scope;

impl Scope {
    pub(super) fn new() -> Self {
        SHARED.with(|shared| shared.borrow_mut().clear());
        Scope
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        SHARED.with(|shared| shared.borrow_mut().clear());
    }
}
