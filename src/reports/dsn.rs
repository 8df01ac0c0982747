//! RFC 3464 delivery-status fields: the per-message block (Reporting-MTA, Arrival-Date) and
//! one block per recipient (Final-Recipient, Original-Recipient, Action, Status, Remote-MTA,
//! Diagnostic-Code).
//!
//! Real reports are not always well formed: blocks run together without the blank line, fields
//! are folded, types are missing (`Final-Recipient: a@b` without `rfc822;`). A new recipient
//! starts at every Final-Recipient (or at the Original-Recipient just before it).

use super::fields::{Field, Group, get, groups, untyped};

/// The per-message fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFields {
    pub reporting_mta: Option<String>,
    pub arrival_date: Option<String>,
}

/// One recipient's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecipientFields {
    pub final_recipient: Option<String>,
    pub original_recipient: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
    pub remote_mta: Option<String>,
    pub diagnostic: Option<String>,
}

const PER_RECIPIENT: &[&str] = &[
    "final-recipient",
    "original-recipient",
    "x-actual-recipient",
    "action",
    "status",
    "remote-mta",
    "diagnostic-code",
    "last-attempt-date",
    "will-retry-until",
    "final-log-id",
];

fn is_per_recipient(f: &Field) -> bool {
    PER_RECIPIENT.iter().any(|n| f.name.eq_ignore_ascii_case(n))
}

/// Split the fields of one block into recipients: a field that the current recipient already
/// has (a second Final-Recipient, Original-Recipient, Action, Status or Diagnostic-Code) starts
/// the next one. An Original-Recipient written just before the next Final-Recipient goes with
/// it.
fn split_recipients(group: Group) -> Vec<Group> {
    const KEYS: [&str; 5] = [
        "final-recipient",
        "original-recipient",
        "action",
        "status",
        "diagnostic-code",
    ];
    let mut out: Vec<Group> = Vec::new();
    let mut current: Group = Vec::new();
    for f in group {
        let key = KEYS.iter().any(|k| f.name.eq_ignore_ascii_case(k));
        let repeated = key && current.iter().any(|c| c.name.eq_ignore_ascii_case(&f.name));
        if repeated {
            let mut next: Group = Vec::new();
            let carries_original = f.name.eq_ignore_ascii_case("final-recipient")
                && current
                    .last()
                    .is_some_and(|l| l.name.eq_ignore_ascii_case("original-recipient"))
                && current
                    .iter()
                    .any(|c| c.name.eq_ignore_ascii_case("final-recipient"));
            if carries_original && let Some(o) = current.pop() {
                next.push(o);
            }
            out.push(std::mem::replace(&mut current, next));
        }
        current.push(f);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.retain(|g| !g.is_empty());
    out
}

fn address(value: &str) -> Option<String> {
    let v = untyped(value);
    // a quoted local part keeps its quotes: "a..b"@example.com
    if v.starts_with('"')
        && let Some(end) = v[1..].find("\"@")
    {
        let domain = v[end + 3..].split_whitespace().next().unwrap_or("");
        let domain = domain.trim_end_matches(['>', ',', ';']);
        return Some(format!("{}{}", &v[..end + 3], domain.to_ascii_lowercase()));
    }
    // "rfc822; <a@b>" or a@b (comment) or "a@b"
    let v = v.split_whitespace().next().unwrap_or("");
    let v = v.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'' | ',' | ';'));
    (!v.is_empty()).then(|| v.to_ascii_lowercase())
}

/// A value without its type, whitespace collapsed, at most 1000 characters.
fn text(value: Option<&str>) -> Option<String> {
    value
        .map(untyped)
        .map(|v| {
            v.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(1000)
                .collect::<String>()
        })
        .filter(|v| !v.is_empty())
}

/// Read delivery-status text.
pub fn parse(status_text: &str) -> (MessageFields, Vec<RecipientFields>) {
    let mut message = MessageFields::default();
    let mut recipients = Vec::new();
    for group in groups(status_text) {
        if message.reporting_mta.is_none() {
            message.reporting_mta = text(get(&group, "Reporting-MTA"));
        }
        if message.arrival_date.is_none() {
            message.arrival_date = get(&group, "Arrival-Date").map(str::to_string);
        }
        if !group.iter().any(is_per_recipient) {
            continue;
        }
        for r in split_recipients(group) {
            if !r.iter().any(is_per_recipient) {
                continue;
            }
            let final_recipient = get(&r, "Final-Recipient")
                .or_else(|| get(&r, "X-Actual-Recipient"))
                .and_then(address);
            let original_recipient = get(&r, "Original-Recipient").and_then(address);
            let fields = RecipientFields {
                final_recipient,
                original_recipient,
                action: get(&r, "Action").map(|a| {
                    a.split(|c: char| c.is_whitespace() || c == '(' || c == ';')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase()
                }),
                status: get(&r, "Status").map(str::to_string),
                remote_mta: text(get(&r, "Remote-MTA")),
                diagnostic: text(get(&r, "Diagnostic-Code")),
            };
            if fields.final_recipient.is_none()
                && fields.original_recipient.is_none()
                && fields.status.is_none()
                && fields.action.is_none()
            {
                continue;
            }
            recipients.push(fields);
            if recipients.len() >= 500 {
                break;
            }
        }
    }
    (message, recipients)
}

/// True when a text carries delivery-status fields inline (a DSN written into a text part).
pub fn looks_inline(text: &str) -> bool {
    let mut recipient = false;
    let mut status = false;
    for line in super::fields::lines(text) {
        let l = line.trim_start();
        let lower = l.get(..20).unwrap_or(l).to_ascii_lowercase();
        recipient |=
            lower.starts_with("final-recipient:") || lower.starts_with("original-recipient:");
        status |= lower.starts_with("status:") || lower.starts_with("action:");
        if recipient && status {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_recipients_without_blank_line() {
        let (m, r) = parse(
            "Reporting-MTA: dns; mx.example.org\nArrival-Date: Tue, 11 Mar 2025 09:15:42 +0000\n\nFinal-Recipient: rfc822; A@example.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1\n user unknown\nOriginal-Recipient: rfc822;b@example.com\nFinal-Recipient: rfc822; b@example.com\nAction: delayed (retrying)\nStatus: 4.4.1\nRemote-MTA: dns; mx.example.com\n",
        );
        assert_eq!(m.reporting_mta.as_deref(), Some("mx.example.org"));
        assert!(m.arrival_date.is_some());
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].final_recipient.as_deref(), Some("a@example.com"));
        assert_eq!(r[0].diagnostic.as_deref(), Some("550 5.1.1 user unknown"));
        assert_eq!(r[1].original_recipient.as_deref(), Some("b@example.com"));
        assert_eq!(r[1].action.as_deref(), Some("delayed"));
        assert_eq!(r[1].remote_mta.as_deref(), Some("mx.example.com"));
    }

    #[test]
    fn field_orders() {
        let (_, r) = parse(
            "Action: failed\nFinal-Recipient: rfc822; a@x\nOriginal-Recipient: rfc822; a@x\nStatus: 5.1.1\n",
        );
        assert_eq!(r.len(), 1);
        let (_, r) = parse(
            "Final-Recipient: rfc822; a@x\nAction: failed\nStatus: 5.1.1\nOriginal-Recipient: rfc822; B@x\nFinal-Recipient: rfc822; b@x\nAction: failed\n",
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].original_recipient, None);
        assert_eq!(r[1].original_recipient.as_deref(), Some("b@x"));
    }

    #[test]
    fn inline_detection() {
        assert!(looks_inline(
            "Technical report:\nFinal-Recipient: rfc822; a@b\nStatus: 5.1.1\n"
        ));
        assert!(!looks_inline("Status: ok\n"));
    }
}
