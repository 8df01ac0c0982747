use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};
use crate::reports::ReportKind;

declare_rule! {
    /// ## What it means
    /// This message is a feedback report: a mailbox provider tells the sender of a message
    /// that one of its users complained about it (pressed "report spam"), or that it failed
    /// authentication. The standard form is ARF, RFC 5965: a `multipart/report` with
    /// `report-type=feedback-report`, a human-readable part, a `message/feedback-report` part
    /// (`Feedback-Type: abuse`, `User-Agent`, `Version`, `Original-Mail-From`,
    /// `Original-Rcpt-To`, `Source-IP`, `Arrival-Date`, `Reported-Domain`) and the reported
    /// message. The feedback types are abuse, fraud, virus, other, not-spam (RFC 6650) and
    /// auth-failure (RFC 6591, with `Auth-Failure: dmarc`, `spf`, `bodyhash`, ...). Providers
    /// send them to senders who signed up for their feedback loop. mailtrace also reads
    /// Amazon SES complaint notifications and Microsoft's JMRP complaints the same way.
    ///
    /// ## Why it matters
    /// Complaints are the strongest signal receivers use against a sender: a few per thousand
    /// messages are enough to send the rest of your mail to spam or have it refused. An
    /// auth-failure report is different: it says a message in your domain's name failed SPF,
    /// DKIM or DMARC, which is either a misconfigured server of yours or someone forging your
    /// domain.
    ///
    /// ## Example
    /// ```text
    /// Content-Type: message/feedback-report
    ///
    /// Feedback-Type: abuse
    /// User-Agent: ExampleFBL/2.1
    /// Version: 1
    /// Original-Mail-From: <news@example.com>
    /// Original-Rcpt-To: <kim@example.org>
    /// Source-IP: 192.0.2.45
    /// Reported-Domain: example.com
    /// ```
    ///
    /// ## What to do
    /// For abuse, fraud and opt-out reports: stop sending to the person who complained, at
    /// once and without asking them to confirm, and look at why they did not want the mail
    /// (did they sign up? is unsubscribing easy? is the sender name recognisable?). For
    /// auth-failure reports: find the server in `Source-IP`; if it is yours, fix its SPF or
    /// DKIM; if not, someone is sending in your domain's name, and a DMARC policy of
    /// quarantine or reject protects your recipients.
    ///
    /// ## References
    /// - RFC 5965 (an extensible format for email feedback reports), section 3 (the
    ///   message/feedback-report fields)
    /// - RFC 6591 (authentication failure reporting using ARF)
    /// - RFC 6650 (creation and use of email feedback reports: not-spam, and when to send)
    /// - RFC 6449 (complaint feedback loop operational recommendations)
    pub static RULE = {
        code: "REP003",
        name: "feedback-report",
        severity: Warning,
        summary: "the message is a feedback report: a complaint or an authentication failure report",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for e in ctx
        .reports
        .entries
        .iter()
        .filter(|e| e.kind == ReportKind::FeedbackReport)
    {
        let kind = e.reason.as_deref().unwrap_or("other");
        let mut message = format!("{kind} report");
        let mut evidence = e
            .header_index
            .map(|i| ctx.header_evidence(i))
            .unwrap_or_default();
        if let Some(f) = &e.feedback {
            if let Some(agent) = &f.user_agent {
                message.push_str(&format!(" by {agent}"));
            }
            if let Some(from) = &f.original_mail_from {
                message.push_str(&format!(" about a message from {from}"));
            }
            if let Some(ip) = &f.source_ip {
                message.push_str(&format!(" sent by {ip}"));
            }
            if let Some(failure) = &f.auth_failure {
                message.push_str(&format!(" ({failure} failed)"));
            }
            evidence.push(Evidence::note("Feedback-Type", &f.feedback_type));
        }
        if let Some(rcpt) = &e.recipient {
            message.push_str(&format!(", received by {rcpt}"));
        }
        if let Some(advice) = &e.advice {
            let advice = advice.trim().trim_end_matches('.');
            let mut chars = advice.chars();
            if let Some(first) = chars.next() {
                let advice: String = first.to_lowercase().chain(chars).collect();
                message.push_str(&format!("; {advice}"));
            }
        }
        out.push(rule.finding(message, None, evidence));
    }
}
