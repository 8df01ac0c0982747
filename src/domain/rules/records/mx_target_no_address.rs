use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// An MX record names an exchanger whose name has no A and no AAAA record (it does not exist,
    /// or exists without addresses). A sending server cannot connect to it and skips it.
    ///
    /// ## Why it matters
    /// If it is the only exchanger, or all of them look like this, mail cannot be delivered. If other
    /// exchangers work, mail still arrives, but senders waste a lookup and, when the working ones are
    /// down, have no fallback. It usually means a server was retired or renamed and the MX record was
    /// forgotten, or a typo.
    ///
    /// ## Example
    /// `example.com. MX 10 mx1.example.com.` and `MX 20 mx-old.example.com.`, where `mx-old.example.com`
    /// returns NXDOMAIN.
    ///
    /// ## What to do
    /// Remove the stale MX record, or give the name an A/AAAA record of a running mail server. MX
    /// targets must be names with address records, not CNAME aliases (RFC 2181 10.3).
    ///
    /// ## References
    /// - RFC 5321 section 5.1 (an exchanger whose address cannot be found is skipped)
    /// - RFC 2181 section 10.3
    pub static RULE = {
        code: "DOM004",
        name: "mx-target-no-address",
        severity: Warning,
        summary: "an MX record names a host that has no address",
        check: crate::diagnose::no_check,
    }
}
