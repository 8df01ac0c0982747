use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};
use crate::reports::ReportKind;

declare_rule! {
    /// ## What it means
    /// This message is an automatic reply: a program answered a message on someone's behalf,
    /// typically an out-of-office or vacation notice, or "this address is no longer in use".
    /// RFC 3834 asks such programs to mark their replies with `Auto-Submitted: auto-replied`;
    /// many also (or instead) write `X-Autoreply`, `X-Autorespond` or `Precedence: auto_reply`.
    /// Exchange and Outlook mark theirs with `X-Auto-Response-Suppress` and a subject such as
    /// "Automatic reply:", Apple's iCloud with `X-Apple-Action: VACATION`. mailtrace counts a
    /// common out-of-office subject only together with such a header, and never calls a
    /// message from a mailer daemon or postmaster an auto-reply (that is a bounce).
    ///
    /// ## Why it matters
    /// An auto-reply is not a delivery failure: the message you sent reached the mailbox, and
    /// the reply proves it. It is worth telling apart from a bounce, because bounce handling
    /// (removing addresses that fail) must not remove people who are only on holiday, and
    /// because two auto-responders answering each other make a mail loop unless both honour
    /// `Auto-Submitted` (RFC 3834 forbids answering an auto-submitted message).
    ///
    /// ## Example
    /// ```text
    /// From: Kim Lee <kim@example.org>
    /// Subject: Automatic reply: Project update
    /// Auto-Submitted: auto-replied
    ///
    /// I am away until Monday 17 March and will answer your message then.
    /// ```
    ///
    /// ## What to do
    /// Nothing about delivery. Read the reply in case it names someone else to contact. If you
    /// run an auto-responder, make it send `Auto-Submitted: auto-replied`, reply at most once
    /// per sender and period, and never answer mail that is itself auto-submitted, a bounce or
    /// from a mailing list.
    ///
    /// ## References
    /// - RFC 3834 (recommendations for automatic responses to electronic mail), sections 2 and
    ///   5 (the Auto-Submitted field)
    /// - RFC 5230 (Sieve vacation extension)
    pub static RULE = {
        code: "REP002",
        name: "auto-reply",
        severity: Info,
        summary: "the message is an automatic reply (out of office, vacation)",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for e in ctx
        .reports
        .entries
        .iter()
        .filter(|e| e.kind == ReportKind::AutoReply)
    {
        let who = e.recipient.as_deref().unwrap_or("an unnamed sender");
        let marker = e
            .header_index
            .and_then(|i| ctx.parsed.headers.get(i))
            .map(|h| format!("{}: {}", h.name.to_ascii_lowercase(), h.value))
            .unwrap_or_else(|| "its headers".into());
        out.push(rule.finding(
            format!(
                "automatic reply from {who} (marked by {marker}): your message was delivered, nothing failed"
            ),
            None,
            e.header_index
                .map(|i| ctx.header_evidence(i))
                .unwrap_or_default(),
        ));
    }
}
