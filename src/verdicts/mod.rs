//! Spam-filter verdicts: what the filters on the way (Microsoft, SpamAssassin, rspamd,
//! Proofpoint, Mimecast, Cisco IronPort, Barracuda) recorded in their headers, decoded from data
//! tables kept one file per vendor, with the raw value kept for fields not known.

use serde::Serialize;

use crate::parse::HeaderField;

/// One field of a verdict header, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictField {
    /// The field as written (e.g. `SCL`, `SFV`, `BCL`, a SpamAssassin test name).
    pub name: String,
    /// Its value as written.
    pub value: String,
    /// What it means, when known.
    pub meaning: Option<String>,
}

/// One filter's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The vendor / filter (`microsoft`, `spamassassin`, `rspamd`, `proofpoint`, `mimecast`,
    /// `ironport`, `barracuda`).
    pub vendor: String,
    /// The header it came from.
    pub header: String,
    /// Index of that header in `ParsedMessage::headers`.
    pub header_index: usize,
    /// The hop whose receiving system added it (filled in by the caller that knows the chain).
    pub hop: Option<usize>,
    /// The verdict in one word: `spam`, `not-spam`, `bulk`, `phish`, `malware`, `suspicious`,
    /// `unknown`.
    pub verdict: String,
    /// A score as written (e.g. `7.3/5.0`, `SCL 5`), when there is one.
    pub score: Option<String>,
    /// One line a student understands.
    pub summary: String,
    /// The fields, decoded.
    pub fields: Vec<VerdictField>,
    /// The raw header value.
    pub raw: String,
}

/// Decode every verdict header, top to bottom.
pub fn decode(_headers: &[HeaderField]) -> Vec<Verdict> {
    Vec::new()
}
