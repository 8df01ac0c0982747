//! Diagnose: rules -> findings.

use crate::hops::Chain;
use crate::input::Source;
use crate::options::Options;
use crate::parse::ParsedMessage;

/// Everything a rule may look at.
pub struct Context<'a> {
    /// The input.
    pub source: &'a Source,
    /// The parsed message.
    pub parsed: &'a ParsedMessage,
    /// The hop chain.
    pub chain: &'a Chain,
    /// The options.
    pub options: &'a Options,
}

/// A finding (placeholder).
#[derive(Debug, Clone)]
pub struct Finding {}

/// Run every rule.
pub fn run(_ctx: &Context) -> Vec<Finding> {
    Vec::new()
}
