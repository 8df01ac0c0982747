use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The MTA-STS policy is in `mode: none`: the domain says it has no active policy.
    ///
    /// ## Why it matters
    /// Mode `none` exists to withdraw a policy (RFC 8461 section 8.3): senders replace their
    /// cached `enforce` or `testing` policy with it and stop checking. During a removal this is
    /// expected; left in place it means MTA-STS is published but protects nothing, which is
    /// easy to mistake for a working setup.
    ///
    /// ## Example
    /// ```text
    /// version: STSv1
    /// mode: none
    /// max_age: 86400
    /// ```
    ///
    /// ## What to do
    /// If MTA-STS is being removed: keep `mode: none` for at least the longest `max_age` that
    /// was ever published, then delete the TXT record and the policy file. Otherwise publish
    /// `mode: testing` and then `mode: enforce`, with the MX hosts as `mx:` lines.
    ///
    /// ## References
    /// - RFC 8461 section 3.2 (`mode`), section 5 and section 8.3 (removing MTA-STS)
    pub static RULE = {
        code: "DOM046",
        name: "mta-sts-mode-none",
        severity: Warning,
        summary: "the MTA-STS policy is in mode none and protects nothing",
        check: crate::diagnose::no_check,
    }
}
