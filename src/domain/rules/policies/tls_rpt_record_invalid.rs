use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The TLS-RPT record at `_smtp._tls.DOMAIN` is not valid: `v=TLSRPTv1` is not first,
    /// `rua=` is missing, an address in `rua=` is neither `mailto:` nor `https:`, or there is
    /// more than one `v=TLSRPTv1` record.
    ///
    /// ## Why it matters
    /// Senders that find no single valid record MUST assume that the domain does not want TLS
    /// reports (RFC 8460 section 3): the domain never hears about failed or downgraded TLS
    /// deliveries, which is what it published the record for. A bare address without
    /// `mailto:` is the usual mistake.
    ///
    /// ## Example
    /// `v=TLSRPTv1; rua=tls-reports@example.com` (no `mailto:`), or `v=TLSRPTv1;` alone.
    ///
    /// ## What to do
    /// Publish exactly one record of the form `v=TLSRPTv1; rua=mailto:tls-reports@DOMAIN`;
    /// several destinations are separated by commas, each a `mailto:` or `https:` URI.
    ///
    /// ## References
    /// - RFC 8460 section 3 (the reporting policy record and its ABNF)
    pub static RULE = {
        code: "DOM051",
        name: "tls-rpt-record-invalid",
        severity: Error,
        summary: "the TLS-RPT record is malformed",
        check: crate::diagnose::no_check,
    }
}
