//! STUB (being written): the interface below is fixed; the body is a placeholder.

use serde::Serialize;

use super::PolicyFetcher;
use crate::auth::dns::Dns;
use crate::diagnose::Finding;

/// Placeholder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MtaSts {}

/// Placeholder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TlsRpt {}

/// Placeholder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Bimi {}

/// Placeholder.
pub fn check(
    domain: &str,
    dns: &Dns,
    fetcher: Option<&dyn PolicyFetcher>,
    findings: &mut Vec<Finding>,
) -> (MtaSts, TlsRpt, Bimi) {
    let _ = (domain, dns, fetcher, findings);
    Default::default()
}
