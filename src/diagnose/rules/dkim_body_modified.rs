use crate::auth::dkim::{BodyHash, HeaderSignature};
use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The body no longer has the hash a DKIM signer recorded (`bh=`): it was changed after
    /// signing. When the header signature is still valid, the headers are as the signer sent
    /// them and only the body changed.
    ///
    /// ## Why it matters
    /// This is the most common DKIM failure and usually innocent: a mailing list or a security
    /// gateway added a footer ("This email originated outside the organisation"), an antivirus
    /// rewrote a link, or a server re-encoded the text. It can also be tampering. Because
    /// mailtrace checks the two halves apart, you know the From, Subject and Date are authentic
    /// even though the signature as a whole fails.
    ///
    /// ## Example
    /// `dkim: header signature valid, body hash mismatch (reason body-hash-mismatch)` on a
    /// message whose last lines are a gateway's disclaimer.
    ///
    /// ## What to do
    /// Compare the body with what the sender sent, if you can get it. Look for a footer or a
    /// rewritten link added by a hop after the signer. If a server of yours adds the footer,
    /// move it before signing (outbound) or after verification (inbound), or rely on ARC.
    ///
    /// ## References
    /// - RFC 6376 section 3.7 (body hash computation) and 6.1.3 (comparing the body hash)
    /// - RFC 6376 section 8.2 (misuse of body length limits and modified bodies)
    pub static RULE = {
        code: "DKIM001",
        name: "dkim-body-modified",
        severity: Warning,
        summary: "the signed headers are intact but the body was changed after signing",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for d in ctx
        .auth
        .dkim
        .iter()
        .filter(|d| d.body_hash == BodyHash::Mismatch)
    {
        let headers = match d.header_signature {
            HeaderSignature::Valid => "covers headers that are intact, but",
            HeaderSignature::Invalid => "no longer verifies over its headers either, and",
            HeaderSignature::Unchecked => "could not be checked over its headers (no key), but",
        };
        out.push(rule.finding(
            format!(
                "the signature of {} (s={}) {headers} the body was changed after signing",
                d.domain, d.selector
            ),
            None,
            ctx.header_evidence(d.header_index),
        ));
    }
}
