use crate::auth::address_domain;
use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};
use crate::hops::host::org_family;

declare_rule! {
    /// ## What it means
    /// The envelope sender (the SMTP `MAIL FROM`, kept in the `Return-Path` header on delivery)
    /// is in another organisational domain than the `From` address. Bounces go to the envelope
    /// sender; readers see From.
    ///
    /// ## Why it matters
    /// This is how most bulk mail works and usually nothing is wrong: email service providers
    /// use their own bounce domain (`bounce.esp.example`) to process bounces for their
    /// customers, mailing lists put their own bounce address in (`list-bounces@lists.example.net`),
    /// and forwarders rewrite it (SRS, `srs0=...@forwarder.example`). But SPF checks the envelope
    /// sender's domain, not From's: an SPF pass here vouches for the provider, not for the
    /// author's domain, so it cannot count for DMARC (SPF is not *aligned*). DMARC then rests on
    /// a DKIM signature by the From domain. In forged mail, a bounce domain unrelated to the
    /// From domain is one more sign that the author's domain had nothing to do with the sending.
    ///
    /// ## Example
    /// ```text
    /// Return-Path: <bounce-6120-rita=example.org@bounce.esp.example>
    /// From: Example Co. News <news@example.com>
    /// ```
    ///
    /// ## What to do
    /// Usually nothing. Senders who rely on SPF for DMARC: set up a custom bounce domain
    /// (a "custom return path", e.g. `bounce.example.com` as a CNAME to the provider) so that SPF
    /// aligns, and sign with your own domain (custom DKIM) in any case.
    ///
    /// ## References
    /// - RFC 5321 section 4.4 (Return-Path records the MAIL FROM on final delivery) and 3.3
    /// - RFC 7208 section 2.4 (SPF checks the MAIL FROM identity)
    /// - RFC 7489 section 3.1.2 (SPF-authenticated identifiers and alignment)
    pub static RULE = {
        code: "HDR007",
        name: "return-path-divergent",
        severity: Info,
        summary: "the envelope sender's domain differs from the From domain",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(from_domain) = ctx
        .parsed
        .from
        .first()
        .and_then(|m| m.address.as_deref())
        .and_then(address_domain)
    else {
        return;
    };
    let Some(from_org) = org_family(&from_domain) else {
        return;
    };
    // the Return-Path written on delivery; else the envelope sender a Received line recorded
    let (envelope, evidence) = match (
        ctx.parsed.return_path.as_deref(),
        ctx.parsed.first("Return-Path"),
    ) {
        (Some(rp), Some(field)) => (
            rp.to_string(),
            Evidence::at("Return-Path", &field.span, &field.value),
        ),
        _ => match ctx
            .chain
            .hops
            .iter()
            .rev()
            .find_map(|h| h.fields.envelope_from.as_deref().map(|e| (e, h)))
        {
            Some((e, hop)) => (e.to_string(), Evidence::at("Received", &hop.span, &hop.raw)),
            None => return,
        },
    };
    // `<>`: a bounce or an auto-reply, which has no envelope sender by design
    let Some(domain) = address_domain(&envelope) else {
        return;
    };
    let Some(org) = org_family(&domain) else {
        return;
    };
    if org == from_org {
        return;
    }
    let mut evidence = vec![evidence];
    if let Some(from) = ctx.parsed.first("From") {
        evidence.push(Evidence::at("From", &from.span, &from.value));
    }
    out.push(rule.finding(
        format!(
            "the envelope sender's domain {domain} lies outside the From domain {from_domain}: bounces go there, and SPF vouches for {org}, not for the author's domain (usual for email service providers, mailing lists and forwarders)"
        ),
        None,
        evidence,
    ));
}
