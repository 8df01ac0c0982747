use crate::auth::{AuthResult, address_domain};
use crate::declare_rule;
use crate::diagnose::rules::reply_to_divergent::header_addresses;
use crate::diagnose::{Context, Finding, Rule};
use crate::hops::host::org_domain;

declare_rule! {
    /// ## What it means
    /// A DKIM signature that passes, and whose domain is the From domain's (so it is the one
    /// DMARC counts), lists `from` in its `h=` tag only as many times as the message has From
    /// fields. It signs the From that is there, but not the absence of another one.
    ///
    /// ## Why it matters
    /// A verifier picks the signed fields from the bottom of the header up, one per name in
    /// `h=`. With `h=from` once, a second From written above the signed one is simply not looked
    /// at: the signature still verifies, DMARC may still pass, and many mail programs show the
    /// *added* From. Listing `from` one more time than it occurs ("over-signing") signs an empty
    /// extra From, so any From added later breaks the signature. Large mailbox providers over-sign
    /// From, Subject, Date, To and Reply-To by default; many self-hosted signers do not.
    /// Receivers that reject messages with two From fields (most large ones do) are protected
    /// anyway, so this is info: a hardening the signer can add.
    ///
    /// ## Example
    /// ```text
    /// DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=mt2025;
    ///         h=from:to:subject:date:message-id; ...
    /// ```
    /// Over-signed: `h=from:from:to:subject:date:message-id`.
    ///
    /// ## What to do
    /// Signers: list `from` (and `subject`, `to`, `reply-to`, `date`) once more than they occur.
    /// OpenDKIM: `OversignHeaders From`; rspamd: `sign_headers` with `(o)from`; Exim: `+from`
    /// in `dkim_sign_headers`. Nothing to do about this message.
    ///
    /// ## References
    /// - RFC 6376 section 5.4.2 (signatures involving multiple instances of a field)
    /// - RFC 6376 section 8.15 (attacks involving extra header fields)
    pub static RULE = {
        code: "DKIM009",
        name: "dkim-from-not-oversigned",
        severity: Info,
        summary: "a passing DKIM signature does not over-sign From, so a second From could be added",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    // the organisational domains of every From field's addresses
    let from_orgs: Vec<String> = ctx
        .parsed
        .fields("From")
        .flat_map(|f| header_addresses(&f.value))
        .chain(ctx.parsed.from.iter().filter_map(|m| m.address.clone()))
        .filter_map(|a| address_domain(&a))
        .filter_map(|d| org_domain(&d))
        .collect();
    for d in ctx
        .auth
        .dkim
        .iter()
        .filter(|d| d.result == AuthResult::Pass && !d.from_oversigned)
    {
        if !org_domain(&d.domain).is_some_and(|o| from_orgs.contains(&o)) {
            continue;
        }
        let times = d
            .signed_headers
            .iter()
            .filter(|h| h.trim().eq_ignore_ascii_case("from"))
            .count();
        let once = if times == 1 {
            "once".to_string()
        } else {
            format!("{times} times")
        };
        out.push(rule.finding(
            format!(
                "the signature of {} (s={}) lists From {once} in h=, not once more than it occurs: a From added above the signed one would leave it valid",
                d.domain, d.selector
            ),
            None,
            ctx.header_evidence(d.header_index),
        ));
    }
}
