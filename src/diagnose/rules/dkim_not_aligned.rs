use crate::auth::AuthResult;
use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// A DKIM signature verifies, but its domain (`d=`) is not the From domain (nor, in relaxed
    /// mode, in the same organisational domain), so it does not count for DMARC.
    ///
    /// ## Why it matters
    /// An email service provider signs with its own domain by default (`d=esp.example`): the
    /// signature proves the ESP sent it, not that the From domain authorised it. DMARC then
    /// depends on SPF alignment alone, and fails when the ESP uses its own bounce domain.
    ///
    /// ## Example
    /// From `news@example.com`, `dkim=pass header.d=sendgrid.example`: valid, not aligned.
    ///
    /// ## What to do
    /// Senders: set up "custom DKIM" / "domain authentication" at the provider so it signs with
    /// `d=example.com` (a CNAME to the provider's key is the usual way).
    ///
    /// ## References
    /// - RFC 7489 section 3.1.1 (DKIM-authenticated identifiers and alignment)
    pub static RULE = {
        code: "DKIM008",
        name: "dkim-not-aligned",
        severity: Info,
        summary: "a valid DKIM signature is not aligned with the From domain",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(dmarc) = &ctx.auth.dmarc else { return };
    for d in ctx
        .auth
        .dkim
        .iter()
        .filter(|d| d.result == AuthResult::Pass)
    {
        if dmarc.aligned_dkim_domains.contains(&d.domain) {
            continue;
        }
        out.push(rule.finding(
            format!(
                "the signature of {} is valid but not aligned with the From domain {} (adkim={}): it does not count for DMARC",
                d.domain, dmarc.from_domain, dmarc.adkim
            ),
            None,
            ctx.header_evidence(d.header_index),
        ));
    }
}
