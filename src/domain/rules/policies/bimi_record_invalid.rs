use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The BIMI record at `default._bimi.DOMAIN` is not valid: `v=BIMI1` is not first, a tag
    /// is malformed or repeated, or there is more than one `v=BIMI1` record.
    ///
    /// ## Why it matters
    /// Mailbox providers that find no single valid BIMI record show no logo for the domain.
    /// BIMI (Brand Indicators for Message Identification) is specified by the AuthIndicators
    /// working group as an Internet-Draft, not yet an RFC; it builds on DMARC (RFC 7489) and
    /// its record syntax follows the DKIM tag lists (RFC 6376 section 3.2).
    ///
    /// ## Example
    /// `l=https://example.com/logo.svg; v=BIMI1` (v= not first).
    ///
    /// ## What to do
    /// Publish exactly one record:
    /// `v=BIMI1; l=https://DOMAIN/logo.svg; a=https://DOMAIN/vmc.pem`.
    ///
    /// ## References
    /// - draft-brand-indicators-for-message-identification (BIMI), section 4 (the record)
    /// - RFC 7489 (DMARC), which BIMI requires
    pub static RULE = {
        code: "DOM052",
        name: "bimi-record-invalid",
        severity: Error,
        summary: "the BIMI record is malformed",
        check: crate::diagnose::no_check,
    }
}
