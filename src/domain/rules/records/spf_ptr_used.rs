use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// A record in the domain's SPF policy uses `ptr` (or the `%{p}` macro): the receiver looks up the
    /// reverse DNS name of the connecting address, then its forward addresses, and checks that the
    /// name ends in the domain.
    ///
    /// ## Why it matters
    /// RFC 7208 5.5 says `ptr` SHOULD NOT be used: it is slow, puts load on the reverse DNS of other
    /// people, and is unreliable when reverse DNS fails. Some large receivers skip the mechanism or
    /// treat the record as an error, so senders listed only through `ptr` may fail SPF.
    ///
    /// ## Example
    /// `v=spf1 ptr:example.com -all`
    ///
    /// ## What to do
    /// Replace `ptr` with the sending servers' addresses (`ip4:`, `ip6:`) or with `a:` or `mx` for
    /// the hosts concerned.
    ///
    /// ## References
    /// - RFC 7208 section 5.5 (ptr: do not use)
    /// - RFC 7208 section 7.3 (the %{p} macro)
    pub static RULE = {
        code: "DOM015",
        name: "spf-ptr-used",
        severity: Warning,
        summary: "the SPF record uses the `ptr` mechanism, which RFC 7208 says not to use",
        check: crate::diagnose::no_check,
    }
}
