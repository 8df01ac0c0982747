use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule, Severity};

declare_rule! {
    /// ## What it means
    /// A receiving server recorded an authentication result (in `Authentication-Results`,
    /// `ARC-Authentication-Results` or `Received-SPF`) that differs from what mailtrace computes
    /// again now. The finding gives the likely reason: the body is missing from the input, a
    /// footer was added after that server checked, the key was rotated or revoked since, the
    /// signature expired since, the SPF record changed, DNS could not be asked (offline), or a
    /// signature is valid but not aligned.
    ///
    /// ## Why it matters
    /// A claim written by a server inside the trust boundary is evidence of what was true at
    /// delivery; a claim below the boundary was written by the sending side and proves nothing.
    /// Disagreements tell a story: "DKIM passed at delivery, the key was rotated since" is fine;
    /// "the sender's own header says pass, verification fails" is a forgery.
    ///
    /// ## Example
    /// `claimed dkim=pass by mx.example.org (trusted), verified: fail (body-hash-mismatch):
    /// the body was changed after that server checked it`.
    ///
    /// ## What to do
    /// Trust the claims marked trusted for what happened at delivery; trust the re-verification
    /// for what the message is now. Untrusted claims (an intermediary's, or the sender's own)
    /// are reported as info: context, or a forgery when they claim a pass nothing confirms.
    ///
    /// ## References
    /// - RFC 8601 (Authentication-Results), section 7.1 (forged headers)
    /// - RFC 7208 section 9.1 (Received-SPF)
    pub static RULE = {
        code: "AUTH001",
        name: "auth-claim-mismatch",
        severity: Warning,
        summary: "a receiving server's recorded result differs from the re-verification",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for view in ctx.auth.claims.iter().filter(|c| c.agrees == Some(false)) {
        let c = &view.claim;
        let unnamed = view
            .hop
            .map(|h| format!("hop {h}'s server"))
            .unwrap_or_else(|| "an unnamed server".into());
        let by = c.authserv_id.as_deref().unwrap_or(&unnamed);
        let trust = if view.trusted {
            "trusted"
        } else {
            "untrusted: written below the trust boundary"
        };
        let verified = view.verified.map(|v| v.as_str()).unwrap_or("?");
        let why = view.why.as_deref().unwrap_or("no reason found");
        let mut finding = rule.finding(
            format!(
                "{by} ({trust}) claimed {}={}, verified now: {verified}: {why}",
                c.method, c.result
            ),
            view.hop,
            ctx.header_evidence(c.header_index),
        );
        // an intermediary's or the sender's claim is context, not evidence of delivery; a
        // disagreement caused by the input or the time of analysis is expected
        if !view.trusted || view.benign {
            finding.severity = Severity::Info;
        }
        out.push(finding);
    }
}
