//! Hops: Received headers -> the chain of hops, oldest first, with delays and the trust boundary.

pub mod date;
pub mod received;

use crate::options::Options;
use crate::parse::ParsedMessage;

/// The hop chain (placeholder).
#[derive(Debug, Clone, Default)]
pub struct Chain {}

/// Build the chain.
pub fn build_chain(_parsed: &ParsedMessage, _options: &Options) -> Chain {
    Chain {}
}
