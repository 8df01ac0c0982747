use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The DMARC record has no `rua=` tag (or no valid URI in it). Receivers send aggregate reports
    /// only to the addresses it lists.
    ///
    /// ## Why it matters
    /// Aggregate reports are how a domain learns which servers send as it, which of them pass SPF
    /// and DKIM, and how much spoofing there is. Without them `p=none` monitors nothing, and moving to
    /// quarantine or reject is blind: legitimate senders that fail are discovered through complaints.
    ///
    /// ## Example
    /// `v=DMARC1; p=none`
    ///
    /// ## What to do
    /// Add `rua=mailto:dmarc-reports@example.com` (an address at the domain, or at a report service
    /// that publishes the authorisation record of RFC 7489 7.1).
    ///
    /// ## References
    /// - RFC 7489 section 6.3 (rua) and 7.2 (aggregate reports)
    pub static RULE = {
        code: "DOM025",
        name: "dmarc-no-aggregate-reports",
        severity: Warning,
        summary: "no `rua=`: the domain gets no DMARC aggregate reports",
        check: crate::diagnose::no_check,
    }
}
