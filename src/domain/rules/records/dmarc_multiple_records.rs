use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// `_dmarc.DOMAIN` holds two or more TXT records starting with `v=DMARC1`. RFC 7489 6.6.3 says
    /// policy discovery then ends: receivers apply no DMARC policy at all.
    ///
    /// ## Why it matters
    /// The domain is as unprotected as if it had no DMARC record, and receives no aggregate reports,
    /// while its owners believe a policy is in force.
    ///
    /// ## Example
    /// `_dmarc.example.com. TXT "v=DMARC1; p=reject"` and
    /// `_dmarc.example.com. TXT "v=DMARC1; p=none; rua=mailto:d@example.com"`.
    ///
    /// ## What to do
    /// Merge them into one record and delete the others.
    ///
    /// ## References
    /// - RFC 7489 section 6.6.3 (policy discovery: more than one record)
    pub static RULE = {
        code: "DOM021",
        name: "dmarc-multiple-records",
        severity: Error,
        summary: "more than one DMARC record: receivers ignore them all",
        check: crate::diagnose::no_check,
    }
}
