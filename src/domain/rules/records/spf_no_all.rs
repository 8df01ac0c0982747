use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The SPF record ends without an `all` mechanism and has no `redirect=` modifier. When no term
    /// matches, the result is `neutral` (RFC 7208 4.7), the same as `?all`.
    ///
    /// ## Why it matters
    /// Servers that are not listed are not marked as failing SPF, so the record authorises the listed
    /// senders but does not flag forgeries. It is often an accident: the `-all` was lost while editing,
    /// or the record was truncated.
    ///
    /// ## Example
    /// `v=spf1 mx include:_spf.example.net`
    ///
    /// ## What to do
    /// End the record with `-all` (or `~all` while checking that every sender is listed), or with a
    /// `redirect=` to the record that holds the domain's policy.
    ///
    /// ## References
    /// - RFC 7208 section 4.7 (default result) and 5.1 (all)
    /// - RFC 7208 section 6.1 (redirect)
    pub static RULE = {
        code: "DOM014",
        name: "spf-no-all",
        severity: Info,
        summary: "the SPF record has no `all` and no redirect: everyone else is neutral",
        check: crate::diagnose::no_check,
    }
}
