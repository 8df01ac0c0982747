use crate::declare_rule;

declare_rule! {
    /// ## What it means
    /// An SPF record of the domain, or of a domain it includes or redirects to, does not follow the
    /// grammar of RFC 7208 section 12: an unknown mechanism, a misspelling (`ip4:192.0.2.0/33`,
    /// `include=`), a missing argument, a repeated `redirect=` or `exp=`, a non-ASCII character.
    ///
    /// ## Why it matters
    /// One bad term makes the whole record unusable: receivers return `permerror`, not a result for
    /// the terms that were fine. SPF gives no protection and DMARC cannot pass through SPF; some
    /// receivers reject mail with an SPF permerror.
    ///
    /// ## Example
    /// `v=spf1 ip4:192.0.2.300 include=_spf.example.net -all`
    ///
    /// ## What to do
    /// Fix the term named in the finding. Mechanisms take a colon (`include:`, `ip4:`), modifiers an
    /// equals sign (`redirect=`, `exp=`); addresses must be valid and prefix lengths at most 32 (IPv4)
    /// or 128 (IPv6).
    ///
    /// ## References
    /// - RFC 7208 section 4.6 (record syntax) and 12 (collected ABNF)
    /// - RFC 7208 section 2.6.7 (permerror)
    pub static RULE = {
        code: "DOM018",
        name: "spf-syntax-error",
        severity: Error,
        summary: "an SPF record has a syntax error: permerror at receivers",
        check: crate::diagnose::no_check,
    }
}
