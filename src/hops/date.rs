//! Lenient date parsing for Received and Date headers.
//!
//! RFC 5322 dates and their obsolete forms as MTAs actually write them. An unparseable date
//! is `None`: never 1970, never a guess.

use chrono::{DateTime, FixedOffset};

/// Parse a date as found in a Received or Date header.
pub fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc2822(text.trim()).ok()
}
