use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The TXT record at `_mta-sts.DOMAIN` starts with `v=STSv1` but is not valid: the `id=`
    /// field is missing, or is not 1 to 32 letters and digits, or a field is malformed.
    ///
    /// ## Why it matters
    /// A sending server that finds no valid record MUST assume that the domain has no MTA-STS
    /// policy (RFC 8461 section 3.1): it will not fetch the policy, so mail to the domain is
    /// sent without the protection against TLS downgrade and MX spoofing that MTA-STS exists
    /// for. The `id=` is also how senders learn that the policy changed: without a valid one
    /// they never refresh their cached copy.
    ///
    /// ## Example
    /// `v=STSv1; id=2024-05-01` (a hyphen is not allowed in `id=`), or `v=STSv1;` (no `id=`).
    ///
    /// ## What to do
    /// Publish `v=STSv1; id=20240501T000000;` with an `id=` of letters and digits only, and
    /// change the `id=` every time the policy file changes (a timestamp is the usual choice).
    ///
    /// ## References
    /// - RFC 8461 section 3.1 (the MTA-STS TXT record and its ABNF)
    pub static RULE = {
        code: "DOM040",
        name: "mta-sts-record-invalid",
        severity: Error,
        summary: "the MTA-STS TXT record is malformed",
        check: crate::diagnose::no_check,
    }
}
