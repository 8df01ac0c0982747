use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// A `rua=` (or `ruf=`) address is at a domain outside the DMARC record's organisational domain,
    /// and that domain publishes no `DOMAIN._report._dmarc.OTHER` TXT record starting with `v=DMARC1`
    /// to say it accepts reports for this domain.
    ///
    /// ## Why it matters
    /// RFC 7489 7.1 tells receivers to check that record and to send no report to the address when
    /// it is missing, so that nobody can direct report floods at a third party. The domain then gets
    /// no reports from those receivers, without any error message.
    ///
    /// ## Example
    /// `_dmarc.example.com. TXT "v=DMARC1; p=none; rua=mailto:d@reports.example.net"` and no
    /// `example.com._report._dmarc.reports.example.net` record.
    ///
    /// ## What to do
    /// Ask the report service (or the owner of the other domain) to publish
    /// `example.com._report._dmarc.reports.example.net. TXT "v=DMARC1"`, or send the reports to an
    /// address at your own domain.
    ///
    /// ## References
    /// - RFC 7489 section 7.1 (verifying external destinations)
    pub static RULE = {
        code: "DOM027",
        name: "dmarc-report-destination-unauthorized",
        severity: Warning,
        summary: "reports go to another domain that has not authorised them",
        check: crate::diagnose::no_check,
    }
}
