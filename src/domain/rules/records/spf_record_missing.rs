use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// There is no TXT record starting with `v=spf1` at the domain. Receivers get the SPF result
    /// `none`: the domain says nothing about which servers may send its mail.
    ///
    /// ## Why it matters
    /// Without SPF, any server can use the domain in the envelope sender and receivers have no way to
    /// tell. Large mailbox providers require SPF or DKIM from every sender and both from bulk senders,
    /// and DMARC can pass through SPF only when there is an SPF record. Mail from the domain is more
    /// likely to be filtered as spam.
    ///
    /// ## Example
    /// `example.com. TXT "google-site-verification=..."` and no `v=spf1` record.
    ///
    /// ## What to do
    /// Publish one TXT record listing the servers that send for the domain and ending in `-all` or
    /// `~all`, e.g. `v=spf1 mx include:_spf.mailprovider.example -all`. A domain that sends no mail
    /// should publish `v=spf1 -all`.
    ///
    /// ## References
    /// - RFC 7208 section 4.5 (selecting records) and 2.6.1 (none)
    /// - RFC 7489 (DMARC uses SPF)
    pub static RULE = {
        code: "DOM010",
        name: "spf-record-missing",
        severity: Warning,
        summary: "the domain publishes no SPF record",
        check: crate::diagnose::no_check,
    }
}
