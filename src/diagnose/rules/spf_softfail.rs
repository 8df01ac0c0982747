use crate::auth::AuthResult;
use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// SPF, re-evaluated for the boundary IP, returns softfail (`~all` matched): the domain says
    /// this IP is probably not one of its servers, but asks receivers not to reject outright.
    ///
    /// ## Why it matters
    /// Softfail is often a domain still building its SPF record. Combined with a DMARC policy it
    /// counts as a failure, so the message may land in spam.
    ///
    /// ## Example
    /// `v=spf1 include:_spf.example.net ~all` evaluated for an IP outside the include.
    ///
    /// ## What to do
    /// Senders: list every sending service, then move to `-all`. Receivers: read it with the
    /// DKIM and DMARC results, not alone.
    ///
    /// ## References
    /// - RFC 7208 section 2.6.5 (softfail)
    pub static RULE = {
        code: "SPF002",
        name: "spf-softfail",
        severity: Info,
        summary: "SPF softfails for the connecting IP at the boundary",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(spf) = ctx
        .auth
        .spf
        .as_ref()
        .filter(|s| s.result == AuthResult::Softfail)
    else {
        return;
    };
    let boundary = ctx.chain.boundary.as_ref().map(|b| b.hop);
    out.push(
        rule.finding(
            format!(
                "{} is probably not allowed to send for {} (SPF softfail, {})",
                spf.ip,
                spf.domain,
                spf.mechanism.as_deref().unwrap_or("default")
            ),
            boundary,
            boundary
                .and_then(|h| ctx.chain.hop(h))
                .map(|h| vec![Evidence::at("Received", &h.span, &h.raw)])
                .unwrap_or_default(),
        ),
    );
}
