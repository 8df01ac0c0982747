use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The From domain does not ask receivers to act on DMARC failures: it publishes no DMARC
    /// record (neither at `_dmarc.` the From domain nor at its organisational domain), or its
    /// record cannot be used (two records, a broken one), or the policy that applies is
    /// `p=none` (for a subdomain, `sp=none`), or the policy is `quarantine` or `reject` with
    /// `pct=0`, which applies it to no message.
    ///
    /// ## Why it matters
    /// DMARC has two stages. *Monitoring* (`p=none`) only asks receivers to send reports: a
    /// message that fails is delivered as if DMARC did not exist. *Enforcement*
    /// (`p=quarantine`, `p=reject`) asks them to put failing mail in spam or refuse it. Only
    /// enforcement stops strangers from using the domain in From. Monitoring is the right first
    /// step while a domain finds all its legitimate senders; staying there for good leaves the
    /// domain open to spoofing. Without a record there is not even a report. For the analysis
    /// this means a DMARC failure of this domain says little about where the message ends up,
    /// and that a pass is not protecting readers from look-alikes either. Large mailbox
    /// providers require bulk senders to publish at least `p=none`.
    ///
    /// ## Example
    /// ```text
    /// _dmarc.example.net.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc@example.net"
    /// ```
    ///
    /// ## What to do
    /// Domain owners: publish a record with `rua=` to receive reports, make every service that
    /// sends as the domain pass aligned SPF or DKIM, then move to `p=quarantine` and
    /// `p=reject`. Domains that send no mail at all should publish `p=reject` straight away.
    /// Readers: a message from such a domain may be forged even if nothing here failed.
    ///
    /// ## References
    /// - RFC 7489 section 6.3 (the p=, sp= and pct= tags) and 6.6.3 (policy discovery)
    /// - RFC 7489 section 6.7 (policy enforcement considerations) and 7 (reports)
    pub static RULE = {
        code: "DMARC002",
        name: "dmarc-no-policy",
        severity: Info,
        summary: "the From domain publishes no DMARC policy, or only monitors (p=none)",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    let Some(dmarc) = &ctx.auth.dmarc else { return };
    let domain = &dmarc.from_domain;
    let policy_of = dmarc
        .record_domain
        .as_deref()
        .filter(|r| *r != domain.as_str())
        .map(|r| format!(" (the policy of {r})"))
        .unwrap_or_default();
    let message = match (dmarc.reason.as_deref(), dmarc.policy.as_deref()) {
        (Some("no-record"), _) => format!(
            "{domain} publishes no DMARC record: receivers have no policy to apply, and nobody gets reports of mail forged in its name"
        ),
        (Some("multiple-records" | "invalid-record"), _) => format!(
            "the DMARC record of {domain} cannot be used ({}): no policy applies",
            dmarc.note.as_deref().unwrap_or("invalid")
        ),
        (_, Some("none")) => format!(
            "{domain} publishes p=none{policy_of}: it only monitors, so receivers deliver mail that fails DMARC as usual"
        ),
        (_, Some(p @ ("quarantine" | "reject"))) if dmarc.pct == 0 => format!(
            "{domain} publishes p={p} with pct=0{policy_of}: the policy is applied to no failing message"
        ),
        _ => return,
    };
    let mut evidence: Vec<Evidence> = ctx
        .parsed
        .first("From")
        .map(|h| vec![Evidence::at("From", &h.span, &h.value)])
        .unwrap_or_default();
    match (&dmarc.record_domain, &dmarc.record) {
        (Some(at), Some(record)) => evidence.push(Evidence::note(
            "DNS",
            &format!("_dmarc.{at} TXT \"{record}\""),
        )),
        _ => {
            if let Some(note) = &dmarc.note {
                evidence.push(Evidence::note("DNS", note));
            }
        }
    }
    out.push(rule.finding(message, None, evidence));
}
