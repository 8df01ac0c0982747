use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The domain (or a domain it includes) publishes two or more TXT records that start with
    /// `v=spf1`. RFC 7208 4.5 says a receiver that finds more than one must return `permerror`: none of
    /// them is used.
    ///
    /// ## Why it matters
    /// Every receiver evaluating SPF for the domain gets a permanent error instead of pass, so SPF
    /// gives the domain no protection and DMARC cannot pass through SPF. Many receivers reject or
    /// junk mail with an SPF permerror. It typically happens when a second provider's setup guide says
    /// "add this SPF record" and the new one is added beside the old one instead of merged.
    ///
    /// ## Example
    /// `example.com. TXT "v=spf1 include:_spf.google.com ~all"` and
    /// `example.com. TXT "v=spf1 include:mailgun.org ~all"`.
    ///
    /// ## What to do
    /// Merge them into one record: `v=spf1 include:_spf.google.com include:mailgun.org ~all`, and
    /// delete the others. The deprecated SPF resource record type (99) is not needed either.
    ///
    /// ## References
    /// - RFC 7208 section 4.5 (more than one record is a permerror)
    /// - RFC 7208 section 3.2 (multiple records)
    pub static RULE = {
        code: "DOM011",
        name: "spf-multiple-records",
        severity: Error,
        summary: "more than one SPF record: receivers give permerror",
        check: crate::diagnose::no_check,
    }
}
