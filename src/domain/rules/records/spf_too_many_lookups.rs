use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// Counting over the whole tree of includes and redirects, the SPF policy has more than ten
    /// terms that make DNS queries (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`). RFC 7208 4.6.4
    /// limits evaluation to ten; the eleventh makes the result `permerror`.
    ///
    /// ## Why it matters
    /// A receiver evaluating mail from a server that is listed late (or not at all) hits the limit
    /// and returns `permerror` instead of `pass`: SPF fails for legitimate mail, DMARC through SPF
    /// fails, and the mail may be rejected. The problem grows silently because providers change their
    /// own included records.
    ///
    /// ## Example
    /// `v=spf1 include:_spf.google.com include:spf.protection.outlook.com include:mailgun.org
    /// include:sendgrid.net include:servers.mcsv.net a mx ... -all`, with the includes adding their own
    /// lookups.
    ///
    /// ## What to do
    /// Remove includes of services you no longer use, replace `a` and `mx` with `ip4:`/`ip6:` ranges,
    /// move some senders to a subdomain with its own record, or flatten includes into addresses (and
    /// keep them up to date).
    ///
    /// ## References
    /// - RFC 7208 section 4.6.4 (DNS lookup limits)
    pub static RULE = {
        code: "DOM016",
        name: "spf-too-many-lookups",
        severity: Error,
        summary: "the SPF policy needs more than 10 DNS lookups: permerror at receivers",
        check: crate::diagnose::no_check,
    }
}
