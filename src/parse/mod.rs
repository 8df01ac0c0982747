//! Parse: the only place that touches mail-parser.

use crate::error::Result;
use crate::input::Source;

/// The parsed message (placeholder).
#[derive(Debug, Clone, Default)]
pub struct ParsedMessage {}

/// Parse a source.
pub fn parse(_source: &Source) -> Result<ParsedMessage> {
    Ok(ParsedMessage {})
}
