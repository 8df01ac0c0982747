use crate::auth::AuthResult;
use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// SPF, re-evaluated for the IP that connected to the recipient's boundary server, says that
    /// IP is not allowed to send for the envelope sender's domain (`-all` matched).
    ///
    /// ## Why it matters
    /// The domain owner published the list of servers that send its mail, and this one is not
    /// on it. That is typical of spoofing, but also of forwarding: a forwarder resends with the
    /// original envelope sender from its own IP.
    ///
    /// ## Example
    /// `spf: fail for 203.0.113.66, domain bank.example (mechanism -all)`.
    ///
    /// ## What to do
    /// Check the hops: is the boundary IP a known forwarder (a university alias, a mailing list)?
    /// Then ARC or SRS explains it. If not, treat the message as spoofed. Senders: add every
    /// service that sends for you to your SPF record.
    ///
    /// ## References
    /// - RFC 7208 section 2.6.4 (fail) and section 4 (check_host)
    pub static RULE = {
        code: "SPF001",
        name: "spf-fail",
        severity: Warning,
        summary: "SPF fails for the connecting IP at the boundary",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(spf) = ctx.auth.spf.as_ref() else {
        return;
    };
    if spf.result != AuthResult::Fail {
        return;
    }
    let (hop, evidence) = ctx.boundary_evidence();
    let mechanism = spf.mechanism.as_deref().unwrap_or("default");
    out.push(rule.finding(
        format!(
            "{} is not allowed to send for {} (SPF fail, {})",
            spf.ip, spf.domain, mechanism
        ),
        hop,
        evidence,
    ));
}
