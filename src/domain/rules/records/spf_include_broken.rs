use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// An `include:` or `redirect=` of the domain's SPF policy names a domain that does not exist,
    /// has no SPF record, or includes its way back to a record already being evaluated (a loop).
    /// RFC 7208 makes each of these a `permerror`.
    ///
    /// ## Why it matters
    /// Receivers that reach the broken include return `permerror` for the whole evaluation: mail from
    /// servers listed after it, or not listed, gets no SPF pass. It usually follows a provider
    /// renaming its SPF domain, a typo, or a service being shut down.
    ///
    /// ## Example
    /// `v=spf1 include:_spf.old-provider.example -all`, where `_spf.old-provider.example` returns
    /// NXDOMAIN; or `a.example` includes `b.example` which includes `a.example`.
    ///
    /// ## What to do
    /// Check the provider's current SPF domain and fix the include, remove includes of services you
    /// no longer use, and break any loop.
    ///
    /// ## References
    /// - RFC 7208 section 5.2 (include: none is a permerror)
    /// - RFC 7208 section 6.1 (redirect to a domain without a record is a permerror)
    /// - RFC 7208 section 4.6.4 (loops are bounded by the lookup limit)
    pub static RULE = {
        code: "DOM019",
        name: "spf-include-broken",
        severity: Error,
        summary: "an include or redirect leads to no usable SPF record, or loops",
        check: crate::diagnose::no_check,
    }
}
