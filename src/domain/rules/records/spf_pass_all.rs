use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// The SPF policy ends in `+all` (or a bare `all`, whose qualifier is `+`), directly or through an
    /// include or redirect: every server that matches no earlier term gets `pass`, which means every
    /// server on the Internet is authorised to send as the domain.
    ///
    /// ## Why it matters
    /// Anyone can send mail with the domain in the envelope sender and get `spf=pass`, and with an
    /// aligned From, pass DMARC through SPF. The record is worse than no record: it turns SPF into a
    /// seal of approval for spoofing.
    ///
    /// ## Example
    /// `v=spf1 include:_spf.example.net +all`
    ///
    /// ## What to do
    /// End the record in `-all` (fail everything else) or `~all` (softfail, while you find all your
    /// senders). List the servers that really send for you before the `all`.
    ///
    /// ## References
    /// - RFC 7208 section 5.1 (all) and 4.6.2 (qualifiers)
    /// - RFC 7208 section 10.1 (security of permissive records)
    pub static RULE = {
        code: "DOM012",
        name: "spf-pass-all",
        severity: Error,
        summary: "`+all` lets any server in the world pass SPF",
        check: crate::diagnose::no_check,
    }
}
