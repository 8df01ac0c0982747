use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The SPF policy ends in `?all`: a server not listed gets `neutral`, which RFC 7208 says must be
    /// treated exactly like `none` — no opinion at all.
    ///
    /// ## Why it matters
    /// Spoofed mail from any other server is not marked as failing SPF, so SPF protects the domain
    /// only in that listed servers pass. DMARC still needs aligned SPF or DKIM to pass, but receivers
    /// that use SPF alone get no signal against forgery.
    ///
    /// ## Example
    /// `v=spf1 ip4:192.0.2.0/24 ?all`
    ///
    /// ## What to do
    /// Move to `~all` and then `-all` once you are sure every legitimate sender is listed; DMARC
    /// aggregate reports show which servers send as the domain.
    ///
    /// ## References
    /// - RFC 7208 section 2.6.2 (neutral) and 8.2
    /// - RFC 7208 section 5.1 (all)
    pub static RULE = {
        code: "DOM013",
        name: "spf-neutral-all",
        severity: Warning,
        summary: "`?all` makes no statement about other senders",
        check: crate::diagnose::no_check,
    }
}
