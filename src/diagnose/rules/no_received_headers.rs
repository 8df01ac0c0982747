use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The message has no `Received` header at all, so there is no journey to show.
    ///
    /// ## Why it matters
    /// Every server that accepts a message over SMTP adds a `Received` line. A message without
    /// any was never delivered over the network: it is a draft, a copy from the Sent folder, a
    /// message saved straight from the composing program, or the headers were cut when copied.
    ///
    /// ## Example
    /// A message exported from the Sent Items folder starts with `From:`, `To:`, `Subject:` and
    /// no `Received:` line.
    ///
    /// ## What to do
    /// Take the copy from the recipient's mailbox, not the sender's, and copy the whole header
    /// block from the first line.
    ///
    /// ## References
    /// - RFC 5321 section 4.4 (trace information)
    pub static RULE = {
        code: "HOP007",
        name: "no-received-headers",
        severity: Info,
        summary: "the message has no Received header: no journey to show",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.chain.hops.is_empty() {
        out.push(rule.finding(
            "no Received header: the message was not delivered over SMTP, or the copy is incomplete".into(),
            None,
            vec![Evidence::note("Received", "absent")],
        ));
    }
}
