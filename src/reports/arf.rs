//! RFC 5965 feedback reports (ARF): a receiver tells the sender that a recipient complained
//! (abuse, fraud, virus, opt-out, not-spam) or that authentication failed (RFC 6591
//! auth-failure).
//!
//! Also recognised, with the same meaning: Microsoft's JMRP complaints, which are not ARF but a
//! `complaint about message from <ip>` message carrying the original with
//! `X-HmXmrOriginalRecipient`.

use serde::Serialize;

use super::fields::{Field, groups, untyped};

/// The fields of a feedback report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Feedback {
    /// `Feedback-Type`, lowercased: abuse, fraud, virus, other, not-spam, auth-failure, opt-out...
    pub feedback_type: String,
    /// `User-Agent`: the program that wrote the report.
    pub user_agent: Option<String>,
    /// `Version` (1).
    pub version: Option<String>,
    /// `Original-Mail-From`: the envelope sender of the reported message.
    pub original_mail_from: Option<String>,
    /// `Original-Rcpt-To`: the recipients who received it.
    pub original_rcpt_to: Vec<String>,
    /// `Source-IP`: the address it came from.
    pub source_ip: Option<String>,
    /// `Arrival-Date` (or `Received-Date`) as written.
    pub arrival_date: Option<String>,
    /// `Reported-Domain`: the domains the reporter holds responsible.
    pub reported_domain: Vec<String>,
    /// `Reported-URI`.
    pub reported_uri: Vec<String>,
    /// `Reporting-MTA`.
    pub reporting_mta: Option<String>,
    /// `Auth-Failure` (auth-failure reports): adsp, bodyhash, revoked, signature, spf, dmarc.
    pub auth_failure: Option<String>,
    /// `Incidents`.
    pub incidents: Option<String>,
}

fn clean(v: &str) -> String {
    v.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// Read a message/feedback-report part.
pub fn parse(text: &str) -> Feedback {
    let fields: Vec<Field> = groups(text).into_iter().flatten().collect();
    let first = |name: &str| {
        fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value.clone())
            .filter(|v| !v.is_empty())
    };
    let all = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| clean(&f.value))
            .filter(|v| !v.is_empty())
            .collect()
    };
    Feedback {
        feedback_type: first("Feedback-Type")
            .map(|t| t.trim().to_ascii_lowercase())
            .unwrap_or_else(|| "other".into()),
        user_agent: first("User-Agent"),
        version: first("Version"),
        original_mail_from: first("Original-Mail-From").map(|v| clean(&v)),
        original_rcpt_to: all("Original-Rcpt-To"),
        // "192.0.2.1 (host.example.com)": the address without its comment
        source_ip: first("Source-IP")
            .and_then(|v| clean(&v).split_whitespace().next().map(str::to_string)),
        arrival_date: first("Arrival-Date").or_else(|| first("Received-Date")),
        reported_domain: all("Reported-Domain"),
        reported_uri: all("Reported-URI"),
        reporting_mta: first("Reporting-MTA").map(|v| untyped(&v)),
        auth_failure: first("Auth-Failure").map(|v| v.to_ascii_lowercase()),
        incidents: first("Incidents"),
    }
}

/// Plain advice for a feedback type.
pub fn advice(feedback_type: &str) -> &'static str {
    match feedback_type {
        "abuse" | "fraud" | "virus" => {
            "A recipient marked your message as spam (or fraud, or a virus). Stop sending to that address, and check that everyone on your list asked for your mail and can unsubscribe easily."
        }
        "opt-out" | "unsubscribe" => {
            "The recipient asked to stop receiving your messages. Remove the address from your list."
        }
        "not-spam" => {
            "A recipient said your message is not spam: the receiver had filtered it. Nothing to fix in this message; keep your authentication (SPF, DKIM, DMARC) in order."
        }
        "auth-failure" => {
            "The receiver reports that the message failed authentication (SPF, DKIM or DMARC) for your domain. Check which server sent it: if it is yours, fix its SPF or DKIM; if not, someone is sending in your name."
        }
        _ => {
            "A receiver sent a feedback report about your message. Read the report and the returned original to see what it is about."
        }
    }
}
