use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The MTA-STS policy is in `mode: testing`.
    ///
    /// ## Why it matters
    /// In testing mode, senders check the MX host and its certificate but deliver anyway when
    /// the check fails, and only report the failure through TLS-RPT (RFC 8461 section 5). That
    /// is the right way to start, but it gives no protection against TLS downgrade or a forged
    /// MX: an attacker who strips STARTTLS still reads the mail.
    ///
    /// ## Example
    /// ```text
    /// version: STSv1
    /// mode: testing
    /// mx: mail.example.com
    /// max_age: 86400
    /// ```
    ///
    /// ## What to do
    /// Read the TLS-RPT reports for a few weeks (publish a `_smtp._tls` record if there is
    /// none). When they show no failures, switch to `mode: enforce`, raise `max_age` to a few
    /// weeks, and change the `id=` of the TXT record.
    ///
    /// ## References
    /// - RFC 8461 section 5 (policy application: testing versus enforce)
    /// - RFC 8460 (SMTP TLS reporting)
    pub static RULE = {
        code: "DOM045",
        name: "mta-sts-in-testing-mode",
        severity: Info,
        summary: "the MTA-STS policy is in testing mode and protects nothing yet",
        check: crate::diagnose::no_check,
    }
}
