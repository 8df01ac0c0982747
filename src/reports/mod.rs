//! Reports: bounces (RFC 3464 delivery-status notifications and the common non-standard bounce
//! texts), RFC 3834 auto-replies and RFC 5965 feedback reports, read out of a message.
//!
//! This module reads; it does not judge (the rules under `diagnose/` do).

use serde::Serialize;

use crate::parse::ParsedMessage;

/// What kind of report a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// An RFC 3464 delivery-status notification.
    Dsn,
    /// A bounce in an MTA's own words (no message/delivery-status part).
    BounceText,
    /// An RFC 3834 automatic reply (out of office, vacation).
    AutoReply,
    /// An RFC 5965 feedback report (ARF: abuse or spam complaint).
    FeedbackReport,
}

/// One entry of a report: one failed (or delayed, delivered...) recipient, or one auto-reply
/// or feedback report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// The kind of report.
    pub kind: ReportKind,
    /// The recipient the entry is about.
    pub recipient: Option<String>,
    /// `failed`, `delayed`, `delivered`, `relayed`, `expanded` (RFC 3464), when known.
    pub action: Option<String>,
    /// The RFC 3463 enhanced status code, e.g. `5.1.1`.
    pub status: Option<String>,
    /// The remote MTA that refused, when named.
    pub remote_mta: Option<String>,
    /// The diagnostic text (the remote server's reply), whitespace collapsed.
    pub diagnostic: Option<String>,
    /// A kebab-case reason class: user-unknown, mailbox-full, policy-rejection, spam-rejection,
    /// dmarc-rejection, rate-limited, greylisted, host-unknown, message-too-large,
    /// expired-in-queue, ... (feedback reports: their feedback type, e.g. abuse).
    pub reason: Option<String>,
    /// Plain advice on what to do, for a student.
    pub advice: Option<String>,
}

/// Everything read out of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reports {
    /// The entries, in order.
    pub entries: Vec<DeliveryReport>,
    /// The original message returned inside a bounce or feedback report (bytes as found),
    /// to be analysed with the same engine.
    pub original: Option<Vec<u8>>,
}

/// Read the reports a message carries (none for an ordinary message).
pub fn extract(_message: &[u8], _parsed: &ParsedMessage) -> Reports {
    Reports::default()
}
