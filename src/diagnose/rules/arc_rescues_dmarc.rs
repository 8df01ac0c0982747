use crate::auth::AuthResult;
use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};
use crate::hops::host::matches_suffix;

declare_rule! {
    /// ## What it means
    /// DMARC fails for the message as it arrived, but it carries a valid ARC chain whose
    /// sealers recorded that authentication passed before they changed or forwarded it. A
    /// receiver that trusts those sealers may accept the message despite the DMARC failure
    /// ("local policy override", RFC 7489 section 7.2 reason `arc`).
    ///
    /// ## Why it matters
    /// Mailing lists and forwarders break DKIM (footers, subject tags) and SPF (their own IP).
    /// ARC is how they vouch for what the message looked like when it reached them. Whether to
    /// believe them is a local decision: a valid chain proves who sealed, not that the sealer is
    /// honest. mailtrace says which sealer vouched and whether you named it with `--trust`.
    ///
    /// ## Example
    /// `dmarc=fail`, `arc=pass`, and the oldest ARC-Authentication-Results, written by
    /// `lists.example.net`, says `dkim=pass header.d=example.com; dmarc=pass`.
    ///
    /// ## What to do
    /// If the sealer is a list or forwarder you know, the failure is explained: treat the
    /// message as authenticated upstream. If not, the DMARC failure stands. Receivers: keep a
    /// list of trusted ARC sealers rather than trusting every valid chain.
    ///
    /// ## References
    /// - RFC 8617 section 7.2 (usage of ARC and chain validity) and section 9 (privacy, trust)
    /// - RFC 7489 section 6.7 and 7.2 (local policy overrides)
    pub static RULE = {
        code: "ARC002",
        name: "arc-rescues-dmarc",
        severity: Info,
        summary: "DMARC fails, but a valid ARC chain says authentication passed upstream",
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
    let arc = &ctx.auth.arc;
    if arc.result != AuthResult::Pass {
        return;
    }
    // the sealer whose results vouch: the first instance whose AAR says dmarc, dkim or spf passed
    let Some(vouch) = arc.instances.iter().find(|i| {
        i.aar.as_deref().is_some_and(|aar| {
            let aar = aar.to_ascii_lowercase();
            ["dmarc=pass", "dkim=pass", "spf=pass"]
                .iter()
                .any(|m| aar.contains(m))
        })
    }) else {
        return;
    };
    let trusted = ctx
        .options
        .trust
        .iter()
        .any(|t| matches_suffix(&vouch.domain, t));
    let trust = if trusted {
        "a sealer you trust"
    } else {
        "not named with --trust: believe it only if you trust that sealer"
    };
    out.push(rule.finding(
        format!(
            "DMARC fails for {}, but ARC instance i={} sealed by {} recorded a pass upstream ({trust})",
            dmarc.from_domain, vouch.i, vouch.domain
        ),
        None,
        vouch
            .seal_header_index
            .map(|idx| ctx.header_evidence(idx))
            .unwrap_or_default(),
    ));
}
