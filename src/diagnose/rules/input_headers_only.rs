use crate::declare_rule;
use crate::diagnose::{Context, Evidence, Finding, Rule};

declare_rule! {
    /// ## What it means
    /// The input holds only the header block: there is no body. This is what Outlook's
    /// "Internet headers" box and many "copy headers" buttons give you.
    ///
    /// ## Why it matters
    /// The journey (Received hops, delays, boundary) is all in the headers, so hop analysis is
    /// complete. But a DKIM signature covers the body too: without it the body hash cannot be
    /// checked, so DKIM can at best say the signed headers are authentic.
    ///
    /// ## Example
    /// An input that ends right after the last header field, with no empty line and no text
    /// after it.
    ///
    /// ## What to do
    /// For a full authentication check, save the whole message (.eml) instead of copying the
    /// headers: in Outlook use File > Save As, in Gmail "Download original".
    ///
    /// ## References
    /// - RFC 5322 section 2.1 (header section and body)
    /// - RFC 6376 section 3.7 (the body hash)
    pub static RULE = {
        code: "INPUT002",
        name: "input-headers-only",
        severity: Info,
        summary: "only the headers were given: the body cannot be checked",
        check: check,
    }
}

fn check(rule: &Rule, ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.source.headers_only {
        out.push(rule.finding(
            "the input has headers but no body: hops are complete, body checks are not possible".into(),
            None,
            vec![Evidence::note("input", "no body after the header block")],
        ));
    }
}
