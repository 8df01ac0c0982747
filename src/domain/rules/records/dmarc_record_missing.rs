use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// There is no TXT record starting with `v=DMARC1` at `_dmarc.DOMAIN`, nor at `_dmarc.` its
    /// organisational domain. Receivers apply no DMARC policy to mail with the domain in From.
    ///
    /// ## Why it matters
    /// Without DMARC, nothing tells receivers what to do with mail that fails SPF and DKIM alignment,
    /// so exact-domain spoofing of the From address is left to their spam filters. The domain also gets
    /// no aggregate reports about who sends as it. Large mailbox providers require a DMARC record (at
    /// least `p=none`) from bulk senders.
    ///
    /// ## Example
    /// `_dmarc.example.com` returns NXDOMAIN.
    ///
    /// ## What to do
    /// Publish `_dmarc.example.com. TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"`, read the
    /// aggregate reports for a few weeks, fix the senders that fail, then move to `p=quarantine` and
    /// `p=reject`.
    ///
    /// ## References
    /// - RFC 7489 section 6.1 (DMARC policy record) and 6.6.3 (policy discovery)
    /// - RFC 7489 section 7.2 (aggregate reports)
    pub static RULE = {
        code: "DOM020",
        name: "dmarc-record-missing",
        severity: Warning,
        summary: "the domain publishes no DMARC record",
        check: crate::diagnose::no_check,
    }
}
