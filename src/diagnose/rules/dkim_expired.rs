use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule, Severity};

declare_rule! {
    /// ## What it means
    /// A DKIM signature carries an expiry (`x=`) and the message arrived after it, or the
    /// signature is dated in the future (`t=` after arrival). mailtrace judges both as of
    /// arrival (the newest Received time), not as of today: a signature that was valid on
    /// arrival and has expired since is still a pass, with a note.
    ///
    /// ## Why it matters
    /// Expiry limits replay: a signed message resent long after it was written. A signature that
    /// had already expired on arrival fails. A timestamp in the future points at a wrong clock
    /// on the signer or a forged signature.
    ///
    /// ## Example
    /// `x=1741737600` (2025-03-12) on a message received 2025-03-20: expired on arrival.
    ///
    /// ## What to do
    /// For an expired-on-arrival signature, look for a replay (old message, new Received lines).
    /// Senders: choose an expiry of days, not minutes, so that slow deliveries still verify.
    ///
    /// ## References
    /// - RFC 6376 section 3.5 (the t= and x= tags)
    pub static RULE = {
        code: "DKIM005",
        name: "dkim-expired",
        severity: Warning,
        summary: "a DKIM signature had expired, or was dated in the future, when the message arrived",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for d in &ctx.auth.dkim {
        let message = match d.reason.as_deref() {
            Some("signature-expired") => format!(
                "the signature of {} had expired when the message arrived (x= {})",
                d.domain,
                d.expiration.as_deref().unwrap_or("?")
            ),
            Some("signature-in-future") => format!(
                "the signature of {} is dated after the message arrived (t= {})",
                d.domain,
                d.timestamp.as_deref().unwrap_or("?")
            ),
            _ => match d.note.as_deref().filter(|n| n.contains("expired since")) {
                Some(note) => {
                    let mut f = rule.finding(
                        format!("the signature of {} was valid on arrival; {note}", d.domain),
                        None,
                        ctx.header_evidence(d.header_index),
                    );
                    f.severity = Severity::Info;
                    out.push(f);
                    continue;
                }
                None => continue,
            },
        };
        out.push(rule.finding(message, None, ctx.header_evidence(d.header_index)));
    }
}
