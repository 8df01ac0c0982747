use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// A DNS query needed to check the domain's MX, SPF or DMARC setup gave no answer: a timeout,
    /// SERVFAIL, REFUSED, an unreachable server, or offline mode with no zone file for the name. What
    /// depends on that answer could not be checked.
    ///
    /// ## Why it matters
    /// Senders and receivers meet the same failures: a timeout on the MX lookup delays mail, and a
    /// failed SPF or DMARC lookup gives `temperror`, which receivers may treat as a reason to defer.
    /// A persistent failure (a broken or lame delegation, DNSSEC errors) can make a domain unreachable
    /// by mail.
    ///
    /// ## Example
    /// `DNS timeout: example.com MX`, or `not found (offline): _dmarc.example.com TXT`.
    ///
    /// ## What to do
    /// Run the check again, with live DNS (not `--offline`), or give a zone file with the records.
    /// If it persists, check the domain's name servers with `dig +trace` and any DNSSEC validation
    /// errors.
    ///
    /// ## References
    /// - RFC 5321 section 5.1 (temporary DNS errors)
    /// - RFC 7208 section 2.6.6 (SPF temperror)
    /// - RFC 7489 section 6.6.3 (DMARC policy discovery)
    pub static RULE = {
        code: "DOM009",
        name: "record-lookup-failed",
        severity: Warning,
        summary: "a DNS lookup for the domain's mail setup failed: the result is incomplete",
        check: crate::diagnose::no_check,
    }
}
