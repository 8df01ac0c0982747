use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The MTA-STS policy's `max_age` is above 31557600 seconds (one year), the largest value
    /// RFC 8461 allows.
    ///
    /// ## Why it matters
    /// The ABNF of the policy caps `max_age` at 31557600; a larger value makes the policy
    /// invalid, and a sender that checks strictly will treat the domain as having no policy.
    /// Senders that are lenient will cache it for the longest time they allow, which makes any
    /// later mistake (a new MX not in the policy) last as long.
    ///
    /// ## Example
    /// `max_age: 63072000` (two years).
    ///
    /// ## What to do
    /// Use at most 31557600; a few weeks (604800 to 2419200) is the usual choice. Change the
    /// `id=` of the TXT record after editing the policy.
    ///
    /// ## References
    /// - RFC 8461 section 3.2 (`max_age`: "maximum value of 31557600")
    pub static RULE = {
        code: "DOM048",
        name: "mta-sts-max-age-too-long",
        severity: Error,
        summary: "the MTA-STS policy's max_age is above the one-year maximum",
        check: crate::diagnose::no_check,
    }
}
