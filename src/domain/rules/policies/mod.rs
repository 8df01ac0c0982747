//! STUB (being written).

use crate::diagnose::Rule;

/// The rules of this group.
pub static RULES: &[&Rule] = &[];
