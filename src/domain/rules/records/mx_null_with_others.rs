use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The domain publishes the null MX `0 .` together with other MX records. RFC 7505 says a domain
    /// that advertises a null MX must not advertise any other MX record.
    ///
    /// ## Why it matters
    /// Senders disagree about what it means: some honour the null MX and bounce mail at once, others
    /// ignore it and deliver to the other exchangers. Mail to the domain is delivered by some senders
    /// and refused by others, which is very hard to debug from the receiving side.
    ///
    /// ## Example
    /// `example.com. MX 0 .` and `example.com. MX 10 mail.example.com.`
    ///
    /// ## What to do
    /// Decide: if the domain receives mail, delete the `0 .` record; if it does not, delete the other
    /// MX records.
    ///
    /// ## References
    /// - RFC 7505 section 3 (a null MX must be the only MX record)
    pub static RULE = {
        code: "DOM005",
        name: "mx-null-with-others",
        severity: Error,
        summary: "a null MX is published alongside other MX records",
        check: crate::diagnose::no_check,
    }
}
