use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// More than one TXT record at `_mta-sts.DOMAIN` starts with `v=STSv1`.
    ///
    /// ## Why it matters
    /// RFC 8461 section 3.1: "If the number of resulting records is not one, ... senders MUST
    /// assume the recipient domain does not have an available MTA-STS Policy". Two records are
    /// therefore as good as none: senders stop applying the policy, and a downgrade attack
    /// goes unnoticed. This usually happens when a new record with a new `id=` was added
    /// instead of replacing the old one.
    ///
    /// ## Example
    /// `v=STSv1; id=20230101T000000;` and `v=STSv1; id=20240501T000000;` at the same name.
    ///
    /// ## What to do
    /// Keep exactly one record: the one whose `id=` matches the current policy file. Other TXT
    /// records at that name (not starting with `v=STSv1`) are ignored and do no harm.
    ///
    /// ## References
    /// - RFC 8461 section 3.1 (exactly one record)
    pub static RULE = {
        code: "DOM041",
        name: "mta-sts-several-records",
        severity: Error,
        summary: "several MTA-STS TXT records, so senders assume there is no policy",
        check: crate::diagnose::no_check,
    }
}
