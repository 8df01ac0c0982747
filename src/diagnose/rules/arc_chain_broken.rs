use crate::auth::AuthResult;
use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The message carries an ARC chain (ARC-Seal, ARC-Message-Signature,
    /// ARC-Authentication-Results) and it does not validate: a seal or the newest message
    /// signature fails, an instance is missing, or a sealer recorded `cv=fail`. The finding names
    /// the instance that broke.
    ///
    /// ## Why it matters
    /// ARC lets intermediaries (mailing lists, forwarders, security gateways) vouch for what
    /// authentication looked like before they changed the message. A broken chain vouches for
    /// nothing, so DMARC failures caused by the intermediary cannot be excused.
    ///
    /// ## Example
    /// `arc: fail, broken at i=2 (seal signature invalid)`.
    ///
    /// ## What to do
    /// Look at which hop added the broken instance; a server after it may have changed ARC
    /// headers. Note that ARC is now an experimental, historic protocol: many receivers ignore it.
    ///
    /// ## References
    /// - RFC 8617 section 5.2 (validator actions)
    pub static RULE = {
        code: "ARC001",
        name: "arc-chain-broken",
        severity: Warning,
        summary: "the ARC chain does not validate",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let arc = &ctx.auth.arc;
    if arc.result != AuthResult::Fail {
        return;
    }
    let at = arc
        .broken_at
        .map(|i| format!(" at instance i={i}"))
        .unwrap_or_default();
    let evidence = arc
        .broken_at
        .and_then(|i| arc.instances.iter().find(|x| x.i == i))
        .and_then(|x| x.seal_header_index)
        .map(|idx| ctx.header_evidence(idx))
        .unwrap_or_default();
    out.push(rule.finding(
        format!(
            "the ARC chain is broken{at}: {}",
            arc.reason.as_deref().unwrap_or("it does not validate")
        ),
        None,
        evidence,
    ));
}
