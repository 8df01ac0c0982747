use crate::auth::AuthResult;
use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

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
    let Some(spf) = ctx.auth.spf.as_ref() else {
        return;
    };
    if spf.result != AuthResult::Softfail {
        return;
    }
    let (hop, evidence) = ctx.boundary_evidence();
    let mechanism = spf.mechanism.as_deref().unwrap_or("default");
    out.push(rule.finding(
        format!(
            "{} is probably not allowed to send for {} (SPF softfail, {})",
            spf.ip, spf.domain, mechanism
        ),
        hop,
        evidence,
    ));
}
