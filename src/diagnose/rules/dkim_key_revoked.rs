use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The DKIM key record exists but its public key is empty (`p=`): the domain has revoked the
    /// key. Signatures made with it must not be trusted.
    ///
    /// ## Why it matters
    /// Domains revoke a key when it leaked or was retired. A message signed with a revoked key is
    /// either old (signed before the revocation) or signed by whoever holds the leaked key.
    ///
    /// ## Example
    /// `oldkey._domainkey.example.com TXT "v=DKIM1; p="`
    ///
    /// ## What to do
    /// Check when the message arrived against when the key was revoked, and what the receiving
    /// server said at the time (its `Authentication-Results`). Senders: sign with a current key.
    ///
    /// ## References
    /// - RFC 6376 section 3.6.1 (an empty p= means the key has been revoked)
    pub static RULE = {
        code: "DKIM004",
        name: "dkim-key-revoked",
        severity: Warning,
        summary: "the DKIM key has been revoked (empty p=)",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for d in ctx
        .auth
        .dkim
        .iter()
        .filter(|d| d.reason.as_deref() == Some("key-revoked"))
    {
        out.push(rule.finding(
            format!(
                "the key at {}._domainkey.{} is revoked (empty p=)",
                d.selector, d.domain
            ),
            None,
            ctx.header_evidence(d.header_index),
        ));
    }
}
