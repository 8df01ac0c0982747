use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// A DKIM signature uses a body length limit (`l=`) and the body is longer than that: the
    /// bytes after the limit are not covered by the signature, yet the signature still passes.
    ///
    /// ## Why it matters
    /// Anyone who relays the message can append text (a fake "update your bank details"
    /// paragraph, a link, a whole HTML part) after the signed part without breaking DKIM. The
    /// reader sees one message and cannot tell which part is authentic.
    ///
    /// ## Example
    /// `l=312` on a message whose body is 1,480 bytes: 1,168 bytes are unsigned.
    ///
    /// ## What to do
    /// Treat everything after the first `l=` bytes as unauthenticated. Senders: never use `l=`.
    ///
    /// ## References
    /// - RFC 6376 section 3.5 (the l= tag) and 8.2 (misuse of body length limits)
    pub static RULE = {
        code: "DKIM007",
        name: "dkim-unsigned-content",
        severity: Warning,
        summary: "part of the body lies outside a DKIM signature's l= limit",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for d in &ctx.auth.dkim {
        let Some(unsigned) = d.unsigned_body_bytes.filter(|n| *n > 0) else {
            continue;
        };
        out.push(rule.finding(
            format!(
                "the signature of {} signs only the first {} body bytes (l=): {unsigned} bytes after them could have been added by anyone",
                d.domain,
                d.body_length_limit.unwrap_or(0)
            ),
            None,
            ctx.header_evidence(d.header_index),
        ));
    }
}
