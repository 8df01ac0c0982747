use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The MTA-STS policy's `max_age` is under one day (86400 seconds).
    ///
    /// ## Why it matters
    /// `max_age` is how long senders keep the policy. MTA-STS protects a sender that already
    /// holds the policy when an attacker interferes later (trust on first use); with a short
    /// `max_age` the cached policy expires quickly, and an attacker who blocks the policy
    /// fetch and the DNS lookup gets the domain treated as having no policy. RFC 8461
    /// recommends weeks or more.
    ///
    /// ## Example
    /// `max_age: 3600`
    ///
    /// ## What to do
    /// While testing, a day (86400) is fine. In `enforce` mode use one to several weeks
    /// (604800 to 2419200 seconds is common; 31557600, one year, is the maximum). Change the
    /// `id=` of the TXT record after editing the policy.
    ///
    /// ## References
    /// - RFC 8461 section 3.2 (`max_age`, "values of weeks or greater" recommended) and
    ///   section 10.2 (policy cache lifetime)
    pub static RULE = {
        code: "DOM047",
        name: "mta-sts-max-age-short",
        severity: Warning,
        summary: "the MTA-STS policy's max_age is under a day",
        check: crate::diagnose::no_check,
    }
}
