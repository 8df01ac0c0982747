//! STUB (being written): the interface below is fixed; the body is a placeholder.

use serde::Serialize;

use super::DomainOptions;
use crate::auth::dns::Dns;
use crate::diagnose::Finding;

/// Selectors probed with `--probe-selectors`.
pub const COMMON_SELECTORS: &[&str] = &[
    "default",
    "selector1",
    "selector2",
    "google",
    "k1",
    "s1",
    "s2",
    "dkim",
    "mail",
];

/// Placeholder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SelectorCheck {}

/// Placeholder.
pub fn check(
    domain: &str,
    options: &DomainOptions,
    dns: &Dns,
    findings: &mut Vec<Finding>,
) -> Vec<SelectorCheck> {
    let _ = (domain, options, dns, findings);
    Vec::new()
}
