use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The domain publishes MTA-STS but no TLS-RPT record at `_smtp._tls.DOMAIN`.
    ///
    /// ## Why it matters
    /// TLS-RPT is how sending servers tell a domain that they could not deliver securely: a
    /// certificate that expired, an MX not listed in the MTA-STS policy, a STARTTLS stripped
    /// on the way. Without it, an MTA-STS policy in `enforce` mode can make mail bounce at the
    /// senders and the domain never hears about it; in `testing` mode, testing tells nothing.
    ///
    /// ## Example
    /// `_mta-sts.example.com TXT "v=STSv1; id=20240501;"` and no TXT record at
    /// `_smtp._tls.example.com`.
    ///
    /// ## What to do
    /// Publish `_smtp._tls.DOMAIN TXT "v=TLSRPTv1; rua=mailto:tls-reports@DOMAIN"` (an
    /// address or an HTTPS endpoint that can take daily JSON reports, often gzipped), and read
    /// the reports, or have a reporting service read them.
    ///
    /// ## References
    /// - RFC 8460 (SMTP TLS reporting), section 3 (the record)
    /// - RFC 8461 section 6 (MTA-STS and reporting)
    pub static RULE = {
        code: "DOM050",
        name: "mta-sts-without-tls-rpt",
        severity: Info,
        summary: "MTA-STS is published without TLS-RPT, so failures go unreported",
        check: crate::diagnose::no_check,
    }
}
