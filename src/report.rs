//! The one serialisable report.

use crate::diagnose::Finding;
use crate::hops::Chain;
use crate::input::Source;
use crate::options::Options;
use crate::parse::ParsedMessage;

/// The report (placeholder).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {}

/// Build the report.
pub fn build(
    _source: &Source,
    _parsed: &ParsedMessage,
    _chain: &Chain,
    _findings: Vec<Finding>,
    _options: &Options,
) -> Report {
    Report {}
}
