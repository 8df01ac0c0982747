//! STUB (being written): the interface below is fixed; the body is a placeholder.

use serde::Serialize;

use crate::auth::dns::Dns;
use crate::diagnose::Finding;

/// Placeholder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MxCheck {}

/// Placeholder.
pub fn check(domain: &str, dns: &Dns, findings: &mut Vec<Finding>) -> MxCheck {
    let _ = (domain, dns, findings);
    MxCheck::default()
}
