use crate::auth::AuthResult;
use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule, Severity};

declare_rule! {
    /// ## What it means
    /// The From domain publishes a DMARC record and neither SPF nor DKIM passes *aligned* with
    /// it: no passing DKIM signature from the From domain (or its organisational domain in
    /// relaxed mode), and no SPF pass for an envelope domain aligned with it. The finding says
    /// which policy applies (`none`, `quarantine`, `reject`).
    ///
    /// ## Why it matters
    /// DMARC is what stops a stranger from using a domain in the From line. With `p=reject` the
    /// domain owner asks receivers to refuse such mail; with `quarantine`, to put it in spam.
    /// A failure is either spoofing or a legitimate sender that is not set up (an ESP without
    /// custom DKIM, a forwarder).
    ///
    /// ## Example
    /// From `ceo@example.com`, SPF fail for 203.0.113.66, no DKIM: DMARC fail, policy reject.
    ///
    /// ## What to do
    /// Receivers: apply the policy; look at ARC when a trusted forwarder is involved. Senders:
    /// make every service sign with your domain (aligned DKIM) before tightening the policy.
    ///
    /// ## References
    /// - RFC 7489 section 3.1 (identifier alignment) and 6.6 (mail receiver actions)
    pub static RULE = {
        code: "DMARC001",
        name: "dmarc-fail",
        severity: Warning,
        summary: "DMARC fails: neither SPF nor DKIM passes aligned with the From domain",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(dmarc) = ctx
        .auth
        .dmarc
        .as_ref()
        .filter(|d| d.result == AuthResult::Fail)
    else {
        return;
    };
    // mail written and delivered inside the organisation never meets a DMARC check
    if ctx.chain.boundary.as_ref().is_some_and(|b| b.internal) {
        return;
    }
    let policy = dmarc.policy.as_deref().unwrap_or("none");
    let ask = match policy {
        "reject" => "the domain asks receivers to reject it",
        "quarantine" => "the domain asks receivers to treat it as spam",
        _ => "the domain only monitors (p=none)",
    };
    let mut f = rule.finding(
        format!(
            "DMARC fails for {}: no aligned SPF or DKIM pass; policy {policy}: {ask}",
            dmarc.from_domain
        ),
        None,
        ctx.parsed
            .first("From")
            .map(|h| vec![Evidence::at("From", &h.span, &h.value)])
            .unwrap_or_default(),
    );
    if policy == "reject" || policy == "quarantine" {
        f.severity = Severity::Error;
    }
    out.push(f);
}
