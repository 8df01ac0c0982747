use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The public key a DKIM signature points to (`s=selector`, `d=domain`, looked up at
    /// `selector._domainkey.domain`) does not exist in DNS, so the signature cannot be verified.
    ///
    /// ## Why it matters
    /// Domains rotate keys and remove old selectors, so an old message often loses its key: the
    /// signature was probably fine when it arrived. A key that never existed is a sign of a
    /// made-up signature. Either way, DKIM cannot vouch for the message now.
    ///
    /// ## Example
    /// `dkim: key-not-found for s=2023a d=example.com` on a message from last year.
    ///
    /// ## What to do
    /// Compare with the receiving server's own `Authentication-Results`, written when the key
    /// still existed (mailtrace shows it beside the verification). To keep evidence, save the
    /// DNS answers when you analyse (`--save-dns`) and replay them later with `--dns-zone`.
    ///
    /// ## References
    /// - RFC 6376 section 3.6.2.2 (the key record's location) and 6.1.2 (get the public key)
    pub static RULE = {
        code: "DKIM003",
        name: "dkim-key-not-found",
        severity: Warning,
        summary: "the DKIM public key is not in DNS",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for d in ctx
        .auth
        .dkim
        .iter()
        .filter(|d| d.reason.as_deref() == Some("key-not-found"))
    {
        out.push(rule.finding(
            format!(
                "no key at {}._domainkey.{}: the signature cannot be verified (rotated away, or never published)",
                d.selector, d.domain
            ),
            None,
            ctx.header_evidence(d.header_index),
        ));
    }
}
