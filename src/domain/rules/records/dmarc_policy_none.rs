use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The domain's DMARC policy is `p=none`: receivers report on mail that fails DMARC but deliver
    /// it as if there were no policy. It is the first step of a DMARC deployment, meant to last while
    /// the reports show who sends as the domain.
    ///
    /// ## Why it matters
    /// "p=none forever" protects nothing: mail forging the domain in From is delivered normally.
    /// Mailbox providers treat `p=none` as the minimum for bulk senders, not as protection, and
    /// phishers prefer domains with `p=none`.
    ///
    /// ## Example
    /// `v=DMARC1; p=none; rua=mailto:dmarc@example.com`
    ///
    /// ## What to do
    /// Read the aggregate reports (rua), make every legitimate sender pass SPF or DKIM aligned, then
    /// move to `p=quarantine` (with `pct=` to ramp up if needed) and finally `p=reject`.
    ///
    /// ## References
    /// - RFC 7489 section 6.3 (p=) and 6.7 (policy enforcement considerations)
    /// - RFC 7489 section 7.2 (aggregate reports)
    pub static RULE = {
        code: "DOM023",
        name: "dmarc-policy-none",
        severity: Warning,
        summary: "`p=none`: spoofed mail is still delivered (monitoring only)",
        check: crate::diagnose::no_check,
    }
}
