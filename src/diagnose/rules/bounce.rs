use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule, Severity};
use crate::reports::DeliveryReport;

declare_rule! {
    /// ## What it means
    /// This message is a bounce: a report from a mail server that it could not deliver a
    /// message you sent (or could not deliver it yet, or, rarely, that it did deliver it). The
    /// standard form is an RFC 3464 delivery status notification (DSN): a `multipart/report`
    /// with a human-readable text, a `message/delivery-status` part with one block per
    /// recipient (`Final-Recipient`, `Action`, `Status`, `Remote-MTA`, `Diagnostic-Code`), and
    /// your original message or its headers. Many servers still write the bounce in their own
    /// words instead (Exim's "This message was created automatically by mail delivery
    /// software", qmail's "Hi. This is the qmail-send program", Exchange's "Delivery has failed
    /// to these recipients"); mailtrace reads those too. For each failed recipient it reports
    /// the enhanced status code (RFC 3463, `class.subject.detail`: `5.1.1` is a permanent
    /// failure, addressing, bad mailbox), the server that refused, its reply, and a reason class
    /// with advice.
    ///
    /// ## Why it matters
    /// The bounce says why the message did not arrive, but in the receiving server's terse
    /// words. The first digit says whether to retry: `5` is permanent (sending again will fail
    /// the same way), `4` is temporary (the sender's server is still trying, or gave up after
    /// days). The reason decides who must act: a typo in the address (user-unknown,
    /// host-unknown) is the sender's to fix, a full mailbox the recipient's, a DMARC or SPF
    /// rejection the sending domain's administrator's. mailtrace also analyses the returned
    /// original with the same engine, so its route and authentication can be checked.
    ///
    /// ## Example
    /// ```text
    /// Content-Type: multipart/report; report-type=delivery-status; boundary="b1"
    ///
    /// Final-Recipient: rfc822; kim@example.org
    /// Action: failed
    /// Status: 5.1.1
    /// Remote-MTA: dns; mx.example.org
    /// Diagnostic-Code: smtp; 550 5.1.1 <kim@example.org>: Recipient address rejected:
    ///     User unknown in local recipient table
    /// ```
    ///
    /// ## What to do
    /// Read the status and the diagnostic, then follow the advice for the reason: check the
    /// address for typos (user-unknown, host-unknown), wait or reach the person another way
    /// (mailbox-full, mailbox-disabled), fix SPF, DKIM and DMARC for your domain
    /// (authentication-failure, dmarc-rejection), or ask your mail administrator to contact the
    /// receiver's postmaster (policy-rejection, spam-rejection). A delay warning (`Action:
    /// delayed`) needs no action yet: your server keeps trying. Do not keep sending to
    /// addresses that bounce permanently; receivers treat that as a spammer's habit.
    ///
    /// ## References
    /// - RFC 3464 (an extensible message format for delivery status notifications), section 2.3
    ///   (per-recipient fields)
    /// - RFC 3463 (enhanced mail system status codes), section 3 (the subject and detail codes)
    /// - RFC 5321 section 4.2 (SMTP replies: 4yz temporary, 5yz permanent)
    /// - RFC 6522 (the multipart/report media type)
    /// - RFC 7372 (email authentication status codes: 5.7.20 to 5.7.26)
    pub static RULE = {
        code: "REP001",
        name: "bounce",
        severity: Warning,
        summary: "the message is a bounce: a delivery failure (or delay) report",
        check: check,
    }
}

/// The advice as the end of a finding's line: first letter lowercase, no final period.
fn inline_advice(advice: &str) -> String {
    let advice = advice.trim().trim_end_matches('.');
    let mut chars = advice.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn message(e: &DeliveryReport) -> String {
    let recipient = e.recipient.as_deref().unwrap_or("an unnamed recipient");
    let what = match e.action.as_deref() {
        Some("delayed") => "is delayed",
        Some("delivered") => "succeeded",
        Some("relayed") => "was relayed",
        Some("expanded") => "was expanded",
        _ => "failed",
    };
    let mut out = format!("delivery to {recipient} {what}");
    let status_reason: Vec<&str> = [e.status.as_deref(), e.reason.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !status_reason.is_empty() {
        out.push_str(&format!(": {}", status_reason.join(" ")));
    }
    if let Some(mta) = &e.remote_mta {
        out.push_str(&format!(" at {mta}"));
    }
    if let Some(advice) = &e.advice {
        out.push_str(&format!("; {}", inline_advice(advice)));
    }
    out
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for e in ctx.reports.entries.iter().filter(|e| e.is_bounce()) {
        let mut evidence = e
            .header_index
            .map(|i| ctx.header_evidence(i))
            .unwrap_or_default();
        if let Some(status) = &e.status {
            evidence.push(Evidence::note("Status", status));
        }
        if let Some(diagnostic) = &e.diagnostic {
            evidence.push(Evidence::note("Diagnostic-Code", diagnostic));
        }
        let mut finding = rule.finding(message(e), None, evidence);
        // only a failure is a warning: a delay is still being retried, a success is news
        if e.action
            .as_deref()
            .is_some_and(|a| a != "failed" && a != "expired")
        {
            finding.severity = Severity::Info;
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_reads_inline() {
        assert_eq!(inline_advice("Check it. Then go."), "check it. Then go");
        assert_eq!(inline_advice(""), "");
    }
}
