use crate::auth::dkim::{BodyHash, HeaderSignature};
use crate::declare_rule;
use crate::diagnose::{Context, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// A DKIM signature does not verify over the headers it covers: one of the signed header
    /// fields (From, Subject, Date, To...) was changed, added or removed after signing, or the
    /// signature was made with another key. The body may still match (`body_hash`), which tells
    /// you the change is in the headers.
    ///
    /// ## Why it matters
    /// The signed headers are what the reader trusts: who it is from, what it is about. A mailing
    /// list that tags the Subject (`[list]`) breaks signatures this way, innocently. A changed
    /// From or Date on a message that claims to be untouched is a red flag.
    ///
    /// ## Example
    /// `dkim: header signature invalid, body hash match (reason signature-mismatch)` after a list
    /// server prefixed the Subject with `[team]`.
    ///
    /// ## What to do
    /// Look for a hop that rewrites headers (a list server, a gateway that adds `[EXTERNAL]`).
    /// If there is none, treat the signed headers as untrustworthy. A paste repair can also cause
    /// this: check the `input-paste-repaired` findings and verify the original file.
    ///
    /// ## References
    /// - RFC 6376 section 3.5 (the h= tag) and 6.1.3 (compute the verification)
    /// - RFC 6376 section 5.4 (determine the header fields to sign)
    pub static RULE = {
        code: "DKIM002",
        name: "dkim-header-modified",
        severity: Warning,
        summary: "a DKIM signature does not verify over the headers it signed",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    for d in &ctx.auth.dkim {
        if d.header_signature != HeaderSignature::Invalid {
            continue;
        }
        let body = match d.body_hash {
            BodyHash::Match => "the body is intact",
            BodyHash::Mismatch => "the body changed too",
            BodyHash::Unchecked => "the body could not be checked",
        };
        let repaired = if d.repaired_headers_signed.is_empty() {
            String::new()
        } else {
            format!(
                " (a paste repair changed {}: check the original file)",
                d.repaired_headers_signed.join(", ")
            )
        };
        out.push(rule.finding(
            format!(
                "the signature of {} (s={}) does not verify over its signed headers; {body}{repaired}",
                d.domain, d.selector
            ),
            None,
            ctx.header_evidence(d.header_index),
        ));
    }
}
