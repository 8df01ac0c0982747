use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The DMARC record asks for quarantine or reject for the domain itself (`p=`) but `sp=none` for
    /// its subdomains: mail forging `anything.example.com` is delivered.
    ///
    /// ## Why it matters
    /// Phishers can use any made-up subdomain (`billing.example.com`) that has no DMARC record of its
    /// own and be treated as `p=none`. Sometimes intended while subdomains are being fixed, often
    /// forgotten.
    ///
    /// ## Example
    /// `v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@example.com`
    ///
    /// ## What to do
    /// Remove `sp=` (subdomains then get `p=`), or set it to quarantine or reject; give subdomains
    /// that need a different policy their own `_dmarc` record.
    ///
    /// ## References
    /// - RFC 7489 section 6.3 (sp=) and 6.6.3 (policy discovery for subdomains)
    pub static RULE = {
        code: "DOM026",
        name: "dmarc-subdomain-policy-none",
        severity: Info,
        summary: "`sp=none` leaves subdomains open under a stricter `p=`",
        check: crate::diagnose::no_check,
    }
}
